"""The demo duty plan: the same day gives the same plan; announced reception days are at
least 3 days ahead and held ones in the past; every rota and participant is an active demo
deputy (of that station, for a rota) and none the tests use by code; opinions end in several
states."""
import datetime

from demo import county as demo
from services.deputy import duty_demo, voters

TODAY = datetime.date(2026, 12, 2)


def test_the_same_day_gives_the_same_plan_and_another_day_moves_the_dates():
    assert duty_demo.plan(TODAY) == duty_demo.plan(TODAY)
    later = duty_demo.plan(TODAY + datetime.timedelta(days=1))
    assert [r["date"] for r in later["upcoming"]] == [r["date"] + datetime.timedelta(days=1)
                                                      for r in duty_demo.plan(TODAY)["upcoming"]]


def test_reception_days_are_announced_ahead_and_held_ones_are_past():
    plan = duty_demo.plan(TODAY)
    for reception in plan["upcoming"]:
        voters.check_announcement(reception["date"], TODAY)          # raises when under 3 days ahead
    assert all(r["date"] < TODAY for r in plan["held"])
    assert {r["station"] for r in plan["upcoming"]} == set(plan["stations"])
    levels = {s["code"]: s["level"] for s in demo.generate_stations()}
    assert {levels[code] for code in plan["stations"]} == {"county", "town", "village"}


def test_rotas_and_participants_are_active_demo_deputies_the_tests_leave_alone():
    plan = duty_demo.plan(TODAY)
    deputies = {d["code"]: d for d in demo.generate_deputies()}
    for reception in plan["held"] + plan["upcoming"]:
        assert reception["deputies"], reception
        assert all(deputies[c]["station_code"] == reception["station"] for c in reception["deputies"])
    everyone = {c for r in plan["held"] + plan["upcoming"] for c in r["deputies"]}
    everyone |= {c for a in plan["activities"] for c in a["participants"]}
    assert all(deputies[c]["status"] == "active" for c in everyone)
    assert not everyone & duty_demo.AVOID
    assert duty_demo.DEMO_DEPUTY in everyone
    assert {a["kind"] for a in plan["activities"]} == {"inspection", "research", "law_check", "training", "group",
                                                       "report_to_voters", "award"}


def test_opinions_end_in_several_states():
    plan = duty_demo.plan(TODAY)
    final = {}
    for opinion in plan["opinions"]:
        status = "received"
        for action, _ in opinion["steps"]:
            status = voters.check_action(status, action)
        final[opinion["tracking_code"]] = status
    assert set(final.values()) == {"received", "classified", "answered", "forwarded", "declined", "closed"}
    assert len(set(final)) == len(final) and all(code.startswith("YJDEMO") for code in final)
