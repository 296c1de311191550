"""Department webhooks through the gateway (issue 3, item 8): registration, listing, removal,
the delivery log, who may do what, input errors, and a signed delivery by the platform's
own webhooks process."""
import json
import socket
import uuid

import pytest

from contracts.departments_amqp import EXCHANGE
from services.webhooks.domain import verify
from tests.e2e.conftest import assert_json_error
from tests.integration.helpers import Broker
from tests.integration.test_department_amqp import department_event
from tests.integration.webhook_server import RecordingServer
from tests.support.platform import eventually

BASE = "/api/v1/departments/{}/webhooks"


def register(client, department, url, as_user=None, **payload):
    return client.post(BASE.format(department), as_user=as_user or f"dept-{department}",
                       json={"url": url, **payload})


@pytest.fixture
def broker(config):
    with Broker(config["AMQP_URI"]) as broker:
        yield broker


def test_a_department_registers_lists_and_removes_its_webhooks(client):
    created = register(client, "market", "https://oa.market.example.cn/renda", events=["suggestion_assigned"],
                       description="市场监管局 OA")
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and hook["department"] == "market"
    assert hook["events"] == ["suggestion_assigned"] and hook["created_by"] == "dept-market"

    listed = client.get(BASE.format("market"), as_user="dept-market")
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["items"]] == [hook["id"]]
    assert "secret" not in listed.json()["items"][0]
    assert client.get(BASE.format("market"), as_user="staff").json()["total"] == 1

    removed = client.request("DELETE", BASE.format("market") + "/" + hook["id"], as_user="dept-market")
    assert removed.status_code == 200, removed.text
    assert client.get(BASE.format("market"), as_user="dept-market").json()["items"] == []
    assert_json_error(client.request("DELETE", BASE.format("market") + "/" + hook["id"], as_user="dept-market"),
                      404, "NOT_FOUND")


def test_another_department_is_forbidden(client):
    hook = register(client, "tax", "https://oa.tax.example.cn/h").json()
    for method, path, body in (("GET", BASE.format("tax"), None),
                               ("POST", BASE.format("tax"), {"url": "https://evil.example.cn/"}),
                               ("DELETE", BASE.format("tax") + "/" + hook["id"], None),
                               ("GET", BASE.format("tax") + "/deliveries", None),
                               ("POST", BASE.format("tax") + f"/deliveries/{uuid.uuid4()}/replay", None)):
        assert_json_error(client.request(method, path, as_user="dept-audit", json=body), 403, "FORBIDDEN")
        assert_json_error(client.request(method, path, as_user="D0001", json=body), 403, "FORBIDDEN")
        assert_json_error(client.request(method, path, json=body), 401)
    assert client.get(BASE.format("tax"), as_user="dept-tax").json()["total"] == 1
    assert_json_error(client.post(BASE.format("tax") + f"/deliveries/{uuid.uuid4()}/replay", as_user="dept-tax"),
                      404, "NOT_FOUND")


def test_input_errors_name_the_field(client):
    for bad in ("ftp://oa.example.cn/x", "oa.example.cn/hook", "https://", 42, "https://u:p@oa.example.cn/x",
                "https://oa.example.cn/a b", "https://1.2.3.4.5/", "https://oa.example.cn/" + "a" * 2000):
        error = assert_json_error(register(client, "stats", bad), 400, "VALIDATION_ERROR")
        assert "url" in error["details"], error
    error = assert_json_error(client.post(BASE.format("stats"), as_user="dept-stats", json={}), 400)
    assert "url" in error["details"]
    error = assert_json_error(register(client, "stats", "https://oa.example.cn/x", events="all"), 400)
    assert "events" in error["details"]
    assert_json_error(client.get(BASE.format("stats") + "/deliveries?status=lost", as_user="dept-stats"),
                      400, "VALIDATION_ERROR")
    assert_json_error(client.get(BASE.format("nosuch"), as_user="staff"), 404, "NOT_FOUND")


def test_department_events_reach_the_webhook_signed_and_logged(client, broker):
    with RecordingServer() as server:
        hook = register(client, "water", server.url + "/renda").json()
        envelope = department_event("water", "suggestion_assigned")
        broker.publish(envelope, exchange=EXCHANGE, routing_key="water.suggestion_assigned")
        eventually(lambda: server.requests, 15, "the webhook called")
        [request] = server.requests
        assert json.loads(request.body) == envelope
        assert verify(hook["secret"], request.body, request.headers["X-Renda-Signature"])
        assert request.headers["X-Renda-Event"] == "suggestion_assigned"

        def logged():
            items = client.get(BASE.format("water") + "/deliveries", as_user="dept-water").json()["items"]
            return items if items and items[0]["status"] == "delivered" else None
        [item] = eventually(logged, 10, "the delivery in the log")
        assert item["id"] == request.headers["X-Renda-Delivery"] and item["event_id"] == envelope["event_id"]
        assert item["attempt_log"][0]["status_code"] == 200
        staff_view = client.get(BASE.format("water") + "/deliveries?status=delivered", as_user="staff").json()
        assert staff_view["total"] == 1


def test_urls_are_stored_as_they_will_be_called(client):
    """The host is normalised at registration (case, trailing dot, numeric IPv4 spellings):
    the department sees the address the platform will actually call."""
    for url, stored in (("https://OA.Stats.Example.CN./renda", "https://oa.stats.example.cn/renda"),
                        ("http://0x7f000001:9/hook", "http://127.0.0.1:9/hook")):
        created = register(client, "stats", url)
        assert created.status_code == 201, created.text
        assert created.json()["url"] == stored
        client.request("DELETE", BASE.format("stats") + "/" + created.json()["id"], as_user="dept-stats")


def test_delivery_log_shows_short_error_classes(client, broker):
    """A refused connection is logged as ``connection_refused``: no exception or resolver text
    that would let the log map hosts and ports."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    hook = register(client, "forestry", f"http://127.0.0.1:{closed}/renda").json()
    try:
        broker.publish(department_event("forestry"), exchange=EXCHANGE, routing_key="forestry.suggestion_assigned")

        def attempted():
            items = client.get(BASE.format("forestry") + f"/deliveries?webhook={hook['id']}",
                               as_user="dept-forestry").json()["items"]
            return items if items and items[0]["attempt_log"] else None
        [item] = eventually(attempted, 15, "the first attempt logged")
        attempt = item["attempt_log"][0]
        assert (attempt["error"], attempt["status_code"]) == ("connection_refused", None)
        assert item["last_error"] == "connection_refused"
    finally:
        client.request("DELETE", BASE.format("forestry") + "/" + hook["id"], as_user="dept-forestry")
