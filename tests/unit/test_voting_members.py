"""Adding members and observers to a meeting already created (the console's meeting page): who is
already in is left as is, the other role is a 409, unknown or inactive deputies a 422 naming them,
and one event per change."""
import pytest

from kernel.errors import Conflict, NotFound, Unprocessable
from kernel.testing import FakeUnitOfWork
from services.voting import handlers
from contracts.voting import MembersAddSchema

STAFF = {"username": "staff", "role": "staff", "subject": None}
DIRECTORY = {"D0001": {"name": "甲", "status": "active"}, "D0002": {"name": "乙", "status": "active"},
             "D0003": {"name": "丙", "status": "active"}, "D0009": {"name": "离", "status": "inactive"}}


class FakeMeetings:
    def __init__(self, members):
        self.rows = [{"deputy_id": c, "name": DIRECTORY.get(c, {}).get("name", c), "role": r} for c, r in members]
        self.added = []

    def get(self, meeting_id, for_update=False):
        return {"id": meeting_id} if meeting_id == 1 else None

    def members(self, meeting_id):
        return list(self.rows)

    def directory(self, codes):
        return {c: DIRECTORY[c] for c in codes if c in DIRECTORY}

    def add_more_members(self, meeting_id, rows):
        self.added.extend(rows)
        self.rows += [{"deputy_id": c, "name": n, "role": r} for c, n, r in rows]
        return sum(1 for row in self.rows if row["role"] == "member")


def add(command, members=(("D0001", "member"),), meeting_id=1):
    uow = FakeUnitOfWork(meetings=FakeMeetings(members))
    handlers.add_members(meeting_id, command, STAFF, uow)
    return uow


def test_members_and_observers_are_added_once_with_one_event():
    uow = add({"members": ["D0002", "D0001", "D0002"], "observers": ["县长"]})
    assert uow.meetings.added == [("D0002", "乙", "member"), ("县长", "县长", "observer")]
    assert uow.commits == 1 and uow.event_types() == ["members_added"]
    data = uow.published[0]["data"]
    assert data["members"] == ["D0002"] and data["observers"] == ["县长"] and data["expected"] == 2


def test_adding_who_is_already_in_changes_nothing_and_emits_nothing():
    uow = add({"members": ["D0001"]})
    assert uow.meetings.added == [] and uow.event_types() == []


def test_an_observer_does_not_silently_become_a_voter():
    with pytest.raises(Conflict) as refused:
        add({"members": ["D0002"]}, members=(("D0001", "member"), ("D0002", "observer")))
    assert refused.value.details["role_conflicts"] == [{"deputy_id": "D0002", "role": "observer", "wanted": "member"}]


def test_unknown_and_inactive_deputies_are_named():
    with pytest.raises(Unprocessable) as refused:
        add({"members": ["D0005", "D0009", "D0003"]})
    assert refused.value.details["unknown"] == ["D0005"] and refused.value.details["inactive"] == ["D0009"]
    with pytest.raises(NotFound):
        add({"members": ["D0002"]}, meeting_id=2)


def test_the_request_must_add_someone():
    assert MembersAddSchema().validate({}) == {"members": ["give members or observers to add"]}
    assert MembersAddSchema().validate({"members": ["x1"]})["members"]
