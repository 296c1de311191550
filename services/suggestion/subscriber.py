"""A department's subscriber: ``python -m services.suggestion.subscriber --department edu``.

Reads the department's own durable quorum queue ``department.<code>`` (pika, manual acks)
and, for each event envelope, either prints it as one JSON line on stdout (default) or
POSTs it to ``--forward URL`` (2xx = handled). A message is acked only after it was
handled; one that cannot be handled is returned to the queue after a back-off (the queue
dead-letters it to ``department.<code>.dlq`` after its delivery limit), one that is not
JSON is dead-lettered at once. After a broker restart or a lost connection it reconnects
with exponential back-off (with jitter) and continues where it stopped: unacked messages
are redelivered by the broker, and envelopes already handled (by event_id, remembered for
the last ``--remember`` events) are acked without being handled twice.

Connection: ``--amqp-uri`` or ``DEPARTMENT_AMQP_URI``; without either, the platform's own
config gives the URI (its broker and vhost, user ``dept-<code>``, derived password):
``python -m contracts.departments_amqp credentials --department edu`` shows it.
Exit codes: 0 after ``--max-events``, 2 when the broker refuses the credentials or the
queue (ACCESS_REFUSED), 130 on Ctrl-C. Diagnostics go to stderr, events to stdout.
"""
import argparse
import collections
import json
import logging
import os
import random
import signal
import sys
import time

import pika
import pika.exceptions

log = logging.getLogger("subscriber")

RECOVERABLE = (pika.exceptions.AMQPConnectionError, pika.exceptions.ConnectionClosedByBroker,
               pika.exceptions.StreamLostError, pika.exceptions.ChannelClosedByBroker,
               pika.exceptions.ChannelWrongStateError, pika.exceptions.ConnectionWrongStateError,
               pika.exceptions.AMQPChannelError, OSError)


class AccessRefused(Exception):
    pass


class Stop(Exception):
    pass


def print_line(envelope, stream=None):
    stream = stream or sys.stdout
    stream.write(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")) + "\n")
    stream.flush()


def forwarder(url, timeout=10.0):
    import requests

    session = requests.Session()

    def forward(envelope):
        response = session.post(url, json=envelope, timeout=timeout)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return forward


class Subscriber:
    """Consume ``queue`` with ``handle(envelope)``; reconnect forever (until stop())."""

    def __init__(self, amqp_uri, queue, handle, prefetch=50, max_events=None, remember=10000,
                 backoff_initial=0.5, backoff_max=15.0, heartbeat=30, on_ack=None, on_consuming=None):
        self.amqp_uri = amqp_uri
        self.queue = queue
        self.handle = handle
        self.prefetch = prefetch
        self.max_events = max_events
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.heartbeat = heartbeat
        self.on_ack = on_ack  # called with each envelope after its ack
        self.on_consuming = on_consuming  # called with the connection number before basic_consume
        self.handled = 0
        self.duplicates = 0
        self.unacked = []  # (delivery tag, envelope, duplicate) handled, ack not yet sent
        self.seen = collections.OrderedDict()
        self.remember = remember
        self.connection = None
        self.channel = None
        self.stopping = False
        self.connects = 0

    # -- lifecycle -----------------------------------------------------------------------------
    def run(self):
        delay = self.backoff_initial
        while not self.stopping:
            try:
                self._connect()
                delay = self.backoff_initial
                self.channel.start_consuming()
            except Stop:
                break
            except (pika.exceptions.ProbableAccessDeniedError, pika.exceptions.ProbableAuthenticationError) as exc:
                raise AccessRefused(f"the broker refused the login: {exc!r}") from exc
            except pika.exceptions.ChannelClosedByBroker as exc:
                if exc.reply_code in (403, 404):  # ACCESS_REFUSED, NOT_FOUND: not going to change by itself
                    raise AccessRefused(f"the broker refused queue {self.queue}: {exc.reply_code} {exc.reply_text}")
                self._lost(exc)
            except RECOVERABLE as exc:
                self._lost(exc)
            if self.stopping:
                break
            sleep = delay * (0.5 + random.random() / 2)
            log.warning("reconnecting in %.1fs", sleep)
            time.sleep(sleep)
            delay = min(delay * 2, self.backoff_max)
        self._close()
        return self.handled

    def stop(self):
        self.stopping = True
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.add_callback_threadsafe(self._stop_consuming)
        except Exception:
            pass

    def _stop_consuming(self):
        if self.channel is not None and self.channel.is_open:
            try:
                self._flush_acks(self.channel)  # what was handled is acked before leaving
            except Stop:
                pass
            self.channel.stop_consuming()

    def _connect(self):
        params = pika.URLParameters(self.amqp_uri)
        params.heartbeat = self.heartbeat
        params.blocked_connection_timeout = 60
        params.connection_attempts = 1
        params.socket_timeout = 5
        self.connection = pika.BlockingConnection(params)
        self.channel = self.connection.channel()
        self.unacked = []  # tags of a previous channel mean nothing here (the broker redelivers)
        self.channel.basic_qos(prefetch_count=self.prefetch)
        if self.on_consuming is not None:
            self.on_consuming(self.connects + 1)
        self.channel.basic_consume(self.queue, self._on_message, auto_ack=False)
        self.connects += 1
        log.log(logging.INFO if self.connects == 1 else logging.WARNING, "consuming %s (prefetch %d, connection #%d)",
                self.queue, self.prefetch, self.connects)

    def _lost(self, exc):
        log.warning("connection to the broker lost: %r", exc)
        self._close()

    def _close(self):
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except Exception:
            pass
        self.connection = self.channel = None

    # -- messages --------------------------------------------------------------------------------
    def _on_message(self, channel, method, properties, body):
        try:
            envelope = json.loads(body)
            if not isinstance(envelope, dict) or "event_id" not in envelope:
                raise ValueError("not an event envelope")
        except ValueError as exc:
            log.error("dead-lettering a message that is not an envelope: %s", exc)
            self._flush_acks(channel)
            channel.basic_reject(method.delivery_tag, requeue=False)
            return
        event_id = envelope["event_id"]
        duplicate = event_id in self.seen
        if not duplicate:
            try:
                self.handle(envelope)
            except Exception as exc:
                self._flush_acks(channel)
                count = int((properties.headers or {}).get("x-delivery-count") or 0)
                delay = min(0.5 * 2 ** count, 30)
                log.error("handling event %s failed (%s); returning it to the queue in %.1fs", event_id, exc, delay)
                self.connection.sleep(delay)  # keeps heartbeats going
                channel.basic_nack(method.delivery_tag, requeue=True)
                return
            self.seen[event_id] = True
            if len(self.seen) > self.remember:
                self.seen.popitem(last=False)
        else:
            log.info("event %s already handled (redelivered): acked again", event_id)
        self.unacked.append((method.delivery_tag, envelope, duplicate))
        # Handled messages are acked at once when nothing else is waiting here (no added
        # latency); while a backlog streams in, they are acked together (multiple=True) every
        # prefetch/2 messages or as soon as the local buffer runs dry: one frame, not fifty.
        fresh = sum(1 for _, _, dup in self.unacked if not dup)
        if (self._more_buffered(channel) and len(self.unacked) < max(1, self.prefetch // 2)
                and (self.max_events is None or self.handled + fresh < self.max_events)):
            return
        self._flush_acks(channel)

    @staticmethod
    def _more_buffered(channel):
        return bool(getattr(channel, "_pending_events", None))  # pika's BlockingChannel buffer

    def _flush_acks(self, channel):
        if not self.unacked:
            return
        batch, self.unacked = self.unacked, []
        channel.basic_ack(batch[-1][0], multiple=len(batch) > 1)
        for _, envelope, duplicate in batch:
            if duplicate:
                self.duplicates += 1
                continue
            self.handled += 1
            if self.on_ack is not None:
                self.on_ack(envelope)
        if self.max_events is not None and self.handled >= self.max_events:
            self.stopping = True
            channel.stop_consuming()
            raise Stop()


def default_uri(department):
    from kernel.config import load_config
    from contracts.departments_amqp import department_amqp_uri

    return department_amqp_uri(load_config(), department)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Receive a department's suggestion events (AMQP, pika)")
    parser.add_argument("--department", required=True, help="department code, e.g. edu")
    parser.add_argument("--amqp-uri", default=os.environ.get("DEPARTMENT_AMQP_URI"),
                        help="amqp://dept-<code>:<password>@host:5672/<vhost> (default: from the platform config)")
    parser.add_argument("--queue", help="queue to read (default: department.<code>)")
    parser.add_argument("--forward", metavar="URL", help="POST each envelope to URL instead of printing it")
    parser.add_argument("--prefetch", type=int, default=int(os.environ.get("SUBSCRIBER_PREFETCH", 50)))
    parser.add_argument("--max-events", type=int, help="exit after this many events")
    parser.add_argument("--remember", type=int, default=10000, help="event ids remembered to skip redeliveries")
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s subscriber[%(process)d] %(levelname)s %(message)s")
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    uri = args.amqp_uri or default_uri(args.department)
    handle = forwarder(args.forward) if args.forward else print_line
    subscriber = Subscriber(uri, args.queue or f"department.{args.department}", handle, prefetch=args.prefetch,
                            max_events=args.max_events, remember=args.remember)
    signal.signal(signal.SIGTERM, lambda *_: subscriber.stop())
    try:
        subscriber.run()
    except AccessRefused as exc:
        log.error("%s", exc)
        return 2
    except KeyboardInterrupt:
        return 130
    log.info("stopped after %d event(s)", subscriber.handled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
