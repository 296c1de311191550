"""Duty records (履职档案) end to end through the gateway (all processes, real RabbitMQ and
PostgreSQL): a meeting with one member present, one on approved leave and one absent; a
suggestion with a co-signer; an inspection — each record changes by exactly the scheme's
points, with evidence; redelivery adds nothing; who sees what; leave and the end of a
meeting; the scoring scheme; rankings; bad input names the fields."""
import datetime
import json
import uuid

import pika
import pytest

from tests.e2e.conftest import assert_json_error
from tests.support.platform import EventProbe, eventually

PRESENT, ON_LEAVE, ABSENT = "D0201", "D0202", "D0203"
YEAR = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).year
TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()


@pytest.fixture(scope="module")
def ready(client, cluster_rpc):
    """The voting and suggestion services know the deputies (their read models)."""
    for code in (PRESENT, ON_LEAVE, ABSENT):
        eventually(lambda: cluster_rpc.voting.directory_entry(code), timeout=30, what=f"voting directory {code}")
        eventually(lambda: cluster_rpc.suggestion.directory_entry(code), timeout=30,
                   what=f"suggestion directory {code}")
    return client


def record(client, code, as_user=None, year=YEAR):
    response = client.get(f"/api/v1/deputies/{code}/duty-record?year={year}", as_user=as_user or code)
    assert response.status_code == 200, response.text
    return response.json()


def rule_evidence(rec, rule):
    row = next((r for r in rec["breakdown"] if r["rule"] == rule), None)
    return [(e["kind"], e["id"]) for e in row["evidence"]] if row else []


def wait_score(client, code, expected, what):
    return eventually(lambda: (lambda r: r if r["score"] == expected else None)(record(client, code)),
                      timeout=20, what=what)


def meeting(client, members, kind="plenary"):
    body = {"title": f"县人民代表大会第{uuid.uuid4().hex[:4]}次会议", "kind": kind,
            "starts_at": f"{TODAY}T09:00:00+08:00", "members": members}
    response = client.post("/api/v1/meetings", as_user="staff", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def run_meeting(client, kind="plenary"):
    """PRESENT signs in, ON_LEAVE asks for leave and staff approve, ABSENT does nothing."""
    meeting_id = meeting(client, [PRESENT, ON_LEAVE, ABSENT], kind)
    assert client.post(f"/api/v1/meetings/{meeting_id}/checkin", as_user=PRESENT).status_code == 200
    asked = client.post(f"/api/v1/meetings/{meeting_id}/leave", as_user=ON_LEAVE, json={"reason": "住院治疗"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending"
    decided = client.post(f"/api/v1/meetings/{meeting_id}/leave/{ON_LEAVE}/decision", as_user="staff",
                          json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved"
    ended = client.post(f"/api/v1/meetings/{meeting_id}/end", as_user="staff")
    assert ended.status_code == 200, ended.text
    return meeting_id, ended.json()


def test_records_follow_events_with_exact_points_and_evidence(ready, platform, config):
    client = ready
    before = {code: record(client, code) for code in (PRESENT, ON_LEAVE, ABSENT)}
    points = client.get(f"/api/v1/duty/scoring-scheme?year={YEAR}").json()["points"]

    # a meeting: present / approved leave / absent without leave
    probe = EventProbe(config["AMQP_URI"], "voting", "meeting_ended")
    try:
        meeting_id, ended = run_meeting(client)
        envelope = probe.wait_for(lambda e: e["data"]["meeting_id"] == meeting_id)
    finally:
        probe.close()
    assert ended["counts"] == {"present": 1, "leave": 1, "absent": 1}
    assert {a["deputy_id"]: a["outcome"] for a in ended["attendance"]} == {
        PRESENT: "present", ON_LEAVE: "leave", ABSENT: "absent"}
    assert "住院治疗" not in json.dumps(envelope)   # leave reasons never travel
    expected = {PRESENT: before[PRESENT]["score"] + points["meeting_attended"],
                ON_LEAVE: before[ON_LEAVE]["score"] + points["meeting_leave"],
                ABSENT: before[ABSENT]["score"] + points["meeting_absent"]}
    after = {PRESENT: wait_score(client, PRESENT, expected[PRESENT], "attendance counted"),
             ABSENT: wait_score(client, ABSENT, expected[ABSENT], "absence counted")}
    after[ON_LEAVE] = eventually(
        lambda: (lambda r: r if ("meeting", str(meeting_id)) in rule_evidence(r, "meeting_leave") else None)(
            record(client, ON_LEAVE)), timeout=20, what="leave recorded")
    assert after[ON_LEAVE]["score"] == expected[ON_LEAVE]
    assert ("meeting", str(meeting_id)) in rule_evidence(after[PRESENT], "meeting_attended")
    assert ("meeting", str(meeting_id)) in rule_evidence(after[ABSENT], "meeting_absent")

    # redelivery of the same event (same event id) changes nothing
    consumed = platform_consumed(platform, "meeting_ended")
    connection = pika.BlockingConnection(pika.URLParameters(config["AMQP_URI"]))
    try:
        connection.channel().basic_publish("voting.events", "meeting_ended", json.dumps(envelope).encode(),
                                           pika.BasicProperties(content_type="application/json", delivery_mode=2))
    finally:
        connection.close()
    eventually(lambda: platform_consumed(platform, "meeting_ended") >= consumed + 1, timeout=20,
               what="the copy consumed")
    for code in (PRESENT, ON_LEAVE, ABSENT):
        assert record(client, code)["score"] == expected[code]

    # a suggestion with a co-signer: lead +3, co-signer +1, evidence = the suggestion
    filed = client.post("/api/v1/suggestions", as_user=PRESENT, json={
        "title": f"关于改善乡村道路照明的建议{uuid.uuid4().hex[:6]}", "category": "交通建设",
        "content": "多个村组道路夜间无照明，群众出行不便，建议统筹安排路灯建设资金并明确维护责任。",
        "co_signers": [ON_LEAVE]})
    assert filed.status_code == 201, filed.text
    suggestion = filed.json()
    lead = wait_score(client, PRESENT, expected[PRESENT] + points["suggestion_lead"], "lead counted")
    co = wait_score(client, ON_LEAVE, expected[ON_LEAVE] + points["suggestion_co"], "co-signer counted")
    assert ("suggestion", suggestion["id"]) in rule_evidence(lead, "suggestion_lead")
    assert ("suggestion", suggestion["id"]) in rule_evidence(co, "suggestion_co")
    entry = next(e for e in lead["parts"]["suggestions"] if e["evidence"]["id"] == suggestion["id"])
    assert entry["evidence"]["ref"] == suggestion["number"]

    # an inspection staff record: +3 at once, evidence = the activity
    response = client.post("/api/v1/activities", as_user="staff", json={
        "kind": "inspection", "title": "视察县城污水处理厂", "date": TODAY, "participants": [ABSENT]})
    assert response.status_code == 201, response.text
    activity = response.json()
    inspected = record(client, ABSENT)
    assert inspected["score"] == expected[ABSENT] + points["inspection"]
    assert ("activity", str(activity["id"])) in rule_evidence(inspected, "inspection")
    assert inspected["parts"]["inspections"][-1]["evidence"] == {"kind": "activity", "id": str(activity["id"]),
                                                                  "ref": None}


def platform_consumed(platform, event_type, name="deputy"):
    import requests
    text = requests.get(f"http://127.0.0.1:{platform.ports[name]}/metrics", timeout=10).text
    line = f'{name}_events_consumed_total{{event_type="{event_type}",outcome="ok"}} '
    return next((float(row[len(line):]) for row in text.splitlines() if row.startswith(line)), 0.0)


def test_public_sees_published_parts_only(ready):
    client = ready
    meeting_id, _ = run_meeting(client, kind="standing_committee")
    eventually(lambda: ("meeting", str(meeting_id)) in rule_evidence(record(client, ABSENT, as_user="staff"),
                                                                     "meeting_absent"), timeout=20,
               what="absence recorded")
    public = client.get(f"/api/v1/deputies/{ABSENT}/duty-record?year={YEAR}").json()
    assert public["visibility"] == "public"
    assert public["score"] is None and public["breakdown"] == [] and public["flags"] == []
    assert all(e["rule"] not in ("meeting_absent", "meeting_leave") for e in public["parts"]["meetings"])
    assert "phone" not in public["parts"]["basic"][0] and "email" not in public["parts"]["basic"][0]
    # another deputy is the public too
    other = client.get(f"/api/v1/deputies/{ABSENT}/duty-record?year={YEAR}", as_user=PRESENT).json()
    assert other["visibility"] == "public"
    own = record(client, ABSENT)
    assert own["visibility"] == "full" and "phone" in own["parts"]["basic"][0]
    assert any(e["rule"] == "meeting_absent" for e in own["parts"]["meetings"])
    # leave reasons: staff see them, the member their own, nobody else
    staff_view = client.get(f"/api/v1/meetings/{meeting_id}/leave", as_user="staff").json()
    assert [i["reason"] for i in staff_view["items"]] == ["住院治疗"]
    assert client.get(f"/api/v1/meetings/{meeting_id}/leave", as_user=PRESENT).json()["items"] == []
    assert_json_error(client.get(f"/api/v1/meetings/{meeting_id}/leave"), 401)


def test_missing_two_congress_sessions_without_leave_is_flagged(ready):
    client = ready
    run_meeting(client)
    run_meeting(client)
    flagged = eventually(lambda: (lambda r: r if r["flags"] else None)(record(client, ABSENT, as_user="staff")),
                         timeout=20, what="flag raised")
    assert flagged["flags"][0]["code"] == "congress_absences" and flagged["flags"][0]["count"] >= 2
    ranks = client.get(f"/api/v1/duty/rankings?year={YEAR}&level=town", as_user="staff")
    assert ranks.status_code == 200, ranks.text
    page = ranks.json()
    assert page["total"] >= 3 and page["flagged"] >= 1
    scores = [r["score"] for r in page["items"]]
    assert scores == sorted(scores, reverse=True)


def test_ending_settles_once_and_closes_sign_in(ready):
    client = ready
    meeting_id = meeting(client, [PRESENT, ON_LEAVE])
    assert client.post(f"/api/v1/meetings/{meeting_id}/leave", as_user=ON_LEAVE,
                       json={"reason": "出差"}).status_code == 201
    assert_json_error(client.post(f"/api/v1/meetings/{meeting_id}/leave", as_user=ON_LEAVE,
                                  json={"reason": "出差"}), 409, "CONFLICT")
    denied = client.post(f"/api/v1/meetings/{meeting_id}/leave/{ON_LEAVE}/decision", as_user="staff",
                         json={"decision": "deny", "note": "会议重要"})
    assert denied.json()["status"] == "denied"
    assert_json_error(client.post(f"/api/v1/meetings/{meeting_id}/leave/{ON_LEAVE}/decision", as_user="staff",
                                  json={"decision": "approve"}), 409)
    assert_json_error(client.post(f"/api/v1/meetings/{meeting_id}/leave/{PRESENT}/decision", as_user="staff",
                                  json={"decision": "approve"}), 404)
    ended = client.post(f"/api/v1/meetings/{meeting_id}/end", as_user="staff").json()
    assert {a["deputy_id"]: a["outcome"] for a in ended["attendance"]} == {PRESENT: "absent", ON_LEAVE: "absent"}
    assert_json_error(client.post(f"/api/v1/meetings/{meeting_id}/end", as_user="staff"), 409)
    assert_json_error(client.post(f"/api/v1/meetings/{meeting_id}/checkin", as_user=PRESENT), 409)
    assert_json_error(client.post(f"/api/v1/meetings/{meeting_id}/leave", as_user=PRESENT,
                                  json={"reason": "出差"}), 409)
    assert client.get(f"/api/v1/meetings/{meeting_id}").json()["ended_at"]
    # only members ask for leave; only staff end a meeting
    other = meeting(client, [PRESENT])
    assert_json_error(client.post(f"/api/v1/meetings/{other}/leave", as_user=ABSENT, json={"reason": "出差"}), 403)
    assert_json_error(client.post(f"/api/v1/meetings/{other}/end", as_user=PRESENT), 403)


def test_changing_the_scheme_recomputes_that_year_only(ready):
    client = ready
    year = YEAR + 3     # a year of its own: other tests score this year with the defaults
    response = client.post("/api/v1/activities", as_user="staff", json={
        "kind": "training", "title": "代表履职培训班", "date": f"{year}-03-01", "participants": [PRESENT]})
    assert response.status_code == 201, response.text
    assert record(client, PRESENT, year=year)["score"] == 62
    this_year = record(client, PRESENT)["score"]
    changed = client.request("PUT", f"/api/v1/duty/scoring-scheme?year={year}", as_user="staff",
                         json={"points": {"training": 7}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 1 and changed.json()["points"]["training"] == 7
    assert changed.json()["points"]["inspection"] == 3
    rec = record(client, PRESENT, year=year)
    assert rec["score"] == 67 and rec["scheme_version"] == 1
    assert record(client, PRESENT)["score"] == this_year
    again = client.request("PUT", f"/api/v1/duty/scoring-scheme?year={year}", as_user="staff", json={"base": 50})
    assert again.json()["version"] == 2 and again.json()["points"]["training"] == 7
    assert record(client, PRESENT, year=year)["score"] == 57


@pytest.mark.parametrize("path, body, fields", [
    ("/api/v1/activities", {"kind": "party", "title": "x", "date": "2026-13-01", "participants": []},
     {"kind", "title", "date", "participants"}),
    ("/api/v1/activities", {"title": "视察", "date": "2026-01-01", "participants": ["nobody"]},
     {"kind", "participants"}),
])
def test_bad_activities_name_the_fields(ready, path, body, fields):
    error = assert_json_error(ready.post(path, as_user="staff", json=body), 400, "VALIDATION_ERROR")
    assert fields <= set(error["details"]), error


def test_bad_scheme_and_queries_name_the_fields(ready):
    client = ready
    error = assert_json_error(client.request("PUT", "/api/v1/duty/scoring-scheme", as_user="staff",
                                         json={"points": {"bogus": 1, "award": 1000}}), 400)
    assert "points" in error["details"], error
    error = assert_json_error(client.request("PUT", "/api/v1/duty/scoring-scheme", as_user="staff",
                                         json={"bands": {"good": 99}}), 400)
    assert "bands" in error["details"], error
    error = assert_json_error(client.get(f"/api/v1/deputies/{PRESENT}/duty-record?year=abc", as_user=PRESENT), 400)
    assert "year" in error["details"]
    error = assert_json_error(client.get("/api/v1/duty/rankings?level=province", as_user="staff"), 400)
    assert "level" in error["details"]
    error = assert_json_error(client.post("/api/v1/meetings/1/leave", as_user=PRESENT, json={}), 400)
    assert "reason" in error["details"]
    error = assert_json_error(client.post(f"/api/v1/meetings/1/leave/{PRESENT}/decision", as_user="staff",
                                          json={"decision": "maybe"}), 400)
    assert "decision" in error["details"]
    assert_json_error(client.post("/api/v1/activities", as_user=PRESENT, json={}), 403)
    assert_json_error(client.get("/api/v1/duty/rankings", as_user=PRESENT), 403)
    assert_json_error(client.get("/api/v1/deputies/D9999/duty-record"), 404)


def test_unknown_participants_are_refused(ready):
    error = assert_json_error(ready.post("/api/v1/activities", as_user="staff", json={
        "kind": "research", "title": "调研", "date": TODAY, "participants": ["D9998"]}), 422)
    assert "participants" in error["details"]


def test_dashboard_duty_part_is_real(ready):
    client = ready
    own = client.get(f"/api/v1/deputies/{PRESENT}/dashboard", as_user=PRESENT).json()
    assert own["duty"]["year"] == YEAR and own["duty"]["score"] == record(client, PRESENT)["score"]
    public = client.get(f"/api/v1/deputies/{PRESENT}/dashboard").json()
    assert public["duty"]["score"] is None and "duty" not in public["unavailable"]
