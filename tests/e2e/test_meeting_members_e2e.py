"""Members and observers added to a meeting after it was created, end to end through the gateway:
the new member counts in 应到 and votes from the next item on (the open item's electorate was fixed
when it opened); a repeat changes nothing; an observer never silently becomes a voter (409);
unknown deputies are named (422); only staff add."""
from demo.county import STANDING_COMMITTEE_CODES
from tests.e2e.conftest import assert_json_error
from tests.support.platform import EventProbe

COMMITTEE = list(STANDING_COMMITTEE_CODES)
STARTS = "2026-12-10T09:00:00+08:00"


def post(client, path, as_user="staff", json=None, status=200):
    response = client.post(path, as_user=as_user, json=json or {})
    assert response.status_code == status, response.text
    return response.json()


def test_a_member_added_later_votes_from_the_next_item_on(client, config):
    first, later = COMMITTEE[5], COMMITTEE[6]
    meeting = post(client, "/api/v1/meetings", json={"title": "补充组成人员测试", "kind": "standing_committee",
                                                      "starts_at": STARTS, "members": [first]}, status=201)["id"]
    post(client, f"/api/v1/meetings/{meeting}/checkin", json={"deputy_id": first})
    item = post(client, f"/api/v1/meetings/{meeting}/items", json={"kind": "resolution", "title": "第一项决议"},
                status=201)["id"]
    post(client, f"/api/v1/meetings/{meeting}/items/{item}/open")

    probe = EventProbe(config["AMQP_URI"], "voting", "members_added")
    try:
        shown = post(client, f"/api/v1/meetings/{meeting}/members",
                     json={"members": [later], "observers": ["县人民检察院检察长"]})
        event = probe.wait_for(lambda e: e["data"]["meeting_id"] == meeting)
    finally:
        probe.close()
    assert sorted(shown["members"]) == sorted([first, later]) and shown["expected"] == 2
    assert [o["name"] for o in shown["observers"]] == ["县人民检察院检察长"]
    assert event["data"]["members"] == [later] and event["data"]["expected"] == 2 and event["data"]["by"] == "staff"
    again = post(client, f"/api/v1/meetings/{meeting}/members", json={"members": [later]})
    assert again["members"] == shown["members"] and again["observers"] == shown["observers"]

    post(client, f"/api/v1/meetings/{meeting}/checkin", json={"deputy_id": later})
    refused = client.post(f"/api/v1/meetings/{meeting}/items/{item}/ballots", as_user=later, json={"choice": "yes"})
    assert_json_error(refused, 403, "FORBIDDEN")                 # not a member when the item opened
    assert client.get(f"/api/v1/meetings/{meeting}/items/{item}/result").json()["expected"] == 1
    post(client, f"/api/v1/meetings/{meeting}/items/{item}/ballots", as_user=first, json={"choice": "yes"},
         status=201)
    post(client, f"/api/v1/meetings/{meeting}/items/{item}/close")

    second = post(client, f"/api/v1/meetings/{meeting}/items", json={"kind": "decision", "title": "第二项决定"},
                  status=201)["id"]
    assert post(client, f"/api/v1/meetings/{meeting}/items/{second}/open")["expected"] == 2
    post(client, f"/api/v1/meetings/{meeting}/items/{second}/ballots", as_user=later, json={"choice": "no"},
         status=201)


def test_adding_members_is_checked(client):
    member, observer = COMMITTEE[7], COMMITTEE[8]
    meeting = post(client, "/api/v1/meetings", json={"title": "补充组成人员校验", "kind": "standing_committee",
                                                      "starts_at": STARTS, "members": [member],
                                                      "observers": [observer]}, status=201)["id"]
    path = f"/api/v1/meetings/{meeting}/members"
    error = assert_json_error(client.post(path, as_user="staff", json={"members": [observer]}), 409, "CONFLICT")
    assert error["details"]["role_conflicts"] == [{"deputy_id": observer, "role": "observer", "wanted": "member"}]
    error = assert_json_error(client.post(path, as_user="staff", json={"members": ["D9999"]}), 422, "UNPROCESSABLE")
    assert error["details"]["unknown"] == ["D9999"]
    error = assert_json_error(client.post(path, as_user="staff", json={}), 400, "VALIDATION_ERROR")
    assert "members" in error["details"]
    assert_json_error(client.post(path, as_user=member, json={"members": [COMMITTEE[9]]}), 403, "FORBIDDEN")
    assert_json_error(client.post(path, json={"members": [COMMITTEE[9]]}), 401)
    assert_json_error(client.post("/api/v1/meetings/999999999/members", as_user="staff",
                                  json={"members": [COMMITTEE[9]]}), 404, "NOT_FOUND")
    assert client.get(f"/api/v1/meetings/{meeting}").json()["members"] == [member]
