"""PostgreSQL down: a write is refused with 503 within the RPC deadline (+1 s), /health
says 503, no event is published for the write that did not commit, and the platform
recovers by itself when the database is back."""
import time
import uuid

import pytest

from tests.support.platform import EventProbe, eventually, new_deputy_payload

pytestmark = pytest.mark.slow


def test_database_down_write_503_no_event_then_recovery(stack, launch):
    deadline = float(stack.config["RPC_DEADLINE_SECONDS"])
    platform = launch()
    platform.wait_healthy()
    client = platform.client()
    client.token("staff")  # signing in needs the database (so does checking a token, past its 3 s cache)
    failed_name = "断库" + uuid.uuid4().hex[:8]
    failed = new_deputy_payload(name=failed_name)
    probe = EventProbe(stack.amqp_uri, "deputy", "deputy_registered")
    try:
        stack.postgres.stop(keep_data=True)
        try:
            started = time.monotonic()
            response = client.post("/api/v1/deputies", as_user="staff", json=failed, timeout=30)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert response.headers["Content-Type"].startswith("application/json")
            assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
            assert elapsed < deadline + 1.0, elapsed

            started = time.monotonic()
            read = client.get("/api/v1/deputies/D0001", timeout=30)
            assert read.status_code == 503 and time.monotonic() - started < deadline + 1.0, read.text

            started = time.monotonic()
            health = client.get("/health", timeout=30)
            assert health.status_code == 503, health.text
            assert time.monotonic() - started < deadline + 1.0
            assert {"deputy", "suggestion", "voting", "gateway"} <= set(health.json()["unavailable"])
        finally:
            stack.postgres.start()

        # Recovery: the services reconnect by themselves.
        def write_ok():
            answer = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(), timeout=30)
            return answer.status_code == 201 and answer.json()["id"]
        recovered = eventually(write_ok, timeout=30, what="a write to succeed after the database is back")
        platform.wait_healthy()
        platform.assert_all_running()

        # The relay publishes in commit order: whatever had been committed before the
        # recovery write would arrive before its event. Only the recovery write's event comes.
        seen = []
        probe.wait_for(lambda e: seen.append(e) or e["data"]["code"] == recovered, timeout=30)
        assert [e["data"]["code"] for e in seen] == [recovered], [e["data"] for e in seen]
        with pytest.raises(AssertionError):
            probe.wait_for(lambda e: e["data"]["name"] == failed_name, timeout=1.5)
    finally:
        probe.close()
    assert stack.query("SELECT code FROM deputy.deputies WHERE phone = %s OR name = %s",
                       (failed["phone"], failed_name)) == []
    assert stack.scalar("SELECT count(*) FROM deputy.outbox WHERE payload->'data'->>'name' = %s",
                        (failed_name,)) == 0
    for service in ("suggestion", "voting"):
        eventually(lambda: stack.directory(service, [recovered]) == {recovered: 1}, timeout=20,
                   what=f"the recovery write in the {service} read model")
