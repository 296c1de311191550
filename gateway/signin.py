"""Sign-in rules, pure: the throttling policy and checking a password in constant work.

Throttling: failed sign-ins are counted per account (the username tried, existing or not)
and per client (remote address; an IPv6 client by its /64). Once a key has had
``free_failures`` failures, each further failure blocks it for ``base_seconds * 2^k``
(k = failures beyond the free ones), at most ``max_seconds``; while blocked, sign-ins on that
key answer 429 with Retry-After without checking any password. A success clears the
account's count. Failures older than ``window_seconds`` are forgotten, so nobody stays
locked out: at most ``max_seconds`` after the last failed attempt.
"""
import ipaddress
from dataclasses import dataclass

from gateway.auth import check_password

# bcrypt hash (cost 12, like every stored hash) of a random password nobody knows: checked
# for an unknown or inactive username so that its answer takes as long as a real check.
DUMMY_PASSWORD_HASH = "$2b$12$ouj.UmwybeyZXnQhSAk9yO/mrqpQamRARztIOPldH0eVd6YguJ91q"


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures_per_account: int = 5
    free_failures_per_client: int = 20
    base_seconds: int = 15
    max_seconds: int = 900
    window_seconds: int = 3600

    @classmethod
    def from_config(cls, config):
        defaults = cls()
        return cls(**{name: int(config.get("SIGN_IN_" + name.upper(), getattr(defaults, name)))
                      for name in cls.__dataclass_fields__})

    def free_failures(self, key):
        return self.free_failures_per_account if key.startswith("account:") else self.free_failures_per_client

    def block_seconds(self, key, failures):
        """How long ``key`` is blocked after its ``failures``-th failure in a row (0: not)."""
        beyond = failures - self.free_failures(key)
        if beyond < 0:
            return 0
        return min(self.max_seconds, self.base_seconds * 2 ** min(beyond, 32))


def throttle_keys(username, client_address):
    """The keys a sign-in attempt counts against: the account tried and the client."""
    return [f"account:{username}", f"client:{client_key(client_address)}"]


def client_key(address):
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))  # one host has a whole /64
    return str(ip)


def password_matches(account, password, check=check_password):
    """True if ``account`` is active and ``password`` is its password. Exactly one bcrypt
    check runs whether or not the account exists or is active: the time of the answer does
    not tell which usernames exist."""
    usable = account is not None and account.get("active")
    matches = check(password, account["password_hash"] if usable else DUMMY_PASSWORD_HASH)
    return bool(usable and matches)
