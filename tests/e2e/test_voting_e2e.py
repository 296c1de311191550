"""Meetings and voting end to end through the gateway (real RabbitMQ and PostgreSQL):
the statutory rules, who may vote when, secret vs named ballots, receipts, the audit and
the independent recount tool, manual tallies, events and the dashboard's attendance."""
import json
import os
import subprocess
import sys

import psycopg
import pytest

from demo.county import STANDING_COMMITTEE_CODES
from tests.e2e.conftest import assert_json_error
from tests.support.platform import ROOT, EventProbe, eventually

COMMITTEE = list(STANDING_COMMITTEE_CODES)   # 25, in the voting read model from the demo seed
STARTS = "2026-11-30T09:00:00+08:00"


@pytest.fixture(scope="module")
def voting(client):
    return Voting(client)


class Voting:
    def __init__(self, client):
        self.client = client

    def meeting(self, members=COMMITTEE, **extra):
        body = {"title": "测试会议", "kind": "standing_committee", "starts_at": STARTS, "members": members, **extra}
        response = self.client.post("/api/v1/meetings", as_user="staff", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def checkin(self, meeting, codes, on_behalf=False):
        for code in codes:
            if on_behalf:
                response = self.client.post(f"/api/v1/meetings/{meeting}/checkin", as_user="staff",
                                            json={"deputy_id": code})
            else:
                response = self.client.post(f"/api/v1/meetings/{meeting}/checkin", as_user=code)
            assert response.status_code == 200, response.text
        return response.json()

    def item(self, meeting, **body):
        body.setdefault("kind", "resolution")
        body.setdefault("title", "关于测试事项的决议")
        response = self.client.post(f"/api/v1/meetings/{meeting}/items", as_user="staff", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def open(self, meeting, item):
        return self.client.post(f"/api/v1/meetings/{meeting}/items/{item}/open", as_user="staff")

    def vote(self, meeting, item, code, choice=None, choices=None):
        body = {"choices": choices} if choices is not None else {"choice": choice}
        return self.client.post(f"/api/v1/meetings/{meeting}/items/{item}/ballots", as_user=code, json=body)

    def close(self, meeting, item):
        response = self.client.post(f"/api/v1/meetings/{meeting}/items/{item}/close", as_user="staff")
        assert response.status_code == 200, response.text
        return response.json()

    def run(self, members, present, yes=0, no=0, abstain=0, mode="secret"):
        """A meeting of ``members``, the first ``present`` signed in, one item voted."""
        meeting = self.meeting(members)
        self.checkin(meeting, members[:present], on_behalf=True)
        item = self.item(meeting, mode=mode)
        assert self.open(meeting, item).status_code == 200
        voters = iter(members[:present])
        for choice, count in (("yes", yes), ("no", no), ("abstain", abstain)):
            for _ in range(count):
                assert self.vote(meeting, item, next(voters), choice).status_code == 201
        return meeting, item, self.close(meeting, item)


# -- the statutory rules through the gateway ---------------------------------------------------------
def test_item_opens_only_with_more_than_half_of_all_members_present(voting):
    meeting = voting.meeting()
    voting.checkin(meeting, COMMITTEE[:12], on_behalf=True)
    item = voting.item(meeting)
    error = assert_json_error(voting.open(meeting, item), 409, "CONFLICT")
    assert error["details"] == {"present": 12, "expected": 25, "required": 13}
    voting.checkin(meeting, COMMITTEE[12:13])
    opened = voting.open(meeting, item)
    assert opened.status_code == 200, opened.text
    assert opened.json()["expected"] == 25 and opened.json()["present"] == 13 and opened.json()["threshold"] == 13


@pytest.mark.parametrize("members, present, yes, no, abstain, passed", [
    (25, 13, 13, 0, 0, True),      # 13 yes passes whatever the attendance
    (25, 20, 12, 0, 8, False),     # 12 yes of 20 present fails: a majority of ALL members is needed
    (25, 20, 0, 0, 20, False),     # all abstain
    (24, 24, 12, 12, 0, False),    # N even: 12 of 24 is not more than half
    (23, 20, 12, 5, 3, True),      # N odd: threshold 12
])
def test_statutory_majority_table(voting, members, present, yes, no, abstain, passed):
    _, _, result = voting.run(COMMITTEE[:members], present, yes, no, abstain)
    assert result["final"] is True and result["status"] == "closed"
    assert (result["expected"], result["present"], result["yes"], result["no"], result["abstain"]) == \
        (members, present, yes, no, abstain)
    assert result["threshold"] == members // 2 + 1
    assert result["not_voted"] == present - yes - no - abstain
    assert result["passed"] is passed
    assert result["digest"] and len(result["digest"]) == 64


@pytest.mark.parametrize("mode, running_counts, ballots_in_box", [
    ("named", (13, 0), 26),        # the named log keeps every ballot
    ("secret", (None, None), 13),  # no per-choice count while open; the sealed box keeps the last of each
])
def test_changed_vote_counts_once_and_the_last_choice_counts(voting, client, mode, running_counts, ballots_in_box):
    meeting = voting.meeting()
    voting.checkin(meeting, COMMITTEE[:15])
    item = voting.item(meeting, mode=mode)
    assert voting.open(meeting, item).status_code == 200
    for code in COMMITTEE[:13]:
        assert voting.vote(meeting, item, code, "no").status_code == 201
    receipts = [voting.vote(meeting, item, code, "yes").json() for code in COMMITTEE[:13]]
    assert all(r["receipt"] for r in receipts)
    running = client.get(f"/api/v1/meetings/{meeting}/items/{item}/result").json()
    assert (running["yes"], running["no"], running["voted"], running["passed"]) == (*running_counts, 13, None)
    result = voting.close(meeting, item)
    assert (result["yes"], result["no"], result["voted"], result["not_voted"], result["ballots"]) == \
        (13, 0, 13, 2, ballots_in_box)
    assert result["passed"] is True


def test_who_may_vote_and_when(voting, client):
    meeting = voting.meeting(COMMITTEE[:20], observers=[COMMITTEE[20], "县人民政府县长"])
    voting.checkin(meeting, COMMITTEE[:12])
    item = voting.item(meeting)
    # not open yet
    assert_json_error(voting.vote(meeting, item, COMMITTEE[0], "yes"), 409, "CONFLICT")
    voting.checkin(meeting, COMMITTEE[20:21])                     # an observer signs in: not counted
    assert client.get(f"/api/v1/meetings/{meeting}/attendance").json()["present"] == 12
    assert voting.open(meeting, item).status_code == 200
    assert voting.vote(meeting, item, COMMITTEE[0], "yes").status_code == 201
    error = assert_json_error(voting.vote(meeting, item, COMMITTEE[15], "yes"), 409, "CONFLICT")   # absent
    assert error["details"] == {"reason": "not_signed_in"}
    assert_json_error(voting.vote(meeting, item, COMMITTEE[20], "yes"), 403, "FORBIDDEN")         # observer
    assert_json_error(voting.vote(meeting, item, COMMITTEE[22], "yes"), 403, "FORBIDDEN")         # not a member
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/items/{item}/ballots", as_user="staff",
                                  json={"choice": "yes"}), 403, "FORBIDDEN")                      # staff
    assert_json_error(voting.vote(meeting, item, COMMITTEE[1], "maybe"), 400, "VALIDATION_ERROR")
    # leave: may not vote; return: may again
    assert client.post(f"/api/v1/meetings/{meeting}/checkout", as_user=COMMITTEE[1]).json()["present"] == 11
    assert_json_error(voting.vote(meeting, item, COMMITTEE[1], "yes"), 409, "CONFLICT")
    voting.checkin(meeting, COMMITTEE[1:2])
    assert voting.vote(meeting, item, COMMITTEE[1], "no").status_code == 201
    voting.close(meeting, item)
    assert_json_error(voting.vote(meeting, item, COMMITTEE[2], "yes"), 409, "CONFLICT")         # after close
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/items/{item}/close", as_user="staff"), 409)
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/items/999999/ballots", as_user=COMMITTEE[0],
                                  json={"choice": "yes"}), 404, "NOT_FOUND")
    assert_json_error(client.get("/api/v1/meetings/abc"), 404, "NOT_FOUND")


def test_sign_in_on_behalf_is_recorded_and_deputies_sign_in_only_themselves(voting, client, config):
    probe = EventProbe(config["AMQP_URI"], "voting", "member_signed_in")
    try:
        meeting = voting.meeting(COMMITTEE[:5])
        answer = voting.checkin(meeting, COMMITTEE[:1], on_behalf=True)
        assert answer["by"] == "staff" and answer["present"] == 1 and answer["expected"] == 5
        event = probe.wait_for(lambda e: e["data"]["meeting_id"] == meeting)
        assert event["data"]["by"] == "staff" and event["data"]["deputy_id"] == COMMITTEE[0]
        assert voting.checkin(meeting, COMMITTEE[1:2])["by"] is None
    finally:
        probe.close()
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/checkin", as_user=COMMITTEE[2],
                                  json={"deputy_id": COMMITTEE[3]}), 403, "FORBIDDEN")
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/checkin", as_user=COMMITTEE[9]), 403, "FORBIDDEN")
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/checkin"), 401)
    attendance = client.get(f"/api/v1/meetings/{meeting}/attendance").json()
    by = {m["deputy_id"]: m["by"] for m in attendance["members"]}
    assert by[COMMITTEE[0]] == "staff" and by[COMMITTEE[1]] is None and attendance["present"] == 2


def test_meeting_members_are_checked_against_the_roster(voting, client):
    body = {"title": "测试", "kind": "standing_committee", "starts_at": STARTS, "members": COMMITTEE[:3] + ["D9999"]}
    error = assert_json_error(client.post("/api/v1/meetings", as_user="staff", json=body), 422, "UNPROCESSABLE")
    assert error["details"]["unknown"] == ["D9999"]
    error = assert_json_error(client.post("/api/v1/meetings", as_user="staff", json={**body, "kind": "party"}),
                              400, "VALIDATION_ERROR")
    assert "kind" in error["details"]
    assert_json_error(client.post("/api/v1/meetings", as_user=COMMITTEE[0], json=body), 403)
    meeting = voting.meeting(COMMITTEE[:3], observers=["县人民法院院长"], chair=COMMITTEE[0])
    shown = client.get(f"/api/v1/meetings/{meeting}").json()
    assert shown["members"] == COMMITTEE[:3] and shown["observers"][0]["name"] == "县人民法院院长"
    assert any(m["id"] == meeting for m in client.get("/api/v1/meetings?limit=500").json()["items"])


# -- secret and named ballots, the ballot box --------------------------------------------------------
def _no_member_ids(text):
    return [code for code in COMMITTEE if code in text]


def test_secret_item_exposes_no_member_id_and_named_item_does(voting, client, config):
    probe = EventProbe(config["AMQP_URI"], "voting", "#")
    try:
        meeting = voting.meeting(COMMITTEE[:15])
        voting.checkin(meeting, COMMITTEE[:15])
        secret = voting.item(meeting, title="秘密表决事项")
        named = voting.item(meeting, title="记名表决事项", mode="named")
        closed = []
        for item in (secret, named):
            assert voting.open(meeting, item).status_code == 200
            for code in COMMITTEE[:14]:
                assert voting.vote(meeting, item, code, "yes").status_code == 201
            # the ticker's running tally reaches the exchange before close
            probe.wait_for(lambda e: e["type"] == "tally_updated" and e["data"]["item_id"] == item
                           and e["data"]["voted"] == 14, timeout=10)
            voting.close(meeting, item)
            # (the probe drops what does not match: wait for this item's close before the next item)
            closed.append(probe.wait_for(lambda e: e["type"] == "vote_closed" and e["data"]["item_id"] == item))
    finally:
        probe.close()
    public = {
        "result": client.get(f"/api/v1/meetings/{meeting}/items/{secret}/result").text,
        "audit": client.get(f"/api/v1/meetings/{meeting}/items/{secret}/audit").text,
        "vote_closed": json.dumps(closed[0], ensure_ascii=False),
        "meeting": json.dumps(client.get(f"/api/v1/meetings/{meeting}").json()["items"][0], ensure_ascii=False),
    }
    for where, text in public.items():
        assert _no_member_ids(text) == [], where
    named_audit = client.get(f"/api/v1/meetings/{meeting}/items/{named}/audit").json()
    assert {b["token"] for b in named_audit["ballots"]} == set(COMMITTEE[:14])
    secret_audit = json.loads(public["audit"])
    assert len({b["token"] for b in secret_audit["ballots"]}) == 14
    assert all(b["token"].startswith("t-") for b in secret_audit["ballots"])


def test_tally_events_name_no_secret_voter_and_named_tallies_list_voters(voting, config):
    probe = EventProbe(config["AMQP_URI"], "voting", "tally_updated")
    try:
        meeting = voting.meeting(COMMITTEE[:15])
        voting.checkin(meeting, COMMITTEE[:15])
        secret = voting.item(meeting)
        assert voting.open(meeting, secret).status_code == 200
        voting.vote(meeting, secret, COMMITTEE[0], "yes")
        event = probe.wait_for(lambda e: e["data"]["item_id"] == secret and e["data"]["voted"] == 1)
        assert "voters" not in event["data"] and _no_member_ids(json.dumps(event)) == []
        assert (event["data"]["yes"], event["data"]["no"], event["data"]["abstain"]) == (None, None, None)
        assert event["data"]["present"] == 15 and event["data"]["not_voted"] == 14 and event["data"]["seq"] >= 1
        voting.close(meeting, secret)
        named = voting.item(meeting, mode="named")
        assert voting.open(meeting, named).status_code == 200
        voting.vote(meeting, named, COMMITTEE[3], "abstain")
        event = probe.wait_for(lambda e: e["data"]["item_id"] == named and e["data"]["voted"] == 1)
        assert event["data"]["voters"] == [{"deputy_id": COMMITTEE[3], "choice": "abstain"}]
        voting.close(meeting, named)
    finally:
        probe.close()


def test_receipt_inclusion_before_and_after_close(voting, client):
    meeting = voting.meeting(COMMITTEE[:5])
    voting.checkin(meeting, COMMITTEE[:5])
    item = voting.item(meeting)
    assert voting.open(meeting, item).status_code == 200
    receipts = [voting.vote(meeting, item, code, "yes").json()["receipt"] for code in COMMITTEE[:5]]
    before = client.get(f"/api/v1/meetings/{meeting}/items/{item}/receipts/{receipts[2]}").json()
    assert before["included"] is True and before["status"] == "open" and "proof" not in before
    result = voting.close(meeting, item)
    for receipt in receipts:
        after = client.get(f"/api/v1/meetings/{meeting}/items/{item}/receipts/{receipt}").json()
        assert after["verified"] is True and after["digest"] == result["digest"]
    assert_json_error(client.get(f"/api/v1/meetings/{meeting}/items/{item}/receipts/{'0' * 64}"), 404)


def _recount(url):
    return subprocess.run([sys.executable, "-m", "tools.recount", "--url", url], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_recount_tool_confirms_the_result_and_catches_a_ballot_changed_in_the_database(voting, client):
    meeting, item, result = voting.run(COMMITTEE[:25], 20, yes=13, no=4, abstain=2, mode="named")
    assert result["passed"] is True
    url = f"{client.base_url}/api/v1/meetings/{meeting}/items/{item}/audit"
    ok = _recount(url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith(f"OK item {item}")
    audit = client.get(f"/api/v1/meetings/{meeting}/items/{item}/audit").json()
    victim = next(b for b in audit["ballots"] if b["choice"] == "yes")
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        # the service's own role cannot change a ballot; a superuser who disables the trigger can
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("UPDATE voting.ballots SET choice = 'no' WHERE id = %s", (victim["seq"],))
        conn.execute("ALTER TABLE voting.ballots DISABLE TRIGGER ballots_no_update")
        try:
            conn.execute("UPDATE voting.ballots SET choice = 'no' WHERE id = %s", (victim["seq"],))
        finally:
            conn.execute("ALTER TABLE voting.ballots ENABLE TRIGGER ballots_no_update")
    caught = _recount(url)
    assert caught.returncode == 1, caught.stdout
    assert f"ballot seq {victim['seq']}:" in caught.stdout
    assert "yes: declared 13, recounted 12" in caught.stdout


def test_recount_tool_catches_a_sealed_secret_ballot_changed_in_the_database(voting, client):
    meeting, item, result = voting.run(COMMITTEE[:25], 20, yes=13, no=4, abstain=2)
    url = f"{client.base_url}/api/v1/meetings/{meeting}/items/{item}/audit"
    assert _recount(url).returncode == 0
    victim = next(b for b in client.get(f"/api/v1/meetings/{meeting}/items/{item}/audit").json()["ballots"]
                  if b["choice"] == "yes")
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException):     # sealed ballots are append-only too
            conn.execute("UPDATE voting.sealed_ballots SET choice = 'no' WHERE token = %s", (victim["token"],))
        conn.execute("ALTER TABLE voting.sealed_ballots DISABLE TRIGGER sealed_ballots_no_update")
        try:
            conn.execute("UPDATE voting.sealed_ballots SET choice = 'no' WHERE token = %s", (victim["token"],))
        finally:
            conn.execute("ALTER TABLE voting.sealed_ballots ENABLE TRIGGER sealed_ballots_no_update")
    caught = _recount(url)
    assert caught.returncode == 1, caught.stdout
    assert f"ballot {victim['token']}:" in caught.stdout and "yes: declared 13, recounted 12" in caught.stdout


def test_demo_past_meeting_recounts_ok(client):
    meetings = client.get("/api/v1/meetings?limit=500").json()["items"]
    past = next(m for m in meetings if m["title"] == "宁陕县第十九届人大常委会第二十三次会议")
    items = client.get(f"/api/v1/meetings/{past['id']}").json()["items"]
    assert len(items) >= 12 and all(i["status"] == "closed" for i in items)
    assert any(i["kind"] == "appointment" and i["merged"] for i in items)
    assert any(i["kind"] == "appointment" and not i["merged"] for i in items)
    for item in items[-3:]:
        checked = _recount(f"{client.base_url}/api/v1/meetings/{past['id']}/items/{item['id']}/audit")
        assert checked.returncode == 0, checked.stdout


# -- items of other kinds --------------------------------------------------------------------------
def test_appointment_lists_per_person_and_merged(voting, client):
    candidates = [{"name": "甲某", "post": "局长"}, {"name": "乙某", "post": "副局长"}]
    meeting = voting.meeting()
    voting.checkin(meeting, COMMITTEE[:20])
    per_person = voting.item(meeting, kind="appointment", title="任命（逐人）", candidates=candidates)
    merged = voting.item(meeting, kind="appointment", title="任命（合并）", candidates=candidates, merged=True)
    assert voting.open(meeting, per_person).status_code == 200
    assert_json_error(voting.vote(meeting, per_person, COMMITTEE[0], "yes"), 422)
    for index, code in enumerate(COMMITTEE[:20]):
        choices = {"甲某": "yes", "乙某": "yes" if index < 10 else "no"}
        assert voting.vote(meeting, per_person, code, choices=choices).status_code == 201
    result = voting.close(meeting, per_person)
    by_name = {c["name"]: c for c in result["candidates"]}
    assert by_name["甲某"]["yes"] == 20 and by_name["甲某"]["passed"] is True
    assert by_name["乙某"]["yes"] == 10 and by_name["乙某"]["passed"] is False and result["passed"] is False
    assert _recount(f"{client.base_url}/api/v1/meetings/{meeting}/items/{per_person}/audit").returncode == 0
    assert voting.open(meeting, merged).status_code == 200
    for code in COMMITTEE[:13]:
        voting.vote(meeting, merged, code, "yes")
    result = voting.close(meeting, merged)
    assert result["passed"] is True and all(c["passed"] and c["yes"] == 13 for c in result["candidates"])


def test_show_of_hands_and_paper_counts_are_entered_and_the_service_decides(voting, client):
    meeting = voting.meeting()
    voting.checkin(meeting, COMMITTEE[:20], on_behalf=True)
    hands = voting.item(meeting, mode="show_of_hands")
    removal = voting.item(meeting, kind="removal", title="撤职事项")
    assert client.get(f"/api/v1/meetings/{meeting}").json()["items"][1]["mode"] == "paper"
    assert voting.open(meeting, hands).status_code == 200
    assert_json_error(voting.vote(meeting, hands, COMMITTEE[0], "yes"), 409)
    assert_json_error(client.post(f"/api/v1/meetings/{meeting}/items/{hands}/close", as_user="staff"), 409)
    tally = f"/api/v1/meetings/{meeting}/items/{hands}/tally"
    error = assert_json_error(client.post(tally, as_user="staff", json={"yes": 15, "no": 5, "abstain": 1}), 422)
    assert "more than the 20 members present" in error["details"]["counts"][0]
    assert client.post(tally, as_user="staff", json={"yes": 12, "no": 5, "abstain": 1}).status_code == 200
    result = voting.close(meeting, hands)
    assert (result["yes"], result["not_voted"], result["threshold"], result["passed"], result["manual"]) == \
        (12, 2, 13, False, True)
    assert voting.open(meeting, removal).status_code == 200
    client.post(f"/api/v1/meetings/{meeting}/items/{removal}/tally", as_user="staff",
                json={"yes": 18, "no": 1, "abstain": 1})
    assert voting.close(meeting, removal)["passed"] is True
    assert _recount(f"{client.base_url}/api/v1/meetings/{meeting}/items/{removal}/audit").returncode == 0


def test_amendment_is_voted_before_its_motion(voting):
    meeting = voting.meeting()
    voting.checkin(meeting, COMMITTEE[:13])
    motion = voting.item(meeting)
    amendment = voting.item(meeting, kind="amendment", title="修正案", amends=motion)
    error = assert_json_error(voting.open(meeting, motion), 409)
    assert error["details"] == {"amendments_not_voted": [amendment]}
    assert voting.open(meeting, amendment).status_code == 200
    assert_json_error(voting.open(meeting, motion), 409)          # and one item open at a time
    voting.close(meeting, amendment)
    assert voting.open(meeting, motion).status_code == 200


def test_chair_and_staff_see_who_has_not_voted_never_choices(voting, client):
    meeting = voting.meeting(COMMITTEE[:5], chair=COMMITTEE[0])
    voting.checkin(meeting, COMMITTEE[:4])
    item = voting.item(meeting)
    assert voting.open(meeting, item).status_code == 200
    voting.vote(meeting, item, COMMITTEE[1], "no")
    pending = client.get(f"/api/v1/meetings/{meeting}/items/{item}/pending", as_user=COMMITTEE[0])
    assert pending.status_code == 200, pending.text
    assert [p["deputy_id"] for p in pending.json()["pending"]] == [COMMITTEE[0], COMMITTEE[2], COMMITTEE[3]]
    assert "no" not in json.dumps(pending.json()["pending"])
    assert client.get(f"/api/v1/meetings/{meeting}/items/{item}/pending", as_user="staff").json()["count"] == 3
    assert_json_error(client.get(f"/api/v1/meetings/{meeting}/items/{item}/pending", as_user=COMMITTEE[1]), 403)


def test_dashboard_attendance_has_real_figures(voting, client):
    code = COMMITTEE[24]
    before = client.get(f"/api/v1/deputies/{code}/dashboard").json()["attendance"]
    meeting = voting.meeting(COMMITTEE[:25])
    voting.checkin(meeting, COMMITTEE[:13] + [code])
    item = voting.item(meeting)
    assert voting.open(meeting, item).status_code == 200
    voting.vote(meeting, item, code, "yes")
    after = client.get(f"/api/v1/deputies/{code}/dashboard").json()["attendance"]
    assert after["meetings"] == before["meetings"] + 1
    assert after["attended"] == before["attended"] + 1
    assert after["votes_cast"] == before["votes_cast"] + 1
    absent = client.get(f"/api/v1/deputies/{COMMITTEE[20]}/dashboard").json()["attendance"]
    assert absent["absent"] >= 1 and set(absent) >= {"meetings", "attended", "absent", "votes_cast"}
    voting.close(meeting, item)


def test_meeting_creation_honours_idempotency_key(client):
    body = {"title": "幂等会议", "kind": "chairpersons", "starts_at": STARTS, "members": COMMITTEE[:7]}
    headers = {"Idempotency-Key": "meeting-" + os.urandom(6).hex()}
    first = client.post("/api/v1/meetings", as_user="staff", json=body, headers=dict(headers))
    again = client.post("/api/v1/meetings", as_user="staff", json=body, headers=dict(headers))
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["kind"] == "chairpersons"


def test_close_during_a_burst_of_ballots_counts_every_acknowledged_ballot(voting, client):
    """Ballots race the close: each one answered 201 is in the closed ballot box, the box has
    nothing the result did not count, and every later ballot is refused with 409."""
    import concurrent.futures
    import threading

    meeting = voting.meeting()
    voting.checkin(meeting, COMMITTEE, on_behalf=True)
    item = voting.item(meeting)
    assert voting.open(meeting, item).status_code == 200
    for code in COMMITTEE:
        client.token(code)          # log in first: the burst is ballots only
    stop = threading.Event()
    answers = []

    def voter(code):
        from tests.support.platform import Client
        own = Client(client.base_url)
        own.tokens = client.tokens
        while True:
            response = voting_vote(own, meeting, item, code)
            answers.append((code, response.status_code, response.json()))
            if response.status_code != 201 or stop.is_set():
                return

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(voter, code) for code in COMMITTEE[:8]]
        eventually(lambda: len(answers) >= 40, timeout=30, what="a burst of ballots")
        result = voting.close(meeting, item)
        stop.set()
        for future in futures:
            future.result(timeout=60)
    statuses = {status for _, status, _ in answers}
    assert statuses <= {201, 409}, statuses
    audit = client.get(f"/api/v1/meetings/{meeting}/items/{item}/audit").json()
    in_box = {b["leaf_hash"] for b in audit["ballots"]}
    # a secret box keeps each voter's LAST ballot: every voter's last acknowledged receipt is
    # counted, and the superseded ones are gone
    acknowledged = {}
    for code, status, body in answers:                          # each voter's answers in order
        if status == 201:
            acknowledged.setdefault(code, []).append(body["receipt"])
    assert {receipts[-1] for receipts in acknowledged.values()} == in_box
    assert not in_box & {r for receipts in acknowledged.values() for r in receipts[:-1]}
    assert result["ballots"] == len(audit["ballots"]) == len(acknowledged)   # nothing slipped in after the count
    assert result["yes"] == len({code for code, status, _ in answers if status == 201})
    refused = [body for _, status, body in answers if status == 409]
    assert all(body["error"]["details"]["status"] == "closed" for body in refused)


def voting_vote(own_client, meeting, item, code):
    return own_client.post(f"/api/v1/meetings/{meeting}/items/{item}/ballots", as_user=code, json={"choice": "yes"})


def test_a_deputy_lists_only_the_meetings_they_belong_to(voting, client):
    theirs = voting.meeting(COMMITTEE[:3])
    others = voting.meeting(COMMITTEE[3:6])
    listed = [m["id"] for m in client.get(f"/api/v1/meetings?limit=500&member={COMMITTEE[0]}").json()["items"]]
    assert theirs in listed and others not in listed
    everyone = [m["id"] for m in client.get("/api/v1/meetings?limit=500").json()["items"]]
    assert {theirs, others} <= set(everyone)
    refused = client.get("/api/v1/meetings?member=nobody")
    assert refused.status_code == 400 and "member" in refused.json()["error"]["details"]


def test_concurrent_sign_ins_carry_exact_present_counts(voting, client, config):
    import concurrent.futures

    probe = EventProbe(config["AMQP_URI"], "voting", "#")
    try:
        meeting = voting.meeting()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda code: voting.checkin(meeting, [code], on_behalf=True), COMMITTEE))
        events = probe.collect(lambda e: e["type"] == "member_signed_in" and e["data"]["meeting_id"] == meeting,
                               len(COMMITTEE))
        assert sorted(e["data"]["present"] for e in events) == list(range(1, 26))
        assert events[-1]["data"]["present"] == 25            # the relay publishes in commit order
        assert client.post(f"/api/v1/meetings/{meeting}/checkout", as_user=COMMITTEE[3]).json()["present"] == 24
        out = probe.wait_for(lambda e: e["type"] == "member_signed_out" and e["data"]["meeting_id"] == meeting)
        assert out["data"]["present"] == 24 and out["data"]["expected"] == 25
    finally:
        probe.close()
    listed = next(m for m in client.get("/api/v1/meetings?limit=500").json()["items"] if m["id"] == meeting)
    assert (listed["expected"], listed["present"]) == (25, 24)


def test_checkpoints_published_while_voting_are_in_the_audit_and_recount(voting, client, config):
    probe = EventProbe(config["AMQP_URI"], "voting", "tally_updated")
    try:
        meeting = voting.meeting(COMMITTEE[:9])
        voting.checkin(meeting, COMMITTEE[:9])
        item = voting.item(meeting, mode="named")     # a secret item has no checkpoints (issue 8)
        assert voting.open(meeting, item).status_code == 200
        for code in COMMITTEE[:5]:
            assert voting.vote(meeting, item, code, "yes").status_code == 201
        first = probe.wait_for(lambda e: e["data"]["item_id"] == item and (e["data"].get("checkpoint") or {})
                               .get("ballots") == 5, timeout=10)["data"]["checkpoint"]
        for code in COMMITTEE[5:8]:
            assert voting.vote(meeting, item, code, "no").status_code == 201
        second = probe.wait_for(lambda e: e["data"]["item_id"] == item and (e["data"].get("checkpoint") or {})
                                .get("ballots") == 8, timeout=10)["data"]["checkpoint"]
    finally:
        probe.close()
    voting.close(meeting, item)
    audit = client.get(f"/api/v1/meetings/{meeting}/items/{item}/audit").json()
    assert first in audit["checkpoints"] and second in audit["checkpoints"]
    assert first["root"] != second["root"] == audit["digest"]     # nothing was cast after the second
    assert _recount(f"{client.base_url}/api/v1/meetings/{meeting}/items/{item}/audit").returncode == 0
