"""Accounts of the gateway's own schema: SQL and the sign-in use case."""
ACCOUNT_COLUMNS = ("username", "password_hash", "role", "subject", "display_name", "active")


class AccountRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def get(self, username):
        self.cursor.execute("SELECT " + ", ".join(ACCOUNT_COLUMNS) + " FROM accounts WHERE username = %s",
                            (username,))
        row = self.cursor.fetchone()
        return dict(zip(ACCOUNT_COLUMNS, row)) if row else None

    def add_many(self, accounts):
        self.cursor.executemany(
            "INSERT INTO accounts (" + ", ".join(ACCOUNT_COLUMNS) + ") VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (username) DO NOTHING",
            [tuple(a[c] for c in ACCOUNT_COLUMNS) for a in accounts])


REPOSITORIES = {"accounts": AccountRepository}


def find_account(username, uow):
    with uow:
        return uow.accounts.get(username)
