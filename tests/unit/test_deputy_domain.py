"""services.deputy.domain: rules without I/O."""
from collections import Counter

import pytest

from demo import county as demo
from services.deputy.domain import Deputy, Station, station_fits, station_tree


def make_deputy(**overrides):
    values = dict(code="D0001", name="王建华", gender="male", ethnicity="汉族", birth_year=1970,
                  level="town", town="城关镇", station_code="ST-V01", term=19, phone="13900000001")
    values.update(overrides)
    return Deputy(**values)


def test_apply_changes_fields_and_bumps_version_once():
    deputy = make_deputy()
    changed = deputy.apply({"name": "王建国", "occupation": "教师"})
    assert sorted(changed) == ["name", "occupation"]
    assert deputy.name == "王建国" and deputy.occupation == "教师" and deputy.version == 2


def test_apply_unchanged_values_does_not_bump_version():
    deputy = make_deputy()
    assert deputy.apply({"name": "王建华", "town": "城关镇"}) == []
    assert deputy.version == 1


def test_apply_reports_only_the_fields_that_really_changed():
    deputy = make_deputy()
    assert deputy.apply({"name": "王建华", "status": "inactive"}) == ["status"]
    assert deputy.version == 2


def test_apply_ignores_immutable_fields():
    deputy = make_deputy()
    assert deputy.apply({"code": "D9999", "version": 42}) == []
    assert deputy.code == "D0001" and deputy.version == 1


def test_event_data_has_no_contact_fields():
    deputy = make_deputy(email="w@example.cn")
    data = deputy.event_data()
    assert "phone" not in data and "email" not in data and "extra" not in data
    assert data["code"] == "D0001" and data["version"] == 1 and data["station_code"] == "ST-V01"


def test_as_dict_shows_contact_only_when_asked():
    deputy = make_deputy()
    assert deputy.as_dict(include_contact=True)["phone"] == "13900000001"
    public = deputy.as_dict(include_contact=False)
    assert public["id"] == "D0001" and "phone" not in public and "email" not in public


COUNTY_HOME = Station("ST-000", "代表之家", "county", "城关镇", None)
TOWN_CENTRE = Station("ST-T01", "四亩地镇中心站", "town", "四亩地镇", "ST-000")
VILLAGE = Station("ST-V09", "某村站", "village", "四亩地镇", "ST-T01")


@pytest.mark.parametrize("level, town, station, fits", [
    ("town", "四亩地镇", TOWN_CENTRE, True),        # own town's centre
    ("town", "四亩地镇", VILLAGE, True),            # own town's village station
    ("town", "城关镇", VILLAGE, False),             # another town
    ("town", "四亩地镇", COUNTY_HOME, False),       # town deputy elsewhere: not the county home
    ("town", "城关镇", COUNTY_HOME, True),          # the county home stands in 城关镇
    ("county", "四亩地镇", COUNTY_HOME, True),      # county deputies may belong to the county home
    ("county", "城关镇", TOWN_CENTRE, False),       # but not to another town's centre
])
def test_station_fits(level, town, station, fits):
    assert station_fits(make_deputy(level=level, town=town), station) is fits


def test_station_tree_of_the_demo_stations_is_1_plus_10_plus_40():
    stations = [Station(**row) for row in demo.generate_stations()]
    roots = station_tree(stations)
    assert [root["code"] for root in roots] == ["ST-000"]

    def walk(node, depth=0):
        yield node, depth
        for child in node["children"]:
            yield from walk(child, depth + 1)
    nodes = list(walk(roots[0]))
    assert len(nodes) == 51 and len({n["code"] for n, _ in nodes}) == 51
    levels = Counter(n["level"] for n, _ in nodes)
    assert levels == {"county": 1, "town": 10, "village": 40}
    # 10 town centres directly under the county home; each village under a station of its town.
    centres = [c for c in roots[0]["children"] if c["level"] == "town"]
    assert len(centres) == 10
    for node, depth in nodes:
        for child in node["children"]:
            assert child["parent_code"] == node["code"]
            assert child["town"] == node["town"] or node["level"] == "county"
        assert depth <= 2
    assert all(c["level"] == "village" for centre in centres for c in centre["children"])


def test_station_tree_puts_orphans_at_the_root():
    orphan = Station("ST-X", "孤站", "village", "某镇", "ST-MISSING")
    roots = station_tree([COUNTY_HOME, orphan, TOWN_CENTRE])
    assert [r["code"] for r in roots] == ["ST-000", "ST-X"]
    assert [c["code"] for c in roots[0]["children"]] == ["ST-T01"]
