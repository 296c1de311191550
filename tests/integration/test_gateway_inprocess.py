"""The gateway in-process with the deputy service: every error is the JSON body of the
error table, with the right status."""
import json
import time

import pika
import pytest
import requests
from nameko.runners import ServiceRunner

from gateway.auth import issue_token
from gateway.service import GatewayService
from services.deputy.service import DeputyService
from tests.support.platform import deadline_slack, free_port, new_deputy_payload

MAX_REQUEST_BYTES = 1000


def error_of(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert "Traceback" not in response.text
    return body["error"]


@pytest.fixture(scope="class")
def stack(demo_loaded):
    """Gateway (body limit 1000 bytes) + deputy service, each its own in-process runner."""
    runners = []
    for cls, overrides in ((DeputyService, {}), (GatewayService, {"MAX_REQUEST_BYTES": MAX_REQUEST_BYTES})):
        runner = ServiceRunner(dict(demo_loaded, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}", **overrides))
        runner.add_service(cls)
        runner.start()
        runners.append(runner)
    yield "http://" + runners[1].service_map["gateway"].config["WEB_SERVER_ADDRESS"]
    for runner in reversed(runners):
        runner.stop()


@pytest.fixture(scope="class")
def tokens(stack):
    found = {}
    for username in ("staff", "admin", "D0001"):
        response = requests.post(f"{stack}/api/v1/auth/token", json={"username": username, "password": "demo"},
                                 timeout=10)
        assert response.status_code == 200, response.text
        found[username] = response.json()["access_token"]
    return found


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class TestGatewayErrors:
    def test_unknown_route_is_404_json(self, stack):
        error = error_of(requests.get(f"{stack}/api/v1/nothing-here", timeout=5), 404, "NOT_FOUND")
        assert error["details"] == {"path": "/api/v1/nothing-here"}

    def test_wrong_method_is_405_json_with_allow(self, stack):
        response = requests.delete(f"{stack}/api/v1/deputies", timeout=5)
        error_of(response, 405, "METHOD_NOT_ALLOWED")
        assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}

    def test_body_over_the_limit_is_413(self, stack, tokens):
        body = json.dumps(new_deputy_payload(occupation="x" * 2 * MAX_REQUEST_BYTES))
        response = requests.post(f"{stack}/api/v1/deputies", data=body, timeout=5,
                                 headers={"Content-Type": "application/json", **bearer(tokens["staff"])})
        error = error_of(response, 413, "PAYLOAD_TOO_LARGE")
        assert error["details"]["limit_bytes"] == MAX_REQUEST_BYTES

    def test_chunked_body_over_the_limit_is_413(self, stack, tokens):
        """No Content-Length to check up front: the limit holds while reading."""
        chunks = (b"x" * 500 for _ in range(10))
        response = requests.post(f"{stack}/api/v1/deputies", data=chunks, timeout=5,
                                 headers={"Content-Type": "application/json", **bearer(tokens["staff"])})
        error_of(response, 413, "PAYLOAD_TOO_LARGE")

    def test_bad_token_is_401(self, stack):
        for header in ("Bearer not-a-token", "Basic c3RhZmY6ZGVtbw==", "Bearer "):
            response = requests.get(f"{stack}/api/v1/me", headers={"Authorization": header}, timeout=5)
            error_of(response, 401, "UNAUTHENTICATED")

    def test_expired_token_is_401(self, stack, demo_loaded):
        token = issue_token({"username": "staff", "role": "staff", "subject": None}, demo_loaded["JWT_SECRET"], -5)
        error = error_of(requests.get(f"{stack}/api/v1/me", headers=bearer(token), timeout=5),
                         401, "UNAUTHENTICATED")
        assert "expired" in error["message"]

    def test_wrong_password_is_401(self, stack):
        response = requests.post(f"{stack}/api/v1/auth/token", json={"username": "staff", "password": "nope"},
                                 timeout=10)
        error_of(response, 401, "UNAUTHENTICATED")

    def test_anonymous_write_is_401(self, stack):
        error_of(requests.post(f"{stack}/api/v1/deputies", json=new_deputy_payload(), timeout=5),
                 401, "UNAUTHENTICATED")

    def test_deputy_may_not_register_deputies(self, stack, tokens):
        response = requests.post(f"{stack}/api/v1/deputies", json=new_deputy_payload(),
                                 headers=bearer(tokens["D0001"]), timeout=5)
        error = error_of(response, 403, "FORBIDDEN")
        assert error["details"] == {"required_roles": ["staff"]}

    def test_malformed_json_is_400(self, stack, tokens):
        response = requests.post(f"{stack}/api/v1/deputies", data=b'{"name": ', timeout=5,
                                 headers={"Content-Type": "application/json", **bearer(tokens["staff"])})
        error_of(response, 400, "MALFORMED_JSON")

    def test_non_json_content_type_is_415(self, stack, tokens):
        response = requests.post(f"{stack}/api/v1/deputies", data=b"name=x", timeout=5,
                                 headers={"Content-Type": "text/plain", **bearer(tokens["staff"])})
        error_of(response, 415, "UNSUPPORTED_MEDIA_TYPE")

    def test_validation_error_is_400_naming_the_fields(self, stack, tokens):
        response = requests.post(f"{stack}/api/v1/deputies", json={"name": "王", "phone": "123", "bogus": 1},
                                 headers=bearer(tokens["staff"]), timeout=5)
        error = error_of(response, 400, "VALIDATION_ERROR")
        assert {"name", "phone", "bogus", "gender", "birth_year", "level", "town", "station_code", "term"} \
            <= set(error["details"])

    def test_unknown_station_is_422(self, stack, tokens):
        response = requests.post(f"{stack}/api/v1/deputies", json=new_deputy_payload(station_code="ST-NOPE"),
                                 headers=bearer(tokens["staff"]), timeout=5)
        error = error_of(response, 422, "UNPROCESSABLE")
        assert "station_code" in error["details"]

    def test_duplicate_phone_is_409(self, stack, tokens):
        payload = new_deputy_payload()
        created = requests.post(f"{stack}/api/v1/deputies", json=payload, headers=bearer(tokens["admin"]), timeout=5)
        assert created.status_code == 201, created.text  # admin includes staff
        response = requests.post(f"{stack}/api/v1/deputies", json=new_deputy_payload(phone=payload["phone"]),
                                 headers=bearer(tokens["staff"]), timeout=5)
        error = error_of(response, 409, "CONFLICT")
        assert "phone" in error["details"]

    def test_stale_version_is_409(self, stack, tokens):
        response = requests.patch(f"{stack}/api/v1/deputies/D0002", json={"occupation": "教师", "version": 999},
                                  headers=bearer(tokens["staff"]), timeout=5)
        error = error_of(response, 409, "CONFLICT")
        assert error["details"]["expected_version"] == 999

    def test_unknown_deputy_is_404(self, stack):
        error = error_of(requests.get(f"{stack}/api/v1/deputies/D9999", timeout=5), 404, "NOT_FOUND")
        assert error["details"] == {"id": "D9999"}

    def test_errors_carry_the_correlation_id(self, stack):
        response = requests.get(f"{stack}/api/v1/deputies/D9999", headers={"X-Correlation-ID": "corr-404"}, timeout=5)
        assert response.status_code == 404 and response.headers["X-Correlation-ID"] == "corr-404"

    def test_happy_path_and_idempotency_key(self, stack, tokens):
        payload = new_deputy_payload()
        headers = {**bearer(tokens["staff"]), "Idempotency-Key": "it-gateway-key"}
        first = requests.post(f"{stack}/api/v1/deputies", json=payload, headers=headers, timeout=5)
        again = requests.post(f"{stack}/api/v1/deputies", json=payload, headers=headers, timeout=5)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"] and first.json()["phone"] == payload["phone"]
        public = requests.get(f"{stack}/api/v1/deputies/{first.json()['id']}", timeout=5).json()
        assert "phone" not in public and public["name"] == payload["name"]


def declare_rpc_queue(amqp_uri, service):
    """The durable queue a stopped service leaves behind (as nameko declares it)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        channel.exchange_declare("nameko-rpc", exchange_type="topic", durable=True)
        channel.queue_declare(f"rpc-{service}", durable=True)
        channel.queue_bind(f"rpc-{service}", "nameko-rpc", routing_key=f"{service}.*")
        return channel.queue_declare(f"rpc-{service}", passive=True).method.consumer_count
    finally:
        connection.close()


def delete_rpc_queue(amqp_uri, service):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        connection.channel().queue_delete(f"rpc-{service}")
    finally:
        connection.close()


def test_deputy_service_down_is_504_within_the_deadline(start_service, demo_loaded):
    """Only the gateway runs: a call into the stopped deputy service's queue ends at the deadline."""
    amqp_uri = demo_loaded["AMQP_URI"]
    gateway = start_service(GatewayService, RPC_DEADLINE_SECONDS=0.5)
    url = "http://" + gateway.config["WEB_SERVER_ADDRESS"]

    # Never started: the request is unroutable. RPC goes without confirms (kernel/rpc.py),
    # so this too ends at the deadline rather than hanging.
    delete_rpc_queue(amqp_uri, "deputy")
    started = time.perf_counter()
    error_of(requests.get(f"{url}/api/v1/deputies", timeout=10), 504, "DEADLINE_EXCEEDED")
    assert 0.45 <= time.perf_counter() - started < deadline_slack(0.5)  # ended by the deadline

    assert declare_rpc_queue(amqp_uri, "deputy") == 0  # stopped: its queue is there, nobody consumes
    started = time.perf_counter()
    error = error_of(requests.get(f"{url}/api/v1/deputies", timeout=10), 504, "DEADLINE_EXCEEDED")
    elapsed = time.perf_counter() - started
    assert 0.45 <= elapsed < deadline_slack(0.5), f"answered after {elapsed:.2f}s"
    assert error["details"] == {"service": "deputy", "deadline_seconds": 0.5}
