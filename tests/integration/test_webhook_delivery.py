"""Webhook delivery (issue 3, item 8): the webhooks service in-process on the test vhost and
database, real local HTTP endpoints, department events published to
``suggestion.departments`` as the suggestion service's relay publishes them."""
import datetime
import json
import urllib.parse
import uuid

import pytest
from kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed

from contracts import departments_amqp
from contracts.departments_amqp import EXCHANGE, WEBHOOK_QUEUE
from services.webhooks.domain import verify
from services.webhooks.service import WebhooksService
from tests.integration.test_department_amqp import department_event, management_get
from tests.integration.webhook_server import RecordingServer
from tests.integration.helpers import start_webhooks_knowing_departments
from tests.support.platform import eventually

FAST_RETRIES = dict(WEBHOOK_RETRY_BASE_SECONDS=0.2, WEBHOOK_RETRY_FACTOR=2, WEBHOOK_MAX_ATTEMPTS=3,
                    WEBHOOK_TIMEOUT_SECONDS=1, WEBHOOK_POLL_SECONDS=0.05, WEBHOOK_DEPARTMENT_CONCURRENCY=2)


def actor(department):
    return {"role": "department", "subject": department, "username": f"dept-{department}"}


STAFF = {"role": "staff", "subject": None, "username": "staff"}


@pytest.fixture
def webhooks(start_service, broker, prepared):
    broker.purge(WEBHOOK_QUEUE)
    return start_webhooks_knowing_departments(start_service, prepared, **FAST_RETRIES)


@pytest.fixture
def clean_hooks(admin_db):
    admin_db.execute("UPDATE webhooks.webhooks SET deleted_at = now() WHERE deleted_at IS NULL")
    admin_db.execute("UPDATE webhooks.deliveries SET status = 'cancelled' WHERE status = 'pending'")
    yield


def register(cluster, department, url, **payload):
    return cluster.webhooks.register_webhook(department=department, payload={"url": url, **payload},
                                             actor=actor(department))


def publish(broker, envelope, department):
    broker.publish(envelope, exchange=EXCHANGE, routing_key=f"{department}.{envelope['type']}")


def deliveries(cluster, department, **query):
    return cluster.webhooks.list_deliveries(department=department, query=query, actor=actor(department))["items"]


def test_webhook_gets_the_envelope_signed_with_its_own_secret(webhooks, cluster, broker, clean_hooks):
    with RecordingServer() as server:
        hook = register(cluster, "edu", server.url + "/renda", description="教育局 OA")
        assert hook["secret"].startswith("whsec_") and hook["department"] == "edu"
        other = register(cluster, "edu", server.url + "/other")
        assert other["secret"] != hook["secret"]
        listed = cluster.webhooks.list_webhooks(department="edu", actor=actor("edu"))
        assert {w["id"] for w in listed["items"]} == {hook["id"], other["id"]}
        assert all("secret" not in w for w in listed["items"])

        envelope = department_event("edu", "suggestion_assigned")
        publish(broker, envelope, "edu")
        eventually(lambda: len(server.requests) == 2, 10, "both webhooks called")
        by_path = {r.path: r for r in server.requests}
        request = by_path["/renda"]
        assert request.body.decode() and __import__("json").loads(request.body) == envelope
        assert request.headers["X-Renda-Signature"].startswith("sha256=")
        assert verify(hook["secret"], request.body, request.headers["X-Renda-Signature"])
        assert not verify(other["secret"], request.body, request.headers["X-Renda-Signature"])
        assert verify(other["secret"], by_path["/other"].body, by_path["/other"].headers["X-Renda-Signature"])
        assert request.headers["X-Renda-Event"] == "suggestion_assigned"
        assert request.headers["Content-Type"] == "application/json"

        def delivered():
            items = [d for d in deliveries(cluster, "edu") if d["webhook_id"] == hook["id"]]
            return items if items and items[0]["status"] == "delivered" else None
        [logged] = eventually(delivered, 20, "the delivery logged as delivered")
        assert logged["id"] == request.headers["X-Renda-Delivery"]
        assert logged["event_id"] == envelope["event_id"] and logged["attempts"] == 1
        assert logged["attempt_log"][0]["status_code"] == 200 and logged["attempt_log"][0]["error"] is None

        # the same event again (a redelivery): no second delivery
        publish(broker, envelope, "edu")
        publish(broker, department_event("edu", "suggestion_closed"), "edu")
        eventually(lambda: len(server.requests) == 4, 10, "the next event delivered")
        assert sorted(r.headers["X-Renda-Event"] for r in server.requests).count("suggestion_assigned") == 2


def test_event_filter_and_other_departments_events_are_not_sent(webhooks, cluster, broker, clean_hooks):
    with RecordingServer() as server:
        register(cluster, "health", server.url + "/closed-only", events=["suggestion_closed"])
        publish(broker, department_event("health", "suggestion_assigned"), "health")
        publish(broker, department_event("edu", "suggestion_closed"), "edu")
        closed = department_event("health", "suggestion_closed")
        publish(broker, closed, "health")
        eventually(lambda: server.requests, 10, "the closed event delivered")
        eventually(lambda: broker.message_count(WEBHOOK_QUEUE) == 0, 20, "the intake queue drained")
        assert [__import__("json").loads(r.body)["event_id"] for r in server.requests] == [closed["event_id"]]


def webhook_queue_bindings(config):
    """Routing keys that bind the intake queue to the departments' exchange (management API)."""
    vhost = urllib.parse.quote(departments_amqp.vhost_of(config["AMQP_URI"]), safe="")
    return {b["routing_key"] for b in management_get(config, f"/exchanges/{vhost}/{EXCHANGE}/bindings/source")
            if b["destination"] == WEBHOOK_QUEUE}


def test_only_departments_with_a_webhook_reach_the_intake(webhooks, cluster, broker, clean_hooks, prepared):
    """Department events nobody turns into a webhook call are not routed to the intake at all
    (no catch-all binding); a department's first webhook binds it before it is stored."""
    bound = webhook_queue_bindings(prepared)
    assert "#" not in bound and "veterans.#" not in bound   # no test registers one for veterans
    with RecordingServer() as server:
        register(cluster, "justice", server.url + "/justice")
        assert "justice.#" in webhook_queue_bindings(prepared)
        publish(broker, department_event("veterans", "suggestion_assigned"), "veterans")
        sent = department_event("justice", "suggestion_assigned")
        publish(broker, sent, "justice")
        eventually(lambda: server.requests, 10, "the justice event delivered")
        assert json.loads(server.requests[0].body)["event_id"] == sent["event_id"]


def test_failing_webhook_is_retried_with_backoff_then_dead_while_others_get_theirs_promptly(
        webhooks, cluster, broker, clean_hooks):
    with RecordingServer(status=500) as failing, RecordingServer(delay=5) as slow, RecordingServer() as healthy:
        failing_hook = register(cluster, "edu", failing.url + "/down")
        register(cluster, "transport", slow.url + "/slow")
        register(cluster, "health", healthy.url + "/ok")
        for _ in range(3):
            publish(broker, department_event("edu"), "edu")
            publish(broker, department_event("transport"), "transport")
        eventually(lambda: len(failing.requests) >= 3 and len(slow.requests) >= 2, 10,
                   "the failing and the slow endpoint busy")
        # With edu failing and transport hanging, health's events still go out: all of them
        # while transport is still retrying (order, not seconds: see the check after all_dead).
        health_events = [department_event("health") for _ in range(5)]
        for envelope in health_events:
            publish(broker, envelope, "health")
        eventually(lambda: len(healthy.requests) == 5, 30, "health's 5 events delivered")

        def all_dead():
            items = deliveries(cluster, "edu", webhook=failing_hook["id"])
            return items if len(items) == 3 and all(d["status"] == "dead" for d in items) else None
        dead = eventually(all_dead, 20, "edu's 3 deliveries dead after 3 attempts each")
        for item in dead:
            assert item["attempts"] == 3 and item["last_status_code"] == 500
            log = item["attempt_log"]
            assert [a["attempt"] for a in log] == [1, 2, 3] and all(a["status_code"] == 500 for a in log)
            assert all(a["error"] == "http_500" for a in log) and item["last_error"] == "http_500"
            starts = [datetime.datetime.fromisoformat(a["started_at"]) for a in log]
            gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:])]
            # base 0.2 s, factor 2: at least 0.2 s, then at least 0.4 s (plus the request itself);
            # lower bounds only, since a busy machine stretches the gaps
            assert gaps[0] >= 0.2 and gaps[1] >= 0.4, gaps
        assert len(failing.requests) == 9  # 3 events x 3 attempts, then no more
        # transport's timed-out attempts went on after health's last delivery: health did not wait
        eventually(lambda: len(slow.requests) == 9, 30, "transport's 3 x 3 attempts")
        assert max(r.at for r in healthy.requests) < max(r.at for r in slow.requests)
        dead_only = deliveries(cluster, "edu", status="dead")
        assert len([d for d in dead_only if d["webhook_id"] == failing_hook["id"]]) == 3
        timed_out = eventually(lambda: [d for d in deliveries(cluster, "transport")
                                        if any(a["error"] == "timeout" for a in d["attempt_log"])],
                               10, "the slow endpoint's attempts logged as timeouts")
        assert timed_out
        # The department fixes its endpoint and replays one dead delivery: one more attempt, delivered.
        with pytest.raises(Conflict):
            cluster.webhooks.replay_delivery(department="health", delivery_id=deliveries(cluster, "health")[0]["id"],
                                             actor=actor("health"))
        with pytest.raises(NotFound):
            cluster.webhooks.replay_delivery(department="health", delivery_id=dead[0]["id"], actor=actor("health"))
        failing.status = 200
        replayed = cluster.webhooks.replay_delivery(department="edu", delivery_id=dead[0]["id"], actor=actor("edu"))
        assert replayed == {"id": dead[0]["id"], "status": "pending"}
        delivered = eventually(lambda: [d for d in deliveries(cluster, "edu", status="delivered")
                                        if d["id"] == dead[0]["id"]], 10, "the replayed delivery delivered")
        assert delivered[0]["attempts"] == 4 and len(failing.requests) == 10


def test_pending_deliveries_survive_a_restart_and_succeed_once(start_service, cluster, broker, clean_hooks, prepared):
    broker.purge(WEBHOOK_QUEUE)
    first = start_webhooks_knowing_departments(start_service, prepared, **dict(
        FAST_RETRIES, WEBHOOK_RETRY_BASE_SECONDS=1.5, WEBHOOK_MAX_ATTEMPTS=5))
    with RecordingServer(fail_first=1) as server:
        register(cluster, "civil", server.url + "/hook")
        envelope = department_event("civil")
        publish(broker, envelope, "civil")
        eventually(lambda: len(server.requests) == 1, 10, "the first (failing) attempt")
        first.stop()
        second = start_service(WebhooksService, **FAST_RETRIES)
        eventually(lambda: len(server.requests) == 2, 10, "the retry after the restart")
        [item] = eventually(lambda: [d for d in deliveries(cluster, "civil") if d["status"] == "delivered"],
                            20, "delivered")
        assert item["attempts"] == 2
        publish(broker, envelope, "civil")  # redelivered event after success: not sent again
        publish(broker, department_event("civil", "suggestion_closed"), "civil")
        eventually(lambda: len(server.requests) == 3, 10, "the next event")
        assert [r.headers["X-Renda-Event"] for r in server.requests][-1] == "suggestion_closed"
        second.stop()


def test_access_rules_and_validation(webhooks, cluster, clean_hooks):
    with pytest.raises(Forbidden):
        cluster.webhooks.register_webhook(department="edu", payload={"url": "https://oa.example.cn/hook"},
                                          actor=actor("health"))
    with pytest.raises(Forbidden):
        cluster.webhooks.list_deliveries(department="edu", query={}, actor=actor("health"))
    with pytest.raises(Forbidden):
        cluster.webhooks.list_webhooks(department="edu", actor={"role": "deputy", "subject": "D0001",
                                                                 "username": "D0001"})
    with pytest.raises(NotFound):
        cluster.webhooks.list_webhooks(department="nosuch", actor=STAFF)
    for bad in ("ftp://oa.example.cn/x", "not a url", "https://", "", "https://u:p@oa.example.cn/x"):
        with pytest.raises(ValidationFailed) as caught:
            register(cluster, "edu", bad)
        assert "url" in caught.value.details, caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        cluster.webhooks.register_webhook(department="edu", payload={}, actor=actor("edu"))
    assert "url" in caught.value.details
    with pytest.raises(ValidationFailed) as caught:
        register(cluster, "edu", "https://oa.example.cn/x", events=["Not-A-Type"])
    assert "events" in caught.value.details
    hook = cluster.webhooks.register_webhook(department="edu", payload={"url": "https://oa.example.cn/x"},
                                             actor=STAFF)
    assert hook["created_by"] == "staff"
    with pytest.raises(NotFound):
        cluster.webhooks.delete_webhook(department="health", webhook_id=hook["id"], actor=actor("health"))
    with pytest.raises(NotFound):
        cluster.webhooks.delete_webhook(department="edu", webhook_id=str(uuid.uuid4()), actor=actor("edu"))
    assert cluster.webhooks.delete_webhook(department="edu", webhook_id=hook["id"], actor=actor("edu"))
    assert cluster.webhooks.list_webhooks(department="edu", actor=actor("edu"))["items"] == []
