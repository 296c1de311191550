"""RabbitMQ restarted in the middle of a burst of suggestion filings through the gateway.
Deputies' apps retry a filing that got no answer (503/504/connection error) with the SAME
Idempotency-Key, as API.md tells clients to: every filing answered 2xx exists exactly once,
no filing exists twice, retried or not, and every ``suggestion_submitted`` event is
published once the broker is back (the outbox drains)."""
import collections
import threading
import time
import uuid

import pytest
import requests

from tests.support.platform import eventually

pytestmark = pytest.mark.slow

FILINGS = 200
WRITERS = 4
RESTART_AFTER = 60
DEPUTIES = ("D0001", "D0002", "D0003", "D0004")
ATTEMPTS = 8


def payload(title):
    return {"title": title, "content": "建议加强城关镇农村饮水安全工程管护，保障群众饮水安全。",
            "category": "农业农村", "co_signers": [], "session": 3}


def test_broker_restart_during_filings_makes_no_duplicate(stack, launch):
    platform = launch()
    platform.wait_healthy()
    client = platform.client()
    tokens = {code: client.token(code) for code in DEPUTIES}
    url = platform.gateway_url + "/api/v1/suggestions"
    run = uuid.uuid4().hex[:8]
    counter = iter(range(FILINGS))
    counter_lock = threading.Lock()
    answers = []  # (index, final status, id, attempts)
    answers_lock = threading.Lock()

    def writer(code):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[code]}"
        while True:
            with counter_lock:
                index = next(counter, None)
            if index is None:
                return
            key = f"{run}-{index}"
            status, sid = None, None
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    response = session.post(url, json=payload(f"关于饮水安全的建议{run}-{index}"),
                                            headers={"Idempotency-Key": key}, timeout=30)
                    status = response.status_code
                    sid = response.json().get("id") if status == 201 else None
                except requests.RequestException as exc:
                    status = type(exc).__name__
                if status == 201 or status in (400, 403, 409, 422):
                    break
                time.sleep(min(0.2 * attempt, 1.0))  # the app's back-off before retrying, not a synchronisation
            with answers_lock:
                answers.append((index, status, sid, attempt))

    threads = [threading.Thread(target=writer, args=(DEPUTIES[i % len(DEPUTIES)],), daemon=True)
               for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    eventually(lambda: len(answers) >= RESTART_AFTER, timeout=60, what=f"{RESTART_AFTER} answers")
    stack.rabbit.restart()
    for thread in threads:
        thread.join(timeout=240)
        assert not thread.is_alive(), "a writer hung"

    assert len(answers) == FILINGS
    statuses = collections.Counter(status for _, status, _, _ in answers)
    ok = {index: sid for index, status, sid, _ in answers if status == 201}
    assert len(ok) >= FILINGS * 0.9, statuses  # the retries outlast the restart
    assert len(set(ok.values())) == len(ok), "two filings answered with the same id"
    retried = sum(1 for *_, attempts in answers if attempts > 1)
    print(f"\nfilings: {dict(statuses)}; retried: {retried}")

    rows = stack.query("SELECT id, title FROM suggestion.suggestions WHERE title LIKE %s", (f"%{run}-%",))
    per_title = collections.Counter(title for _, title in rows)
    assert max(per_title.values()) == 1, "a filing exists twice"
    stored = {sid for sid, _ in rows}
    assert set(ok.values()) <= stored, "a 2xx filing is missing"
    # filings that never got a 2xx were either not applied or applied once (seen by a later retry)
    assert len(stored) <= FILINGS
    # every submitted event leaves the outbox once the broker is back
    eventually(lambda: stack.scalar("SELECT count(*) FROM suggestion.outbox WHERE published_at IS NULL") == 0,
               timeout=60, what="the suggestion outbox to drain")
    events = stack.scalar("SELECT count(*) FROM suggestion.outbox WHERE event_type = 'suggestion_submitted' "
                          "AND aggregate_id = ANY(%s)", (list(stored),))
    assert events == len(stored)
    platform.wait_healthy()
    platform.assert_all_running()
