"""Every token is checked against its account, not only its signature.

A token names its account and carries the account's token version; a browser session's
token also names its session. The token stands only while the account exists, is active,
has the same role and subject and the same token version (deactivation, a password change
and a reset bump it), and, for a session, while the session row exists (signing out
deletes it). A forged token for an account that does not exist is refused even when the
signing secret is known.

The answer is cached per process for ``AUTH_CACHE_SECONDS`` (3 s): a revocation reaches
every gateway process within that time (at once in the process that made it).
"""
import time

from nameko.extensions import DependencyProvider

from gateway.errors import Unauthenticated
from kernel.db import Database

CACHE_LIMIT = 20000


class _TtlCache:
    def __init__(self, seconds):
        self.seconds = seconds
        self.entries = {}

    def get(self, key, load):
        now = time.monotonic()
        hit = self.entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load(key)
        if len(self.entries) >= CACHE_LIMIT:
            self.entries = {k: v for k, v in self.entries.items() if v[0] > now}
            if len(self.entries) >= CACHE_LIMIT:
                self.entries.clear()
        self.entries[key] = (now + self.seconds, value)
        return value

    def forget(self, key):
        self.entries.pop(key, None)


class TokenCheck(DependencyProvider):
    """A dependency of the gateway service: its ``@api`` entrypoints verify tokens with it
    before a worker starts, and handlers (``self.token_check``) forget what they changed.
    Reads through the service's own ``Database`` (the one with the ``accounts`` repository)."""

    def setup(self):
        config = self.container.config
        seconds = float(config.get("AUTH_CACHE_SECONDS", 3.0))
        self.accounts = _TtlCache(seconds)
        self.sessions = _TtlCache(seconds)
        self.database = next((dep for dep in self.container.dependencies
                              if isinstance(dep, Database) and "accounts" in dep.repositories), None)
        if self.database is None:
            raise RuntimeError("the gateway needs a Database dependency with the accounts repository")

    def get_dependency(self, worker_ctx):
        return self

    def verify(self, principal):
        """Raise Unauthenticated unless the token's account (and session) still accept it."""
        account = self.accounts.get(principal.username, self._load_account)
        if (account is None or not account["active"] or account["token_version"] != principal.token_version
                or account["role"] != principal.role or account["subject"] != principal.subject):
            raise Unauthenticated("token no longer valid: sign in again")
        if principal.session_id is not None:
            owner = self.sessions.get(principal.session_id, self._load_session)
            if owner != principal.username:
                raise Unauthenticated("session ended: sign in again")

    def forget_account(self, username):
        self.accounts.forget(username)

    def forget_session(self, session_id):
        self.sessions.forget(session_id)

    def _load_account(self, username):
        with self.database.unit_of_work(readonly=True) as uow:
            account = uow.accounts.get(username)
        if account is None:
            return None
        return {name: account[name] for name in ("active", "token_version", "role", "subject")}

    def _load_session(self, session_id):
        with self.database.unit_of_work(readonly=True) as uow:
            return uow.browser_sessions.owner(session_id)
