"""RabbitMQ restarted in the middle of a burst of ballots through the gateway: every ballot
answered 2xx is in the ballot box exactly once with its choice, the result counts it,
the recount tool agrees, and voting works again by itself once the broker is back."""
import collections
import os
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.reliability.meetings import CHOICE_OF, COMMITTEE, close_item, named_item
from tests.support.platform import ROOT, eventually

pytestmark = pytest.mark.slow

BALLOTS = 400
WRITERS = 4
RESTART_AFTER = 100


def test_broker_restart_during_voting_loses_no_acknowledged_ballot(stack, launch):
    platform = launch(("gateway", "voting"))
    client = platform.client()
    meetings = platform.gateway_url + "/api/v1/meetings"
    eventually(lambda: requests.get(meetings, timeout=5).status_code == 200, timeout=30, what="the voting API")
    meeting, item = named_item(client, "broker restart", "重启期间的表决")
    assert client.post(f"/api/v1/meetings/{meeting}/items/{item}/open", as_user="staff").status_code == 200
    tokens = {code: client.token(code) for code in COMMITTEE}
    url = f"{platform.gateway_url}/api/v1/meetings/{meeting}/items/{item}/ballots"

    counter = iter(range(BALLOTS))
    lock = threading.Lock()
    answers = []   # (code, status or exception name, receipt or None, monotonic time)

    def writer():
        session = requests.Session()
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            code = COMMITTEE[index % len(COMMITTEE)]
            try:
                response = session.post(url, json={"choice": CHOICE_OF[code]}, timeout=30,
                                        headers={"Authorization": f"Bearer {tokens[code]}"})
                status = response.status_code
                receipt = response.json().get("receipt") if status == 201 else None
            except requests.RequestException as exc:
                status, receipt = type(exc).__name__, None
            with lock:
                answers.append((code, status, receipt, time.monotonic()))
            if status != 201:
                time.sleep(0.1)   # a client's back-off, not a synchronisation

    threads = [threading.Thread(target=writer, daemon=True) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    eventually(lambda: len(answers) >= RESTART_AFTER, timeout=60, what=f"{RESTART_AFTER} answers")
    down_at = time.monotonic()
    stack.rabbit.restart()
    up_at = time.monotonic()
    for thread in threads:
        thread.join(timeout=180)
        assert not thread.is_alive(), "a voter hung"

    statuses = collections.Counter(status for _, status, _, _ in answers)
    assert set(statuses) <= {201, 503, 504}, statuses
    assert [a for a in answers if a[3] > up_at], f"the burst ended before the broker was back: {statuses}"
    print(f"\nbroker down for {up_at - down_at:.1f}s; answers: {dict(statuses)}")

    # voting works again by itself
    def ballot_ok():
        code = COMMITTEE[0]
        answer = requests.post(url, json={"choice": CHOICE_OF[code]}, timeout=30,
                               headers={"Authorization": f"Bearer {tokens[code]}"})
        return answer.status_code == 201 and answer.json()["receipt"]
    acknowledged = [(code, receipt) for code, status, receipt, _ in answers if status == 201]
    acknowledged.append((COMMITTEE[0], eventually(ballot_ok, timeout=60, what="a ballot after the restart")))

    item_url = f"/api/v1/meetings/{meeting}/items/{item}"

    closed = close_item(client, meeting, item)
    audit = eventually(lambda: (lambda r: r.status_code == 200 and r.json())(
        client.get(f"{item_url}/audit", timeout=30)), timeout=60, what="the audit")
    in_box = collections.Counter(b["leaf_hash"] for b in audit["ballots"])
    by_leaf = {b["leaf_hash"]: b for b in audit["ballots"]}
    for code, receipt in acknowledged:
        assert in_box[receipt] == 1, f"acknowledged ballot {receipt} of {code} is in the box {in_box[receipt]} times"
        assert by_leaf[receipt]["choice"] == CHOICE_OF[code]
    # counted once per voter (a named item: the token is the member code). A ballot answered
    # 504 may still have been recorded, so the counted voters are those in the box — which
    # include every voter with an acknowledged ballot.
    counted = {b["token"] for b in audit["ballots"]}
    assert {code for code, _ in acknowledged} <= counted
    assert all(b["choice"] == CHOICE_OF[b["token"]] for b in audit["ballots"])
    for choice in ("yes", "no", "abstain"):
        assert closed[choice] == sum(1 for code in counted if CHOICE_OF[code] == choice), (choice, closed)
    assert closed["voted"] == len(counted) and closed["ballots"] == len(audit["ballots"])

    recount = subprocess.run([sys.executable, "-m", "tools.recount", "--url",
                              f"{platform.gateway_url}/api/v1/meetings/{meeting}/items/{item}/audit"],
                             cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert recount.returncode == 0, recount.stdout + recount.stderr
    platform.assert_all_running()
