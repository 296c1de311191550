"""A standing-committee meeting driven through the gateway, for the reliability tests that
vote in the middle of a fault."""
from demo.county import STANDING_COMMITTEE_CODES
from tests.support.platform import eventually

COMMITTEE = list(STANDING_COMMITTEE_CODES)
CHOICE_OF = {code: ("yes", "no", "abstain")[i % 3] for i, code in enumerate(COMMITTEE)}


def named_item(client, title, item_title):
    """A meeting of the committee, every member signed in, with a named item not yet open:
    (meeting id, item id)."""
    created = client.post("/api/v1/meetings", as_user="staff", json={
        "title": title, "kind": "standing_committee", "starts_at": "2026-11-30T09:00:00+08:00",
        "members": COMMITTEE})
    assert created.status_code == 201, created.text
    meeting = created.json()["id"]
    for code in COMMITTEE:
        assert client.post(f"/api/v1/meetings/{meeting}/checkin", as_user="staff",
                           json={"deputy_id": code}).status_code == 200
    item = client.post(f"/api/v1/meetings/{meeting}/items", as_user="staff",
                       json={"kind": "resolution", "title": item_title, "mode": "named"}).json()["id"]
    return meeting, item


def close_item(client, meeting, item):
    """Close the item; its final result."""
    item_url = f"/api/v1/meetings/{meeting}/items/{item}"

    def close():
        # A close whose answer was lost to a deadline (loaded host) is closed all the same:
        # then the close is a 409 and the result is read instead.
        answer = client.post(f"{item_url}/close", as_user="staff", timeout=30)
        if answer.status_code == 409:
            answer = client.get(f"{item_url}/result", as_user="staff", timeout=30)
        return answer.status_code == 200 and answer.json().get("final") and answer.json()
    return eventually(close, timeout=60, what="the item to close")
