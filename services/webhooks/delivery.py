"""Webhook delivery: the intake consumer and the delivery workers (nameko extensions).

Intake: a consumer of the quorum queue ``webhooks.departments`` (bound ``<code>.#`` to the
``suggestion.departments`` exchange for each department that has a webhook) stores one
``deliveries`` row per interested webhook in the same transaction as the processed-event
record, then acks. A failure requeues the
message after a short back-off (x-delivery-count); past the queue's delivery limit the
broker dead-letters it to ``webhooks.departments.dlq``.

Delivery: a scheduler looks for departments with due rows and runs at most
``WEBHOOK_DEPARTMENT_CONCURRENCY`` drain loops per department in this process. A drain
loop claims one due row of its department (``FOR UPDATE SKIP LOCKED``, then a lease, so
replicas never take the same row and a crashed process's rows come back when the lease
ends), POSTs it with a timeout, and records the attempt. One department's slow or failing
endpoint therefore occupies only its own loops; other departments' rows are claimed by
theirs. A row that succeeded is ``delivered`` and never claimed again.
"""
import json
import logging
import time
import uuid
from collections import Counter
from functools import partial

import eventlet
import psycopg
from eventlet.event import Event
from marshmallow import ValidationError
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer
from prometheus_client import Counter as PromCounter, Histogram

from kernel.config import service_dsn
from kernel.consumer import CONNECTION_ERRORS, GuardedQueueConsumer
from kernel.db import make_pool
from kernel.envelope import ENVELOPE_SCHEMA
from kernel.metrics import LATENCY_BUCKETS
from contracts import departments_amqp
from services.webhooks.outbound import TIMEOUT, WebhookSender
from services.webhooks.repository import DeliveryQueue, WebhookRepository
from services.webhooks.domain import (DELIVERY_HEADER, EVENT_HEADER, PERMANENT_ERRORS, SIGNATURE_HEADER, outcome,
                                      retry_delay, sign, webhook_secret)
from services.webhooks.targets import TargetPolicy

log = logging.getLogger(__name__)

DELIVERIES = PromCounter("webhooks_deliveries_total", "Webhook delivery attempts by outcome", ["outcome"])
DELIVERY_SECONDS = Histogram("webhooks_delivery_seconds", "Duration of webhook POSTs", buckets=LATENCY_BUCKETS)
REFUSED = PromCounter("webhooks_refused_targets_total",
                      "Webhook deliveries refused before connecting (target not allowed or not a valid URL)", ["error"])


class DepartmentEventConsumer(Consumer):
    """``@consume_department_events``: the handler gets (envelope, raw body, department)."""

    queue_consumer = GuardedQueueConsumer()

    def __init__(self, **kwargs):
        # The queue is declared by bootstrap (and again in setup) with its quorum arguments;
        # the consumer itself must not re-declare it with other ones.
        queue = departments_amqp.webhook_queue_object(departments_amqp.DEFAULT_DELIVERY_LIMIT)
        queue.no_declare = True
        super().__init__(queue, requeue_on_error=True, **kwargs)

    def setup(self):
        # its own queue only (with the exchanges); the departments' queues are the suggestion
        # service's, which owns the departments
        departments_amqp.declare_queues(self.container.config, codes=())
        bind_departments_with_webhooks(self.container.config, self.container.service_name)
        super().setup()

    def handle_message(self, body, message):
        try:
            if isinstance(body, (bytes, str)):
                body = json.loads(body)
            if not isinstance(body, dict):
                raise ValidationError({"_schema": ["body is not a JSON object"]})
            envelope = ENVELOPE_SCHEMA.load(body)
        except (ValidationError, ValueError) as exc:
            log.error("dead-lettering an invalid department event: %s", exc)
            self._reject(message)
            return
        routing_key = message.delivery_info.get("routing_key") or ""
        department = routing_key.split(".", 1)[0]
        raw = message.body if isinstance(message.body, str) else bytes(message.body).decode("utf-8")
        context_data = self.unpack_message_headers(message)
        context_data["correlation_id"] = envelope.get("correlation_id")
        self.container.spawn_worker(self, (envelope, raw, department), {}, context_data=context_data,
                                    handle_result=partial(self.handle_result, message))

    def on_decode_error(self, message, exc):
        log.error("dead-lettering an undecodable department event: %r", exc)
        self._reject(message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is not None:
            # Back off before the broker hands it out again (a database outage must not burn
            # through the delivery limit in a second).
            count = int((message.headers or {}).get("x-delivery-count") or 0)
            eventlet.sleep(min(0.5 * 2 ** count, 30))
            self.queue_consumer.requeue_message(message)
        else:
            self.queue_consumer.ack_message(message)

    def _reject(self, message):
        try:
            message.reject(requeue=False)  # -> dead-letter exchange -> webhooks.departments.dlq
        except CONNECTION_ERRORS as exc:
            log.warning("could not reject a message: %r", exc)


consume_department_events = DepartmentEventConsumer.decorator


def bind_departments_with_webhooks(config, service):
    """At start: the intake queue bound to every department that has a webhook (registering one
    binds it at once; a rebuilt broker or an older version's catch-all binding is put right
    here). Bindings only grow: a replica never unbinds what another one just bound. If the
    database cannot be read, bind everything (``#``): costlier, nothing missed, and the next
    start narrows it again."""
    try:
        with psycopg.connect(service_dsn(config, service), connect_timeout=3) as conn:
            codes = WebhookRepository(conn.cursor()).departments_with_webhooks()
    except psycopg.Error as exc:
        log.warning("departments with webhooks not readable (%s): the intake takes every department's events",
                    type(exc).__name__)
        departments_amqp.bind_webhook_queue(config, [], catch_all=True)
        return
    departments_amqp.bind_webhook_queue(config, codes)


class Claimed:
    def __init__(self, row):
        (self.id, self.webhook_id, self.event_id, self.event_type, self.body, self.attempts,
         self.url, self.secret_salt, self.lease_token) = row


class WebhookDispatcher(DependencyProvider):
    """Delivers due ``deliveries`` rows; ``self.dispatcher.poke()`` wakes it up."""

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        self.master_key = config.get("WEBHOOK_SIGNING_SECRET", "")
        self.base = float(config.get("WEBHOOK_RETRY_BASE_SECONDS", 2))
        self.factor = float(config.get("WEBHOOK_RETRY_FACTOR", 2))
        self.max_delay = float(config.get("WEBHOOK_RETRY_MAX_DELAY_SECONDS", 3600))
        self.max_attempts = int(config.get("WEBHOOK_MAX_ATTEMPTS", 8))
        self.timeout = float(config.get("WEBHOOK_TIMEOUT_SECONDS", 5))
        self.concurrency = max(1, int(config.get("WEBHOOK_DEPARTMENT_CONCURRENCY", 2)))
        self.poll = float(config.get("WEBHOOK_POLL_SECONDS", 0.5))
        self.lease = self.timeout + 30
        self.pool = make_pool(service_dsn(config, self.service), 4, f"{self.service}-dispatcher")
        self.active = Counter()
        self.running = False
        self.wake = Event()
        self.last_loop = 0.0
        # Send-time target checks and the pinned connection (services/webhooks/outbound.py).
        self.sender = WebhookSender(TargetPolicy.from_config(config), self.timeout,
                                    ca_certs=config.get("WEBHOOK_CA_BUNDLE") or None)

    def start(self):
        self.running = True
        self.pool.open(wait=False)
        self.container.spawn_managed_thread(self._schedule_forever, identifier="webhook-scheduler")

    def stop(self):
        self.running = False
        self.poke()
        if self.pool is not None:
            self.pool.close(timeout=2)

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def poke(self):
        if not self.wake.ready():
            self.wake.send(True)

    def healthy(self):
        return self.running and time.monotonic() - self.last_loop < 3 * self.poll + 10

    # -- scheduling --------------------------------------------------------------------------
    def _schedule_forever(self):
        while self.running:
            self.last_loop = time.monotonic()
            try:
                self._schedule()
            except Exception as exc:  # the database may be down: keep trying
                log.warning("webhook scheduler: %s", exc)
            self.wake = Event()
            try:
                with eventlet.Timeout(self.poll, False):
                    self.wake.wait()
            except Exception:
                pass

    def _schedule(self):
        with self.pool.connection(timeout=2) as conn:
            rows = DeliveryQueue(conn.cursor()).due_by_department()
        for department, due in rows:
            for _ in range(min(due, self.concurrency - self.active[department])):
                self.active[department] += 1
                self.container.spawn_managed_thread(partial(self._drain, department),
                                                    identifier=f"webhook-{department}")

    def _drain(self, department):
        try:
            while self.running:
                claimed = self._claim(department)
                if claimed is None:
                    return
                self._deliver(claimed)
        except Exception as exc:
            log.warning("webhook delivery loop of %s stopped: %s", department, exc)
        finally:
            self.active[department] -= 1

    def _claim(self, department):
        token = str(uuid.uuid4())
        with self.pool.connection(timeout=5) as conn:
            row = DeliveryQueue(conn.cursor()).claim(department, self.lease, token)
        return Claimed(row) if row else None

    # -- delivering --------------------------------------------------------------------------
    def _deliver(self, claimed):
        body = claimed.body.encode("utf-8")
        secret = webhook_secret(self.master_key, claimed.webhook_id, claimed.secret_salt)
        headers = {"Content-Type": "application/json", "User-Agent": "renda-webhooks/1",
                   SIGNATURE_HEADER: sign(secret, body), EVENT_HEADER: claimed.event_type,
                   DELIVERY_HEADER: str(claimed.id), "X-Renda-Attempt": str(claimed.attempts)}
        started_at = time.time()
        started = time.perf_counter()
        try:
            with eventlet.Timeout(self.timeout + 1):  # a slow resolver or a trickling server cannot hold us longer
                result = self.sender.post(claimed.url, body, headers)
            status_code, error = result.status_code, result.error
        except eventlet.Timeout:
            status_code, error = None, TIMEOUT
        duration = time.perf_counter() - started
        DELIVERY_SECONDS.observe(duration)
        success = error is None
        permanent = error in PERMANENT_ERRORS
        if permanent:
            REFUSED.labels(error).inc()
        status = outcome(claimed.attempts, self.max_attempts, success, permanent)
        DELIVERIES.labels(status if status != "pending" else "retry").inc()
        delay = 0 if success else retry_delay(claimed.attempts, self.base, self.factor, self.max_delay)
        with self.pool.connection(timeout=5) as conn:
            with conn.transaction():
                queue = DeliveryQueue(conn.cursor())
                updated = queue.finish(claimed.id, claimed.lease_token, status, delay, status_code, error, success)
                queue.log_attempt(claimed.id, claimed.attempts, started_at, duration * 1000, status_code, error)
        if not updated:
            log.warning("delivery %s changed while it was being delivered (webhook deleted?)", claimed.id)
        elif status == "dead":
            log.error("webhook delivery %s (webhook %s) dead after %d attempts: %s", claimed.id, claimed.webhook_id,
                      claimed.attempts, error)
