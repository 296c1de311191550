"""Transactional outbox: a crash between the commit and the relay's publish loses nothing,
and the event is applied once after the restart; a crash between the broker's confirm and
marking the row sent publishes the event again, and the consumers apply it once."""
import pytest

from tests.support.platform import EventProbe, eventually, new_deputy_payload

pytestmark = pytest.mark.slow

CRASH_EXIT_CODE = 17  # kernel/outbox.py: OUTBOX_FAULT=crash_before_publish
CRASH_AFTER_PUBLISH_EXIT_CODE = 18  # kernel/outbox.py: OUTBOX_FAULT=crash_after_publish
READ_MODELS = ("suggestion", "voting")


def test_crash_after_commit_before_publish_delivers_after_restart(stack, launch):
    assert stack.unpublished() == 0
    platform = launch(["gateway", "deputy", "suggestion", "voting"],
                      extra_env={"deputy": {"OUTBOX_FAULT": "crash_before_publish"}})
    client = platform.client()
    client.token("staff")
    probe = EventProbe(stack.amqp_uri, "deputy", "deputy_registered")
    try:
        payload = new_deputy_payload(name="崩溃测试")
        # The deputy process commits, then its relay exits before publishing: the answer may
        # or may not have left first, so the committed state is read from the database.
        try:
            client.post("/api/v1/deputies", as_user="staff", json=payload, timeout=10)
        except Exception:
            pass
        assert platform.wait_exit("deputy") == CRASH_EXIT_CODE

        rows = stack.query("SELECT code, version FROM deputy.deputies WHERE phone = %s", (payload["phone"],))
        assert len(rows) == 1, rows
        code = rows[0][0]
        outbox = stack.query("SELECT event_type, published_at, payload->'data'->>'code' FROM deputy.outbox "
                             "WHERE aggregate_id = %s", (code,))
        assert outbox == [("deputy_registered", None, code)], outbox
        assert stack.directory("suggestion", [code]) == {}  # nothing reached the read model

        platform.start("deputy")  # normally, this time
        platform.wait_ready("deputy")
        event = probe.wait_for(lambda e: e["data"]["code"] == code, timeout=20)
        assert event["type"] == "deputy_registered" and event["producer"] == "deputy"
        assert event["data"]["name"] == "崩溃测试" and "phone" not in event["data"]

        for service in ("suggestion", "voting"):
            eventually(lambda: stack.directory(service, [code]) == {code: 1}, timeout=20,
                       what=f"{code} applied once in the {service} read model")
        assert stack.query("SELECT published_at IS NOT NULL FROM deputy.outbox WHERE aggregate_id = %s",
                           (code,)) == [(True,)]
        assert stack.unpublished() == 0

        # Published exactly once: a later write's event arrives after every earlier one.
        later = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload())
        assert later.status_code == 201, later.text
        seen = []
        probe.wait_for(lambda e: seen.append(e["data"]["code"]) or e["data"]["code"] == later.json()["id"],
                       timeout=20)
        assert code not in seen, seen
        # The platform is whole again.
        assert client.get(f"/api/v1/deputies/{code}").json()["name"] == "崩溃测试"
    finally:
        probe.close()


def test_crash_after_publish_before_mark_redelivers_and_consumers_apply_once(stack, launch):
    assert stack.unpublished() == 0
    platform = launch(["gateway", "deputy", "suggestion", "voting"],
                      extra_env={"deputy": {"OUTBOX_FAULT": "crash_after_publish"}})
    client = platform.client()
    client.token("staff")
    handled = {service: platform.consumed(service, "deputy_registered") for service in READ_MODELS}
    probe = EventProbe(stack.amqp_uri, "deputy", "deputy_registered")
    try:
        payload = new_deputy_payload(name="确认后崩溃")
        try:  # the relay may exit before or after the answer left: the database tells
            client.post("/api/v1/deputies", as_user="staff", json=payload, timeout=10)
        except Exception:
            pass
        assert platform.wait_exit("deputy") == CRASH_AFTER_PUBLISH_EXIT_CODE
        [(code,)] = stack.query("SELECT code FROM deputy.deputies WHERE phone = %s", (payload["phone"],))
        # The broker confirmed the event, the row was never marked sent ...
        assert stack.query("SELECT published_at FROM deputy.outbox WHERE aggregate_id = %s", (code,)) == [(None,)]
        first = probe.wait_for(lambda e: e["data"]["code"] == code, timeout=20)
        # ... and the consumers already applied it.
        for service in READ_MODELS:
            eventually(lambda: stack.directory(service, [code]) == {code: 1}, timeout=20,
                       what=f"{code} applied in the {service} read model")
            eventually(lambda: platform.consumed(service, "deputy_registered") == handled[service] + 1, timeout=20,
                       what=f"{service} to have handled the first delivery")

        platform.start("deputy")  # normally, this time: the relay publishes the row again
        platform.wait_ready("deputy")
        again = probe.wait_for(lambda e: e["data"]["code"] == code, timeout=20)
        assert again["event_id"] == first["event_id"]  # the same event, delivered a second time
        eventually(lambda: stack.query("SELECT published_at IS NOT NULL FROM deputy.outbox WHERE aggregate_id = %s",
                                       (code,)) == [(True,)], timeout=20, what="the row marked sent after the restart")
        for service in READ_MODELS:
            eventually(lambda: platform.consumed(service, "deputy_registered") == handled[service] + 2, timeout=20,
                       what=f"{service} to have handled the second delivery")
            assert stack.directory(service, [code]) == {code: 1}, f"{service} applied the event twice"
            assert stack.scalar(f"SELECT count(*) FROM {service}.processed_events WHERE event_id = %s",
                                (first["event_id"],)) == 1
        assert stack.unpublished() == 0
        platform.assert_all_running()
    finally:
        probe.close()
