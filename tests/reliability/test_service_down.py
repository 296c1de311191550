"""A service that is down or hung: the gateway answers 504 DEADLINE_EXCEEDED within the
RPC deadline (+1 s), never hangs, and serves again once the service is back."""
import concurrent.futures
import os
import signal
import time

import pytest

from tests.support.platform import eventually

pytestmark = pytest.mark.slow


def timed_get(client, path):
    started = time.monotonic()
    response = client.get(path, timeout=30)
    return response, time.monotonic() - started


def assert_deadline_exceeded(response, elapsed, deadline):
    assert response.status_code == 504, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "DEADLINE_EXCEEDED" and error["details"]["service"] == "deputy", error
    assert elapsed < deadline + 1.0, elapsed


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
        assert total < deadline + 2.0, total
        # Routes that do not need the deputy service still answer at once.
        started = time.monotonic()
        assert client.get("/api/v1/me", as_user="staff").status_code == 200
        assert time.monotonic() - started < 1.0
        health, elapsed = timed_get(client, "/health")
        assert health.status_code == 503 and "deputy" in health.json()["unavailable"]
        assert elapsed < deadline + 1.0
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
