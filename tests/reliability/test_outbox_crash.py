"""Transactional outbox: a crash between the commit and the relay's publish loses nothing,
and the event is applied once after the restart."""
import pytest

from tests.support.platform import EventProbe, eventually, new_deputy_payload

pytestmark = pytest.mark.slow

CRASH_EXIT_CODE = 17  # kernel/outbox.py: OUTBOX_FAULT=crash_before_publish


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
