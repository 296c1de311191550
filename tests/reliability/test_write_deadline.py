"""A write answered 504 DEADLINE_EXCEEDED: the gateway stopped waiting, the service may still
be working. The test finds out from the database whether the write was applied (once) or not
at all, and shows that retrying it with the same Idempotency-Key never applies it twice.

* ``service_slowed``: the deputy service takes the request but its INSERT waits on a table
  lock past the deadline. The write is applied once, late; a retry sent meanwhile waits for
  it and then returns the same deputy, and so does a retry after it.
* ``service_stopped``: nobody takes the request before its deadline; it expires in the
  queue (its AMQP expiration is the deadline). The restarted service never applies it; the
  retry applies it, once.

The deputies are registered without a phone number, so the Idempotency-Key is the only
thing that can keep a retry from registering a second deputy."""
import time
import uuid

import psycopg
import pytest

from tests.support.platform import deadline_slack, eventually, new_deputy_payload

pytestmark = pytest.mark.slow

DEADLINE = 1.0


def deputies_named(stack, name):
    return [code for (code,) in stack.query("SELECT code FROM deputy.deputies WHERE name = %s", (name,))]


def registered_events(stack, codes):
    return stack.scalar("SELECT count(*) FROM deputy.outbox WHERE event_type = 'deputy_registered' "
                        "AND aggregate_id = ANY(%s)", (codes,))


def register(client, payload, key):
    return client.post("/api/v1/deputies", as_user="staff", json=payload, headers={"Idempotency-Key": key},
                       timeout=30)


def assert_deadline_exceeded(client, payload, key):
    started = time.monotonic()
    response = register(client, payload, key)
    elapsed = time.monotonic() - started
    assert response.status_code == 504, response.text
    assert response.json()["error"]["code"] == "DEADLINE_EXCEEDED", response.text
    assert DEADLINE * 0.9 <= elapsed < deadline_slack(DEADLINE), elapsed  # ended by the deadline


@pytest.mark.parametrize("fault", ["service_slowed", "service_stopped"])
def test_write_answered_504_is_applied_at_most_once_and_a_retry_never_twice(stack, launch, fault):
    platform = launch(["gateway", "deputy", "suggestion"],
                      extra_env={"gateway": {"RPC_DEADLINE_SECONDS": str(DEADLINE)}})
    client = platform.client()
    client.token("staff")
    name = "超时" + uuid.uuid4().hex[:8]
    payload = new_deputy_payload(name=name)
    payload.pop("phone")
    key = "deadline-" + uuid.uuid4().hex

    if fault == "service_slowed":
        with psycopg.connect(stack.admin_url) as blocker:  # holds the lock until the block ends
            blocker.execute("LOCK TABLE deputy.deputies IN SHARE ROW EXCLUSIVE MODE")
            assert_deadline_exceeded(client, payload, key)
            # The service is still at it: its INSERT waits for the lock.
            eventually(lambda: stack.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = 'svc_deputy' AND wait_event_type = 'Lock'") >= 1,
                timeout=20, what="the deputy service's write waiting on the lock")
            # a retry meanwhile waits for the first request's lock on the Idempotency-Key
            assert_deadline_exceeded(client, payload, key)
            assert deputies_named(stack, name) == []
        # The lock is gone: the first request finishes (late) and the waiting retry finds its result.
        applied = eventually(lambda: deputies_named(stack, name), timeout=30, what="the late write to commit")
        assert len(applied) == 1, applied
    else:
        platform.stop("deputy")
        assert_deadline_exceeded(client, payload, key)
        eventually(lambda: stack.queue_depth("rpc-deputy") == 0, timeout=30, what="the request to expire")
        platform.start("deputy")
        platform.wait_ready("deputy")
        # A request the restarted service would still find could be applied now: none is.
        probe = new_deputy_payload()
        assert client.post("/api/v1/deputies", as_user="staff", json=probe, timeout=30).status_code == 201
        assert deputies_named(stack, name) == [], "an expired request was applied"
        applied = []

    # Retries with the same key until one is answered (the service answers now).
    def retried():
        answer = register(client, payload, key)
        return answer.status_code == 201 and answer.json()["id"]
    code = eventually(retried, timeout=60, what="a retry to be answered 201")
    if applied:
        assert code == applied[0], "the retry registered another deputy"
    again = register(client, payload, key)
    assert again.status_code == 201 and again.json()["id"] == code
    assert deputies_named(stack, name) == [code]
    assert registered_events(stack, [code]) == 1
    eventually(lambda: stack.directory("suggestion", [code]) == {code: 1}, timeout=30,
               what="the deputy applied once in the suggestion read model")
    platform.assert_all_running()
