"""contracts/events/: every event type a service publishes has a payload contract, and the
check that the in-memory and (with CHECK_EVENT_CONTRACTS) the PostgreSQL unit of work run on
each emitted event refuses a payload that drifts or carries what must never travel. Which
producers' real payloads fit is proven by the rest of the suite: every test process runs with
the check on (tests/conftest.py)."""
import pathlib

import pytest

from contracts import events
from kernel.db import EventContractBroken, check_event_contract
from kernel.testing import FakeUnitOfWork

OPINION = {"tracking_code": "YJ-2026-000001", "station_code": "ST-001", "category": "交通"}
LEAVE = {"meeting_id": 1, "deputy_id": "D0001", "kind": "standing_committee",
         "starts_at": "2026-11-28T09:00:00+08:00"}
DEPUTY = {"code": "D0001", "name": "张三", "gender": "男", "ethnicity": "汉族", "birth_year": 1970,
          "level": "county", "town": "城关镇", "station_code": "ST-001", "term": 19, "occupation": "",
          "status": "active", "version": 1}


def _type_constants(module):
    """The module's event-type names: upper-case string constants other than exchange names."""
    return {value for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str) and not name.endswith("EXCHANGE")}


@pytest.mark.parametrize("producer", sorted(events.PRODUCERS))
def test_every_event_type_a_producer_names_has_a_contract(producer):
    module = events.PRODUCERS[producer]
    assert _type_constants(module) - set(module.PAYLOADS) == set()


def test_each_event_type_has_exactly_one_producer():
    owners = {}
    for producer, module in events.PRODUCERS.items():
        for event_type in module.PAYLOADS:
            owners.setdefault(event_type, []).append(producer)
    assert {t: p for t, p in owners.items() if len(p) > 1} == {}
    assert len(events.PAYLOADS) == sum(len(m.PAYLOADS) for m in events.PRODUCERS.values())


@pytest.mark.parametrize("event_type, payload", [
    (events.deputy.OPINION_RECEIVED, OPINION),
    (events.voting.LEAVE_REQUESTED, LEAVE),
    (events.deputy.DEPUTY_REGISTERED, DEPUTY),
])
def test_a_payload_that_fits_passes(event_type, payload):
    assert events.payload_problems(event_type, payload) == {}


@pytest.mark.parametrize("event_type, payload, field", [
    # what must never leave its service: a voter's words and contact, a leave reason, a phone
    (events.deputy.OPINION_RECEIVED, {**OPINION, "content": "路灯坏了"}, "content"),
    (events.deputy.OPINION_RECEIVED, {**OPINION, "contact": "13800000000"}, "contact"),
    (events.voting.LEAVE_REQUESTED, {**LEAVE, "reason": "住院"}, "reason"),
    (events.deputy.DEPUTY_REGISTERED, {**DEPUTY, "phone": "13800000000"}, "phone"),
    # drift: a field dropped or of the wrong type
    (events.deputy.DEPUTY_REGISTERED, {k: v for k, v in DEPUTY.items() if k != "version"}, "version"),
    (events.voting.LEAVE_REQUESTED, {**LEAVE, "deputy_id": 7}, "deputy_id"),
])
def test_a_payload_that_breaks_its_contract_is_named_by_field(event_type, payload, field):
    assert field in events.payload_problems(event_type, payload)


def test_an_event_type_without_a_contract_is_refused():
    assert "type" in events.payload_problems("deputy_teleported", {})


def test_the_fake_unit_of_work_refuses_a_broken_payload_at_emit():
    uow = FakeUnitOfWork()
    with uow:
        with pytest.raises(EventContractBroken) as raised:
            uow.emit(events.deputy.OPINION_RECEIVED, {**OPINION, "content": "路灯坏了"})
        assert raised.value.problems == {"content": ["Unknown field."]}
        assert uow.pending_events == []


def test_the_process_wide_check_follows_the_setting(monkeypatch):
    broken = {**OPINION, "content": "路灯坏了"}
    monkeypatch.setenv("CHECK_EVENT_CONTRACTS", "false")
    check_event_contract(events.deputy.OPINION_RECEIVED, broken)      # production: not checked
    monkeypatch.setenv("CHECK_EVENT_CONTRACTS", "true")
    with pytest.raises(EventContractBroken):
        check_event_contract(events.deputy.OPINION_RECEIVED, broken)


def test_an_officer_step_on_an_opinion_has_a_type_only_for_known_statuses():
    assert events.deputy.opinion_step("answered") == "opinion_answered"
    with pytest.raises(ValueError):
        events.deputy.opinion_step("received")


def test_the_committed_event_catalogue_is_the_generated_one():
    """docs/events.md is what departments read: regenerate it with
    ``python -m tools.event_catalog docs/events.md`` when a contract changes."""
    from tools import event_catalog
    committed = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text(encoding="utf-8")
    assert committed == event_catalog.catalog()
