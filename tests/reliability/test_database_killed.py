"""PostgreSQL killed with SIGKILL (no clean shutdown: crash recovery on restart) in the middle
of a burst of writes through the gateway. Every write answered 2xx is there exactly once after
recovery, in both read models too; every write that failed was answered 503 within the
deadline (with slack); nothing is half-written: each registered deputy has exactly one
``deputy_registered`` event in the outbox, and no event exists without its deputy."""
import collections
import threading
import time

import pytest
import requests

from tests.support.platform import deadline_slack, eventually, new_deputy_payload

pytestmark = pytest.mark.slow

WRITES = 400
WRITERS = 4
KILL_AFTER = 100  # answers received before the database is killed


def test_database_killed_during_writes_applies_every_2xx_once(stack, launch):
    deadline = float(stack.config["RPC_DEADLINE_SECONDS"])
    names = ("gateway", "deputy", "suggestion", "voting")
    platform = launch(names)
    platform.wait_ready_for(names)
    token = platform.client().token("staff")
    url = platform.gateway_url + "/api/v1/deputies"
    counter = iter(range(WRITES))
    counter_lock = threading.Lock()
    answers = []  # (phone, status or exception name, id or None, seconds taken, monotonic time)
    answers_lock = threading.Lock()

    def writer():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while True:
            with counter_lock:
                index = next(counter, None)
            if index is None:
                return
            payload = new_deputy_payload()
            started = time.monotonic()
            try:
                response = session.post(url, json=payload, timeout=30)
                status = response.status_code
                code = response.json().get("id") if status == 201 else None
            except requests.RequestException as exc:
                status, code = type(exc).__name__, None
            with answers_lock:
                answers.append((payload["phone"], status, code, time.monotonic() - started, time.monotonic()))
            if status != 201:
                time.sleep(0.1)  # a client's back-off before its next write, not a synchronisation

    threads = [threading.Thread(target=writer, daemon=True) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    eventually(lambda: len(answers) >= KILL_AFTER, timeout=60, what=f"{KILL_AFTER} answers")
    stack.postgres.kill()  # SIGKILL to the postmaster and every backend
    killed_at = time.monotonic()
    try:
        eventually(lambda: any(a[1] != 201 and a[4] > killed_at for a in answers), timeout=30,
                   what="a write to fail while the database is dead")
    finally:
        stack.postgres.start()  # crash recovery
    up_at = time.monotonic()
    for thread in threads:
        thread.join(timeout=180)
        assert not thread.is_alive(), "a writer hung"

    assert len(answers) == WRITES
    statuses = collections.Counter(status for _, status, _, _, _ in answers)
    print(f"\ndatabase down for {up_at - killed_at:.1f}s; answers: {dict(statuses)}")
    # Whatever failed, failed with a 503 in time: never a 500, a hang or a dropped connection.
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[503] >= 1
    slow = [taken for _, status, _, taken, _ in answers if status == 503 and taken >= deadline_slack(deadline)]
    assert not slow, f"503s after {slow}s"
    assert [a for a in answers if a[4] > up_at and a[1] == 201], "no write succeeded after recovery"

    ok = [code for _, status, code, _, _ in answers if status == 201]
    assert len(ok) == len(set(ok)), "two writes answered with the same id"

    # Recovered: the platform serves writes again by itself.
    client = platform.client()

    def write_ok():
        answer = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(), timeout=30)
        return answer.status_code == 201 and answer.json()["id"]
    ok.append(eventually(write_ok, timeout=60, what="a write to succeed after recovery"))

    phones = [phone for phone, _, _, _, _ in answers]
    rows = stack.query("SELECT phone, code FROM deputy.deputies WHERE phone = ANY(%s)", (phones,))
    per_phone = collections.Counter(phone for phone, _ in rows)
    assert not per_phone or max(per_phone.values()) == 1, "a write was applied twice"
    stored = {code for _, code in rows}
    acknowledged = {code for _, status, code, _, _ in answers if status == 201}
    assert acknowledged <= stored, f"acknowledged writes lost: {acknowledged - stored}"
    # A 503 may hide a write that committed as the database died: such a write is whole too.
    print(f"written: {len(stored)} ({len(stored) - len(acknowledged)} of them answered 503)")

    # Nothing half-written: one event per deputy, no event without its deputy.
    events = collections.Counter(code for (code,) in stack.query(
        "SELECT aggregate_id FROM deputy.outbox WHERE event_type = 'deputy_registered' AND aggregate_id = ANY(%s) ",
        (list(stored),)))
    assert events == collections.Counter(stored), "a deputy without exactly one deputy_registered event"
    orphans = stack.scalar("SELECT count(*) FROM deputy.outbox o WHERE event_type = 'deputy_registered' "
                           "AND NOT EXISTS (SELECT FROM deputy.deputies d WHERE d.code = o.aggregate_id)")
    assert orphans == 0

    # ... and every one of them reaches both read models, once.
    expected = stored | {ok[-1]}
    for service in ("suggestion", "voting"):
        def all_applied():
            applied = stack.directory(service, expected)
            return len(applied) == len(expected) and applied
        applied = eventually(all_applied, timeout=90, what=f"all {len(expected)} deputies in the {service} read model")
        assert set(applied.values()) == {1}, collections.Counter(applied.values())
    eventually(lambda: stack.unpublished() == 0, timeout=30, what="the outbox to drain")
    platform.wait_ready_for(names, timeout=60)
    platform.assert_all_running()
