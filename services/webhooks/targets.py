"""Which webhook targets may be called: URL form and address rules, no I/O.

A department chooses the URL the platform POSTs to, so a webhook is a request made from
inside the network on someone else's behalf (SSRF). The rules:

- ``check_url`` (registration, and again before every send): http(s) only — plain http only
  when ``WEBHOOK_ALLOW_HTTP`` allows it —, no userinfo, no fragment, no spaces or control
  characters, at most ``MAX_URL_LENGTH`` characters. The host is normalised the way browsers
  and resolvers read it (lower case, IDNA, one trailing dot dropped, IPv4 in any of the
  numeric spellings ``127.1``, ``0x7f000001``, ``2130706433``, ``0177.0.0.1`` -> dotted quad),
  and unless private targets are allowed a literal non-public address or a special-use name
  (``localhost``, ``*.internal``, ``*.local``, a single label, ...) is refused at once.
- ``pick_address`` (every send, on what the resolver answered at that moment): refused if
  ANY address is not public (``address_problem``); the sender then connects to the address
  it checked, never resolving the name a second time (services/webhooks/outbound.py).

Private targets are allowed only with ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` (tests, or a
platform whose departments' systems sit on the government intranet).
"""
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

import idna

from kernel.config import is_production

# The vocabulary callers validate against is the contract's (contracts/webhooks.py).
from contracts.webhooks import MAX_URL_LENGTH  # noqa: F401

DEFAULT_PORTS = {"http": 80, "https": 443}
# Error classes of refused targets, as the delivery log shows them.
INVALID_URL = "invalid_url"
BLOCKED_ADDRESS = "blocked_address"
DNS_FAILURE = "dns_failure"

_CGNAT = ipaddress.ip_network("100.64.0.0/10")          # shared address space (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")            # well-known NAT64 prefix (RFC 6052)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NUMBER_PART = re.compile(r"^(?:[0-9]+|0[xX][0-9a-fA-F]*)$")
# Names that never denote a public host (RFC 6761, 6762, 8375; ICANN's .internal).
_SPECIAL_USE_SUFFIXES = ("localhost", "local", "localdomain", "internal", "home.arpa", "arpa")
_PATH_SAFE = "/%!$&'()*+,;=:@-._~"


def _truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class TargetPolicy:
    allow_http: bool = False
    allow_private: bool = False

    @classmethod
    def from_config(cls, config):
        """``WEBHOOK_ALLOW_HTTP`` empty: allowed in development, refused in production.
        ``WEBHOOK_ALLOW_PRIVATE_TARGETS``: off unless set, in every environment."""
        allow_http = config.get("WEBHOOK_ALLOW_HTTP")
        allow_http = (not is_production(config)) if allow_http in (None, "") else _truthy(allow_http)
        return cls(allow_http=allow_http, allow_private=_truthy(config.get("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)))


class TargetRefused(Exception):
    """``error`` is the short class the delivery log shows; ``message`` says why (for the
    department registering the URL)."""

    def __init__(self, error, message):
        super().__init__(message)
        self.error = error
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str            # normalised: ASCII host name, dotted-quad IPv4 or compressed IPv6
    port: int
    request_target: str  # path and query, as sent on the request line
    address: str = None  # the host itself when it is a literal IP address

    @property
    def _host_in_url(self):
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def host_header(self):
        default = DEFAULT_PORTS[self.scheme] == self.port
        return self._host_in_url if default else f"{self._host_in_url}:{self.port}"

    @property
    def url(self):
        return f"{self.scheme}://{self.host_header}{self.request_target}"


# -- addresses ---------------------------------------------------------------------------------
def address_problem(address):
    """Why ``address`` (text or ipaddress object) is not a public unicast address, or None.

    ``is_global`` alone is not enough (224.0.0.1 is "global" in Python's tables, and
    100.64.0.0/10 is neither private nor global), so each kind is checked by name. IPv6
    forms that carry an IPv4 address (mapped ``::ffff:a.b.c.d``, 6to4, NAT64) are judged by
    the IPv4 address they reach."""
    try:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or \
            (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return address_problem(embedded)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.version == 4 and ip in _CGNAT:
        return "shared (CGNAT)"
    if ip.version == 6 and ip.is_site_local:
        return "site-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "non-public"
    return None


def pick_address(addresses, policy):
    """The address to connect to, from all the resolver answered for one send. Refused if
    there is none or if ANY of them is not public (a name resolving to a public and a
    private address is refused: which one a connection would use is not ours to choose)."""
    addresses = list(dict.fromkeys(str(a) for a in addresses))
    if not addresses:
        raise TargetRefused(DNS_FAILURE, "the host name resolves to no address")
    if not policy.allow_private:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                raise TargetRefused(BLOCKED_ADDRESS, f"resolves to a {problem} address")
    return addresses[0]


# -- URLs ----------------------------------------------------------------------------------------
def _ipv4_from_numbers(host):
    """The IPv4 address of a host written as numbers (WHATWG URL rules: 1 to 4 parts, each
    decimal, octal with a leading 0 or hex with 0x), or None if ``host`` is a name.
    ``127.1``, ``0x7f000001``, ``2130706433`` and ``0177.0.0.1`` are all 127.0.0.1."""
    parts = host.split(".")
    if not _NUMBER_PART.match(parts[-1]):
        return None  # a name (``127.0.0.1.nip.io`` included: the resolver decides that one)
    if len(parts) > 4 or not all(_NUMBER_PART.match(p) for p in parts):
        raise TargetRefused(INVALID_URL, "not a valid host")
    numbers = []
    for part in parts:
        if part[:2].lower() == "0x":
            numbers.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            try:
                numbers.append(int(part[1:], 8))
            except ValueError:
                raise TargetRefused(INVALID_URL, "not a valid host")
        else:
            numbers.append(int(part))
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        raise TargetRefused(INVALID_URL, "not a valid host")
    value = last + sum(n << (8 * (3 - i)) for i, n in enumerate(leading))
    return ipaddress.IPv4Address(value)


def _normalise_host(hostname, bracketed):
    """(host, literal address or None) for the URL's host."""
    if bracketed:
        if "%" in hostname:  # a zone id names an interface of this machine
            raise TargetRefused(INVALID_URL, "not a valid IPv6 address")
        try:
            address = ipaddress.IPv6Address(hostname)
        except ValueError:
            raise TargetRefused(INVALID_URL, "not a valid IPv6 address")
        return str(address), address
    try:
        host = idna.encode(hostname, uts46=True).decode("ascii") if not hostname.isascii() else hostname.lower()
    except idna.IDNAError:
        raise TargetRefused(INVALID_URL, "not a valid host name")
    if host.endswith("."):
        host = host[:-1]
    if not host:
        raise TargetRefused(INVALID_URL, "must name a host")
    address = _ipv4_from_numbers(host)
    if address is not None:
        return str(address), address
    if len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        raise TargetRefused(INVALID_URL, "not a valid host name")
    return host, None


def _special_use(host):
    return "." not in host or any(host == s or host.endswith("." + s) for s in _SPECIAL_USE_SUFFIXES)


def check_url(url, policy):
    """The normalised ``Target`` of a webhook URL, or ``TargetRefused`` saying why not."""
    if not isinstance(url, str) or not url:
        raise TargetRefused(INVALID_URL, "a URL is required")
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(INVALID_URL, f"at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise TargetRefused(INVALID_URL, "must not contain spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        raise TargetRefused(INVALID_URL, "not a valid URL")
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused(INVALID_URL, "must be an " + " or ".join(schemes) + " URL")
    if "@" in parts.netloc:
        raise TargetRefused(INVALID_URL, "must not carry credentials")
    if parts.fragment or url.endswith("#"):
        raise TargetRefused(INVALID_URL, "must not have a fragment")
    if not hostname:
        raise TargetRefused(INVALID_URL, "must name a host")
    if port == 0:
        raise TargetRefused(INVALID_URL, "not a valid port")
    host, address = _normalise_host(hostname, bracketed=parts.netloc.startswith("["))
    if not policy.allow_private:
        problem = address_problem(address) if address is not None else None
        if problem:
            raise TargetRefused(BLOCKED_ADDRESS, f"must not point at a {problem} address")
        if address is None and _special_use(host):
            raise TargetRefused(BLOCKED_ADDRESS, "must name a public host (not localhost, a single-label or "
                                                 "an internal name)")
    path = urllib.parse.quote(parts.path or "/", safe=_PATH_SAFE)
    query = urllib.parse.quote(parts.query, safe=_PATH_SAFE + "?")
    return Target(scheme=parts.scheme, host=host, port=port or DEFAULT_PORTS[parts.scheme],
                  request_target=path + (f"?{query}" if query else ""),
                  address=str(address) if address is not None else None)
