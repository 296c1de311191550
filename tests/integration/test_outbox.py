"""The transactional outbox of the deputy service: written with the change, relayed with
confirms, marked published, in order."""
import uuid

import psycopg
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client import REGISTRY

from kernel.config import service_dsn
from kernel.errors import Conflict, Unprocessable, ValidationFailed
from kernel.metrics import service_metrics
from kernel.outbox import relay_lock_key
from services.deputy.service import DeputyService
from tests.integration.helpers import collect_events
from tests.support.platform import EventProbe, eventually, new_deputy_payload

ENVELOPE_FIELDS = {"event_id", "type", "occurred_at", "schema_version", "producer", "correlation_id",
                   "aggregate_id", "data"}


@pytest.fixture
def deputy_service(start_service, demo_loaded):
    return start_service(DeputyService)


@pytest.fixture
def probe(prepared):
    probe = EventProbe(prepared["AMQP_URI"], "deputy")
    yield probe
    probe.close()


def outbox_rows(admin_db, code):
    return admin_db.execute(
        "SELECT event_type, published_at, payload, exchange, routing_key FROM deputy.outbox "
        "WHERE aggregate_id = %s ORDER BY id", (code,)).fetchall()


def test_write_is_relayed_marked_published_and_arrives_as_an_envelope(deputy_service, prepared, probe, admin_db):
    correlation_id = "it-" + uuid.uuid4().hex
    with ClusterRpcProxy(prepared, timeout=15, context_data={"correlation_id": correlation_id}) as cluster:
        deputy = cluster.deputy.register_deputy(payload=new_deputy_payload())
    code = deputy["code"]
    event = probe.wait_for(lambda e: e["data"].get("code") == code)
    assert set(event) == ENVELOPE_FIELDS
    assert event["type"] == "deputy_registered" and event["producer"] == "deputy"
    assert event["schema_version"] == 1 and event["aggregate_id"] == code and event["occurred_at"]
    assert event["correlation_id"] == correlation_id  # the caller's correlation id travels with the event
    assert event["data"]["version"] == 1 and "phone" not in event["data"] and "email" not in event["data"]

    rows = eventually(lambda: [r for r in outbox_rows(admin_db, code) if r[1] is not None], 10,
                      "the outbox row to be marked published")
    assert len(outbox_rows(admin_db, code)) == 1
    event_type, published_at, payload, exchange, routing_key = rows[0]
    assert (event_type, exchange, routing_key) == ("deputy_registered", "deputy.events", "deputy_registered")
    assert payload["event_id"] == event["event_id"]  # the row is the very event that arrived


def test_updates_of_one_deputy_arrive_in_version_order(deputy_service, cluster, probe):
    code = cluster.deputy.register_deputy(payload=new_deputy_payload())["code"]
    for i in range(20):
        assert cluster.deputy.update_deputy(deputy_id=code, payload={"occupation": f"职业{i}"})["version"] == i + 2
    events = collect_events(probe, lambda e: e["type"] == "deputy_updated" and e["data"]["code"] == code, 20)
    assert [e["data"]["version"] for e in events] == list(range(2, 22))
    assert [e["data"]["occupation"] for e in events] == [f"职业{i}" for i in range(20)]
    assert all(e["data"]["changed"] == ["occupation"] for e in events)


def test_rejected_writes_leave_no_outbox_row(deputy_service, cluster, admin_db):
    count = "SELECT (SELECT count(*) FROM deputy.outbox), (SELECT count(*) FROM deputy.deputies)"
    before = admin_db.execute(count).fetchone()
    with pytest.raises(ValidationFailed) as caught:
        cluster.deputy.register_deputy(payload=new_deputy_payload(name="", birth_year="x"))
    assert {"name", "birth_year"} <= set(caught.value.details)
    with pytest.raises(Unprocessable) as caught:
        cluster.deputy.register_deputy(payload=new_deputy_payload(station_code="ST-NOPE"))
    assert "station_code" in caught.value.details
    existing = cluster.deputy.register_deputy(payload=new_deputy_payload())
    after_one = admin_db.execute(count).fetchone()
    assert after_one == (before[0] + 1, before[1] + 1)
    with pytest.raises(Conflict):  # same phone
        cluster.deputy.register_deputy(payload=new_deputy_payload(phone=existing["phone"]))
    with pytest.raises(Conflict):  # stale version
        cluster.deputy.update_deputy(deputy_id=existing["code"], payload={"name": "改名字", "version": 7})
    assert admin_db.execute(count).fetchone() == after_one


def test_idempotent_registration_writes_one_event(deputy_service, cluster, admin_db):
    payload = new_deputy_payload()
    first = cluster.deputy.register_deputy(payload=payload, idempotency_key="it-outbox-key-1")
    again = cluster.deputy.register_deputy(payload=payload, idempotency_key="it-outbox-key-1")
    assert again["code"] == first["code"]
    assert len(outbox_rows(admin_db, first["code"])) == 1


def test_only_the_relay_holding_the_lock_publishes_and_another_takes_over_when_its_holder_dies(
        start_service, demo_loaded, cluster, admin_db, prepared):
    """Replicas of a service: the relay whose session holds the service's advisory lock is the
    one that publishes. Here this test's own session holds it (another replica's relay): the
    service's relay runs but publishes nothing; when the holder's session ends (a replica
    killed), it takes the lock within a loop and publishes what waited, in order."""
    def leader():
        return REGISTRY.get_sample_value("deputy_outbox_relay_leader")

    holder = psycopg.connect(service_dsn(prepared, "deputy"), autocommit=True)
    try:
        # A deputy relay of the tests before this one, stopped, frees the lock only when PostgreSQL
        # has ended its session; the lock is tried until it is free rather than assumed free.
        eventually(lambda: holder.execute("SELECT pg_try_advisory_lock(%s)",
                                          (relay_lock_key("deputy"),)).fetchone()[0], 30,
                   "the lock free of the earlier tests' relay")
        start_service(DeputyService)
        code = cluster.deputy.register_deputy(payload=new_deputy_payload())["code"]
        # The relay has been round its loop since the write: it saw the backlog (it observes
        # it once a second, after trying for the lock and publishing when it leads).
        service_metrics("deputy").outbox_backlog.set(-1)
        eventually(lambda: REGISTRY.get_sample_value("deputy_outbox_backlog_events") != -1, 10,
                   "the relay to observe the backlog")
        assert leader() == 0
        assert [row[1] for row in outbox_rows(admin_db, code)] == [None]   # not published
        assert REGISTRY.get_sample_value("deputy_outbox_backlog_events") >= 1
    finally:
        holder.close()   # the other replica's session ends: its lock with it
    eventually(lambda: leader() == 1, 10, "the relay to take the lock over")
    eventually(lambda: all(row[1] is not None for row in outbox_rows(admin_db, code)), 30,
               "the waiting event to be published")
