"""The live stream through the whole platform: the voting service's events, through its
outbox and ``voting.events``, to Server-Sent Events on TWO gateway processes, each serving
its own client."""
import datetime
import os
import re

import pytest

from gateway.auth import issue_token
from tests.support.platform import PlatformProcesses, eventually
from tests.support.sse import SseStream, seq_of

MEMBER_CODE = re.compile(r"D\d{4}")


@pytest.fixture(scope="module")
def gateways(platform):
    """The platform's gateway and a second gateway process (its own broadcast queue)."""
    extra = PlatformProcesses(dict(os.environ), platform.log_dir, names=("gateway2",),
                              modules={"gateway2": "gateway.service"})
    extra.start_all()
    yield [platform.gateway_url, f"http://127.0.0.1:{extra.ports['gateway2']}"]
    extra.stop_all()


class Meeting:
    """Drives one meeting through the gateway (tokens minted with the configured secret:
    no bcrypt login per member)."""

    def __init__(self, client, config, members, cluster_rpc):
        self.client = client
        self.config = config
        self.members = members
        for code in members:  # the voting service's read model must know the members
            eventually(lambda: cluster_rpc.voting.directory_entry(code), 30, f"{code} in voting's deputy directory")
        response = client.post("/api/v1/meetings", as_user="staff", json={
            "title": "第十九届常委会第X次会议（实时测试）", "kind": "standing_committee",
            "starts_at": datetime.datetime.now(datetime.timezone.utc).isoformat(), "members": members})
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]

    def headers(self, code):
        token = issue_token({"username": code, "role": "deputy", "subject": code}, self.config["JWT_SECRET"], 600)
        return {"Authorization": f"Bearer {token}"}

    def check_in(self, code):
        response = self.client.post(f"/api/v1/meetings/{self.id}/checkin", headers=self.headers(code))
        assert response.status_code in (200, 201), response.text
        return response.json()

    def add_item(self, title, mode="secret", kind="resolution"):
        response = self.client.post(f"/api/v1/meetings/{self.id}/items", as_user="staff",
                                    json={"kind": kind, "title": title, "mode": mode})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def open(self, item_id):
        response = self.client.post(f"/api/v1/meetings/{self.id}/items/{item_id}/open", as_user="staff")
        assert response.status_code == 200, response.text

    def vote(self, item_id, code, choice):
        response = self.client.post(f"/api/v1/meetings/{self.id}/items/{item_id}/ballots",
                                    headers=self.headers(code), json={"choice": choice})
        assert response.status_code == 201, response.text

    def close(self, item_id):
        response = self.client.post(f"/api/v1/meetings/{self.id}/items/{item_id}/close", as_user="staff")
        assert response.status_code == 200, response.text
        return response.json()


def live(base_url, meeting_id, **headers):
    return SseStream(f"{base_url}/api/v1/meetings/{meeting_id}/live", headers=headers)


def test_both_gateways_stream_sign_ins_opening_tallies_and_result_in_order(gateways, client, config, cluster_rpc):
    members = [f"D06{n:02d}" for n in range(1, 6)]
    meeting = Meeting(client, config, members, cluster_rpc)
    streams = [live(url, meeting.id) for url in gateways]
    try:
        for stream in streams:
            snapshot = stream.wait_event("snapshot")["data"]
            assert (snapshot["expected"], snapshot["present"], snapshot["item"]) == (5, 0, None), snapshot
        for code in members[:3]:
            meeting.check_in(code)
        item_id = meeting.add_item("关于批准2026年县级预算调整方案的决议")
        meeting.open(item_id)
        for code, choice in zip(members[:3], ("yes", "yes", "no")):
            meeting.vote(item_id, code, choice)
        for stream in streams:
            stream.wait_event("tally_updated", where=lambda d: d["voted"] == 3, timeout=10)
        result = meeting.close(item_id)
        closed = [stream.wait_event("vote_closed", timeout=10) for stream in streams]
    finally:
        for stream in streams:
            stream.close()

    assert result["passed"] is False and result["threshold"] == 3
    for stream, closing in zip(streams, closed):
        events = stream.events
        seqs = [seq_of(e) for e in events]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
        kinds = [e["event"] for e in events]
        assert kinds[:5] == ["snapshot", "member_signed_in", "member_signed_in", "member_signed_in", "item_opened"]
        assert kinds[-1] == "vote_closed" and set(kinds[5:-1]) == {"tally_updated"}, kinds
        assert [e["data"]["present"] for e in events[1:4]] == [1, 2, 3]
        assert [e["data"]["deputy_id"] for e in events[1:4]] == members[:3]
        opened = events[4]["data"]
        assert (opened["item_id"], opened["mode"], opened["expected"], opened["present"], opened["threshold"]) == \
            (item_id, "secret", 5, 3, 3)
        tallies = [e["data"] for e in events[5:-1]]
        assert [t["seq"] for t in tallies] == sorted(set(t["seq"] for t in tallies))  # per-item seq increasing
        assert [t["voted"] for t in tallies] == sorted(t["voted"] for t in tallies)
        # secret item: running tallies say how many voted, never how (issue 8)
        assert all((t["yes"], t["no"], t["abstain"]) == (None, None, None) for t in tallies), tallies
        final = closing["data"]["result"]
        assert (final["expected"], final["present"], final["yes"], final["no"], final["abstain"],
                final["not_voted"], final["threshold"], final["passed"]) == (5, 3, 2, 1, 0, 0, 3, False)
        assert closing["data"]["digest"] == result["digest"]
        # secret item: no member id anywhere but in the (public) attendance events
        for event in events:
            if event["event"] not in ("member_signed_in", "member_signed_out"):
                assert not MEMBER_CODE.search(event["raw"]), event["raw"]
    # the two processes delivered the same events
    assert [(e["event"], e["data"]) for e in streams[0].events[1:]] == \
           [(e["event"], e["data"]) for e in streams[1].events[1:]]


def test_a_late_client_starts_from_a_snapshot_of_attendance_and_the_running_tally(gateways, client, config,
                                                                                   cluster_rpc):
    members = [f"D06{n:02d}" for n in range(11, 16)]
    meeting = Meeting(client, config, members, cluster_rpc)
    for code in members[:4]:
        meeting.check_in(code)
    item_id = meeting.add_item("关于任命的决定", mode="secret", kind="decision")
    meeting.open(item_id)
    meeting.vote(item_id, members[0], "yes")
    meeting.vote(item_id, members[1], "abstain")

    def running():
        with live(gateways[1], meeting.id) as stream:
            snapshot = stream.wait_event("snapshot")["data"]
        return snapshot if snapshot["item"] and snapshot["item"]["voted"] == 2 else None
    snapshot = eventually(running, 10, "a snapshot with both ballots")
    assert (snapshot["expected"], snapshot["present"]) == (5, 4)
    item = snapshot["item"]
    assert (item["item_id"], item["status"], item["mode"], item["yes"], item["no"], item["abstain"],
            item["not_voted"], item["threshold"]) == (item_id, "open", "secret", None, None, None, 2, 3)
    assert not MEMBER_CODE.search(str(snapshot)), snapshot

    meeting.close(item_id)
    with live(gateways[0], meeting.id) as stream:
        item = stream.wait_event("snapshot")["data"]["item"]
    assert (item["status"], item["passed"], item["yes"]) == ("closed", False, 1)


def test_a_named_item_streams_who_voted_what(gateways, client, config, cluster_rpc):
    members = [f"D06{n:02d}" for n in range(21, 24)]
    meeting = Meeting(client, config, members, cluster_rpc)
    for code in members:
        meeting.check_in(code)
    with live(gateways[0], meeting.id) as stream:
        stream.wait_event("snapshot")
        item_id = meeting.add_item("记名表决事项", mode="named")
        meeting.open(item_id)
        meeting.vote(item_id, members[0], "no")
        tally = stream.wait_event("tally_updated", where=lambda d: d["voted"] == 1)["data"]
    assert tally["voters"] == [{"deputy_id": members[0], "choice": "no"}]
