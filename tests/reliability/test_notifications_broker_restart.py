"""RabbitMQ killed while the deputy service is filling inboxes from a stream of suggestion
events: once the broker is back, every event the broker confirmed is in every entitled
deputy's inbox exactly once — nothing lost (durable queues, persistent messages, ack after
commit), nothing doubled (claim_event + the unique (event_id, deputy) constraint) although
messages that were in flight at the kill are delivered again."""
import json

import pika
import pytest

from kernel.envelope import new_envelope
from tests.support.platform import eventually

pytestmark = pytest.mark.slow

EVENTS = 1200
DEMO_DEPUTIES = 693
KILL_AFTER_ROWS = 150  # inbox rows written before the broker is killed
QUEUE = "evt-suggestion-suggestion_accepted--deputy.on_suggestion_suggestion_accepted"


def events():
    """Suggestion events for two demo deputies each, as the suggestion service's relay publishes them."""
    found = []
    for i in range(EVENTS):
        codes = ["D%04d" % ((2 * i) % (DEMO_DEPUTIES - 1) + 1), "D%04d" % ((2 * i + 1) % (DEMO_DEPUTIES - 1) + 1)]
        data = {"suggestion_id": f"rel-{i}", "number": "19-9-%03d" % i, "title": f"可靠性测试建议{i}",
                "category": "其他", "status": "accepted", "lead_deputy": codes[0], "deputies": codes,
                "departments": [], "actor": {"role": "staff", "subject": None, "username": "staff"}}
        found.append(new_envelope("suggestion_accepted", data, "suggestion", aggregate_id=f"rel-{i}"))
    return found


def publish_all(stack, envelopes):
    connection, channel = stack.channel()
    try:
        channel.confirm_delivery()
        for envelope in envelopes:
            channel.basic_publish("suggestion.events", "suggestion_accepted", json.dumps(envelope).encode(),
                                  pika.BasicProperties(delivery_mode=2, content_type="application/json",
                                                       message_id=envelope["event_id"]), mandatory=True)
    finally:
        connection.close()


def inbox_rows(stack, event_ids):
    return stack.scalar("SELECT count(*) FROM deputy.notifications WHERE event_id = ANY(%s)", (event_ids,))


def test_broker_killed_mid_stream_every_notification_once(stack, launch):
    envelopes = events()
    event_ids = [e["event_id"] for e in envelopes]
    publish_all(stack, envelopes)  # all confirmed: on disk in the durable queue, a backlog ...
    platform = launch(["deputy"])  # ... that the deputy service starts working through
    eventually(lambda: inbox_rows(stack, event_ids) >= KILL_AFTER_ROWS, timeout=60,
               what=f"{KILL_AFTER_ROWS} inbox rows before the kill")
    stack.rabbit.kill()
    written_at_kill = inbox_rows(stack, event_ids)
    stack.rabbit.start()

    eventually(lambda: inbox_rows(stack, event_ids) >= 2 * EVENTS, timeout=120,
               what=f"all {2 * EVENTS} inbox rows after the restart (logs in {platform.log_dir})")
    per_pair = stack.query(
        "SELECT count(*) FROM deputy.notifications WHERE event_id = ANY(%s) GROUP BY event_id, deputy_code",
        (event_ids,))
    assert len(per_pair) == 2 * EVENTS and {count for (count,) in per_pair} == {1}
    claimed = stack.scalar("SELECT count(*) FROM deputy.processed_events WHERE consumer = 'deputy.notifications' "
                           "AND event_id = ANY(%s)", (event_ids,))
    assert claimed == EVENTS
    assert written_at_kill < 2 * EVENTS, "the broker went down only after the stream was consumed"
    eventually(lambda: stack.queue_depth(QUEUE) == 0, timeout=30, what="the queue drained")
    assert stack.queue_depth(QUEUE + ".dlq") == 0
    platform.assert_all_running()
    print(f"\n{written_at_kill} of {2 * EVENTS} inbox rows written when the broker was killed")
