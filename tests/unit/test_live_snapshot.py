"""The live stream's first frame (gateway/live.py snapshot_of): an appointment list's
candidates keep their post (职务) next to the counts, so a keypad that joins late shows the
same list as one that saw the item open."""
from gateway.live import snapshot_of


def test_candidates_of_the_current_item_keep_their_post_beside_the_counts():
    meeting = {"id": 5, "title": "常委会", "items": []}
    current = {"id": 9, "title": "任命", "kind": "appointment", "mode": "secret", "merged": False, "status": "closed",
               "candidates": [{"name": "甲某", "post": "局长"}, {"name": "乙某", "post": ""}]}
    result = {"status": "closed", "expected": 3, "present": 3, "passed": False,
              "candidates": [{"name": "甲某", "yes": 2, "no": 1, "abstain": 0, "not_voted": 0, "passed": True},
                             {"name": "乙某", "yes": 1, "no": 2, "abstain": 0, "not_voted": 0, "passed": False,
                              "voters": ["never shown"]}]}
    item = snapshot_of(meeting, current, result)["item"]
    assert item["candidates"] == [
        {"name": "甲某", "post": "局长", "yes": 2, "no": 1, "abstain": 0, "not_voted": 0, "passed": True},
        {"name": "乙某", "post": "", "yes": 1, "no": 2, "abstain": 0, "not_voted": 0, "passed": False}]
    assert item["merged"] is False and item["kind"] == "appointment"


def test_an_open_item_without_a_result_lists_its_candidates():
    current = {"id": 9, "kind": "appointment", "status": "open", "candidates": [{"name": "甲某", "post": "局长"}]}
    assert snapshot_of({"id": 5}, current, None)["item"]["candidates"] == [{"name": "甲某", "post": "局长"}]
