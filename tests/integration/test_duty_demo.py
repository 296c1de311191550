"""The demo duty data on real PostgreSQL, as ``python -m kernel.bootstrap --demo`` loaded it:
each demo station has a reception day announced at least 3 days ahead, the demo deputy's
record holds the reception they sat and the activities staff recorded (with evidence), the
demo opinions are in their planned states, and loading again adds nothing."""
import datetime

import pytest

from kernel.db import PostgresUnitOfWork
from services.deputy import duty_demo, duty_handlers, voters
from services.deputy.repository import REPOSITORIES
from tests.integration.helpers import service_pool

STAFF = {"role": "staff", "username": "staff"}


@pytest.fixture(scope="module")
def pool(demo_loaded):
    with service_pool(demo_loaded, "deputy", 2) as pool:
        yield pool


def uow(pool, readonly=False):
    return PostgresUnitOfWork(pool, "deputy", REPOSITORIES, pool_timeout=30, readonly=readonly)


def today():
    return voters.today_in_beijing(datetime.datetime.now(datetime.timezone.utc))


def test_each_demo_station_has_a_reception_day_announced_ahead(pool):
    plan = duty_demo.plan(today())
    with uow(pool, readonly=True) as unit:
        for station in plan["stations"]:
            coming = unit.voters.upcoming_receptions(today(), station=station)
            assert coming and all(r["deputies"] for r in coming), station


def test_the_demo_deputys_record_shows_receptions_and_activities_with_evidence(pool):
    record = duty_handlers.duty_record(duty_demo.DEMO_DEPUTY, today().year, STAFF, uow(pool, readonly=True))
    rules = {row["rule"]: row for row in record["breakdown"]}
    plan = duty_demo.plan(today())
    this_year = [a for a in plan["activities"] if duty_demo.DEMO_DEPUTY in a["participants"]
                 and a["date"].year == today().year]
    for activity in this_year:
        evidence = rules[activity["kind"]]["evidence"]
        assert any(e["kind"] == "activity" and e["title"] == activity["title"] for e in evidence), activity
    held = [r for r in plan["held"] if duty_demo.DEMO_DEPUTY in r["deputies"] and r["date"].year == today().year]
    if held:
        assert rules["reception"]["count"] >= len(held)


def test_the_demo_opinions_are_in_their_planned_states(pool):
    expected = {}
    for opinion in duty_demo.plan(today())["opinions"]:
        status = "received"
        for action, _ in opinion["steps"]:
            status = voters.check_action(status, action)
        expected[opinion["tracking_code"]] = status
    with uow(pool, readonly=True) as unit:
        found = {code: unit.voters.opinion(code)["status"] for code in expected}
    assert found == expected


def test_loading_again_adds_nothing(pool):
    assert duty_demo.load(uow(pool), today()) == {"upcoming": 0, "held": 0, "activities": 0, "opinions": 0}
