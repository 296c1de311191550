"""Helpers of the integration tests: a service's connection pool, a small pika toolbox,
event collection, envelopes."""
import contextlib
import json
import uuid

import pika
import psycopg

from kernel.config import service_dsn
from kernel.db import make_pool
from tests.support.platform import eventually


@contextlib.contextmanager
def service_pool(config, service, size):
    """An open pool on ``service``'s part of the test database, as the service's own role."""
    pool = make_pool(service_dsn(config, service), size, f"{service}-test")
    pool.open(wait=True, timeout=30)
    try:
        yield pool
    finally:
        pool.close()


class Broker:
    """Small pika toolbox: publish, peek, count, purge (a fresh channel per call, since a
    passive declare of a missing queue closes the channel)."""

    def __init__(self, amqp_uri):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            self.connection.close()
        except Exception:
            pass

    def _channel(self):
        return self.connection.channel()

    def publish(self, body, exchange="", routing_key="", content_type="application/json", headers=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        channel = self._channel()
        channel.confirm_delivery()
        channel.basic_publish(exchange, routing_key, body, pika.BasicProperties(
            content_type=content_type, delivery_mode=2, headers=headers), mandatory=True)
        channel.close()

    def _declare_passive(self, queue, field):
        channel = self._channel()
        try:
            return getattr(channel.queue_declare(queue, passive=True).method, field)
        except pika.exceptions.ChannelClosedByBroker:
            return 0
        finally:
            if channel.is_open:
                channel.close()

    def message_count(self, queue):
        return self._declare_passive(queue, "message_count")

    def consumer_count(self, queue):
        return self._declare_passive(queue, "consumer_count")

    def purge(self, *queues):
        for queue in queues:
            channel = self._channel()
            try:
                channel.queue_purge(queue)
            except pika.exceptions.ChannelClosedByBroker:
                pass
            finally:
                if channel.is_open:
                    channel.close()

    def delete(self, *queues):
        for queue in queues:
            channel = self._channel()
            channel.queue_delete(queue)
            channel.close()

    def take_all(self, queue):
        """Consume (ack) every message now in ``queue``: [(properties, body)]."""
        channel = self._channel()
        taken = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                break
            taken.append((properties, body))
        channel.close()
        return taken

    def wait_count(self, queue, count, timeout=10.0):
        return eventually(lambda: self.message_count(queue) == count, timeout,
                          f"{count} message(s) in {queue} (now {self.message_count(queue)})")


def collect_events(probe, predicate, count, timeout=15.0):
    """Collect ``count`` envelopes matching ``predicate`` from an EventProbe, in arrival order."""
    return probe.collect(predicate, count, timeout)


def deputy_envelope(event_type="deputy_registered", code=None, version=1, **data):
    """A valid envelope as the deputy service's relay would publish it."""
    code = code or "T" + uuid.uuid4().hex[:6].upper()
    return {
        "event_id": str(uuid.uuid4()), "type": event_type,
        "occurred_at": "2024-05-01T08:00:00+00:00", "schema_version": 1, "producer": "deputy",
        "correlation_id": "it-" + uuid.uuid4().hex[:8], "aggregate_id": code,
        "data": {"code": code, "name": "测试代表", "level": "town", "town": "城关镇",
                 "station_code": "ST-000", "term": 19, "status": "active", "version": version, **data},
    }


def counter_value(counter, *labels):
    """Current value of a prometheus counter (the in-process services share our registry)."""
    return (counter.labels(*labels) if labels else counter)._value.get()


def start_webhooks_knowing_departments(start_service, config, **overrides):
    """The webhooks service in-process, its department directory holding every department.
    The directory is filled here from the suggestion service's table, as its ``department_saved``
    events would fill it (that path has tests of its own: tests/e2e/test_departments_e2e.py).
    Otherwise these tests depend on an earlier test having run the suggestion relay (alone they
    see "no department edu"), and starting that relay here would publish other tests' leftover
    events to the very departments these tests register webhooks for."""
    from services.webhooks.service import WebhooksService

    with psycopg.connect(config["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("INSERT INTO webhooks.department_directory (code, name, short_name, active, version) "
                     "SELECT code, name, short_name, active, version FROM suggestion.departments "
                     "ON CONFLICT (code) DO NOTHING")
    return start_service(WebhooksService, **overrides)
