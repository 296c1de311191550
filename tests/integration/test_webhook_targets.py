"""The webhook SSRF guard with real sockets: the connection goes to the address that was
checked (Host header, SNI and certificate for the name), each failure is a short error
class, and the webhooks service with private targets off refuses internal URLs at
registration and a name that resolves to loopback at send time (dead at once, nothing sent).

DNS is the one thing stood in for: the resolver is injected (names ending in .invalid or
.example.cn never reach a DNS server)."""
import socket
import ssl
import subprocess

import pytest
from kernel.errors import ValidationFailed

from contracts.departments_amqp import EXCHANGE, WEBHOOK_QUEUE
from services.webhooks.delivery import WebhookDispatcher
from services.webhooks.outbound import WebhookSender, system_resolver
from services.webhooks.service import WebhooksService
from services.webhooks.targets import TargetPolicy, address_problem
from tests.integration.test_department_amqp import department_event
from tests.integration.helpers import start_webhooks_knowing_departments
from tests.integration.webhook_server import RecordingServer
from tests.support.platform import eventually

ALLOW_PRIVATE = TargetPolicy(allow_http=True, allow_private=True)
STRICT = TargetPolicy(allow_http=True, allow_private=False)
BODY, HEADERS = b'{"event": 1}', {"Content-Type": "application/json"}


class Resolver:
    """DNS for the test: name -> addresses; counts the lookups."""

    def __init__(self, names):
        self.names = names
        self.calls = []

    def __call__(self, host, port):
        self.calls.append(host)
        answer = self.names[host]
        if isinstance(answer, Exception):
            raise answer
        return answer(port) if callable(answer) else answer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for hooks.test (key.pem, cert.pem)."""
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", folder / "key.pem", "-out", folder / "cert.pem", "-days", "2",
                    "-subj", "/CN=hooks.test", "-addext", "subjectAltName=DNS:hooks.test"],
                   check=True, capture_output=True)
    return folder


def tls_context(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    return context


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the sender over real sockets ------------------------------------------------------------------
def test_the_connection_goes_to_the_checked_address_with_the_names_host_header():
    """hooks.invalid cannot resolve anywhere: the POST arriving proves the connection used the
    address the check saw, not a second lookup of the name."""
    resolver = Resolver({"hooks.invalid": ["127.0.0.1"]})
    with RecordingServer() as server:
        sent = WebhookSender(ALLOW_PRIVATE, 2, resolver=resolver).post(
            f"http://hooks.invalid:{server.port}/renda?x=1", BODY, HEADERS)
        assert (sent.status_code, sent.error, sent.address) == (200, None, "127.0.0.1")
        [request] = server.requests
    assert request.path == "/renda?x=1" and request.body == BODY
    assert request.headers["Host"] == f"hooks.invalid:{server.port}"
    assert resolver.calls == ["hooks.invalid"]


def test_https_is_verified_for_the_name_while_connecting_to_the_address(certificate):
    resolver = Resolver({"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    trusting = WebhookSender(ALLOW_PRIVATE, 2, resolver=resolver, ca_certs=str(certificate / "cert.pem"))
    with RecordingServer(tls=tls_context(certificate)) as server:
        sent = trusting.post(f"https://hooks.test:{server.port}/renda", BODY, HEADERS)
        assert (sent.status_code, sent.error) == (200, None)
        assert server.server_names == ["hooks.test"]  # SNI: the name, not the address
        assert server.requests[0].headers["Host"] == f"hooks.test:{server.port}"
        # the same address under another name: the certificate does not match -> not sent
        assert trusting.post(f"https://other.test:{server.port}/renda", BODY, HEADERS).error == "tls_error"
        # a certificate no trusted CA signed
        untrusting = WebhookSender(ALLOW_PRIVATE, 2, resolver=resolver)
        assert untrusting.post(f"https://hooks.test:{server.port}/renda", BODY, HEADERS).error == "tls_error"
        assert len(server.requests) == 1


def test_failures_are_short_error_classes_without_resolver_or_exception_text():
    resolver = Resolver({"down.invalid": ["127.0.0.1"], "nxdomain.invalid": socket.gaierror(-2, "Name or "
                                                                                           "service not known")})
    send = WebhookSender(ALLOW_PRIVATE, 0.5, resolver=resolver)
    assert send.post(f"http://down.invalid:{closed_port()}/", BODY, HEADERS).error == "connection_refused"
    assert send.post("http://nxdomain.invalid/", BODY, HEADERS).error == "dns_failure"
    with RecordingServer(status=503) as failing, RecordingServer(delay=2) as slow:
        answered = send.post(f"{failing.url}/x", BODY, HEADERS)
        assert (answered.status_code, answered.error) == (503, "http_503")
        assert send.post(f"{slow.url}/x", BODY, HEADERS).error == "timeout"
        assert send.post(f"https://127.0.0.1:{failing.port}/x", BODY, HEADERS).error == "tls_error"  # not TLS


def test_a_name_the_system_resolves_to_loopback_is_refused():
    """``localhost`` through the real system resolver (no DNS server needed), under a name
    that passes the form check."""
    answers = system_resolver("localhost", 80)
    assert answers and all(address_problem(a) == "loopback" for a in answers)
    with RecordingServer() as server:
        via_system = WebhookSender(STRICT, 2, resolver=lambda host, port: system_resolver("localhost", port))
        sent = via_system.post(f"http://hooks.example.cn:{server.port}/", BODY, HEADERS)
        assert (sent.error, sent.status_code) == ("blocked_address", None)
        assert server.requests == []
        ipv4_only = lambda host, port: [a for a in system_resolver("localhost", port) if "." in a]  # noqa: E731
        allowed = WebhookSender(ALLOW_PRIVATE, 2, resolver=ipv4_only)  # the server listens on 127.0.0.1
        assert allowed.post(f"http://hooks.example.cn:{server.port}/", BODY, HEADERS).status_code == 200


# -- the webhooks service with private targets off ----------------------------------------------------
def actor(department):
    return {"role": "department", "subject": department, "username": f"dept-{department}"}


@pytest.fixture
def strict_webhooks(start_service, broker, admin_db, prepared):
    """The webhooks service in-process with WEBHOOK_ALLOW_PRIVATE_TARGETS off; returns its
    dispatcher (to stand in for DNS)."""
    admin_db.execute("UPDATE webhooks.webhooks SET deleted_at = now() WHERE deleted_at IS NULL")
    admin_db.execute("UPDATE webhooks.deliveries SET status = 'cancelled' WHERE status = 'pending'")
    broker.purge(WEBHOOK_QUEUE)
    container = start_webhooks_knowing_departments(
        start_service, prepared, WEBHOOK_ALLOW_PRIVATE_TARGETS=False, WEBHOOK_MAX_ATTEMPTS=5,
        WEBHOOK_RETRY_BASE_SECONDS=0.1, WEBHOOK_POLL_SECONDS=0.05, WEBHOOK_TIMEOUT_SECONDS=1)
    return next(d for d in container.dependencies if isinstance(d, WebhookDispatcher))


@pytest.mark.parametrize("url", ["https://localhost./", "http://127.1/", "http://0x7f000001/", "http://2130706433/",
                                 "https://100.64.0.1/", "https://224.0.0.1/", "https://metadata.google.internal/",
                                 "https://169.254.169.254/latest/meta-data/", "https://[::1]/",
                                 "https://[::ffff:127.0.0.1]/", "https://[fe80::1]/", "https://[fc00::1]/",
                                 "http://10.0.0.5:8080/", "https://intranet/"])
def test_registration_refuses_internal_targets_naming_url(strict_webhooks, cluster, url):
    with pytest.raises(ValidationFailed) as refused:
        cluster.webhooks.register_webhook(department="edu", payload={"url": url}, actor=actor("edu"))
    assert set(refused.value.details) == {"url"}, refused.value.details


def test_a_name_resolving_to_loopback_is_refused_at_send_time(strict_webhooks, cluster, broker):
    """Both names look public at registration; when the delivery is due, one resolves (through
    the real system resolver, as ``localhost``) to loopback, the other (as 127.0.0.1.nip.io
    does) to 127.0.0.1. Each delivery is dead after one attempt, logged as blocked_address,
    and nothing reaches the local server."""
    resolver = Resolver({"hooks.example.cn": lambda port: system_resolver("localhost", port),
                         "127.0.0.1.nip.io": ["127.0.0.1"]})
    strict_webhooks.sender.resolver = resolver
    with RecordingServer() as server:
        hooks = [cluster.webhooks.register_webhook(department="edu", payload={"url": url}, actor=actor("edu"))
                 for url in (f"http://hooks.example.cn:{server.port}/renda",
                             f"http://127.0.0.1.nip.io:{server.port}/renda")]
        broker.publish(department_event("edu"), exchange=EXCHANGE, routing_key="edu.suggestion_assigned")

        ids = {h["id"] for h in hooks}

        def dead():
            log = cluster.webhooks.list_deliveries(department="edu", query={}, actor=actor("edu"))["items"]
            items = [d for d in log if d["webhook_id"] in ids]
            return items if len(items) == 2 and all(d["status"] == "dead" for d in items) else None
        items = eventually(dead, 15, "both deliveries dead")
        assert server.requests == []
    assert {d["webhook_id"] for d in items} == ids
    for item in items:
        assert item["attempts"] == 1 and item["last_error"] == "blocked_address" and item["last_status_code"] is None
        assert [(a["error"], a["status_code"]) for a in item["attempt_log"]] == [("blocked_address", None)]
    assert sorted(set(resolver.calls)) == ["127.0.0.1.nip.io", "hooks.example.cn"]
