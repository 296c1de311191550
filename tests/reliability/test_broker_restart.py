"""RabbitMQ restarted in the middle of a burst of 500 writes through the gateway: every
write that was answered 2xx is applied exactly once in both read models, and the
platform serves again by itself once the broker is back."""
import collections
import threading
import time

import pytest
import requests

from tests.support.platform import eventually, new_deputy_payload

pytestmark = pytest.mark.slow

WRITES = 500
WRITERS = 4
RESTART_AFTER = 150  # answers received before the broker goes down


@pytest.mark.parametrize("how", ["restart", "kill"])
def test_broker_restart_during_burst_applies_every_2xx_once(stack, launch, how):
    """``restart``: a clean stop and start; ``kill``: SIGKILL, then start (messages the
    broker confirmed are on disk; the relay marks a row sent only after the confirm)."""
    platform = launch()
    platform.wait_healthy()
    token = platform.client().token("staff")
    url = platform.gateway_url + "/api/v1/deputies"
    counter = iter(range(WRITES))
    counter_lock = threading.Lock()
    answers = []  # (index, status or exception name, id or None, monotonic time)
    answers_lock = threading.Lock()

    def writer():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while True:
            with counter_lock:
                index = next(counter, None)
            if index is None:
                return
            try:
                response = session.post(url, json=new_deputy_payload(), timeout=30)
                status = response.status_code
                code = response.json().get("id") if 200 <= status < 300 else None
            except requests.RequestException as exc:
                status, code = type(exc).__name__, None
            with answers_lock:
                answers.append((index, status, code, time.monotonic()))
            if not (isinstance(status, int) and status < 300):
                time.sleep(0.1)  # a client's back-off before its next write, not a synchronisation

    threads = [threading.Thread(target=writer, daemon=True) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    eventually(lambda: len(answers) >= RESTART_AFTER, timeout=60, what=f"{RESTART_AFTER} answers")
    down_at = time.monotonic()
    if how == "restart":
        stack.rabbit.restart()
    else:
        stack.rabbit.kill()
        stack.rabbit.start()
    up_at = time.monotonic()
    for thread in threads:
        thread.join(timeout=180)
        assert not thread.is_alive(), "a writer hung"

    assert len(answers) == WRITES
    statuses = collections.Counter(status for _, status, _, _ in answers)
    ok = [code for _, status, code, _ in answers if isinstance(status, int) and 200 <= status < 300]
    assert len(ok) == len(set(ok)), "two writes answered with the same id"
    # Whatever failed, failed with 503 (request not sent) or 504 (no answer in time):
    # never a hang, a 500, or a gateway that stopped accepting connections.
    assert set(statuses) <= {201, 503, 504}, statuses
    after = [a for a in answers if a[3] > up_at]
    assert len([a for a in answers if a[3] < down_at]) >= RESTART_AFTER
    assert after, f"the burst ended before the broker was back: {statuses}"
    print(f"\nbroker down for {up_at - down_at:.1f}s; answers: {dict(statuses)}")

    # The platform recovers: a write after the burst succeeds (bounded) ...
    client = platform.client()

    def write_ok():
        answer = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(), timeout=30)
        return answer.status_code == 201 and answer.json()["id"]
    ok.append(eventually(write_ok, timeout=60, what="a write to succeed after the restart"))
    # ... and every 2xx write is in both read models, applied once.
    for service in ("suggestion", "voting"):
        def all_applied():
            applied = stack.directory(service, ok)
            return len(applied) == len(ok) and applied
        applied = eventually(all_applied, timeout=90,
                             what=f"all {len(ok)} acknowledged writes in the {service} read model")
        assert set(applied.values()) == {1}, collections.Counter(applied.values())
    assert stack.unpublished() == 0
    platform.wait_healthy()
    platform.assert_all_running()
