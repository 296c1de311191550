"""End to end through the gateway, all processes running: a suggestion filed, accepted,
assigned, replied to and evaluated fills the deputies' inboxes (the deputy service hears the
suggestion service's events) and moves the handling statistics; a rejection tells the
deputy why. SMTP_HOST is empty here (the development default): e-mail copies are 'skipped'."""
import csv
import io
import uuid

import pytest

from tests.e2e.conftest import assert_json_error
from tests.support.platform import eventually

DEPARTMENT = "weather"  # a department no other flow in the suite assigns to


@pytest.fixture(scope="module")
def deputies(client):
    """Two active demo deputies, the first with an e-mail address."""
    page = client.get("/api/v1/deputies", as_user="staff", params={"status": "active", "limit": 200}).json()
    with_email = [d["code"] for d in page["items"] if d.get("email")]
    without = [d["code"] for d in page["items"] if not d.get("email")]
    return with_email[-1], without[-1]


def file_suggestion(client, lead, co_signers=(), category="其他"):
    payload = {"title": f"关于完善气象预警发布的建议{uuid.uuid4().hex[:4]}",
               "content": "建议在各镇村增设气象预警信息发布终端，及时发布暴雨、山洪预警信息。",
               "category": category, "co_signers": list(co_signers), "session": 3}
    # the suggestion service learns of demo deputies from events: retry until it knows them
    response = eventually(lambda: (lambda r: r if r.status_code == 201 else None)(
        client.post("/api/v1/suggestions", as_user=lead, json=payload)), 30, "the suggestion filed")
    return response.json()


def act(client, user, suggestion, action, body=None):
    response = client.post(f"/api/v1/suggestions/{suggestion['id']}/{action}", as_user=user, json=body or {})
    assert response.status_code == 200, (action, response.text)
    return response.json()


def notices(client, code, suggestion_id):
    items = client.get("/api/v1/me/notifications", as_user=code, params={"limit": 200}).json()["items"]
    return [item for item in reversed(items) if item["suggestion_id"] == suggestion_id]


def department_row(client, **params):
    answer = client.get("/api/v1/suggestions/stats", params={"group_by": "department", "term": 19, **params}).json()
    return next(row for row in answer["rows"] if row["group"] == DEPARTMENT)


def test_the_handling_flow_fills_both_deputies_inboxes_and_the_statistics(client, deputies):
    lead, cosigner = deputies
    before = department_row(client)
    suggestion = file_suggestion(client, lead, [cosigner])
    act(client, "staff", suggestion, "review", {"decision": "accept"})
    assigned = act(client, "staff", suggestion, "assign",
                   {"assignments": [{"department": DEPARTMENT, "role": "lead"}]})
    due = assigned["assignments"][0]["due_date"][:10]
    act(client, f"dept-{DEPARTMENT}", suggestion, "acknowledge")
    act(client, f"dept-{DEPARTMENT}", suggestion, "reply", {"category": "A", "content": "已在全县增设预警终端。"})
    act(client, lead, suggestion, "evaluation", {"satisfaction": "basically_satisfied"})

    # the lead did not file or evaluate for anyone else: no notice of their own acts
    expected = {lead: ["suggestion_accepted", "suggestion_assigned", "suggestion_replied"],
                cosigner: ["suggestion_submitted", "suggestion_accepted", "suggestion_assigned",
                           "suggestion_replied", "suggestion_closed"]}
    for code, types in expected.items():
        eventually(lambda: [n["type"] for n in notices(client, code, suggestion["id"])] == types, 90,
                   f"{code}'s notices {types}")
    mine = {n["type"]: n for n in notices(client, lead, suggestion["id"])}
    number = suggestion["number"]
    assert mine["suggestion_assigned"]["body"] == \
        f"您领衔的建议《{suggestion['title']}》({number})已交办至 气象局（主办），答复期限 {due}。"
    assert "气象局已答复您领衔的建议" in mine["suggestion_replied"]["body"] and "答复类别 A（已解决或采纳）" in \
        mine["suggestion_replied"]["body"]
    assert all(n["email_status"] == "skipped" for n in mine.values())  # has an address; SMTP not configured
    assert all(n["email_status"] == "none" for n in notices(client, cosigner, suggestion["id"]))
    submitted = notices(client, cosigner, suggestion["id"])[0]
    assert submitted["body"].endswith(f"领衔的建议《{suggestion['title']}》({number})已提交，您是联名代表。")

    # statistics moved by exactly this suggestion (the only flow using this department)
    after = department_row(client)
    for field in ("assigned", "replied", "closed", "evaluated", "basically_satisfied", "replies_a"):
        assert after[field] == before[field] + 1, field
    assert after["reply_rate"] == 1.0 and after["close_rate"] == 1.0 and after["satisfaction_rate"] == 1.0
    csv_text = client.get("/api/v1/suggestions/stats", params={"group_by": "department", "term": 19,
                                                               "format": "csv"}).content.decode("utf-8-sig")
    rows = {r[0]: r for r in csv.reader(io.StringIO(csv_text))}
    assert rows[DEPARTMENT][1] == "气象局" and rows[DEPARTMENT][3] == str(after["assigned"])
    by_session = client.get("/api/v1/suggestions/stats", params={"group_by": "session", "term": 19}).json()
    assert "19-3" in [row["group"] for row in by_session["rows"]]


def test_a_rejection_tells_the_deputy_why_and_marking_read_works(client, deputies):
    lead, _ = deputies
    suggestion = file_suggestion(client, lead)
    act(client, "staff", suggestion, "review", {"decision": "reject", "reason": "petition",
                                                "reason_text": "请通过信访渠道反映"})
    (notice,) = eventually(lambda: notices(client, lead, suggestion["id"]), 90, "the rejection notice")
    assert notice["subject"] == "建议未予立案" and notice["read"] is False
    assert notice["body"].endswith("经审查未予立案，原因：属信访或投诉事项（请通过信访渠道反映）。")
    response = client.post(f"/api/v1/me/notifications/{notice['id']}/read", as_user=lead)
    assert response.status_code == 200 and response.json()["read"] is True
    assert notices(client, lead, suggestion["id"])[0]["read"] is True


def test_inbox_permissions_through_the_whole_platform(client, deputies):
    lead, other = deputies
    assert_json_error(client.get("/api/v1/me/notifications"), 401)
    assert_json_error(client.get("/api/v1/me/notifications", as_user=f"dept-{DEPARTMENT}"), 403, "FORBIDDEN")
    mine = client.get("/api/v1/me/notifications", as_user=lead).json()["items"]
    if mine:  # another deputy cannot mark it
        assert_json_error(client.post(f"/api/v1/me/notifications/{mine[0]['id']}/read", as_user=other), 404)
    stats = client.get("/api/v1/suggestions/stats")  # statistics are public
    assert stats.status_code == 200 and "totals" in stats.json()
