"""The department subscriber's message handling (services/suggestion/subscriber.py) against a
fake pika channel: ack only after handling, batched acks while a backlog streams in, bad
messages dead-lettered, failures returned to the queue, redeliveries not handled twice."""
import json
from collections import deque
from types import SimpleNamespace

import pytest

from services.suggestion.subscriber import Stop, Subscriber


class FakeChannel:
    def __init__(self):
        self._pending_events = deque()
        self.calls = []
        self.stopped = False

    def basic_ack(self, tag, multiple=False):
        self.calls.append(("ack", tag, multiple))

    def basic_nack(self, tag, requeue=True):
        self.calls.append(("nack", tag, requeue))

    def basic_reject(self, tag, requeue=True):
        self.calls.append(("reject", tag, requeue))

    def stop_consuming(self):
        self.stopped = True


class FakeConnection:
    def __init__(self):
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)


def envelope(n):
    return {"event_id": f"e{n}", "type": "suggestion_assigned", "data": {"suggestion_id": f"s{n}"}}


def deliver(subscriber, channel, tag, body, more=0, headers=None):
    channel._pending_events = deque(range(more))
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    subscriber._on_message(channel, SimpleNamespace(delivery_tag=tag), SimpleNamespace(headers=headers), raw)


def make(handle=None, **kwargs):
    handled, acked = [], []

    def default_handle(env):
        handled.append(("handled", env["event_id"]))
    subscriber = Subscriber("amqp://x", "department.edu", handle or default_handle,
                            on_ack=lambda env: acked.append(env["event_id"]), **kwargs)
    subscriber.connection = FakeConnection()
    return subscriber, handled, acked


def test_acks_at_once_when_nothing_else_waits():
    subscriber, handled, acked = make(prefetch=10)
    channel = FakeChannel()
    deliver(subscriber, channel, 1, envelope(1))
    assert handled == [("handled", "e1")] and channel.calls == [("ack", 1, False)] and acked == ["e1"]


def test_acks_a_streaming_backlog_in_batches_and_never_before_handling():
    subscriber, handled, acked = make(prefetch=10)
    channel = FakeChannel()
    for tag in range(1, 5):
        deliver(subscriber, channel, tag, envelope(tag), more=5)  # more messages buffered: deferred
    assert len(handled) == 4 and channel.calls == [] and acked == []
    deliver(subscriber, channel, 5, envelope(5), more=5)  # prefetch/2 handled: one multiple ack
    assert channel.calls == [("ack", 5, True)] and acked == ["e1", "e2", "e3", "e4", "e5"]
    deliver(subscriber, channel, 6, envelope(6), more=3)
    deliver(subscriber, channel, 7, envelope(7), more=0)  # the buffer ran dry: acked now
    assert channel.calls[-1] == ("ack", 7, True) and subscriber.handled == 7


def test_not_an_envelope_is_dead_lettered_after_what_was_handled_is_acked():
    subscriber, handled, acked = make(prefetch=10)
    channel = FakeChannel()
    deliver(subscriber, channel, 1, envelope(1), more=3)
    deliver(subscriber, channel, 2, b"not json", more=2)
    deliver(subscriber, channel, 3, {"no": "event id"})
    assert channel.calls == [("ack", 1, False), ("reject", 2, False), ("reject", 3, False)]


def test_a_failing_handler_returns_the_event_after_a_backoff():
    def failing(env):
        raise RuntimeError("target down")
    subscriber, _, acked = make(handle=failing)
    channel = FakeChannel()
    deliver(subscriber, channel, 1, envelope(1), headers={"x-delivery-count": 2})
    assert channel.calls == [("nack", 1, True)] and acked == []
    assert subscriber.connection.slept == [2.0]


def test_a_redelivered_event_is_acked_but_not_handled_twice():
    subscriber, handled, acked = make()
    channel = FakeChannel()
    deliver(subscriber, channel, 1, envelope(1))
    deliver(subscriber, channel, 2, envelope(1))  # after a reconnect: same event, new tag
    assert handled == [("handled", "e1")] and channel.calls == [("ack", 1, False), ("ack", 2, False)]
    assert subscriber.handled == 1 and subscriber.duplicates == 1 and acked == ["e1"]


def test_max_events_stops_after_acking_exactly_that_many():
    subscriber, handled, acked = make(prefetch=100, max_events=3)
    channel = FakeChannel()
    deliver(subscriber, channel, 1, envelope(1), more=9)
    deliver(subscriber, channel, 2, envelope(2), more=9)
    with pytest.raises(Stop):
        deliver(subscriber, channel, 3, envelope(3), more=9)
    assert channel.calls == [("ack", 3, True)] and acked == ["e1", "e2", "e3"] and channel.stopped
