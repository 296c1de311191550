"""Drafts from other services for editors, through the platform: a meeting held (voting's
``meeting_ended``) drafts "<meeting>召开" once; staff draft the quarter's suggestion-handling
figures from the suggestion statistics, once per quarter. Neither is ever published by itself."""
import datetime
import uuid

import pytest

from tests.e2e.conftest import assert_json_error
from tests.support.platform import eventually

MEMBERS = ("D0211", "D0212")
TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()


@pytest.fixture(scope="module")
def ready(client, cluster_rpc):
    for code in MEMBERS:
        eventually(lambda: cluster_rpc.voting.directory_entry(code), timeout=30, what=f"voting directory {code}")
    return client


def drafts(client, column):
    response = client.get("/api/v1/articles", as_user="editor",
                          params={"status": "draft", "column": column, "limit": 100})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_meeting_held_becomes_a_draft_for_editors(ready):
    client = ready
    title = f"宁陕县第十九届人大常委会第{uuid.uuid4().hex[:4]}次会议"
    created = client.post("/api/v1/meetings", as_user="staff", json={
        "title": title, "kind": "standing_committee", "starts_at": f"{TODAY}T09:00:00+08:00",
        "members": list(MEMBERS)})
    assert created.status_code == 201, created.text
    meeting_id = created.json()["id"]
    assert client.post(f"/api/v1/meetings/{meeting_id}/checkin", as_user=MEMBERS[0]).status_code == 200
    ended = client.post(f"/api/v1/meetings/{meeting_id}/end", as_user="staff")
    assert ended.status_code == 200, ended.text
    draft = eventually(lambda: next((a for a in drafts(client, "standing-committee") if a["title"] == f"{title}召开"),
                                    None), timeout=20, what="the meeting's draft")
    article = client.get(f"/api/v1/articles/{draft['id']}", as_user="editor").json()
    assert article["status"] == "draft" and article["live_version"] is None
    assert "应出席2人，实到1人" in article["body"]
    assert client.get(f"/api/v1/articles/{article['slug']}").status_code == 404       # not on the portal


def test_staff_draft_the_quarters_suggestion_figures_once(ready):
    client = ready
    year = 2100 - uuid.uuid4().int % 50
    response = client.post(f"/api/v1/articles/suggestion-report?year={year}&quarter=3", as_user="staff")
    assert response.status_code == 201, response.text
    article = response.json()
    assert article["title"] == f"{year}年第3季度代表建议办理情况" and article["status"] == "draft"
    assert article["column"] == "suggestions" and "办复率" in article["body"] and "<table>" in article["body"]
    assert_json_error(client.post(f"/api/v1/articles/suggestion-report?year={year}&quarter=3", as_user="staff"), 409)
    assert_json_error(client.post(f"/api/v1/articles/suggestion-report?year={year}&quarter=3", as_user="editor"),
                      403)
    error = assert_json_error(client.post("/api/v1/articles/suggestion-report?quarter=5", as_user="staff"), 400)
    assert {"year", "quarter"} <= set(error["details"])
