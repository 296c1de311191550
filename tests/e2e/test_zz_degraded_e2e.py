"""End to end with a service stopped: the dashboard degrades instead of failing, /health
names the missing service, and events published meanwhile reach it when it is back.

This module stops a process of the session platform, so its name sorts it after the other
e2e modules; every test restores what it stopped (try/finally) for whatever runs later."""
import time

import pytest

from tests.e2e.conftest import assert_json_error
from tests.support.platform import deadline_slack, eventually, new_deputy_payload


@pytest.fixture
def deadline(config):
    return float(config["RPC_DEADLINE_SECONDS"])


def test_dashboard_gathers_all_parts(client):
    response = client.get("/api/v1/deputies/D0001/dashboard", as_user="D0001")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unavailable"] == []
    assert body["deputy"]["id"] == "D0001" and body["deputy"]["phone"]  # the deputy sees their own phone
    assert body["suggestions"]["deputy_id"] == "D0001" and "filed" in body["suggestions"]
    assert body["attendance"]["deputy_id"] == "D0001" and "meetings" in body["attendance"]
    public = client.get("/api/v1/deputies/D0001/dashboard").json()
    assert "phone" not in public["deputy"]


def test_voting_down_dashboard_degrades_and_health_names_it(client, platform, cluster_rpc, deadline):
    platform.stop("voting")
    try:
        started = time.monotonic()
        response = client.get("/api/v1/deputies/D0001/dashboard")
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["unavailable"] == ["attendance"]
        assert body["attendance"] is None
        assert body["deputy"]["id"] == "D0001" and body["suggestions"]["deputy_id"] == "D0001"
        assert elapsed < deadline_slack(deadline), elapsed

        started = time.monotonic()
        health = client.get("/health")
        assert time.monotonic() - started < deadline_slack(deadline)
        error_body = health.json()
        assert health.status_code == 503 and health.headers["Content-Type"].startswith("application/json")
        assert error_body["status"] == "degraded" and error_body["unavailable"] == ["voting"]
        assert error_body["services"]["deputy"]["ready"] is True

        # A deputy registered while voting is down waits in voting's durable queue ...
        registered = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload())
        assert registered.status_code == 201, registered.text
        code = registered.json()["id"]
        eventually(lambda: cluster_rpc.suggestion.directory_entry(code), timeout=10,
                   what=f"{code} in the suggestion read model")
    finally:
        platform.start("voting")
        platform.wait_ready("voting")
    # ... and is applied, once, when voting is back.
    entry = eventually(lambda: cluster_rpc.voting.directory_entry(code), timeout=15,
                       what=f"{code} in the voting read model after its restart")
    assert entry["applied_count"] == 1
    eventually(lambda: client.get("/health").status_code == 200, timeout=15, what="health 200 again")
    body = client.get("/api/v1/deputies/D0001/dashboard").json()
    assert body["unavailable"] == [] and body["attendance"]["deputy_id"] == "D0001"


def test_deputy_down_reads_are_504_and_dashboard_lists_the_profile(client, platform, deadline):
    platform.stop("deputy")
    try:
        started = time.monotonic()
        response = client.get("/api/v1/deputies/D0001")
        elapsed = time.monotonic() - started
        error = assert_json_error(response, 504, "DEADLINE_EXCEEDED")
        assert error["details"]["service"] == "deputy"
        assert deadline - 0.5 < elapsed < deadline_slack(deadline), elapsed  # ended by the deadline
        dashboard = client.get("/api/v1/deputies/D0001/dashboard")
        # the profile and the duty record both come from the deputy service
        assert dashboard.status_code == 200 and sorted(dashboard.json()["unavailable"]) == ["deputy", "duty"]
    finally:
        platform.start("deputy")
        platform.wait_ready("deputy")
    eventually(lambda: client.get("/api/v1/deputies/D0001").status_code == 200, timeout=15,
               what="deputy answering again")
    eventually(lambda: client.get("/health").status_code == 200, timeout=15, what="health 200 again")
