"""Department webhooks: rules only, no I/O (URL checks, signatures, retry schedule)."""
import hashlib
import hmac
import ipaddress
import urllib.parse
from dataclasses import dataclass, field

SIGNATURE_HEADER = "X-Renda-Signature"
EVENT_HEADER = "X-Renda-Event"
DELIVERY_HEADER = "X-Renda-Delivery"
MAX_URL_LENGTH = 2000
STATUSES = ("pending", "delivered", "dead", "cancelled")


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


def url_problems(url, allow_http=True):
    """Why ``url`` cannot be a webhook target ([] if it can)."""
    if not isinstance(url, str) or not url:
        return ["a URL is required"]
    if len(url) > MAX_URL_LENGTH:
        return [f"at most {MAX_URL_LENGTH} characters"]
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return ["not a valid URL"]
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        return ["must be an " + " or ".join(schemes) + " URL"]
    if not parts.hostname:
        return ["must name a host"]
    if parts.username or parts.password:
        return ["must not carry credentials"]
    if parts.fragment:
        return ["must not have a fragment"]
    if not allow_http:  # production: no loopback / private targets (SSRF)
        try:
            address = ipaddress.ip_address(parts.hostname)
            if address.is_private or address.is_loopback or address.is_link_local:
                return ["must not point at a private address"]
        except ValueError:
            if parts.hostname == "localhost":
                return ["must not point at a private address"]
    del port
    return []


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


def outcome(attempts, max_attempts, success):
    """The delivery's status after an attempt."""
    if success:
        return "delivered"
    return "dead" if attempts >= max_attempts else "pending"


def may_manage(actor, department):
    """Staff manage every department's webhooks; a department only its own."""
    role = (actor or {}).get("role")
    if role in ("staff", "admin"):
        return True
    return role == "department" and actor.get("subject") == department
