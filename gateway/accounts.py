"""Accounts of the gateway's own schema: SQL and the sign-in use cases."""
from kernel.errors import Conflict

ACCOUNT_COLUMNS = ("username", "password_hash", "role", "subject", "display_name", "active")
READ_COLUMNS = ACCOUNT_COLUMNS + ("token_version", "must_change_password")


class AccountRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def get(self, username):
        self.cursor.execute("SELECT " + ", ".join(READ_COLUMNS) + " FROM accounts WHERE username = %s",
                            (username,))
        row = self.cursor.fetchone()
        return dict(zip(READ_COLUMNS, row)) if row else None

    def add_many(self, accounts):
        self.cursor.executemany(
            "INSERT INTO accounts (" + ", ".join(ACCOUNT_COLUMNS) + ") VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (username) DO NOTHING",
            [tuple(a[c] for c in ACCOUNT_COLUMNS) for a in accounts])

    def issue_initial_password(self, username, role, subject, display_name, password_hash, subject_version):
        """Create the account of ``role``/``subject``, or give it a new initial password (revoking
        its tokens) and re-activate it; to be changed at the first sign-in. False if the username
        belongs to an account of another role or subject."""
        self.cursor.execute(
            "INSERT INTO accounts (username, password_hash, role, subject, display_name, active, subject_version, "
            "must_change_password) VALUES (%s, %s, %s, %s, %s, true, %s, true) ON CONFLICT (username) DO UPDATE SET "
            "password_hash = EXCLUDED.password_hash, display_name = EXCLUDED.display_name, active = true, "
            "must_change_password = true, "
            "token_version = accounts.token_version + 1, "
            "subject_version = GREATEST(accounts.subject_version, EXCLUDED.subject_version) "
            "WHERE accounts.role = EXCLUDED.role AND accounts.subject = EXCLUDED.subject RETURNING username",
            (username, password_hash, role, subject, display_name, subject_version))
        return self.cursor.fetchone() is not None

    def set_password(self, username, password_hash):
        """A new password revokes every token issued with the old one (and is the account's own)."""
        self.cursor.execute("UPDATE accounts SET password_hash = %s, token_version = token_version + 1, "
                            "must_change_password = false "
                            "WHERE username = %s", (password_hash, username))

    def follow_status(self, role, subject, active, subject_version):
        """The account of a deputy or a department follows its subject's status (a deactivation
        revokes its tokens); an event older than the one last followed changes nothing."""
        self.cursor.execute(
            "UPDATE accounts SET active = %(active)s, subject_version = %(version)s, "
            "token_version = token_version + CASE WHEN active AND NOT %(active)s THEN 1 ELSE 0 END "
            "WHERE role = %(role)s AND subject = %(subject)s "
            "AND (subject_version IS NULL OR subject_version < %(version)s)",
            {"active": active, "version": subject_version, "role": role, "subject": subject})
        return self.cursor.rowcount


class ThrottleRepository:
    """Failed sign-ins per key (gateway/signin.py): rows in ``sign_in_throttle``, times from
    the database's clock so that every gateway process agrees."""

    def __init__(self, cursor):
        self.cursor = cursor

    def lock(self, keys, window_seconds):
        """Lock (creating them) the rows of ``keys``; {key: (failures, wait_seconds)} where a
        count older than the window is 0 and wait is how long the key is still blocked."""
        keys = sorted(set(keys))  # one lock order: no deadlock between concurrent sign-ins
        self.cursor.execute(
            "INSERT INTO sign_in_throttle (key, failures, last_failure_at) SELECT k, 0, now() FROM unnest(%s::text[]) "
            "AS k ON CONFLICT (key) DO NOTHING", (keys,))
        self.cursor.execute(
            "SELECT key, CASE WHEN last_failure_at < now() - make_interval(secs => %s) THEN 0 ELSE failures END, "
            "CEIL(GREATEST(0, EXTRACT(EPOCH FROM blocked_until - now())))::int "
            "FROM sign_in_throttle WHERE key = ANY(%s) ORDER BY key FOR UPDATE", (window_seconds, keys))
        return {key: (failures, wait or 0) for key, failures, wait in self.cursor.fetchall()}

    def set_failures(self, key, failures, block_seconds):
        self.cursor.execute(
            "UPDATE sign_in_throttle SET failures = %s, last_failure_at = now(), "
            "blocked_until = CASE WHEN %s > 0 THEN now() + make_interval(secs => %s) END WHERE key = %s",
            (failures, block_seconds, block_seconds, key))

    def clear(self, key):
        self.cursor.execute("DELETE FROM sign_in_throttle WHERE key = %s", (key,))

    def undo_failure(self, key):
        """Take back one failure counted in advance. The key was not blocked when the attempt
        was let in, so it is not blocked after either."""
        self.cursor.execute("UPDATE sign_in_throttle SET failures = GREATEST(failures - 1, 0), blocked_until = NULL "
                            "WHERE key = %s", (key,))

    def forget_old(self, window_seconds, limit=100):
        self.cursor.execute(
            "DELETE FROM sign_in_throttle WHERE key IN (SELECT key FROM sign_in_throttle "
            "WHERE last_failure_at < now() - make_interval(secs => %s) LIMIT %s)", (window_seconds, limit))


class SessionRepository:
    """Browser sessions: a row per signed-in browser; deleting it signs that browser out."""

    def __init__(self, cursor):
        self.cursor = cursor

    def add(self, session_id, username, ttl_seconds):
        self.cursor.execute("DELETE FROM browser_sessions WHERE id IN (SELECT id FROM browser_sessions "
                            "WHERE expires_at < now() LIMIT 100)")
        self.cursor.execute("INSERT INTO browser_sessions (id, username, expires_at) "
                            "VALUES (%s, %s, now() + make_interval(secs => %s))", (session_id, username, ttl_seconds))

    def owner(self, session_id):
        self.cursor.execute("SELECT username FROM browser_sessions WHERE id = %s AND expires_at > now()",
                            (session_id,))
        row = self.cursor.fetchone()
        return row[0] if row else None

    def remove(self, session_id):
        self.cursor.execute("DELETE FROM browser_sessions WHERE id = %s", (session_id,))


REPOSITORIES = {"accounts": AccountRepository, "sign_in_throttle": ThrottleRepository,
                "browser_sessions": SessionRepository}


def find_account(username, uow):
    with uow:
        return uow.accounts.get(username)


def take_sign_in_attempt(keys, policy, uow):
    """Before a password is checked: 0 and the attempt is counted as a failure in advance
    (so that concurrent guesses cannot all slip in before the first failure is recorded),
    or the seconds still to wait (nothing counted) while any key is blocked."""
    with uow:
        uow.sign_in_throttle.forget_old(policy.window_seconds)
        state = uow.sign_in_throttle.lock(keys, policy.window_seconds)
        wait = max(seconds for _, seconds in state.values())
        if wait > 0:
            return wait
        for key, (failures, _) in state.items():
            uow.sign_in_throttle.set_failures(key, failures + 1, policy.block_seconds(key, failures + 1))
        uow.commit()
    return 0


def sign_in_succeeded(keys, uow):
    """Undo the failure counted in advance: the account starts again from nothing, the
    client only loses the one attempt (its other failures stand)."""
    with uow:
        for key in keys:
            if key.startswith("account:"):
                uow.sign_in_throttle.clear(key)
            else:
                uow.sign_in_throttle.undo_failure(key)
        uow.commit()


def start_browser_session(session_id, username, ttl_seconds, uow):
    with uow:
        uow.browser_sessions.add(session_id, username, ttl_seconds)
        uow.commit()


def end_browser_session(session_id, uow):
    with uow:
        uow.browser_sessions.remove(session_id)
        uow.commit()


def issue_deputy_password(deputy, password_hash, uow):
    """A deputy registered after the demo (or who lost the password) gets a sign-in:
    username = deputy code, a new initial password, to be changed at the first sign-in
    (must_change_password). Not for an inactive deputy."""
    if deputy.get("status", "active") != "active":
        raise Conflict(f"deputy {deputy['id']} is not active", {"status": deputy.get("status")})
    _issue(uow, deputy["id"], "deputy", deputy["id"], deputy["name"], password_hash, deputy.get("version"))


def issue_department_password(department, username, password_hash, uow):
    """A department added after the demo (or whose staff lost the password) gets a sign-in
    ``dept-<code>`` with a new initial password. Not for an inactive department."""
    if not department.get("active", True):
        raise Conflict(f"department {department['code']} is not active", {"active": False})
    _issue(uow, username, "department", department["code"], department["name"], password_hash,
           department.get("version"))


def _issue(uow, username, role, subject, display_name, password_hash, subject_version):
    with uow:
        if not uow.accounts.issue_initial_password(username, role, subject, display_name, password_hash,
                                                   subject_version):
            raise Conflict(f"username {username} belongs to another account", {"username": username})
        uow.commit()


def follow_deputy_status(envelope, consumer, uow):
    """``deputy_updated``: a deputy who is made inactive can no longer sign in, and every
    token of theirs stops working; made active again, the account is usable again (old
    tokens stay revoked). Events that do not change the status are ignored."""
    data = envelope["data"]
    if "status" not in (data.get("changed") or ()):
        return False
    return _follow_status(envelope, consumer, "deputy", data["code"], data["status"] == "active", uow)


def follow_department_status(envelope, consumer, uow):
    """``department_saved``: the same for a department's sign-in (``dept-<code>``). The event
    carries the whole department, so every version is followed (an unchanged ``active`` only
    records the version)."""
    data = envelope["data"]
    return _follow_status(envelope, consumer, "department", data["code"], bool(data["active"]), uow)


def _follow_status(envelope, consumer, role, subject, active, uow):
    with uow:
        if not uow.claim_event(consumer, envelope["event_id"]):
            return False
        uow.accounts.follow_status(role, subject, active, int(envelope["data"]["version"]))
        uow.commit()
    return True


def change_password(username, password_hash, uow):
    with uow:
        uow.accounts.set_password(username, password_hash)
        uow.commit()
