"""The demo suggestion plan: deterministic, every state, active deputies only."""
import random

from demo import county as demo
from services.suggestion import seed


def test_plan_is_deterministic_and_covers_every_state():
    deputies = demo.generate_deputies()
    first = seed._plan(random.Random(seed.SEED), deputies)
    second = seed._plan(random.Random(seed.SEED), deputies)
    assert first == second
    assert 120 <= len(first) <= 200
    assert {item["state"] for item in first} == {state for state, _, _ in seed.PLAN}
    active = {d["code"] for d in deputies if d["status"] == "active"}
    assert all(item["lead"] in active and set(item["co_signers"]) <= active for item in first)
    assert {item["department"]["code"] for item in first}.isdisjoint({"petition", "weather"})
