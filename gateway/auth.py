"""Passwords (bcrypt), bearer tokens (JWT, HS256) and roles."""
import datetime
from dataclasses import dataclass

import bcrypt
import jwt

ROLES = ("public", "deputy", "department", "staff", "admin")
# A role listed for a route also admits the roles that include it.
INCLUDES = {"admin": {"admin", "staff"}}


@dataclass(frozen=True)
class Principal:
    username: str | None
    role: str
    subject: str | None = None

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


def issue_token(account, secret, ttl_seconds):
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {"sub": account["username"], "role": account["role"], "subject": account["subject"],
              "iat": now, "exp": now + datetime.timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token, secret):
    """The principal a token stands for; raises jwt.InvalidTokenError if it is not valid."""
    claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "role"]})
    if claims["role"] not in ROLES[1:]:
        raise jwt.InvalidTokenError("unknown role")
    return Principal(claims["sub"], claims["role"], claims.get("subject"))
