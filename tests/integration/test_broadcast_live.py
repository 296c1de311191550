"""The gateway's live stream (SSE) fed by its broadcast queue on ``voting.events``.

Two gateways in-process (each its own runner, hence its own broadcast queue) and a stub of
the voting service's ``live_snapshot`` RPC: what is tested here is the gateway's plumbing,
with envelopes this test publishes itself in the outbox relay's format. The real voting
service feeds the same stream in tests/e2e/test_live_e2e.py."""
import uuid

import pytest
import requests
from nameko.runners import ServiceRunner

from gateway.broadcast import LiveBroadcast, Subscription, public_data
from gateway.service import GatewayService
from kernel.consumer import rpc
from kernel.envelope import new_envelope
from kernel.errors import NotFound
from tests.integration.helpers import Broker
from tests.support.platform import eventually, free_port, rabbitmqctl
from tests.support.sse import SseStream, seq_of

HEARTBEAT = 0.3


class StubVoting:
    """Answers the gateway's snapshot call as the voting service does."""
    name = "voting"

    @rpc
    def get_meeting(self, meeting_id):
        if meeting_id.startswith("missing"):
            raise NotFound("no such meeting", {"meeting_id": meeting_id})
        return {"id": meeting_id, "title": "stub", "kind": "standing_committee", "expected": 5, "present": 1,
                "members": ["D0001", "D0002", "D0003", "D0004", "D0005"], "items": []}


@pytest.fixture(scope="module")
def gateways(demo_loaded):
    """Two gateway containers (each its own broadcast queue) and the stub voting service."""
    runners = []
    try:
        for cls in (StubVoting, GatewayService, GatewayService):
            runner = ServiceRunner(dict(demo_loaded, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}",
                                        LIVE_HEARTBEAT_SECONDS=HEARTBEAT))
            runner.add_service(cls)
            runner.start()
            runners.append(runner)
        yield [Gateway(runner) for runner in runners[1:]]
    finally:
        for runner in reversed(runners):
            runner.stop()


class Gateway:
    def __init__(self, runner):
        container = runner.service_map["gateway"]
        self.url = "http://" + container.config["WEB_SERVER_ADDRESS"]
        self.hub = next(dep for dep in container.dependencies if isinstance(dep, LiveBroadcast))

    def live(self, meeting_id, **headers):
        return SseStream(f"{self.url}/api/v1/meetings/{meeting_id}/live", headers=headers)


@pytest.fixture
def broker(prepared):
    with Broker(prepared["AMQP_URI"]) as broker:
        yield broker


def publish(broker, event_type, **data):
    envelope = new_envelope(event_type, data, "voting", aggregate_id=data.get("meeting_id"))
    broker.publish(envelope, exchange="voting.events", routing_key=event_type)
    return envelope


def new_meeting():
    return "m-" + uuid.uuid4().hex[:10]


def meeting_events(broker, meeting_id, item_id="item-1", mode="secret"):
    """A meeting's life, as the voting service publishes it."""
    sent = [
        publish(broker, "member_signed_in", meeting_id=meeting_id, deputy_id="D0001", name="甲", by=None,
                present=1, expected=3),
        publish(broker, "member_signed_in", meeting_id=meeting_id, deputy_id="D0002", name="乙", by="staff",
                present=2, expected=3),
        publish(broker, "item_opened", meeting_id=meeting_id, item_id=item_id, title="关于…的决定", kind="resolution",
                mode=mode, expected=3, present=2, threshold=2, candidates=[]),
    ]
    for seq, (yes, no) in enumerate(((1, 0), (1, 1), (2, 0)), start=1):
        sent.append(publish(broker, "tally_updated", meeting_id=meeting_id, item_id=item_id, seq=seq, expected=3,
                            present=2, yes=yes, no=no, abstain=0, voted=yes + no, not_voted=2 - yes - no,
                            threshold=2, candidates=[]))
    sent.append(publish(broker, "vote_closed", meeting_id=meeting_id, item_id=item_id, digest="ab" * 32,
                        result={"expected": 3, "present": 2, "yes": 2, "no": 0, "abstain": 0, "not_voted": 0,
                                "threshold": 2, "passed": True, "candidates": []}))
    return sent


def test_a_stream_starts_with_a_snapshot_then_delivers_the_meeting_events_in_order(gateways, broker):
    meeting_id, other = new_meeting(), new_meeting()
    with gateways[0].live(meeting_id) as stream:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert "no-cache" in stream.headers["Cache-Control"]
        snapshot = stream.wait_event("snapshot")
        assert snapshot["data"]["meeting_id"] == meeting_id and snapshot["data"]["present"] == 1
        assert "members" not in snapshot["data"] and "D0001" not in snapshot["raw"]
        assert stream.retry == 2000
        meeting_events(broker, other, "other-item")   # another meeting's events are not on this stream
        sent = meeting_events(broker, meeting_id)
        stream.wait_event("vote_closed")
        events = stream.events[1:]
        assert [e["event"] for e in events] == [e["type"] for e in sent]
        assert [e["data"] for e in events] == [e["data"] for e in sent]
        seqs = [seq_of(e) for e in stream.events]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs  # increasing by one from the snapshot's
        assert {e["id"].rsplit("-", 1)[0] for e in stream.events} == {gateways[0].hub.epoch}


def test_each_gateway_process_streams_every_event_to_its_own_clients(gateways, broker):
    meeting_id = new_meeting()
    streams = [gateway.live(meeting_id) for gateway in gateways for _ in range(2)]
    try:
        for stream in streams:
            stream.wait_event("snapshot")
        sent = meeting_events(broker, meeting_id)
        for stream in streams:
            stream.wait_event("vote_closed")
            assert [e["data"] for e in stream.events[1:]] == [e["data"] for e in sent]
        assert gateways[0].hub.queue_name != gateways[1].hub.queue_name
        assert [gateway.hub.clients(meeting_id) for gateway in gateways] == [2, 2]
    finally:
        for stream in streams:
            stream.close()


def test_last_event_id_resumes_with_exactly_the_missed_events(gateways, broker):
    meeting_id = new_meeting()
    with gateways[0].live(meeting_id) as first:
        first.wait_event("snapshot")
        publish(broker, "member_signed_in", meeting_id=meeting_id, deputy_id="D0001", name="甲", by=None,
                present=1, expected=3)
        last_seen = first.wait_event("member_signed_in")
    missed = [publish(broker, "member_signed_in", meeting_id=meeting_id, deputy_id=f"D000{n}", name="乙", by=None,
                      present=n, expected=3) for n in (2, 3)]
    eventually(lambda: gateways[0].hub.channels[meeting_id].seq == seq_of(last_seen) + 2, 10, "the missed events")
    with gateways[0].live(meeting_id, **{"Last-Event-ID": last_seen["id"]}) as resumed:
        resumed.wait_for(lambda e: e["data"].get("present") == 3, what="the second missed sign-in")
        assert [e["event"] for e in resumed.events] == ["member_signed_in", "member_signed_in"]
        assert [e["data"] for e in resumed.events] == [e["data"] for e in missed]
        assert [seq_of(e) for e in resumed.events] == [seq_of(last_seen) + 1, seq_of(last_seen) + 2]
    # an id this process cannot resume (another process's, or from before a reconnect): a snapshot
    with gateways[1].live(meeting_id, **{"Last-Event-ID": last_seen["id"]}) as elsewhere:
        assert elsewhere.wait_for(lambda e: True)["event"] == "snapshot"


def test_heartbeats_flow_and_a_disconnected_client_is_unsubscribed(gateways):
    meeting_id = new_meeting()
    hub = gateways[0].hub
    stream = gateways[0].live(meeting_id)
    stream.wait_event("snapshot")
    assert hub.clients(meeting_id) == 1
    stream.wait_comments(2, timeout=10 * HEARTBEAT)
    stream.close()
    eventually(lambda: hub.clients(meeting_id) == 0, 10 * HEARTBEAT, "the closed client to be dropped")


def test_member_choices_never_leave_for_an_item_not_known_to_be_named(gateways, broker):
    meeting_id = new_meeting()
    voters = [{"deputy_id": "D0001", "choice": "yes"}]
    with gateways[0].live(meeting_id) as stream:
        stream.wait_event("snapshot")
        for item_id, mode in (("secret-1", "secret"), ("named-1", "named")):
            publish(broker, "item_opened", meeting_id=meeting_id, item_id=item_id, title="t", kind="resolution",
                    mode=mode, expected=3, present=3, threshold=2, candidates=[])
            publish(broker, "tally_updated", meeting_id=meeting_id, item_id=item_id, seq=1, expected=3, present=3,
                    yes=1, no=0, abstain=0, voted=1, not_voted=2, threshold=2, candidates=[], voters=voters)
        named = stream.wait_event("tally_updated", where=lambda d: d["item_id"] == "named-1")
        secret = stream.wait_event("tally_updated", where=lambda d: d["item_id"] == "secret-1")
        assert named["data"]["voters"] == voters
        assert "voters" not in secret["data"] and "D0001" not in secret["raw"]


def test_an_unknown_meeting_is_a_json_404_and_leaves_no_subscriber(gateways):
    meeting_id = "missing-" + uuid.uuid4().hex[:6]
    response = requests.get(f"{gateways[0].url}/api/v1/meetings/{meeting_id}/live", timeout=10)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert gateways[0].hub.clients(meeting_id) == 0


def test_messages_that_are_not_envelopes_are_skipped(gateways, broker):
    meeting_id = new_meeting()
    with gateways[0].live(meeting_id) as stream:
        stream.wait_event("snapshot")
        broker.publish(b"not json at all", exchange="voting.events", routing_key="junk")
        broker.publish({"type": "tally_updated"}, exchange="voting.events", routing_key="tally_updated")
        broker.publish(b"\x00\x01", exchange="voting.events", routing_key="junk", content_type="application/x-thing")
        publish(broker, "member_signed_in", meeting_id=meeting_id, deputy_id="D0001", name="甲", by=None,
                present=1, expected=3)
        stream.wait_event("member_signed_in")
        assert [e["event"] for e in stream.events] == ["snapshot", "member_signed_in"]


def test_the_pages_and_their_assets_are_served(gateways):
    for path in ("/meetings/m1/display", "/meetings/m1/chair"):
        response = requests.get(gateways[0].url + path, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
        assert "/static/meeting/live.js" in response.text
    for path in ("/meetings/missing-m1/display", "/meetings/missing-m1/chair"):   # the voting service: 404
        response = requests.get(gateways[0].url + path, timeout=10)
        assert response.status_code == 404 and "<h1 id=\"missing\">会议不存在</h1>" in response.text
    response = requests.get(gateways[0].url + "/static/meeting/live.js", timeout=10)
    assert response.status_code == 200 and "EventSource" in response.text
    assert requests.get(gateways[0].url + "/static/meeting/nothing.js", timeout=10).status_code == 404
    assert requests.get(gateways[0].url + "/static/meeting/..%2Fdisplay.html", timeout=10).status_code == 404


def close_broker_connection(connection_name):
    """Make the broker drop one client connection (as a broker restart or a network cut does)."""
    listed = rabbitmqctl("-q", "list_connections", "--no-table-headers", "pid", "client_properties").stdout
    pids = [line.split("\t", 1)[0] for line in listed.splitlines() if f'"{connection_name}"' in line]
    assert pids, f"no broker connection named {connection_name}"
    for pid in pids:
        rabbitmqctl("close_connection", pid, "test: connection lost")


def test_when_the_broker_connection_is_lost_streams_reset_and_the_feed_comes_back(gateways, broker):
    hub = gateways[0].hub
    meeting_id = new_meeting()
    stream = gateways[0].live(meeting_id)
    snapshot = stream.wait_event("snapshot")
    epoch = hub.epoch
    close_broker_connection(hub.queue_name)
    # events published while the queue was gone never reach this process: the client must
    # start again from a snapshot, so its stream says so and ends (EventSource reconnects)
    assert stream.wait_event("reset", timeout=10)["data"] == {"reason": "resync"}
    stream.wait_ended()
    eventually(lambda: hub.epoch not in (None, epoch), 15, "the broadcast queue to be bound again")
    with gateways[0].live(meeting_id, **{"Last-Event-ID": snapshot["id"]}) as again:
        assert again.wait_for(lambda e: True)["event"] == "snapshot"
        publish(broker, "member_signed_in", meeting_id=meeting_id, deputy_id="D0001", name="甲", by=None,
                present=1, expected=3)
        assert again.wait_event("member_signed_in")["id"].startswith(hub.epoch + "-")


# -- the hub's client queues, without a broker ----------------------------------------------
class _Hub:
    def unsubscribe(self, subscription):
        pass


def test_a_client_that_falls_behind_is_ended_with_a_reset():
    subscription = Subscription(_Hub(), "m", limit=3)
    for n in range(5):
        subscription.push(f"frame {n}".encode())
    assert subscription.ended == "overflow"
    frames = subscription.next_frames(0.01)
    assert frames[:-1] == [b"frame 0", b"frame 1", b"frame 2"] and frames[-1] is not None
    assert subscription.next_frames(0.01) == []


def test_voters_are_kept_only_for_named_items():
    data = {"item_id": "i", "yes": 1, "voters": [{"deputy_id": "D0001", "choice": "yes"}]}
    assert "voters" not in public_data("tally_updated", data, named_items=set())
    assert public_data("tally_updated", data, named_items={"i"}) == data
