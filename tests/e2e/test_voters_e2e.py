"""Liaison stations and voters end to end through the gateway: reception days announced at
least 3 days ahead and counted towards the twice-a-year rule; a voter's opinion from the
public form through a station to a deputy's suggestion and its reply back to the voter's
tracking page; who sees contact data; declining; the per-client limit; bad input names the
fields."""
import datetime

import pytest

from tests.e2e.conftest import assert_json_error, post
from tests.support.platform import Client, eventually, session_from

DEPUTY, OTHER = "D0204", "D0205"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.datetime.now(BEIJING).date()
YEAR = TODAY.year


@pytest.fixture(scope="module")
def ready(client, cluster_rpc):
    for code in (DEPUTY, OTHER):
        eventually(lambda: cluster_rpc.suggestion.directory_entry(code), timeout=30, what=f"directory {code}")
    return client


def station_of(client, code):
    return client.get(f"/api/v1/deputies/{code}").json()["station_code"]


def opinion(client, station, **extra):
    body = {"station": station, "content": "村口路灯坏了三个月，晚上出行很不方便，希望尽快修好。",
            "name": "王先生", "contact": "13800001111", **extra}
    response = client.post("/api/v1/opinions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_reception_days_are_announced_ahead_and_count_when_sat(ready):
    client = ready
    station = station_of(client, DEPUTY)
    too_soon = (TODAY + datetime.timedelta(days=2)).isoformat()
    error = assert_json_error(client.post(f"/api/v1/stations/{station}/receptions", as_user="staff",
                                          json={"date": too_soon, "deputies": [DEPUTY]}), 422)
    assert "date" in error["details"]
    ahead = (TODAY + datetime.timedelta(days=3)).isoformat()
    announced = post(client, f"/api/v1/stations/{station}/receptions", "staff",
                     {"date": ahead, "starts_at": "09:00", "ends_at": "11:30", "deputies": [DEPUTY, OTHER]}, 201)
    assert announced["status"] == "scheduled" and announced["deputies"] == [DEPUTY, OTHER]
    listed = client.get(f"/api/v1/stations/{station}/receptions").json()["items"]
    assert announced["id"] in [r["id"] for r in listed]
    inbox = client.get("/api/v1/me/notifications?limit=50", as_user=OTHER).json()["items"]
    assert any(n["type"] == "reception_scheduled" and ahead in n["body"] for n in inbox), inbox[:3]
    assert_json_error(client.post(f"/api/v1/receptions/{announced['id']}/held", as_user="staff", json={}), 409)

    before = client.get(f"/api/v1/deputies/{DEPUTY}/duty-record?year={YEAR}", as_user=DEPUTY).json()
    sat = post(client, f"/api/v1/stations/{station}/receptions", "staff",
               {"date": TODAY.isoformat(), "deputies": [DEPUTY], "held": True}, 201)
    assert sat["status"] == "held" and sat["sat"] == [DEPUTY]
    after = client.get(f"/api/v1/deputies/{DEPUTY}/duty-record?year={YEAR}", as_user=DEPUTY).json()
    assert after["score"] == before["score"] + 2
    row = next(r for r in after["breakdown"] if r["rule"] == "reception")
    assert {"kind": "reception", "id": str(sat["id"])}.items() <= next(
        e for e in row["evidence"] if e["id"] == str(sat["id"])).items()
    ranks = client.get(f"/api/v1/duty/rankings?year={YEAR}&limit=1000", as_user="staff").json()["items"]
    mine = next(r for r in ranks if r["deputy_id"] == DEPUTY)
    assert mine["receptions"] >= 1


def test_an_opinion_goes_to_a_suggestion_and_its_reply_reaches_the_voter(ready):
    client = ready
    station = station_of(client, DEPUTY)
    created = opinion(client, station)
    code = created["tracking_code"]
    assert created["status"] == "received" and code.startswith("YJ")
    tracked = client.get(f"/api/v1/opinions/{code}").json()
    assert set(tracked) == {"tracking_code", "status", "status_label", "answer", "updated_at"}
    assert tracked["status_label"] == "已受理"

    # staff see the contact; a deputy of another station does not see the opinion at all
    staff_view = next(o for o in client.get(f"/api/v1/opinions?station={station}", as_user="staff").json()["items"]
                      if o["tracking_code"] == code)
    assert staff_view["contact"] == "13800001111"
    post(client, f"/api/v1/opinions/{code}/classify", "staff", {"category": "交通建设", "deputy": DEPUTY})
    mine = next(o for o in client.get("/api/v1/opinions", as_user=DEPUTY).json()["items"] if o["tracking_code"] == code)
    assert mine["contact"] == "13800001111" and mine["assigned_deputy"] == DEPUTY

    converted = post(client, f"/api/v1/opinions/{code}/convert", DEPUTY, {"title": "关于修复村口路灯的建议",
                                                                          "category": "交通建设"})
    assert converted["status"] == "converted" and converted["suggestion_number"]
    again = post(client, f"/api/v1/opinions/{code}/convert", DEPUTY, {"title": "关于修复村口路灯的建议",
                                                                      "category": "交通建设"})
    assert again["suggestion_id"] == converted["suggestion_id"]          # a retry files nothing new
    sid = converted["suggestion_id"]
    suggestion = client.get(f"/api/v1/suggestions/{sid}", as_user=DEPUTY).json()
    assert code in suggestion["content"] and suggestion["lead_deputy"] == DEPUTY
    # linked both ways: the suggestion names its source opinion (deputy and staff see it), the
    # opinion its suggestion; the public view of the suggestion does not carry the link
    source = {"kind": "opinion", "tracking_code": code, "station_code": station}
    assert suggestion["source"] == source
    assert client.get(f"/api/v1/suggestions/{sid}", as_user="staff").json()["source"] == source
    assert suggestion["timeline"][0]["details"]["source"] == source
    staff_opinion = next(o for o in client.get(f"/api/v1/opinions?station={station}", as_user="staff").json()["items"]
                         if o["tracking_code"] == code)
    assert staff_opinion["suggestion_id"] == sid and staff_opinion["suggestion_number"] == suggestion["number"]
    assert client.get(f"/api/v1/opinions/{code}").json()["status"] == "in_progress"

    post(client, f"/api/v1/suggestions/{sid}/review", "staff", {"decision": "accept"})
    post(client, f"/api/v1/suggestions/{sid}/assign", "staff", {"assignments": [{"department": "transport",
                                                                                 "role": "lead"}]})
    post(client, f"/api/v1/suggestions/{sid}/acknowledge", "dept-transport")
    post(client, f"/api/v1/suggestions/{sid}/reply", "dept-transport", {"category": "A", "content": "路灯已修复。"})
    answered = eventually(lambda: (lambda t: t if t["status"] == "answered" else None)(
        client.get(f"/api/v1/opinions/{code}").json()), timeout=20, what="the reply reaches the voter")
    assert "路灯已修复" in answered["answer"]
    public = client.get(f"/api/v1/suggestions/{sid}").json()
    assert public["public"] is True and "source" not in public
    post(client, f"/api/v1/suggestions/{sid}/evaluation", DEPUTY, {"satisfaction": "satisfied"})
    eventually(lambda: client.get(f"/api/v1/opinions/{code}").json()["status"] == "closed", timeout=20,
               what="closed with the suggestion")


def test_declined_and_forwarded_opinions(ready):
    client = ready
    station = station_of(client, DEPUTY)
    code = opinion(client, station, content="邻居占用我家宅基地，请人大帮我打官司。")["tracking_code"]
    declined = post(client, f"/api/v1/opinions/{code}/decline", DEPUTY, {"reason": "court_case"})
    assert declined["status"] == "declined"
    tracked = client.get(f"/api/v1/opinions/{code}").json()
    assert tracked["status"] == "declined" and "司法" in tracked["answer"]
    assert_json_error(client.post(f"/api/v1/opinions/{code}/answer", as_user=DEPUTY, json={"answer": "好的"}), 409)

    code = opinion(client, station)["tracking_code"]
    error = assert_json_error(client.post(f"/api/v1/opinions/{code}/forward", as_user="staff",
                                          json={"to": "department", "department": "nowhere"}), 422)
    assert "department" in error["details"]
    forwarded = post(client, f"/api/v1/opinions/{code}/forward", "staff", {"to": "department", "department": "transport"})
    assert forwarded["status"] == "forwarded"
    assert "转交" in client.get(f"/api/v1/opinions/{code}").json()["answer"]
    # a deputy of another station may not handle it, and sees no contact data anywhere
    other_station = station_of(client, OTHER)
    if other_station != station:
        assert_json_error(client.post(f"/api/v1/opinions/{code}/close", as_user=OTHER, json={}), 403)
    assert_json_error(client.post(f"/api/v1/opinions/{code}/close", json={}), 401)


def test_opinions_are_limited_per_client(platform):
    voter = Client(platform.gateway_url)
    voter.session = session_from("127.0.0.87")
    station = voter.get("/api/v1/stations").json()[0]["code"]
    answers = [voter.post("/api/v1/opinions", json={"station": station, "content": f"第{i}条意见：建议增设公交站点。"})
               for i in range(11)]
    assert [a.status_code for a in answers[:10]] == [201] * 10
    error = assert_json_error(answers[10], 429, "RATE_LIMITED")
    assert int(answers[10].headers["Retry-After"]) > 0 and error["details"]["retry_after_seconds"] > 0


def test_bad_input_names_the_fields(platform, ready):
    voter = Client(platform.gateway_url)
    voter.session = session_from("127.0.0.88")
    error = assert_json_error(voter.post("/api/v1/opinions", json={"content": "短", "contact": "x"}), 400)
    assert {"station", "content", "contact"} <= set(error["details"])
    error = assert_json_error(voter.post("/api/v1/opinions", json={"station": "NOPE", "content": "建议增设路灯。"}), 422)
    assert "station" in error["details"]
    assert_json_error(voter.get("/api/v1/opinions/YJNOTACODE"), 404)
    station = station_of(ready, DEPUTY)
    error = assert_json_error(ready.post(f"/api/v1/stations/{station}/receptions", as_user="staff",
                                         json={"date": "tomorrow", "deputies": [], "starts_at": "9am"}), 400)
    assert {"date", "deputies", "starts_at"} <= set(error["details"])
    code = opinion(voter, station)["tracking_code"]
    error = assert_json_error(ready.post(f"/api/v1/opinions/{code}/decline", as_user="staff",
                                         json={"reason": "boring"}), 400)
    assert "reason" in error["details"]
    error = assert_json_error(ready.post(f"/api/v1/opinions/{code}/forward", as_user="staff", json={"to": "mars"}), 400)
    assert "to" in error["details"]


def test_a_station_form_posts_to_its_own_station(platform, ready):
    voter = Client(platform.gateway_url)
    voter.session = session_from("127.0.0.89")
    station = station_of(ready, DEPUTY)
    created = voter.post(f"/api/v1/stations/{station}/opinions",
                         json={"content": "希望在学校门口增设减速带，保障学生安全。", "name": "李女士"})
    assert created.status_code == 201, created.text
    code = created.json()["tracking_code"]
    assert voter.get(f"/api/v1/opinions/{code}").json()["status"] == "received"
    listed = ready.get(f"/api/v1/opinions?station={station}", as_user="staff").json()["items"]
    assert next(o for o in listed if o["tracking_code"] == code)["name"] == "李女士"

    error = assert_json_error(voter.post(f"/api/v1/stations/{station}/opinions",
                                         json={"content": "短", "contact": "x", "age": 3}), 400, "VALIDATION_ERROR")
    assert {"content", "contact", "age"} <= set(error["details"])
    error = assert_json_error(voter.post(f"/api/v1/stations/{station}/opinions",
                                         json={"station": station, "content": "建议增设路灯照明。"}), 400)
    assert set(error["details"]) == {"station"}
    error = assert_json_error(voter.post("/api/v1/stations/NOPE/opinions", json={"content": "建议增设路灯照明。"}), 422)
    assert "station" in error["details"]
