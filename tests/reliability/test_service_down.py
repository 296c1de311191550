"""A service that is down or hung: the gateway answers 504 DEADLINE_EXCEEDED within the
RPC deadline (with slack for a busy machine), never hangs, and serves again once the service is back."""
import concurrent.futures
import os
import signal
import time

import pytest

from tests.support.platform import deadline_slack, eventually

pytestmark = pytest.mark.slow


def timed_get(client, path, **kwargs):
    started = time.monotonic()
    response = client.get(path, timeout=30, **kwargs)
    return response, time.monotonic() - started


def assert_deadline_exceeded(response, elapsed, deadline):
    assert response.status_code == 504, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "DEADLINE_EXCEEDED" and error["details"]["service"] == "deputy", error
    assert elapsed < deadline_slack(deadline), elapsed


@pytest.mark.parametrize("fault", ["stopped", "frozen"])
def test_service_down_is_504_within_the_deadline(stack, launch, fault):
    deadline = float(stack.config["RPC_DEADLINE_SECONDS"])
    platform = launch(["gateway", "deputy"])
    client = platform.client()
    assert client.get("/api/v1/deputies/D0001").status_code == 200
    pid = platform.procs["deputy"].pid
    if fault == "stopped":
        platform.stop("deputy")
    else:  # alive but not answering: SIGSTOP
        os.kill(pid, signal.SIGSTOP)
    try:
        response, elapsed = timed_get(client, "/api/v1/deputies/D0001")
        assert_deadline_exceeded(response, elapsed, deadline)
        # Several at once: each has its own deadline, none waits for another.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            started = time.monotonic()
            answers = list(pool.map(lambda _: timed_get(client, "/api/v1/deputies/D0001"), range(8)))
            total = time.monotonic() - started
        for response, elapsed in answers:
            assert_deadline_exceeded(response, elapsed, deadline)
        # in sequence they would take 8 deadlines; allow half of that
        assert total < len(answers) * deadline / 2, total
        # Routes that do not need the deputy service still answer, without waiting for its
        # deadline: sooner than the call that did wait for it.
        me, me_elapsed = timed_get(client, "/api/v1/me", as_user="staff")
        assert me.status_code == 200, me.text
        assert me_elapsed < min(elapsed for _, elapsed in answers), me_elapsed
        health, elapsed = timed_get(client, "/health")
        assert health.status_code == 503 and "deputy" in health.json()["unavailable"]
        assert elapsed < deadline_slack(deadline)
    finally:
        if fault == "stopped":
            platform.start("deputy")
        else:
            os.kill(pid, signal.SIGCONT)
    platform.wait_ready("deputy")
    response = eventually(lambda: (r := client.get("/api/v1/deputies/D0001")).status_code == 200 and r,
                          timeout=20, what="the deputy service to answer again")
    assert response.json()["id"] == "D0001"
    # (only the gateway and deputy run here: the other services stay listed as unavailable)
    eventually(lambda: "deputy" not in client.get("/health").json()["unavailable"], timeout=20,
               what="deputy ready again in /health")
