"""Sending one webhook POST to a checked address (the I/O side of services/webhooks/targets.py).

Each send checks the URL again (the policy may have changed since registration), resolves
the host once, refuses if any answer is not a public address, and connects to exactly the
address it checked: urllib3's connection is given the IP, while the Host header, TLS SNI and
certificate verification use the host name. A DNS answer that changes between the check and
the connection (DNS rebinding) therefore cannot redirect the request. Redirects are not
followed and proxies from the environment are not used.

The outcome is a status code and a short error class (``timeout``, ``connection_refused``,
``dns_failure``, ``tls_error``, ``blocked_address``, ``http_<status>`` ...): the delivery
log a department reads never carries resolver or exception text, so it cannot be used to
map hosts and ports. The raw reason goes to the service's own log.
"""
import http.client
import logging
import socket
import ssl
from dataclasses import dataclass

import certifi
import urllib3.exceptions
import urllib3.util.ssl_match_hostname
from urllib3.connection import HTTPConnection, HTTPSConnection

from services.webhooks.targets import DNS_FAILURE, TargetRefused, check_url, pick_address

log = logging.getLogger(__name__)

TIMEOUT = "timeout"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_ERROR = "connection_error"
TLS_ERROR = "tls_error"
BAD_RESPONSE = "bad_response"


def system_resolver(host, port):
    """Every address the system resolver gives for ``host`` (cooperative under eventlet)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class Outcome:
    status_code: int = None
    error: str = None    # None: delivered (2xx)
    address: str = None  # the address connected to (or refused)

    @property
    def success(self):
        return self.error is None


def error_class(exc):
    """The short class of a failed attempt, from the exception and what caused it."""
    chain, seen = [], exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(e, (ssl.SSLError, ssl.CertificateError, urllib3.exceptions.SSLError,
                          urllib3.util.ssl_match_hostname.CertificateError)) for e in chain):
        return TLS_ERROR
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return CONNECTION_REFUSED
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return CONNECTION_ERROR  # unreachable network, reset during connect ...
    if any(isinstance(e, (TimeoutError, urllib3.exceptions.TimeoutError)) for e in chain):
        return TIMEOUT
    if any(isinstance(e, ConnectionError) for e in chain):
        return CONNECTION_ERROR  # reset, or closed without an answer
    if any(isinstance(e, http.client.HTTPException) for e in chain):
        return BAD_RESPONSE
    return CONNECTION_ERROR


class WebhookSender:
    """``post(url, body, headers) -> Outcome``. ``resolver(host, port) -> [address]`` is
    injectable (tests stand in for DNS); ``ca_certs`` a CA bundle path (default: certifi's)."""

    def __init__(self, policy, timeout, resolver=system_resolver, ca_certs=None):
        self.policy = policy
        self.timeout = float(timeout)
        self.resolver = resolver
        self.ca_certs = ca_certs or certifi.where()

    def post(self, url, body, headers):
        try:
            target = check_url(url, self.policy)
            address = pick_address([target.address] if target.address else self._resolve(target), self.policy)
        except TargetRefused as refused:
            log.warning("webhook target refused (%s): %s", refused.error, refused.message)
            return Outcome(error=refused.error)
        connection = self._connection(target, address)
        try:
            connection.request("POST", target.request_target, body=body, preload_content=False,
                               headers={**headers, "Host": target.host_header, "Connection": "close"})
            status = connection.getresponse().status  # the body is not read: only the status counts
        except Exception as exc:  # anything the network or the peer does is an outcome, not a crash
            error = error_class(exc)
            log.info("webhook POST to %s (%s) failed: %s: %s", target.host, address, error, exc)
            return Outcome(error=error, address=address)
        finally:
            connection.close()
        return Outcome(status_code=status, error=None if 200 <= status < 300 else f"http_{status}", address=address)

    def _resolve(self, target):
        try:
            return self.resolver(target.host, target.port)
        except (OSError, UnicodeError) as exc:
            log.info("webhook host %s did not resolve: %s", target.host, exc)
            raise TargetRefused(DNS_FAILURE, "the host name did not resolve")

    def _connection(self, target, address):
        """A connection to ``address`` that speaks to ``target.host``: SNI and certificate
        checks use the name, the socket the checked address."""
        if target.scheme == "https":
            return HTTPSConnection(address, target.port, timeout=self.timeout, server_hostname=target.host,
                                   assert_hostname=target.host, cert_reqs="CERT_REQUIRED", ca_certs=self.ca_certs)
        return HTTPConnection(address, target.port, timeout=self.timeout)
