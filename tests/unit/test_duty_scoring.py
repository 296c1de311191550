"""Duty records: the scoring scheme (table tests), bands, what events mean for a record, and
settling attendance when a meeting ends."""
import pytest

from services.deputy import duty
from services.voting import attendance

DEFAULT = duty.default_scheme()


@pytest.mark.parametrize("counts, expected", [
    ({}, 60),                                                       # base
    ({"meeting_attended": 1}, 62),                                  # +2
    ({"meeting_leave": 1}, 60),                                     # absence with approved leave: 0
    ({"meeting_absent": 1}, 55),                                    # without leave: -5
    ({"suggestion_lead": 1}, 63),                                   # lead +3
    ({"suggestion_co": 1}, 61),                                     # co-signer +1
    ({"reception": 2}, 64),                                         # station reception +2 each
    ({"inspection": 1, "research": 1, "law_check": 1}, 69),         # +3 each
    ({"training": 1}, 62),
    ({"group": 1}, 61),
    ({"report_to_voters": 1}, 65),                                  # 述职 +5
    ({"award": 1}, 65),
    ({"award": 10}, 100),                                           # capped at 100
    ({"meeting_absent": 13}, 0),                                    # never below zero
])
def test_default_scheme_points(counts, expected):
    score, _ = duty.score(counts, DEFAULT)
    assert score == expected


@pytest.mark.parametrize("score, band", [
    (100, "excellent"), (90, "excellent"), (89, "good"), (80, "good"), (79, "pass"), (60, "pass"), (59, "fail"),
    (0, "fail"),
])
def test_bands(score, band):
    assert duty.band(score, DEFAULT) == band


def test_breakdown_rows_carry_count_and_points_per_rule():
    _, rows = duty.score({"meeting_attended": 3, "meeting_absent": 1, "suggestion_co": 2}, DEFAULT)
    assert [(r["rule"], r["count"], r["points_each"], r["points"]) for r in rows] == [
        ("meeting_attended", 3, 2, 6), ("meeting_absent", 1, -5, -5), ("suggestion_co", 2, 1, 2)]


def test_a_changed_scheme_changes_the_points_and_keeps_the_rest():
    scheme = duty.complete_scheme({"points": {"inspection": 10}, "bands": {"pass": 50}})
    assert duty.score({"inspection": 1, "training": 1}, scheme)[0] == 72
    assert duty.band(55, scheme) == "pass" and duty.band(55, DEFAULT) == "fail"


@pytest.mark.parametrize("scheme, field", [
    ({"points": {"bogus": 1}}, "points"),
    ({"points": {"inspection": 1000}}, "points.inspection"),
    ({"base": 90, "cap": 80}, "cap"),
    ({"bands": {"good": 95}}, "bands"),
    ({"bands": {"superb": 95}}, "bands"),
])
def test_invalid_schemes_name_the_field(scheme, field):
    assert field in duty.validate_scheme(scheme)


def test_valid_scheme_has_no_problems():
    assert duty.validate_scheme({"points": {"award": 8}, "bands": {"excellent": 95}}) == {}


def test_meeting_end_entries_follow_the_outcomes():
    data = {"meeting_id": 7, "kind": "plenary", "title": "第一次会议", "starts_at": "2026-12-31T20:00:00+00:00",
            "attendance": [{"deputy_id": "D0001", "outcome": "present"}, {"deputy_id": "D0002", "outcome": "leave"},
                           {"deputy_id": "D0003", "outcome": "absent"}]}
    entries = duty.meeting_entries(data)
    assert [(e.deputy_code, e.rule, e.public) for e in entries] == [
        ("D0001", "meeting_attended", True), ("D0002", "meeting_leave", False), ("D0003", "meeting_absent", False)]
    # the date is the meeting's date in Beijing: 2027-01-01 04:00 +08:00
    assert {e.year for e in entries} == {2027}
    assert {(e.evidence_kind, e.evidence_id) for e in entries} == {("meeting", "7")}


def test_suggestion_entries_lead_and_co_signers():
    data = {"suggestion_id": "s-1", "number": "2026-001", "title": "修路", "lead_deputy": "D0001",
            "co_signers": ["D0002", "D0003"], "deputies": ["D0001", "D0002", "D0003"], "status": "submitted",
            "occurred_at": "2026-03-01T02:00:00+00:00"}
    entries = duty.suggestion_entries(data, None)
    assert [(e.deputy_code, e.rule) for e in entries] == [
        ("D0001", "suggestion_lead"), ("D0002", "suggestion_co"), ("D0003", "suggestion_co")]
    assert all(not e.public and e.evidence_ref == "2026-001" for e in entries)


def test_sign_in_counts_members_not_observers():
    assert duty.sign_in_entry({"meeting_id": 1, "deputy_id": "D1", "role": "observer"}, None, "2026-01-01") is None
    entry = duty.sign_in_entry({"meeting_id": 1, "deputy_id": "D0001", "role": "member"},
                               {"kind": "standing_committee", "title": "常委会", "starts_at": "2026-05-01T01:00:00Z"},
                               "2026-05-02T00:00:00Z")
    assert (entry.rule, entry.title, entry.occurred_on.isoformat()) == ("meeting_attended", "常委会", "2026-05-01")


def test_congress_flag_after_two_absences():
    one = [{"meeting_id": 1, "title": "a", "date": "2026-01-01"}]
    assert duty.congress_flag(one) is None
    flag = duty.congress_flag(one + [{"meeting_id": 2, "title": "b", "date": "2027-01-01"}])
    assert flag["count"] == 2 and "第六十二条" in flag["message"]


# -- voting: settling attendance ----------------------------------------------------------------------
def test_settle_present_leave_absent_and_observers_left_out():
    members = [{"deputy_id": "A", "role": "member", "ever_present": True},
               {"deputy_id": "B", "role": "member", "ever_present": False},
               {"deputy_id": "C", "role": "member", "ever_present": False},
               {"deputy_id": "D", "role": "member", "ever_present": False},
               {"deputy_id": "E", "role": "observer", "ever_present": False}]
    leaves = {"A": "approved", "B": "approved", "C": "denied", "D": "pending"}
    outcomes = attendance.settle(members, leaves)
    assert outcomes == [("A", "present"), ("B", "leave"), ("C", "absent"), ("D", "absent")]
    assert attendance.summary(outcomes) == {"present": 1, "leave": 1, "absent": 2}


@pytest.mark.parametrize("status, allowed", [(None, True), ("denied", True), ("pending", False),
                                              ("approved", False)])
def test_asking_for_leave_again(status, allowed):
    current = None if status is None else {"status": status}
    if allowed:
        attendance.check_can_request(current)
    else:
        with pytest.raises(attendance.AttendanceRule):
            attendance.check_can_request(current)


def test_decisions_only_on_pending_requests():
    assert attendance.decide({"status": "pending"}, "approve") == "approved"
    assert attendance.decide({"status": "pending"}, "deny") == "denied"
    with pytest.raises(attendance.AttendanceRule) as caught:
        attendance.decide({"status": "approved"}, "deny")
    assert caught.value.kind == "conflict"
    with pytest.raises(attendance.AttendanceRule) as caught:
        attendance.decide(None, "approve")
    assert caught.value.kind == "not_found"
