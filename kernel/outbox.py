"""Transactional outbox relay.

Use cases write events into their schema's ``outbox`` table in the same transaction as
their state change (``UnitOfWork.emit``). This relay publishes those rows to RabbitMQ
with publisher confirms, in id order, then marks them sent. Only one replica of a service
relays at a time, which keeps per-aggregate (indeed global) order: the relay that holds the
service's session advisory lock (``pg_try_advisory_lock``) publishes; the others try for it
once a second. The lock lives as long as the leader's database session, so a leader
that dies (or loses the database or the broker, which closes its session) frees it and
another replica takes over within about a second. ``<service>_outbox_relay_leader`` shows
which process holds it. A crash between publish and mark re-publishes on takeover or
restart: consumers are idempotent, so delivery is at-least-once and application
exactly-once.
"""
import datetime
import logging
import os
import time
import zlib

import kernel  # noqa: F401
import psycopg
from psycopg import sql
from kombu import Connection, Exchange
from nameko.extensions import DependencyProvider

from kernel.config import service_dsn
from kernel.db import outbox_channel
from kernel.loops import keep_running
from kernel.metrics import service_metrics

log = logging.getLogger(__name__)

BATCH_SIZE = 500
IDLE_WAIT_SECONDS = 1.0
PURGE_EVERY_SECONDS = 600
BACKLOG_EVERY_SECONDS = 1.0
LOCK_TRY_EVERY_SECONDS = 1.0   # a follower's tries for the relay lock (not one per NOTIFY it wakes on)
KEEP_PUBLISHED = datetime.timedelta(days=7)


def relay_lock_key(service):
    """The advisory lock (one bigint) whose holder is ``service``'s one publishing relay."""
    return zlib.crc32(f"outbox-relay:{service}".encode())


def exchange_for(name):
    # Same declaration nameko uses for "<service>.events", so both sides agree.
    return Exchange(name, type="topic", durable=True, delivery_mode=2)


class OutboxRelay(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        self.dsn = service_dsn(config, self.service)
        self.amqp_uri = config["AMQP_URI"]
        self.metrics = service_metrics(self.service)
        self.lock_key = relay_lock_key(self.service)
        self.running = False
        self.leader = False
        self.last_loop = 0.0
        self.thread = None
        self._exchanges = {}
        self._last_purge = 0.0
        self._last_backlog = 0.0

    def start(self):
        self.running = True
        self.thread = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self):
        self.running = False
        if self.thread is not None:
            self.thread.kill()
        self._set_leader(False)  # the killed thread's session (and lock) is gone

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def healthy(self):
        return self.running and time.monotonic() - self.last_loop < 3 * IDLE_WAIT_SECONDS + 5

    def _run(self):
        keep_running(lambda: self.running, self._relay_until_error, "outbox relay", cap=5.0,
                     on_error=self._lose_leadership)

    def _lose_leadership(self, exc):
        self._set_leader(False)

    def _set_leader(self, leader):
        if leader != self.leader:
            log.info("outbox relay of %s: %s the relay lock", self.service,
                     "took" if leader else "no longer holds")
        self.leader = leader
        self.metrics.outbox_relay_leader.set(1 if leader else 0)

    def _relay_until_error(self):
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=3) as db, \
                Connection(self.amqp_uri, transport_options={"confirm_publish": True},
                           connect_timeout=3) as broker:
            db.execute(sql.SQL("LISTEN {}").format(sql.Identifier(outbox_channel(self.service))))
            producer = broker.Producer()
            self._set_leader(False)  # a new session holds no lock yet
            last_lock_try = -LOCK_TRY_EVERY_SECONDS
            while self.running:
                self.last_loop = time.monotonic()
                if not self.leader and time.monotonic() - last_lock_try >= LOCK_TRY_EVERY_SECONDS:
                    last_lock_try = time.monotonic()
                    self._set_leader(db.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_key,)).fetchone()[0])
                if self.leader and self._publish_batch(db, producer) == BATCH_SIZE:
                    continue  # more waiting: no need to sleep
                self._observe_backlog(db)  # at most once a second: not a query per event
                self._purge_old(db)
                for _ in db.notifies(timeout=IDLE_WAIT_SECONDS, stop_after=1):
                    pass

    def _publish_batch(self, db, producer):
        rows = db.execute(
            "SELECT id, exchange, routing_key, event_type, payload, created_at FROM outbox "
            "WHERE published_at IS NULL ORDER BY id LIMIT %s", (BATCH_SIZE,)).fetchall()
        if not rows:
            return 0
        # Test-only crash points (tests/reliability/test_outbox_crash.py); unset in production.
        fault = os.environ.get("OUTBOX_FAULT")
        if fault == "crash_before_publish":
            log.error("OUTBOX_FAULT=crash_before_publish: exiting before publishing %d rows", len(rows))
            os._exit(17)
        sent = []
        try:
            for row_id, exchange_name, routing_key, event_type, payload, created_at in rows:
                exchange = self._exchanges.get(exchange_name)
                if exchange is None:
                    exchange = self._exchanges[exchange_name] = exchange_for(exchange_name)
                producer.publish(
                    payload, exchange=exchange, routing_key=routing_key, serializer="json",
                    delivery_mode=2, declare=[exchange], retry=False,
                    message_id=payload["event_id"], type=event_type,
                    headers={"nameko.correlation_id": payload.get("correlation_id") or payload["event_id"],
                             "event_type": event_type, "producer": payload.get("producer")},
                )  # returns after the broker's confirm (confirm_publish)
                if fault == "crash_after_publish":
                    log.error("OUTBOX_FAULT=crash_after_publish: exiting after the confirm of row %d, "
                              "before marking it sent", row_id)
                    os._exit(18)
                sent.append(row_id)
                self.metrics.events_published.labels(event_type).inc()
                self.metrics.outbox_delay.observe(
                    (datetime.datetime.now(datetime.timezone.utc) - created_at).total_seconds())
        finally:
            if sent:
                db.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", (sent,))
        return len(rows)

    def _observe_backlog(self, db):
        if time.monotonic() - self._last_backlog < BACKLOG_EVERY_SECONDS:
            return
        self._last_backlog = time.monotonic()
        count, lag = db.execute(
            "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) "
            "FROM outbox WHERE published_at IS NULL").fetchone()
        self.metrics.outbox_backlog.set(count)
        self.metrics.outbox_lag.set(float(lag))

    def _purge_old(self, db):
        if not self.leader or time.monotonic() - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = time.monotonic()
        db.execute("DELETE FROM outbox WHERE published_at < now() - %s", (KEEP_PUBLISHED,))
