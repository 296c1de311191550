"""services.deputy.handlers: the use cases, with an in-memory unit of work. The Idempotency-Key
rule is checked on PostgreSQL too: tests/integration/test_unit_of_work_on_postgres.py, same
name plus ``_on_postgres``."""
import copy

import pytest

from kernel.errors import Conflict, NotFound, Unprocessable
from kernel.testing import FakeUnitOfWork
from services.deputy import handlers
from services.deputy.domain import Station

STATIONS = [
    Station("ST-000", "代表之家", "county", "城关镇", None),
    Station("ST-V01", "城关镇某社区站", "village", "城关镇", "ST-000"),
    Station("ST-T01", "四亩地镇中心站", "town", "四亩地镇", "ST-000"),
]


class FakeDeputies:
    """Stores copies, like a database: a use case's changes count only through save()."""

    def __init__(self):
        self.rows = {}
        self.number = 0
        self.saved = []

    def get(self, code, for_update=False):
        deputy = self.rows.get(code)
        return copy.deepcopy(deputy) if deputy else None

    def phone_taken(self, phone, except_code=None):
        return any(d.phone == phone and d.code != except_code for d in self.rows.values())

    def add(self, deputy):
        if deputy.code in self.rows:
            return "code"
        if deputy.phone and self.phone_taken(deputy.phone):
            return "phone"
        if deputy.code is None:
            self.number += 1
            deputy.code = "D%04d" % self.number
        self.rows[deputy.code] = copy.deepcopy(deputy)
        return None

    def save(self, deputy, changed):
        self.rows[deputy.code] = copy.deepcopy(deputy)
        self.saved.append((deputy.code, list(changed)))

    def list(self, **query):
        rows = sorted(self.rows.values(), key=lambda d: d.code)
        return rows, len(rows)

    def sync_number_sequence(self):
        self.number = max([int(code[1:]) for code in self.rows] + [self.number])


class FakeStations:
    def __init__(self, stations=()):
        self.rows = {s.code: s for s in stations}

    def get(self, code):
        return self.rows.get(code)

    def all(self):
        return sorted(self.rows.values(), key=lambda s: s.code)

    def add(self, station):
        self.rows.setdefault(station.code, station)


@pytest.fixture
def uow():
    uow = FakeUnitOfWork(deputies=FakeDeputies(), stations=FakeStations(STATIONS))
    uow.producer = "deputy"
    return uow


def command(**overrides):
    values = dict(name="李秀兰", gender="female", ethnicity="汉族", birth_year=1980, level="town",
                  town="城关镇", station_code="ST-V01", term=19, occupation="教师",
                  phone="13900000001", email="li@example.cn", status="active")
    values.update(overrides)
    return values


# -- register ---------------------------------------------------------------------------
def test_register_stores_the_deputy_and_emits_deputy_registered_without_contact(uow):
    deputy = handlers.register_deputy(command(), uow)
    assert deputy.code == "D0001" and deputy.version == 1
    assert uow.deputies.rows["D0001"].phone == "13900000001"
    assert uow.event_types() == ["deputy_registered"]
    event = uow.published[0]
    assert event["producer"] == "deputy" and event["aggregate_id"] == "D0001"
    assert event["data"]["code"] == "D0001" and event["data"]["name"] == "李秀兰"
    assert event["data"]["version"] == 1
    assert "phone" not in event["data"] and "email" not in event["data"]


def test_register_keeps_an_explicit_code(uow):
    assert handlers.register_deputy(command(code="D0500"), uow).code == "D0500"
    with pytest.raises(Conflict) as caught:
        handlers.register_deputy(command(code="D0500", phone="13900000002"), uow)
    assert "code" in caught.value.details
    assert uow.event_types() == ["deputy_registered"]


def test_register_unknown_station_is_unprocessable_naming_station_code(uow):
    with pytest.raises(Unprocessable) as caught:
        handlers.register_deputy(command(station_code="ST-NOPE"), uow)
    assert list(caught.value.details) == ["station_code"]
    assert "ST-NOPE" in caught.value.details["station_code"][0]
    assert uow.deputies.rows == {} and uow.published == []


def test_register_station_of_another_town_is_unprocessable(uow):
    with pytest.raises(Unprocessable) as caught:
        handlers.register_deputy(command(station_code="ST-T01"), uow)
    assert "station_code" in caught.value.details
    assert uow.published == []


def test_county_deputy_of_another_town_may_join_the_county_home(uow):
    deputy = handlers.register_deputy(command(level="county", town="四亩地镇", station_code="ST-000"), uow)
    assert deputy.station_code == "ST-000"


def test_register_duplicate_phone_is_a_conflict(uow):
    handlers.register_deputy(command(), uow)
    with pytest.raises(Conflict) as caught:
        handlers.register_deputy(command(name="张伟"), uow)
    assert "phone" in caught.value.details
    assert len(uow.deputies.rows) == 1 and uow.event_types() == ["deputy_registered"]


def test_deputies_without_phone_never_conflict(uow):
    handlers.register_deputy(command(phone=None), uow)
    handlers.register_deputy(command(phone=None, name="张伟"), uow)
    assert len(uow.deputies.rows) == 2


def test_idempotency_key_returns_the_first_deputy_and_emits_once(uow):
    first = handlers.register_deputy(command(), uow, idempotency_key="key-1")
    again = handlers.register_deputy(command(phone="13900000002", name="重复"), uow, idempotency_key="key-1")
    assert again.code == first.code and again.name == "李秀兰"
    assert len(uow.deputies.rows) == 1
    assert uow.event_types() == ["deputy_registered"]
    other = handlers.register_deputy(command(phone="13900000003"), uow, idempotency_key="key-2")
    assert other.code != first.code and uow.event_types() == ["deputy_registered"] * 2


# -- update -----------------------------------------------------------------------------
def test_update_emits_deputy_updated_with_the_changed_list(uow):
    handlers.register_deputy(command(), uow)
    deputy = handlers.update_deputy("D0001", {"name": "李秀英", "occupation": "教师", "phone": "13900000009"}, uow)
    assert deputy.version == 2 and deputy.name == "李秀英"
    assert uow.deputies.rows["D0001"].version == 2
    assert uow.event_types() == ["deputy_registered", "deputy_updated"]
    data = uow.published[1]["data"]
    assert sorted(data["changed"]) == ["name", "phone"]  # occupation did not change
    assert data["version"] == 2 and data["name"] == "李秀英" and "phone" not in data


def test_update_without_real_change_emits_nothing(uow):
    handlers.register_deputy(command(), uow)
    deputy = handlers.update_deputy("D0001", {"name": "李秀兰"}, uow)
    assert deputy.version == 1
    assert uow.event_types() == ["deputy_registered"] and uow.deputies.saved == []


def test_update_with_matching_expected_version(uow):
    handlers.register_deputy(command(), uow)
    assert handlers.update_deputy("D0001", {"status": "inactive"}, uow, expected_version=1).version == 2


def test_update_with_stale_expected_version_is_a_conflict(uow):
    handlers.register_deputy(command(), uow)
    handlers.update_deputy("D0001", {"name": "李秀英"}, uow)
    with pytest.raises(Conflict) as caught:
        handlers.update_deputy("D0001", {"name": "李秀芳"}, uow, expected_version=1)
    assert caught.value.details == {"version": 2, "expected_version": 1}
    assert uow.deputies.rows["D0001"].name == "李秀英"
    assert uow.event_types() == ["deputy_registered", "deputy_updated"]


def test_update_unknown_deputy_is_not_found(uow):
    with pytest.raises(NotFound) as caught:
        handlers.update_deputy("D9999", {"name": "谁"}, uow)
    assert caught.value.details == {"id": "D9999"}
    assert uow.published == []


def test_update_to_a_station_of_another_town_is_unprocessable(uow):
    handlers.register_deputy(command(), uow)
    with pytest.raises(Unprocessable) as caught:
        handlers.update_deputy("D0001", {"station_code": "ST-T01"}, uow)
    assert "station_code" in caught.value.details
    assert uow.deputies.rows["D0001"].station_code == "ST-V01" and uow.deputies.rows["D0001"].version == 1
    # moving town and station together is fine
    moved = handlers.update_deputy("D0001", {"town": "四亩地镇", "station_code": "ST-T01"}, uow)
    assert moved.version == 2 and sorted(uow.published[-1]["data"]["changed"]) == ["station_code", "town"]


def test_update_to_a_phone_of_another_deputy_is_a_conflict(uow):
    handlers.register_deputy(command(), uow)
    handlers.register_deputy(command(phone="13900000002", name="张伟"), uow)
    with pytest.raises(Conflict) as caught:
        handlers.update_deputy("D0002", {"phone": "13900000001"}, uow)
    assert "phone" in caught.value.details
    assert uow.deputies.rows["D0002"].phone == "13900000002"


# -- reads and loading --------------------------------------------------------------------
def test_get_deputy(uow):
    handlers.register_deputy(command(), uow)
    assert handlers.get_deputy("D0001", uow).name == "李秀兰"
    with pytest.raises(NotFound):
        handlers.get_deputy("D0404", uow)


def test_station_hierarchy(uow):
    roots = handlers.station_hierarchy(uow)
    assert [r["code"] for r in roots] == ["ST-000"]
    assert sorted(c["code"] for c in roots[0]["children"]) == ["ST-T01", "ST-V01"]


def test_load_roster_registers_through_events_and_is_repeatable():
    uow = FakeUnitOfWork(deputies=FakeDeputies(), stations=FakeStations())
    rows = [dict(command(phone=f"1390000000{i}"), code=f"D000{i}") for i in range(1, 4)]
    stations = [dict(code=s.code, name=s.name, level=s.level, town=s.town, parent_code=s.parent_code)
                for s in STATIONS]
    assert handlers.load_roster(stations, rows, uow) == 3
    assert uow.event_types() == ["deputy_registered"] * 3
    assert handlers.load_roster(stations, rows, uow) == 0
    assert len(uow.published) == 3
    assert handlers.register_deputy(command(phone="13900000099"), uow).code == "D0004"
