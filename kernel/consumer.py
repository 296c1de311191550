"""Reliable event consumers: envelope validation, retry with backoff, dead-lettering.

nameko's own ``event_handler`` acks a message whose handler failed (the event is lost),
and a message kombu cannot decode kills the whole consumer. ``subscribe`` fixes both:

* a message that is not a valid envelope (bad JSON, wrong content type, missing fields)
  goes straight to ``<queue>.dlq`` and is acked: the queue keeps flowing;
* a handler that raises is re-published to ``<queue>.retry.<n>`` (a queue whose TTL
  dead-letters back into ``<queue>``), with growing delays from ``EVENT_RETRY_DELAYS``;
  after the last retry it goes to ``<queue>.dlq`` with the error in its headers — except
  when it raised ``ServiceUnavailable`` (its database is down): then it retries on the last
  delay for as long as the outage lasts and is never dead-lettered for it;
* the original is acked only after its retry or dead-letter copy is confirmed.

Handlers receive the envelope dict and must be idempotent (``UnitOfWork.claim_event``).
``python -m kernel.dlq`` lists and replays dead letters.
"""
import json
import logging
import traceback
from functools import partial

from amqp.exceptions import AMQPError
from kombu import Connection, Queue
from kombu.exceptions import KombuError
from kombu.serialization import registry
from marshmallow import ValidationError
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from nameko.amqp.publish import Publisher
from nameko.constants import (AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER,
                              LOGIN_METHOD_CONFIG_KEY, SERIALIZER_CONFIG_KEY)
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from kernel.envelope import ENVELOPE_SCHEMA
from kernel.errors import DomainError, ServiceUnavailable, ValidationFailed
from kernel.inputs import field_details, unsafe_text
from kernel.logs import correlation_id_var
from kernel.metrics import service_metrics

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-attempt"
CONNECTION_ERRORS = (OSError, KombuError, AMQPError)
DEFAULT_RETRY_DELAYS = (1, 5, 30)


def retry_queue_name(queue_name, attempt):
    return f"{queue_name}.retry.{attempt}"


def dead_letter_queue_name(queue_name):
    return f"{queue_name}.dlq"


def declare_side_queues(channel, queue_name, delays):
    """The retry ladder and the dead-letter queue that belong to ``queue_name``."""
    for attempt, delay in enumerate(delays, start=1):
        Queue(retry_queue_name(queue_name, attempt), durable=True, queue_arguments={
            "x-message-ttl": int(delay * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queue_name,
        })(channel).declare()
    Queue(dead_letter_queue_name(queue_name), durable=True)(channel).declare()


class GuardedQueueConsumer(QueueConsumer):
    """nameko's shared consumer, but undecodable messages are dead-lettered, not fatal,
    and an ack or requeue on a connection that just broke is not fatal either."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            if hasattr(provider, "on_decode_error"):
                consumer.on_decode_error = provider.on_decode_error
            # a provider whose messages need no ack (RPC replies) is consumed with no_ack: the
            # broker forgets a message once sent, and the provider's ack becomes a no-op (kombu)
            consumer.no_ack = bool(getattr(provider, "consume_without_ack", False))
        return consumers

    # nameko only catches amqp's ConnectionError here; a socket error (connection reset by
    # a restarting broker) escapes into the worker and kills the whole container. The
    # broker redelivers an unacknowledged message anyway, and handlers are idempotent.
    def ack_message(self, message):
        try:
            super().ack_message(message)
        except CONNECTION_ERRORS as exc:
            log.warning("could not ack a message, the broker will redeliver it: %r", exc)

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except CONNECTION_ERRORS as exc:
            log.warning("could not requeue a message, the broker will redeliver it: %r", exc)


class ReliableEventHandler(EventHandler):
    queue_consumer = GuardedQueueConsumer()

    def setup(self):
        super().setup()
        config = self.container.config
        self.delays = tuple(config.get("EVENT_RETRY_DELAYS") or DEFAULT_RETRY_DELAYS)
        self.amqp_uri = config["AMQP_URI"]
        self.metrics = service_metrics(self.container.service_name)
        self.consumer_name = self.queue.name
        with Connection(self.amqp_uri, connect_timeout=5) as connection:
            channel = connection.default_channel
            self.queue(channel).declare()
            declare_side_queues(channel, self.queue.name, self.delays)

    # -- receiving ---------------------------------------------------------------
    def handle_message(self, body, message):
        try:
            if not isinstance(body, dict):
                raise ValidationError({"_schema": ["body is not a JSON object"]})
            envelope = ENVELOPE_SCHEMA.load(body)
        except ValidationError as exc:
            self._dead_letter(message, message.body, "invalid_envelope", json.dumps(exc.normalized_messages()))
            return
        if envelope["type"] != self.event_type:
            self._dead_letter(message, message.body, "unexpected_type", envelope["type"])
            return
        context_data = self.unpack_message_headers(message)
        context_data["correlation_id"] = context_data.get("correlation_id") or envelope["correlation_id"]
        context_data["event_id"] = envelope["event_id"]
        self.container.spawn_worker(
            self, (envelope,), {}, context_data=context_data,
            handle_result=partial(self.handle_result, message))

    def on_decode_error(self, message, exc):
        """kombu could not decode the body (bad JSON, disallowed content type)."""
        self._dead_letter(message, message.body, "undecodable", repr(exc))

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        correlation_id_var.set(None)
        # the failure lines below name the event's correlation id explicitly: ops follow one
        # request from the gateway's access line to the handler that failed on it
        logged = {"correlation_id": worker_ctx.data.get("correlation_id")}
        event_type = self.event_type
        if exc_info is None:
            self.metrics.events_consumed.labels(event_type, "ok").inc()
            self.queue_consumer.ack_message(message)
            return result, exc_info
        self.metrics.events_consumed.labels(event_type, "error").inc()
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        if issubclass(exc_info[0], ServiceUnavailable):
            # The service's database (or another dependency) is down: not the event's fault. It
            # never uses up the retry budget meant for a handler that fails on this event; it
            # waits on the ladder's longest rung until the dependency is back, however long.
            attempt = min(attempt, len(self.delays))
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        try:
            if attempt <= len(self.delays):
                self._republish(message, retry_queue_name(self.queue.name, attempt),
                                {ATTEMPT_HEADER: attempt, "x-last-error": error[:1000]})
                self.metrics.events_retried.labels(event_type).inc()
                log.warning("event %s failed (attempt %d), retrying: %s", event_type, attempt, error, extra=logged)
            else:
                self._dead_letter(message, message.body, "handler_failed", error, ack=False, logged=logged)
        except Exception:
            # Could not park the message: leave it unacked so the broker redelivers it.
            log.exception("could not retry or dead-letter a failed event; it will be redelivered", extra=logged)
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    # -- parking -------------------------------------------------------------------
    def _republish(self, message, queue_name, extra_headers, body=None):
        headers = dict(message.headers or {})
        headers.pop("x-death", None)
        headers.update(extra_headers)
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True},
                        connect_timeout=5) as connection:
            connection.Producer().publish(
                message.body if body is None else body, exchange="", routing_key=queue_name,
                headers=headers, content_type=message.content_type or "application/octet-stream",
                content_encoding=message.content_encoding or "binary",
                delivery_mode=2, retry=True, retry_policy={"max_retries": 3})

    def _dead_letter(self, message, raw_body, reason, error, ack=True, logged=None):
        self._republish(message, dead_letter_queue_name(self.queue.name), {
            "x-dead-letter-reason": reason, "x-error": str(error)[:2000],
            "x-original-queue": self.queue.name,
        }, body=raw_body)
        self.metrics.events_dead_lettered.labels(reason).inc()
        log.error("event dead-lettered from %s (%s): %s", self.queue.name, reason, str(error)[:300], extra=logged)
        if ack:
            self.queue_consumer.ack_message(message)


subscribe = ReliableEventHandler.decorator


class UnconfirmedPublisher(Publisher):
    """RPC requests and replies go without publisher confirms. A confirm round trip per
    message roughly doubles the broker's work per call, and buys nothing here: a lost
    request or reply ends at the caller's deadline (504) just as a slow one does, and
    durable state never travels by RPC (writes commit in PostgreSQL, events go through
    the outbox, which does use confirms)."""
    use_confirms = False


class UnconfirmedResponder(Responder):
    publisher_cls = UnconfirmedPublisher


class GuardedRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, but a request it cannot answer is dropped, not fatal.

    A message without ``reply_to`` or with an unknown content type makes nameko 2.x's
    responder raise inside the consumer (nameko#753), which kills the service; one that
    kombu cannot decode kills it too. Both are logged, counted and acked instead.
    """

    queue_consumer = GuardedQueueConsumer()

    def handle_message(self, body, message):
        properties = message.properties or {}
        if not properties.get("reply_to") or properties.get("content_type") not in registry.type_to_name:
            self._drop(message, "request without reply_to or with an unknown content type")
            return
        super().handle_message(body, message)

    def on_decode_error(self, message, exc):
        self._drop(message, f"undecodable request: {exc!r}")

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = UnconfirmedResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        try:
            result, exc_info = responder.send_response(result, exc_info)
        except Exception as exc:
            # nameko lets a reply that cannot be published (broker gone) escape from the
            # worker, and that kills the whole container. The caller gives up at its
            # deadline instead; the request is acked if its channel still lives (if not,
            # the broker has already taken it back).
            log.warning("could not reply to %s: %r", message.delivery_info.get("routing_key"), exc)
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _drop(self, message, why):
        service_metrics(self.container.service_name).rpc_dropped.inc()
        log.error("dropping RPC message on %s: %s", message.delivery_info.get("routing_key"), why)
        self.queue_consumer.ack_message(message)


class GuardedRpc(Rpc):
    """nameko's RPC entrypoint, guarded as above, and refusing text PostgreSQL cannot store
    (NUL, lone surrogates) in any argument with a ValidationFailed naming the field: the
    gateway checks HTTP input, this holds for every other caller too."""
    rpc_consumer = GuardedRpcConsumer()

    # The HTTP-shaped arguments: their fields are named without this prefix.
    INPUT_ARGUMENTS = ("payload", "query")

    def __init__(self, expected_exceptions=DomainError, **kwargs):
        # Domain errors are answers, not faults: logged as warnings, not tracebacks.
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def check_signature(self, args, kwargs):
        super().check_signature(args, kwargs)
        problems = []
        for name, value in list(enumerate(args)) + list(kwargs.items()):
            path = () if name in self.INPUT_ARGUMENTS else (name,)
            problems += unsafe_text(value, path)
        if problems:
            raise ValidationFailed("invalid input", field_details(problems))


rpc = GuardedRpc.decorator
