"""Duty records on real PostgreSQL: applying events is idempotent (the processed-event claim
and the one-entry-per-evidence constraint), order does not matter, and a rebuild from the
event history gives the same records as delivery did."""
import uuid

import pytest

from kernel.db import PostgresUnitOfWork
from kernel.envelope import new_envelope
from services.deputy import duty_handlers as h
from services.deputy.repository import REPOSITORIES
from tests.integration.helpers import service_pool

YEAR = 2041   # a year nothing else writes
A, B, C = "D0301", "D0302", "D0303"
HISTORY = []  # every event this module applied, in order (the rebuild replays them)


def apply(event, pool):
    HISTORY.append(event)
    return h.apply_event(event, uow(pool))


@pytest.fixture(scope="module")
def pool(demo_loaded):
    with service_pool(demo_loaded, "deputy", 4) as pool:
        yield pool


def uow(pool, readonly=False):
    return PostgresUnitOfWork(pool, "deputy", REPOSITORIES, pool_timeout=30, readonly=readonly)


def staff():
    return {"role": "staff", "username": "staff"}


def score(pool, code):
    return h.duty_record(code, YEAR, staff(), uow(pool, readonly=True))["score"]


def ended(meeting_id, outcomes, kind="plenary"):
    return new_envelope("meeting_ended", {
        "meeting_id": meeting_id, "kind": kind, "title": "测试会议", "starts_at": f"{YEAR}-03-01T09:00:00+08:00",
        "ended_at": f"{YEAR}-03-01T12:00:00+08:00", "expected": len(outcomes),
        "attendance": [{"deputy_id": d, "outcome": o} for d, o in outcomes]}, "voting")


def submitted(suggestion_id, lead, co):
    return new_envelope("suggestion_submitted", {
        "suggestion_id": suggestion_id, "number": "T-1", "title": "测试建议", "status": "submitted",
        "lead_deputy": lead, "co_signers": co, "deputies": [lead] + co,
        "occurred_at": f"{YEAR}-04-01T02:00:00+00:00"}, "suggestion")


def test_redelivered_events_apply_once(pool):
    meeting_id = int(uuid.uuid4().int % 10**9)
    event = ended(meeting_id, [(A, "present"), (B, "leave"), (C, "absent")])
    base = {code: score(pool, code) for code in (A, B, C)}
    assert apply(event, pool) == 3
    assert apply(event, pool) == 0          # claimed: nothing again
    assert (score(pool, A), score(pool, B), score(pool, C)) == (base[A] + 2, base[B], base[C] - 5)

    # the same evidence under a new event id (a replay) still makes one entry per deputy
    copy = dict(event, event_id=str(uuid.uuid4()))
    apply(copy, pool)
    assert (score(pool, A), score(pool, C)) == (base[A] + 2, base[C] - 5)


def test_a_meeting_of_more_members_than_one_statement_takes_writes_every_entry(pool):
    """6,000 members x 13 columns is more than PostgreSQL's 65,535 parameters of one statement
    (a bench of a plenary this size failed the rebuild): the entries go in batches, all of them."""
    meeting_id = int(uuid.uuid4().int % 10**9)
    members = [f"X{n:05d}" for n in range(6000)]
    assert apply(ended(meeting_id, [(code, "present") for code in members]), pool) == len(members)


def test_sign_in_before_or_after_the_end_counts_once(pool):
    meeting_id = int(uuid.uuid4().int % 10**9)
    base = score(pool, A)
    signed_in = new_envelope("member_signed_in", {"meeting_id": meeting_id, "deputy_id": A, "role": "member",
                                                  "name": "x", "by": None, "present": 1, "expected": 1}, "voting")
    signed_in["occurred_at"] = f"{YEAR}-05-01T01:00:00+00:00"
    apply(signed_in, pool)
    assert score(pool, A) == base + 2
    apply(ended(meeting_id, [(A, "present")]), pool)
    assert score(pool, A) == base + 2


def test_suggestion_withdrawn_before_submitted_arrives_stays_void(pool):
    sid = str(uuid.uuid4())
    base = score(pool, B)
    withdrawn = submitted(sid, B, [C])
    withdrawn["type"] = "suggestion_withdrawn"
    withdrawn["event_id"] = str(uuid.uuid4())
    apply(withdrawn, pool)
    apply(submitted(sid, B, [C]), pool)
    assert score(pool, B) == base


def test_rebuild_from_history_matches_delivery(pool):
    for event in (ended(int(uuid.uuid4().int % 10**9), [(A, "present"), (B, "absent")]),
                  submitted(str(uuid.uuid4()), A, [B])):
        apply(event, pool)
    delivered = {code: h.duty_record(code, YEAR, staff(), uow(pool, readonly=True)) for code in (A, B, C)}
    # forget the year's entries, then replay the whole history of the module
    assert h.rebuild(HISTORY, uow(pool), year=YEAR) == len(HISTORY)
    rebuilt = {code: h.duty_record(code, YEAR, staff(), uow(pool, readonly=True)) for code in (A, B, C)}
    for code in (A, B, C):
        assert rebuilt[code]["score"] == delivered[code]["score"]
        assert rebuilt[code]["breakdown"] == delivered[code]["breakdown"]
