"""Reliable event consumers (kernel.consumer): idempotent application, poison messages,
retries with backoff, dead letters and their replay."""
import json
import pickle

import pytest

from kernel import dlq
from kernel.consumer import subscribe
from kernel.errors import ServiceUnavailable
from kernel.metrics import service_metrics
from services.suggestion.service import SuggestionService
from tests.integration.helpers import counter_value, deputy_envelope
from tests.support.platform import eventually

REGISTERED_QUEUE = "evt-deputy-deputy_registered--suggestion.on_deputy_deputy_registered"
REGISTERED_DLQ = REGISTERED_QUEUE + ".dlq"
UPDATED_QUEUE = "evt-deputy-deputy_updated--suggestion.on_deputy_deputy_updated"


def consumed(service, outcome, event_type):
    return counter_value(service_metrics(service).events_consumed, event_type, outcome)


# -- (a) a valid event applies once, however often it is delivered ------------------------
@pytest.fixture
def suggestion(start_service, broker):
    # Only this test's messages: drop what earlier writes left in the durable queue.
    broker.purge(REGISTERED_QUEUE, REGISTERED_DLQ, UPDATED_QUEUE, UPDATED_QUEUE + ".dlq")
    return start_service(SuggestionService)


def test_event_is_applied_to_the_read_model_once_even_when_redelivered(suggestion, broker, cluster):
    envelope = deputy_envelope()
    code = envelope["data"]["code"]
    ok_before = consumed("suggestion", "ok", "deputy_registered")
    broker.publish(envelope, exchange="deputy.events", routing_key="deputy_registered")
    entry = eventually(lambda: cluster.suggestion.directory_entry(deputy_id=code), 10, "the deputy in the read model")
    assert entry["name"] == "测试代表" and entry["version"] == 1 and entry["applied_count"] == 1

    broker.publish(envelope, exchange="deputy.events", routing_key="deputy_registered")  # a redelivery
    eventually(lambda: consumed("suggestion", "ok", "deputy_registered") == ok_before + 2, 10,
               "the second delivery to be handled")
    assert cluster.suggestion.directory_entry(deputy_id=code)["applied_count"] == 1

    # a newer version applies; an older one arriving late does not move the row back
    newer = deputy_envelope("deputy_updated", code=code, version=3, name="新名字", changed=["name"])
    older = deputy_envelope("deputy_updated", code=code, version=2, name="旧名字", changed=["name"])
    ok_updated = consumed("suggestion", "ok", "deputy_updated")
    broker.publish(newer, exchange="deputy.events", routing_key="deputy_updated")
    eventually(lambda: cluster.suggestion.directory_entry(deputy_id=code)["version"] == 3, 10, "version 3")
    broker.publish(older, exchange="deputy.events", routing_key="deputy_updated")
    eventually(lambda: consumed("suggestion", "ok", "deputy_updated") == ok_updated + 2, 10, "the late event")
    entry = cluster.suggestion.directory_entry(deputy_id=code)
    assert (entry["name"], entry["version"], entry["applied_count"]) == ("新名字", 3, 2)
    assert broker.message_count(REGISTERED_DLQ) == 0


# -- (b) poison messages go to the dead-letter queue and the queue keeps flowing ------------
POISON = [
    ("not_json", b"{this is not json", "application/json", "undecodable"),
    ("missing_fields", json.dumps({"type": "deputy_registered", "data": {}}).encode(), "application/json",
     "invalid_envelope"),
    ("pickle", pickle.dumps({"event_id": "x"}), "application/x-python-serialize", "undecodable"),
    ("json_array", b"[1, 2, 3]", "application/json", "invalid_envelope"),
    ("wrong_type", json.dumps(deputy_envelope("deputy_updated")).encode(), "application/json", "unexpected_type"),
]


def test_poison_messages_are_dead_lettered_and_the_service_keeps_working(suggestion, broker, cluster):
    for _, body, content_type, _ in POISON:
        broker.publish(body, routing_key=REGISTERED_QUEUE, content_type=content_type)
    broker.wait_count(REGISTERED_DLQ, len(POISON))
    broker.wait_count(REGISTERED_QUEUE, 0)

    dead = broker.take_all(REGISTERED_DLQ)
    by_body = {body: properties for properties, body in dead}
    for name, body, content_type, reason in POISON:
        properties = by_body[body]  # the original bytes, untouched
        assert properties.headers["x-dead-letter-reason"] == reason, name
        assert properties.headers["x-original-queue"] == REGISTERED_QUEUE
        assert properties.headers["x-error"]
        assert properties.content_type == content_type

    # the consumer survived: a valid event still applies and RPC still answers
    envelope = deputy_envelope()
    broker.publish(envelope, exchange="deputy.events", routing_key="deputy_registered")
    entry = eventually(lambda: cluster.suggestion.directory_entry(deputy_id=envelope["data"]["code"]), 10,
                       "a valid event after the poison")
    assert entry["applied_count"] == 1
    health = cluster.suggestion.health()
    assert health["ready"] and health["checks"] == {"database": True, "outbox_relay": True}
    assert broker.message_count(REGISTERED_DLQ) == 0


def test_a_malformed_rpc_request_does_not_kill_the_service(suggestion, broker, cluster):
    """nameko#753: a request without reply_to, or one kombu cannot decode, is dropped."""
    dropped = counter_value(service_metrics("suggestion").rpc_dropped)
    broker.publish({"args": [], "kwargs": {}}, exchange="nameko-rpc", routing_key="suggestion.directory_size")
    broker.publish(b"\x80\x04junk", exchange="nameko-rpc", routing_key="suggestion.directory_size",
                   content_type="application/x-python-serialize")
    eventually(lambda: counter_value(service_metrics("suggestion").rpc_dropped) == dropped + 2, 10,
               "both requests to be dropped")
    assert cluster.suggestion.ping() == {"service": "suggestion", "pong": True}


# -- (c) a failing handler retries with backoff, then dead-letters --------------------------
FLAKY_QUEUE = "evt-deputy-deputy_updated--budget.on_deputy_deputy_updated"
FLAKY_SIDE_QUEUES = [f"{FLAKY_QUEUE}.retry.1", f"{FLAKY_QUEUE}.retry.2", f"{FLAKY_QUEUE}.dlq"]


class Calls:
    attempts = {}      # event_id -> handler invocations
    applied = []       # event_ids handled successfully
    broken = set()     # markers that fail for now


class FlakyBudget:
    name = "budget"  # bootstrapped name; the real budget service has no event handlers

    @subscribe("deputy", "deputy_updated")
    def on_deputy_deputy_updated(self, envelope):
        event_id, marker = envelope["event_id"], envelope["data"].get("marker")
        Calls.attempts[event_id] = Calls.attempts.get(event_id, 0) + 1
        if marker in Calls.broken:
            raise RuntimeError(f"handler broken for {marker}")
        if marker == "fail_once" and Calls.attempts[event_id] == 1:
            raise RuntimeError("transient failure")
        if marker == "database_down" and Calls.attempts[event_id] <= 5:
            raise ServiceUnavailable("database unavailable", {"reason": "OperationalError"})
        Calls.applied.append(event_id)


@pytest.fixture
def flaky(start_service, broker):
    Calls.attempts.clear()
    Calls.applied.clear()
    Calls.broken.clear()
    broker.delete(FLAKY_QUEUE, *FLAKY_SIDE_QUEUES)
    container = start_service(FlakyBudget)
    yield container
    container.stop()
    broker.delete(FLAKY_QUEUE, *FLAKY_SIDE_QUEUES)  # the test service's queues are not the platform's


def publish_to_flaky(broker, marker):
    envelope = deputy_envelope("deputy_updated", marker=marker)
    broker.publish(envelope, routing_key=FLAKY_QUEUE)
    return envelope["event_id"]


def test_failing_handler_is_retried_then_dead_lettered(flaky, broker, caplog):
    Calls.broken.add("always")
    envelope = deputy_envelope("deputy_updated", marker="always")
    event_id = envelope["event_id"]
    with caplog.at_level("WARNING", logger="kernel.consumer"):
        broker.publish(envelope, routing_key=FLAKY_QUEUE)
        broker.wait_count(f"{FLAKY_QUEUE}.dlq", 1)
    failures = [r for r in caplog.records if r.name == "kernel.consumer"]
    assert [r.levelname for r in failures] == ["WARNING", "WARNING", "ERROR"]  # two retries, then dead
    assert {r.correlation_id for r in failures} == {envelope["correlation_id"]}
    assert Calls.attempts[event_id] == 3  # first try + one per EVENT_RETRY_DELAYS entry
    assert Calls.applied == []
    [(properties, body)] = broker.take_all(f"{FLAKY_QUEUE}.dlq")
    assert json.loads(body)["event_id"] == event_id
    assert properties.headers["x-dead-letter-reason"] == "handler_failed"
    assert "handler broken for always" in properties.headers["x-error"]
    assert properties.headers["x-attempt"] == 2
    assert properties.headers["x-original-queue"] == FLAKY_QUEUE
    for queue in (FLAKY_QUEUE, f"{FLAKY_QUEUE}.retry.1", f"{FLAKY_QUEUE}.retry.2"):
        assert broker.message_count(queue) == 0


def test_handler_that_fails_once_is_applied_exactly_once(flaky, broker):
    ok_before = consumed("budget", "ok", "deputy_updated")
    retried_before = counter_value(service_metrics("budget").events_retried, "deputy_updated")
    event_id = publish_to_flaky(broker, "fail_once")
    eventually(lambda: consumed("budget", "ok", "deputy_updated") == ok_before + 1, 10, "the retry to succeed")
    assert Calls.attempts[event_id] == 2 and Calls.applied == [event_id]
    assert counter_value(service_metrics("budget").events_retried, "deputy_updated") == retried_before + 1
    for queue in [FLAKY_QUEUE] + FLAKY_SIDE_QUEUES:
        assert broker.message_count(queue) == 0


def test_an_outage_longer_than_the_retry_ladder_never_dead_letters_the_event(flaky, broker):
    """The database down for more attempts than EVENT_RETRY_DELAYS has rungs (a SIGKILLed
    PostgreSQL in crash recovery on a busy machine): the event waits on the last rung and applies
    once the database is back, instead of landing in the dead-letter queue and missing from the
    read model (tests/reliability/test_database_killed.py met exactly that)."""
    event_id = publish_to_flaky(broker, "database_down")
    eventually(lambda: Calls.applied == [event_id], 30, "the event to apply after the outage")
    assert Calls.attempts[event_id] == 6        # five refusals, more than the two rungs, then applied
    for queue in [FLAKY_QUEUE] + FLAKY_SIDE_QUEUES:
        assert broker.message_count(queue) == 0


# -- (d) dead letters are replayed once the cause is fixed ---------------------------------------
def test_replay_moves_dead_letters_back_and_they_are_processed(flaky, broker, prepared, capsys):
    Calls.broken.add("bug")
    first, second = publish_to_flaky(broker, "bug"), publish_to_flaky(broker, "bug")
    broker.wait_count(f"{FLAKY_QUEUE}.dlq", 2)
    listed = dlq.list_dead_letters(prepared["AMQP_URI"], [FLAKY_QUEUE])
    assert {json.loads(row["body"])["event_id"] for row in listed} == {first, second}
    assert {row["x-dead-letter-reason"] for row in listed} == {"handler_failed"}
    assert broker.message_count(f"{FLAKY_QUEUE}.dlq") == 2  # listing does not consume
    capsys.readouterr()
    assert dlq.main(["list", "--queue", FLAKY_QUEUE]) == 0  # python -m kernel.dlq list --queue Q
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["queue"] for line in lines] == [f"{FLAKY_QUEUE}.dlq"] * 2
    assert broker.message_count(f"{FLAKY_QUEUE}.dlq") == 2

    Calls.broken.clear()  # "the cause is fixed"
    assert dlq.replay(prepared["AMQP_URI"], [FLAKY_QUEUE]) == 2
    eventually(lambda: sorted(Calls.applied) == sorted([first, second]), 10, "the replayed events to apply")
    assert Calls.attempts == {first: 4, second: 4}  # 3 before dead-lettering + 1 after replay
    broker.wait_count(f"{FLAKY_QUEUE}.dlq", 0)
    assert dlq.replay(prepared["AMQP_URI"], [FLAKY_QUEUE + ".dlq"]) == 0


def test_replayed_message_gets_a_fresh_retry_budget(flaky, broker, prepared):
    Calls.broken.add("still_broken")
    event_id = publish_to_flaky(broker, "still_broken")
    broker.wait_count(f"{FLAKY_QUEUE}.dlq", 1)
    assert dlq.main(["replay", "--queue", FLAKY_QUEUE]) == 0  # python -m kernel.dlq replay --queue Q
    eventually(lambda: Calls.attempts[event_id] == 6, 10, "three more attempts after the replay")
    broker.wait_count(f"{FLAKY_QUEUE}.dlq", 1)
    [(properties, _)] = broker.take_all(f"{FLAKY_QUEUE}.dlq")
    assert properties.headers["x-dead-letter-reason"] == "handler_failed"
