"""Live meeting events for this gateway process's own clients (Server-Sent Events).

``voting.events`` is a topic exchange; the voting service's handler queues are competing
consumers (one copy per service), but every gateway process must see EVERY event, since
each serves its own browsers. So each process binds its own exclusive, auto-delete queue
(``gateway.live.<host>.<pid>.<random>``) to the exchange: a broadcast. One green thread
(``LiveBroadcast``, a nameko DependencyProvider) consumes it with kombu and fans each
event out to the per-client queues of the meeting it belongs to.

Per meeting the hub numbers the events it has seen (``seq``) and keeps the last
``LIVE_BUFFER_EVENTS`` of them, rendered once as SSE frames, so that a browser which
reconnects with ``Last-Event-ID`` gets exactly what it missed. Event ids are
``<epoch>-<seq>``: the epoch changes whenever the consumer (re)binds its queue, because
events published while no queue was bound are lost to this process; an id from another
epoch (or another gateway process) cannot be resumed, and the client gets a fresh snapshot
instead. For the same reason the queue is consumed without acknowledgements (a live view,
not a record: the record is the voting service's database and its ``vote_closed`` event).

A client that falls more than ``LIVE_CLIENT_QUEUE`` events behind, and every client when
the consumer has to reconnect, gets an ``event: reset`` and the end of its stream; the
browser's EventSource reconnects by itself and starts again from a snapshot.
"""
import collections
import json
import logging
import os
import socket
import uuid

import eventlet
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from kombu import Connection, Consumer, Exchange, Queue
from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Gauge

from contracts.events import voting as voting_events
from kernel.consumer import CONNECTION_ERRORS

log = logging.getLogger(__name__)

EXCHANGE = "voting.events"
END = object()  # sentinel in a client queue: the stream must end

LIVE_CLIENTS = Gauge("gateway_live_clients", "Live (SSE) clients connected to this gateway process")
LIVE_EVENTS = Counter("gateway_live_events_total", "Voting events received by the live broadcast", ["event_type"])
LIVE_ENDED = Counter("gateway_live_streams_ended_total", "Live streams ended by the gateway", ["reason"])


def sse_frame(event, data, event_id=None):
    """One Server-Sent Events frame (bytes). ``data`` is JSON on one line."""
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {event}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str))
    return ("\n".join(lines) + "\n\n").encode()


def public_data(event_type, data, named_items):
    """What the public stream may carry. ``voters`` (member id + choice) only ever leaves
    for an item this process knows to be a named vote; the voting service sends none for
    secret items, and this is the second lock on that door."""
    if event_type == voting_events.TALLY_UPDATED and "voters" in data and str(data.get("item_id")) not in named_items:
        data = {key: value for key, value in data.items() if key != "voters"}
    return data


class Subscription:
    """One client's queue of rendered frames."""

    def __init__(self, hub, meeting_id, limit):
        self.hub = hub
        self.meeting_id = meeting_id
        self.limit = limit
        self.queue = LightQueue()
        self.ended = None

    def push(self, frame):
        if self.ended:
            return
        if self.queue.qsize() >= self.limit:
            self.end("overflow")
        else:
            self.queue.put(frame)

    def end(self, reason):
        if not self.ended:
            self.ended = reason
            LIVE_ENDED.labels(reason).inc()
            self.queue.put(END)

    def next_frames(self, timeout):
        """Block up to ``timeout`` s for the next frame; return it with every frame already
        waiting (one write for a burst), ``[]`` on timeout, ``[..., END]`` at the end."""
        try:
            frames = [self.queue.get(timeout=timeout)]
        except Empty:
            return []
        while frames[-1] is not END:
            try:
                frames.append(self.queue.get_nowait())
            except Empty:
                break
        return frames

    def close(self):
        self.hub.unsubscribe(self)


class MeetingChannel:
    def __init__(self, buffer_size):
        self.seq = 0
        self.buffer = collections.deque(maxlen=buffer_size)  # (seq, frame)
        self.subscribers = set()


class LiveBroadcast(DependencyProvider):
    """The process-wide hub: ``hub.subscribe(meeting_id, last_event_id)`` in a route."""

    def setup(self):
        config = self.container.config
        self.amqp_uri = config["AMQP_URI"]
        self.buffer_size = int(config.get("LIVE_BUFFER_EVENTS", 1000))
        self.client_limit = int(config.get("LIVE_CLIENT_QUEUE", 2000))
        self.max_meetings = int(config.get("LIVE_MAX_MEETINGS", 200))
        self.queue_name = f"gateway.live.{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        self.channels = collections.OrderedDict()  # meeting_id -> MeetingChannel, least recent first
        self.named_items = set()  # item ids known to be named votes (from item_opened / snapshots)
        self.epoch = None
        self.bound = Event()
        self.running = False
        self.thread = None

    def start(self):
        self.running = True
        self.thread = self.container.spawn_managed_thread(self._run, identifier="live-broadcast")

    def stop(self):
        self.running = False
        self._end_all("shutdown")
        if self.thread is not None:
            self.thread.kill()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    # -- for the routes --------------------------------------------------------------
    def wait_bound(self, timeout):
        """True once the broadcast queue is bound (events from now on reach clients)."""
        if self.epoch is not None:
            return True
        with eventlet.Timeout(timeout, False):
            self.bound.wait()
        return self.epoch is not None

    def subscribe(self, meeting_id, last_event_id=None):
        """(subscription, missed frames or None, id of the meeting's last event).

        Atomic on the hub (no green switch inside): nothing published afterwards is missed,
        nothing buffered before is duplicated. ``missed`` is None when ``last_event_id``
        cannot be resumed here (absent, other epoch or process, or older than the buffer):
        the caller sends a snapshot then."""
        meeting_id = str(meeting_id)
        channel = self._channel(meeting_id)
        subscription = Subscription(self, meeting_id, self.client_limit)
        channel.subscribers.add(subscription)
        LIVE_CLIENTS.inc()
        return subscription, self._missed(channel, last_event_id), self.event_id(channel.seq)

    def unsubscribe(self, subscription):
        channel = self.channels.get(subscription.meeting_id)
        if channel is not None and subscription in channel.subscribers:
            channel.subscribers.discard(subscription)
            LIVE_CLIENTS.dec()

    def remember_named(self, item_id):
        self.named_items.add(str(item_id))

    def clients(self, meeting_id=None):
        if meeting_id is not None:
            channel = self.channels.get(str(meeting_id))
            return len(channel.subscribers) if channel else 0
        return sum(len(channel.subscribers) for channel in self.channels.values())

    def event_id(self, seq):
        return f"{self.epoch}-{seq}"

    # -- internals ---------------------------------------------------------------------
    def _channel(self, meeting_id):
        channel = self.channels.get(meeting_id)
        if channel is None:
            channel = self.channels[meeting_id] = MeetingChannel(self.buffer_size)
            self._forget_idle()
        else:
            self.channels.move_to_end(meeting_id)
        return channel

    def _forget_idle(self):
        while len(self.channels) > self.max_meetings:
            for meeting_id, channel in self.channels.items():
                if not channel.subscribers:
                    del self.channels[meeting_id]
                    break
            else:
                return

    def _missed(self, channel, last_event_id):
        epoch, _, seq = (last_event_id or "").strip().rpartition("-")
        if not epoch or epoch != self.epoch or not seq.isdigit():
            return None
        seq = int(seq)
        if seq > channel.seq:
            return None
        if seq == channel.seq:
            return []
        if not channel.buffer or channel.buffer[0][0] > seq + 1:
            return None  # part of what was missed has left the buffer
        return [frame for frame_seq, frame in channel.buffer if frame_seq > seq]

    def _on_message(self, body, message):
        try:
            if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
                raise ValueError("not an event envelope")
            event_type = str(body["type"])
            data = body["data"]
            meeting_id = data.get("meeting_id")
        except (KeyError, ValueError) as exc:
            log.warning("live broadcast: ignoring a message on %s: %s", EXCHANGE, exc)
            return
        LIVE_EVENTS.labels(event_type).inc()
        if meeting_id is None:
            return
        if event_type == voting_events.ITEM_OPENED and data.get("mode") == "named":
            self.remember_named(data.get("item_id"))
        channel = self._channel(str(meeting_id))
        channel.seq += 1
        frame = sse_frame(event_type, public_data(event_type, data, self.named_items), self.event_id(channel.seq))
        channel.buffer.append((channel.seq, frame))
        for subscription in list(channel.subscribers):
            subscription.push(frame)

    def _on_decode_error(self, message, exc):
        log.warning("live broadcast: undecodable message on %s: %r", EXCHANGE, exc)

    def _end_all(self, reason):
        for channel in self.channels.values():
            for subscription in list(channel.subscribers):
                subscription.end(reason)

    def _run(self):
        backoff = 0.2
        while self.running:
            try:
                self._consume()
            except CONNECTION_ERRORS + (socket.timeout,) as exc:
                log.warning("live broadcast lost the broker, reconnecting in %.1fs: %r", backoff, exc)
            except Exception:
                log.exception("live broadcast failed, restarting in %.1fs", backoff)
            # Events published from now until the queue is bound again never reach this
            # process: clients must start again from a snapshot.
            self.epoch = None
            self.bound = Event()
            self._end_all("resync")
            for channel in self.channels.values():
                channel.buffer.clear()
            eventlet.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    def _consume(self):
        exchange = Exchange(EXCHANGE, type="topic", durable=True, delivery_mode=2)
        queue = Queue(self.queue_name, exchange=exchange, routing_key="#", durable=False,
                      exclusive=True, auto_delete=True)
        with Connection(self.amqp_uri, heartbeat=30, connect_timeout=5, transport_options={
                "client_properties": {"connection_name": self.queue_name}}) as connection:
            channel = connection.channel()
            consumer = Consumer(channel, queues=[queue], callbacks=[self._on_message], no_ack=True,
                                accept=["json"], on_decode_error=self._on_decode_error)
            consumer.consume()  # declares the exchange, the queue and the binding first
            self.epoch = uuid.uuid4().hex[:8]
            self.bound.send(True)
            log.info("live broadcast bound %s to %s (epoch %s)", self.queue_name, EXCHANGE, self.epoch)
            while self.running:
                try:
                    connection.drain_events(timeout=1.0)
                except socket.timeout:
                    connection.heartbeat_check()
