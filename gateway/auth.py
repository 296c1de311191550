"""Passwords (bcrypt), bearer tokens (JWT, HS256) and roles.

A token names its account (``sub``) and carries the account's ``ver`` (token version); a
browser session's token also carries its session id (``sid``). The signature alone is not
enough: gateway/token_check.py checks every token against the account (and the session).
"""
import datetime
from dataclasses import dataclass, field

import bcrypt
import jwt

ROLES = ("public", "deputy", "department", "staff", "admin", "editor", "town", "unit")  # unit: a budget unit (预算单位)
# A role listed for a route also admits the roles that include it.
INCLUDES = {"admin": {"admin", "staff"}}


@dataclass(frozen=True)
class Principal:
    username: str | None
    role: str
    subject: str | None = None
    token_version: int | None = field(default=None, compare=False)
    session_id: str | None = field(default=None, compare=False)

    def has_any(self, roles):
        granted = INCLUDES.get(self.role, {self.role})
        return bool(granted & set(roles))

    @property
    def is_staff(self):
        return self.has_any(("staff",))

    def as_actor(self):
        """The plain dict services receive to apply their own ownership rules and record who acted."""
        return {"username": self.username, "role": self.role, "subject": self.subject}


PUBLIC = Principal(None, "public")


def hash_password(password, rounds=12):
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def check_password(password, password_hash):
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def issue_token(account, secret, ttl_seconds, session_id=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {"sub": account["username"], "role": account["role"], "subject": account["subject"],
              "ver": int(account.get("token_version", 0)),
              "iat": now, "exp": now + datetime.timedelta(seconds=ttl_seconds)}
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token, secret):
    """The principal a token stands for; raises jwt.InvalidTokenError if it is not valid.
    Whether its account still accepts it is gateway/token_check.py's question."""
    claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "role", "ver"]})
    if claims["role"] not in ROLES[1:]:
        raise jwt.InvalidTokenError("unknown role")
    if not isinstance(claims["ver"], int) or isinstance(claims["ver"], bool):
        raise jwt.InvalidTokenError("bad token version")
    session_id = claims.get("sid")
    if session_id is not None and not isinstance(session_id, str):
        raise jwt.InvalidTokenError("bad session id")
    return Principal(claims["sub"], claims["role"], claims.get("subject"), claims["ver"], session_id)
