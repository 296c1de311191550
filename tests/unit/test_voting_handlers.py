"""Voting use cases with a fake unit of work: who signs in whom, how a refused ballot maps
to 403/409/404, one transaction per ballot, and the result decided by the service."""
import pytest

from kernel.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, Unprocessable
from kernel.testing import FakeUnitOfWork
from services.voting import handlers
from services.voting.domain import Item

STAFF = {"username": "staff", "role": "staff", "subject": None}


def deputy(code):
    return {"username": code, "role": "deputy", "subject": code}


class FakeBallots:
    def __init__(self, row):
        self.row = row
        self.calls = []

    def share_box(self, item_id):
        self.calls.append(("share_box", item_id))

    def cast(self, meeting_id, item_id, deputy_id, choice, nonce):
        self.calls.append(("cast", deputy_id, choice))
        return self.row


class FakeItems:
    def __init__(self, item):
        self.item = item

    def spec(self, item_id):
        return self.item if self.item and self.item.id == item_id else None


def cast(row, item=None, actor=deputy("D0001"), command=None):
    item = item or Item(id=5, meeting_id=1, kind="resolution", title="x", mode="secret", status="open")
    uow = FakeUnitOfWork(ballots=FakeBallots(row), items=FakeItems(item))
    answer = handlers.cast_ballot(1, 5, actor, command or {"choice": "yes"}, uow, {})
    return answer, uow


def refused(**row):
    return {"status": "open", "mode": "secret", "entitled": True, "role": "member", "present": True,
            "ballot_id": None, "leaf_hash": None, "token": None, **row}


def test_a_ballot_is_one_transaction_with_a_shared_box_lock_and_no_event():
    row = refused(ballot_id=9, leaf_hash="ab" * 32, token="t-x")
    answer, uow = cast(row)
    assert answer["receipt"] == "ab" * 32 and answer["choice"] == "yes"
    assert [c[0] for c in uow.ballots.calls] == ["share_box", "cast"]
    assert uow.commits == 1 and uow.published == []


def test_a_secret_ballot_answer_has_no_arrival_number_and_a_named_one_does():
    row = refused(ballot_id=9, leaf_hash="ab" * 32, token="t-x")
    assert "ballot_id" not in cast(row)[0]
    named = Item(id=5, meeting_id=1, kind="resolution", title="x", mode="named", status="open")
    assert cast({**row, "mode": "named", "token": "D0001"}, item=named)[0]["ballot_id"] == 9


@pytest.mark.parametrize("row, error", [
    (refused(role=None, entitled=False), Forbidden),                 # not a member
    (refused(role="observer", entitled=False), Forbidden),           # 列席
    (refused(status="pending", entitled=False), Conflict),           # not open yet
    (refused(status="closed"), Conflict),                            # after close
    (refused(present=False), Conflict),                              # not signed in
    (refused(entitled=False), Forbidden),                            # joined after the item opened
    (None, NotFound),
])
def test_refused_ballots_map_to_typed_errors_and_commit_nothing(row, error):
    with pytest.raises(error):
        cast(row)


def test_only_deputies_vote_and_manual_items_take_no_ballots():
    with pytest.raises(Forbidden):
        cast(refused(), actor=STAFF)
    hands = Item(id=5, meeting_id=1, kind="resolution", title="x", mode="show_of_hands", status="open")
    with pytest.raises(Conflict):
        cast(refused(), item=hands)
    with pytest.raises(NotFound):
        cast(refused(), item=Item(id=5, meeting_id=2, kind="resolution", title="x", mode="secret"))
    with pytest.raises(Unprocessable):
        cast(refused(), command={"choices": {"甲": "yes"}})


def test_who_signs_in_whom():
    assert handlers._whom(deputy("D0001"), None) == ("D0001", None)
    assert handlers._whom(deputy("D0001"), "D0001") == ("D0001", None)
    assert handlers._whom(STAFF, "D0002") == ("D0002", "staff")
    with pytest.raises(Forbidden):
        handlers._whom(deputy("D0001"), "D0002")
    with pytest.raises(Unprocessable):
        handlers._whom(STAFF, None)
    with pytest.raises(Forbidden):
        handlers._whom({"role": "department", "subject": "edu", "username": "dept-edu"}, "D0001")


class TickingItems:
    """Open secret items for the tally ticker; ``broken`` items have lost their expected count
    (as an item written around the service once had), ``down`` items raise a database outage."""

    def __init__(self, ids, broken=(), down=()):
        self.items = {i: Item(id=i, meeting_id=1, kind="resolution", title=f"item {i}", mode="secret",
                              status="open") for i in ids}
        self.broken, self.down = set(broken), set(down)
        self.recorded = {}

    def open_items(self):
        return list(self.items)

    def spec(self, item_id):
        if item_id in self.down:
            raise ServiceUnavailable("database unavailable", {"reason": "test"})
        return self.items[item_id]

    def get(self, meeting_id, item_id):
        item = self.items[item_id]
        expected = None if item_id in self.broken else 30
        return {**item.__dict__, "expected": expected, "threshold": 16}

    def presence(self, item_id):
        return 20, 20

    def grouped_choices(self, item_id):
        return {}

    def record_tally(self, item_id, data):
        self.recorded[item_id] = self.recorded.get(item_id, 0) + 1
        return self.recorded[item_id]


def test_one_item_that_cannot_be_tallied_does_not_stop_the_other_open_items_ticking():
    uow = FakeUnitOfWork(items=TickingItems([1, 2, 3], broken=[2]))
    emitted = handlers.tick(uow)
    assert [e["item_id"] for e in emitted] == [1, 3]
    assert [e["data"]["item_id"] for e in uow.published] == [1, 3]


def test_a_database_outage_ends_the_tick_instead_of_being_skipped_item_by_item():
    uow = FakeUnitOfWork(items=TickingItems([1, 2], down=[1]))
    with pytest.raises(ServiceUnavailable):
        handlers.tick(uow)
    assert uow.published == []
