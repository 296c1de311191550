"""Accounts of the gateway's own schema: SQL and the sign-in use cases."""
from kernel.errors import Conflict

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

    def set_deputy_password(self, code, display_name, password_hash):
        """Create the deputy's account, or give it a new password and re-activate it. False if
        the username belongs to an account that is not this deputy's."""
        self.cursor.execute(
            "INSERT INTO accounts (username, password_hash, role, subject, display_name, active) "
            "VALUES (%s, %s, 'deputy', %s, %s, true) ON CONFLICT (username) DO UPDATE SET "
            "password_hash = EXCLUDED.password_hash, display_name = EXCLUDED.display_name, active = true "
            "WHERE accounts.role = 'deputy' AND accounts.subject = EXCLUDED.subject RETURNING username",
            (code, password_hash, code, display_name))
        return self.cursor.fetchone() is not None

    def set_password(self, username, password_hash):
        self.cursor.execute("UPDATE accounts SET password_hash = %s WHERE username = %s", (password_hash, username))


REPOSITORIES = {"accounts": AccountRepository}


def find_account(username, uow):
    with uow:
        return uow.accounts.get(username)


def issue_deputy_password(deputy, password_hash, uow):
    """A deputy registered after the demo (or who lost the password) gets a sign-in:
    username = deputy code, a new initial password."""
    with uow:
        if not uow.accounts.set_deputy_password(deputy["id"], deputy["name"], password_hash):
            raise Conflict(f"username {deputy['id']} belongs to another account", {"username": deputy["id"]})
        uow.commit()


def change_password(username, password_hash, uow):
    with uow:
        uow.accounts.set_password(username, password_hash)
        uow.commit()
