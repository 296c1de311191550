"""Department webhooks: rules only, no I/O (signatures, retry schedule, who may manage; which
targets may be called: services/webhooks/targets.py)."""
import hashlib
import hmac
from dataclasses import dataclass, field

from services.webhooks.targets import BLOCKED_ADDRESS, INVALID_URL

# The vocabulary callers validate against is the contract's (contracts/webhooks.py).
from contracts.webhooks import STATUSES  # noqa: F401

SIGNATURE_HEADER = "X-Renda-Signature"
EVENT_HEADER = "X-Renda-Event"
DELIVERY_HEADER = "X-Renda-Delivery"
# Refusals that another attempt cannot change: the delivery is dead at once (no retries).
PERMANENT_ERRORS = (BLOCKED_ADDRESS, INVALID_URL)


@dataclass
class Webhook:
    id: str
    department: str
    url: str
    events: list = field(default_factory=list)
    description: str = ""
    secret_salt: str = ""
    created_by: str | None = None
    created_at: object = None

    def wants(self, event_type):
        return not self.events or event_type in self.events

    def as_dict(self):
        return {"id": self.id, "department": self.department, "url": self.url, "events": list(self.events),
                "description": self.description, "created_by": self.created_by,
                "created_at": self.created_at.isoformat() if hasattr(self.created_at, "isoformat") else self.created_at}


def webhook_secret(master_key, webhook_id, salt):
    """The webhook's signing secret: derived, never stored (HMAC of id and salt under the
    platform's WEBHOOK_SIGNING_SECRET), shown to the department once at registration."""
    digest = hmac.new(str(master_key).encode(), f"{webhook_id}:{salt}".encode(), hashlib.sha256).hexdigest()
    return "whsec_" + digest


def sign(secret, body):
    """``sha256=<hex HMAC-SHA256 of the raw body>`` keyed with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret, body, header):
    return hmac.compare_digest(sign(secret, body), header or "")


def retry_delay(attempts, base, factor, max_delay):
    """Seconds to wait after the ``attempts``-th failed attempt (1, 2, ...)."""
    return min(float(max_delay), float(base) * float(factor) ** max(0, attempts - 1))


def outcome(attempts, max_attempts, success, permanent=False):
    """The delivery's status after an attempt; a permanent refusal is dead at once (the
    department can replay it after fixing the URL)."""
    if success:
        return "delivered"
    return "dead" if permanent or attempts >= max_attempts else "pending"


def may_manage(actor, department):
    """Staff manage every department's webhooks; a department only its own."""
    role = (actor or {}).get("role")
    if role in ("staff", "admin"):
        return True
    return role == "department" and actor.get("subject") == department
