"""Two gateways and two replicas of every service against one broker and one database
(``make run REPLICAS=...`` in production form): competing consumers, one outbox relay per
service, a live stream on each gateway, and one replica SIGKILLed in the middle of a burst.

The burst: deputies file suggestions through both gateways with Idempotency-Keys (some keys
sent through both gateways at once), retrying a filing that got no answer (503/504/connection
error) with the same key as API.md tells clients to; members of the standing committee cast
their ballots through both gateways. Mid-burst the suggestion replica whose relay publishes
is killed: the other replica takes the relay lock over, and what the killed one was serving
reaches the survivor (the broker redelivers what it had not acked; a client whose answer was
lost retries). Checked: every filing converges on one suggestion, each
``suggestion_submitted`` event is published (first arrivals in outbox order: one relay at a
time) and applied once by the deputy service's duty records; every acknowledged ballot is in
the box once and the result counts each member once; both gateways' streams carry the tally
and the result."""
import collections
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.reliability.meetings import CHOICE_OF, COMMITTEE, close_item, named_item
from tests.support.platform import EventProbe, account_headers, eventually, replicas
from tests.support.sse import SseStream

pytestmark = pytest.mark.slow

PROCESSES = replicas(2)   # gateway, gateway-2, news, news-2, ...
GATEWAYS = ("gateway", "gateway-2")
RELAYING = ("news", "deputy", "suggestion", "budget", "voting")   # the services with an outbox
FILINGS = 60
TWICE_EVERY = 5             # every 5th key is sent through both gateways at once
KILL_AFTER = 15             # filings answered before the relay's replica is killed
DEPUTIES = ("D0001", "D0002", "D0004", "D0005")
RETRY_FOR_SECONDS = 120     # a request still unanswered after this long fails the test
RETRIABLE = (503, 504)


def payload(title):
    return {"title": title, "content": "建议加强农村饮水安全工程管护，保障群众饮水安全。",
            "category": "农业农村", "co_signers": [], "session": 3}


def with_retries(send):
    """``send()`` until answered with something other than 503/504 or a connection error (the
    client's back-off between tries is not a synchronisation).
    [(status, response or None, monotonic time of the answer)]."""
    tries = []
    give_up = time.monotonic() + RETRY_FOR_SECONDS
    while time.monotonic() < give_up:
        try:
            response = send()
            tries.append((response.status_code, response, time.monotonic()))
        except requests.RequestException as exc:
            tries.append((type(exc).__name__, None, time.monotonic()))
        if tries[-1][1] is not None and tries[-1][0] not in RETRIABLE:
            break
        time.sleep(min(0.2 * len(tries), 1.0))
    return tries


def relay_leaders(platform, service):
    """The running replicas of ``service`` whose relay holds the lock (their /metrics)."""
    return [name for name in (service, f"{service}-2")
            if name in platform.procs and platform.metric(name, "outbox_relay_leader") == 1]


def sole_leader(platform, service):
    """The replica whose relay holds the lock, if exactly one does (else None)."""
    leaders = relay_leaders(platform, service)
    return leaders[0] if len(leaders) == 1 else None


def test_two_replicas_of_everything_share_the_work_without_duplicates_or_loss(stack, launch):
    platform = launch(PROCESSES)
    urls = [platform.url(name) for name in GATEWAYS]
    for url in urls:
        eventually(lambda: requests.get(url + "/health", timeout=5).status_code == 200, timeout=60,
                   what=f"{url}/health 200 (logs in {platform.log_dir})")

    # One relay per service holds the lock (the other replica publishes nothing: checked after
    # the burst). The suggestion relay's replica is the one killed mid-burst.
    leader = {service: eventually(lambda: sole_leader(platform, service), timeout=30,
                                  what=f"exactly one {service} relay leader") for service in RELAYING}
    killed = leader["suggestion"]
    survivor = ({"suggestion", "suggestion-2"} - {killed}).pop()
    assert platform.metric(survivor, "events_published_total") == 0

    # A meeting with an open named item, and a live stream of it on each gateway.
    staff = platform.client("gateway-2")
    meeting, item = named_item(staff, "多副本表决", "多副本期间的表决")
    streams = [SseStream(f"{url}/api/v1/meetings/{meeting}/live") for url in urls]
    for stream in streams:
        assert stream.status_code == 200
        stream.wait_event("snapshot", timeout=30)
    assert staff.post(f"/api/v1/meetings/{meeting}/items/{item}/open", as_user="staff").status_code == 200
    for stream in streams:
        stream.wait_event("item_opened", where=lambda d: d["item_id"] == item, timeout=30)

    probe = EventProbe(stack.amqp_uri, "suggestion", routing_key="suggestion_submitted")
    run = uuid.uuid4().hex[:8]
    headers = {code: account_headers(stack.config, code, "deputy", code) for code in DEPUTIES + tuple(COMMITTEE)}

    # -- the burst ---------------------------------------------------------------------------------
    counter = iter(range(FILINGS))
    lock = threading.Lock()
    filings = {}    # index -> [tries of each gateway it was sent through]
    ballots = {}    # code -> tries

    def file_one(index, url):
        code = DEPUTIES[index % len(DEPUTIES)]
        return with_retries(lambda: requests.post(
            url + "/api/v1/suggestions", json=payload(f"关于饮水安全的建议{run}-{index}"), timeout=30,
            headers={**headers[code], "Idempotency-Key": f"{run}-{index}"}))

    def filer():
        with ThreadPoolExecutor(2) as pair:
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                if index % TWICE_EVERY == 0:   # the same key through both gateways at once
                    outcome = list(pair.map(lambda url: file_one(index, url), urls))
                else:
                    outcome = [file_one(index, urls[index % 2])]
                with lock:
                    filings[index] = outcome

    def voter(codes, url):
        for code in codes:
            tries = with_retries(lambda: requests.post(
                f"{url}/api/v1/meetings/{meeting}/items/{item}/ballots", json={"choice": CHOICE_OF[code]},
                headers=headers[code], timeout=30))
            with lock:
                ballots[code] = tries

    threads = [threading.Thread(target=filer, daemon=True) for _ in range(4)]
    threads += [threading.Thread(target=voter, args=(COMMITTEE[i::2], urls[i]), daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()

    eventually(lambda: len(filings) >= KILL_AFTER, timeout=60, what=f"{KILL_AFTER} filings answered")
    platform.kill(killed)   # SIGKILL: its relay lock goes with its database session
    killed_at = time.monotonic()
    eventually(lambda: relay_leaders(platform, "suggestion") == [survivor], timeout=30,
               what=f"{survivor} to take the suggestion relay over")

    for thread in threads:
        thread.join(timeout=RETRY_FOR_SECONDS + 60)
        assert not thread.is_alive(), "a client hung"

    # -- filings: each converged on one suggestion -------------------------------------------------
    assert len(filings) == FILINGS
    finals = collections.Counter(tries[-1][0] for outcome in filings.values() for tries in outcome)
    assert set(finals) == {201}, finals
    ids = {}
    for index, outcome in filings.items():
        answered = {tries[-1][1].json()["id"] for tries in outcome}
        assert len(answered) == 1, f"key {run}-{index} answered with {answered}"
        ids[index] = answered.pop()
    assert len(set(ids.values())) == FILINGS, "two keys answered with the same suggestion"
    failed = collections.Counter(status for outcome in filings.values() for tries in outcome
                                 for status, _, _ in tries[:-1])
    assert set(failed) <= {503, 504, "ConnectionError", "ReadTimeout"}, failed
    after_kill = sum(1 for outcome in filings.values() for tries in outcome if tries[-1][2] > killed_at)
    assert after_kill, "the burst ended before the kill"
    in_flight = sum(1 for outcome in filings.values() for tries in outcome for _, response, answered in tries
                    if response is not None and answered - response.elapsed.total_seconds() < killed_at < answered)
    print(f"\nkilled {killed} mid-burst: {in_flight} filings in flight, {after_kill} answered after it; "
          f"failed tries {dict(failed)}")
    rows = stack.query("SELECT id, title FROM suggestion.suggestions WHERE title LIKE %s", (f"%{run}-%",))
    assert collections.Counter(title for _, title in rows) == \
        {f"关于饮水安全的建议{run}-{index}": 1 for index in range(FILINGS)}
    assert {title: sid for sid, title in rows} == \
        {f"关于饮水安全的建议{run}-{index}": sid for index, sid in ids.items()}

    # -- their events: all published, by one relay at a time, applied once downstream --------------
    eventually(lambda: stack.scalar("SELECT count(*) FROM suggestion.outbox WHERE published_at IS NULL") == 0,
               timeout=60, what="the suggestion outbox to drain")
    outbox = stack.query("SELECT id, event_id::text FROM suggestion.outbox WHERE event_type = 'suggestion_submitted' "
                         "AND aggregate_id = ANY(%s) ORDER BY id", (list(ids.values()),))
    assert len(outbox) == FILINGS
    seen = set()

    def first_arrival(envelope):
        if envelope["data"].get("suggestion_id") in ids.values() and envelope["event_id"] not in seen:
            seen.add(envelope["event_id"])
            return True
        return False
    try:
        arrived = [e["event_id"] for e in probe.collect(first_arrival, FILINGS, timeout=60)]
    finally:
        probe.close()
    assert arrived == [event_id for _, event_id in outbox], "events first arrived out of outbox order"
    # Exactly one relay per service published: the leader's; the suggestion survivor only
    # once it had taken over (its first arrivals continue the killed leader's, in order).
    for service in RELAYING:
        if service != "suggestion":
            assert relay_leaders(platform, service) == [leader[service]], service
            follower = ({service, f"{service}-2"} - {leader[service]}).pop()
            assert platform.metric(follower, "events_published_total") == 0, f"{follower}'s relay published"
    assert platform.metric(leader["voting"], "events_published_total", event_type="tally_updated") >= 1
    assert platform.metric(survivor, "events_published_total", event_type="suggestion_submitted") >= 1
    eventually(lambda: stack.scalar(
        "SELECT count(*) FROM deputy.processed_events WHERE consumer = 'deputy.duty' AND event_id = ANY(%s)",
        ([event_id for _, event_id in outbox],)) == FILINGS, timeout=60,
        what="every suggestion_submitted applied to the duty records")
    entries = stack.query("SELECT evidence_id, count(*) FROM deputy.duty_entries WHERE evidence_kind = 'suggestion' "
                          "AND evidence_id = ANY(%s) GROUP BY evidence_id", (list(ids.values()),))
    assert sorted(entries) == sorted((sid, 1) for sid in ids.values())

    # -- ballots: each member counted once; both gateways stream the tally and the result ----------
    assert set(ballots) == set(COMMITTEE)
    assert {tries[-1][0] for tries in ballots.values()} == {201}, ballots
    receipts = {code: tries[-1][1].json()["receipt"] for code, tries in ballots.items()}
    for stream in streams:
        stream.wait_event("tally_updated", where=lambda d: d["item_id"] == item and d["voted"] == len(COMMITTEE),
                          timeout=30)
    closed = close_item(staff, meeting, item)
    for stream in streams:
        stream.wait_event("vote_closed", where=lambda d: d["item_id"] == item, timeout=30)
        stream.close()
    audit = staff.get(f"/api/v1/meetings/{meeting}/items/{item}/audit", timeout=30).json()
    in_box = collections.Counter(b["leaf_hash"] for b in audit["ballots"])
    assert all(in_box[receipt] == 1 for receipt in receipts.values()), in_box
    positions = [checkpoint["last_seq"] for checkpoint in audit["checkpoints"]]
    assert len(positions) == len(set(positions)), "two tickers took the same checkpoint"
    assert closed["voted"] == len(COMMITTEE)
    for choice in ("yes", "no", "abstain"):
        assert closed[choice] == sum(1 for code in COMMITTEE if CHOICE_OF[code] == choice), (choice, closed)

    # Nothing else died, and the platform is whole again on both gateways.
    platform.assert_all_running()
    for url in urls:
        assert requests.get(url + "/health", timeout=10).status_code == 200
