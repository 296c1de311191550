"""kernel.deputy_directory: the idempotent read-model handler, with the in-memory unit of
work. Each rule is checked on real PostgreSQL too, by the test of the same name plus
``_on_postgres`` in tests/integration/test_unit_of_work_on_postgres.py."""
from kernel import deputy_directory
from kernel.envelope import new_envelope
from kernel.testing import FakeDirectory, FakeUnitOfWork


def event(event_type="deputy_registered", version=1, **data):
    return new_envelope(event_type, {"code": "D0001", "name": "王建华", "level": "town", "town": "城关镇",
                                     "station_code": "ST-V01", "term": 19, "status": "active",
                                     "version": version, **data}, "deputy")


def make_uow():
    return FakeUnitOfWork(deputy_directory=FakeDirectory())


def test_same_event_twice_applies_once():
    uow = make_uow()
    envelope = event()
    assert deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", uow) is True
    assert deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", uow) is False
    assert uow.deputy_directory.upserts == 1
    assert deputy_directory.lookup("D0001", uow)["applied_count"] == 1
    assert uow.commits == 1


def test_each_consumer_claims_separately():
    uow = make_uow()
    envelope = event()
    assert deputy_directory.apply_deputy_event(envelope, "suggestion.deputy_directory", uow)
    assert deputy_directory.apply_deputy_event(envelope, "voting.deputy_directory", uow)
    assert uow.deputy_directory.claimed == {("suggestion.deputy_directory", envelope["event_id"]),
                             ("voting.deputy_directory", envelope["event_id"])}


def test_newer_event_applies_and_size_counts_deputies():
    uow = make_uow()
    deputy_directory.apply_deputy_event(event(), "c", uow)
    deputy_directory.apply_deputy_event(event("deputy_updated", version=2, name="王建国", changed=["name"]), "c", uow)
    entry = deputy_directory.lookup("D0001", uow)
    assert entry["name"] == "王建国" and entry["version"] == 2 and entry["applied_count"] == 2
    assert deputy_directory.size(uow) == 1
    assert deputy_directory.lookup("D0404", uow) is None


def test_older_version_never_moves_the_row_back():
    uow = make_uow()
    deputy_directory.apply_deputy_event(event(version=3, name="新名字"), "c", uow)
    assert deputy_directory.apply_deputy_event(event("deputy_updated", version=2, name="旧名字"), "c", uow)
    assert deputy_directory.apply_deputy_event(event("deputy_updated", version=3, name="同版本"), "c", uow)
    entry = deputy_directory.lookup("D0001", uow)
    assert (entry["name"], entry["version"], entry["applied_count"]) == ("新名字", 3, 1)
