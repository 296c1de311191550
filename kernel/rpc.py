"""RPC calls with deadlines, and concurrent fan-out with partial results.

nameko 2.x's RpcProxy waits for ever; here every call has a deadline. The request message
carries the same deadline as its AMQP expiration, so a service that comes back after an
outage does not work through requests whose callers have long given up.
"""
import uuid

import eventlet
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.messaging import HeaderEncoder
from nameko.rpc import ReplyListener, RpcReply, get_rpc_exchange

from kernel.consumer import CONNECTION_ERRORS, GuardedQueueConsumer, UnconfirmedPublisher
from kernel.errors import DeadlineExceeded, ServiceUnavailable


class ServiceClient(HeaderEncoder):
    def __init__(self, worker_ctx, provider):
        self.worker_ctx = worker_ctx
        self.provider = provider
        self.reply_listener = provider.rpc_reply_listener
        self.default_deadline = provider.default_deadline

    def call_async(self, service, method, deadline=None, **kwargs):
        """Publish the request (as nameko's MethodProxy does, but with neither a publisher
        confirm nor the mandatory flag: see kernel.consumer.UnconfirmedPublisher). A
        service that is down or was never started answers nothing: 504 at the deadline."""
        deadline = deadline or self.default_deadline
        correlation_id = str(uuid.uuid4())
        reply_event = self.reply_listener.get_reply_event(correlation_id)
        try:
            self.provider.publisher.publish(
                {"args": (), "kwargs": kwargs}, exchange=self.provider.exchange,
                routing_key=f"{service}.{method}", reply_to=self.reply_listener.routing_key,
                correlation_id=correlation_id, extra_headers=self.get_message_headers(self.worker_ctx),
                expiration=max(0.001, deadline))  # kombu takes seconds (it sends milliseconds)
        except CONNECTION_ERRORS as exc:  # the request could not be published: broker down
            self.reply_listener._reply_events.pop(correlation_id, None)
            raise ServiceUnavailable("message broker unavailable", {"service": service}) from exc
        return _DeadlineReply(RpcReply(reply_event), service, method, deadline, self.reply_listener, correlation_id)

    def call(self, service, method, deadline=None, **kwargs):
        return self.call_async(service, method, deadline, **kwargs).result()

    def gather(self, calls, deadline=None):
        """Run ``{name: (service, method, kwargs)}`` concurrently; return (results, unavailable).

        A part that errs or misses its deadline is left out of ``results`` and named in
        ``unavailable`` instead of failing the whole answer.
        """
        pending = {}
        for name, (service, method, kwargs) in calls.items():
            try:
                pending[name] = self.call_async(service, method, deadline, **kwargs)
            except ServiceUnavailable:
                pending[name] = None
        results, unavailable = {}, []
        for name, reply in pending.items():
            try:
                if reply is None:
                    raise ServiceUnavailable()
                results[name] = reply.result()
            except (DeadlineExceeded, ServiceUnavailable):
                unavailable.append(name)
        return results, unavailable


class _DeadlineReply:
    def __init__(self, reply, service, method, deadline, reply_listener, correlation_id):
        self.reply = reply
        self.service = service
        self.method = method
        self.expires_at = eventlet.hubs.get_hub().clock() + deadline
        self.deadline = deadline
        self.reply_listener = reply_listener
        self.correlation_id = correlation_id

    def result(self):
        remaining = max(0.0, self.expires_at - eventlet.hubs.get_hub().clock())
        try:
            with eventlet.Timeout(remaining):
                return self.reply.result()
        except eventlet.Timeout:
            self._forget()
            raise DeadlineExceeded(f"{self.service}.{self.method} did not answer within {self.deadline}s",
                                   {"service": self.service, "deadline_seconds": self.deadline})

    def _forget(self):
        # Drop the pending reply event so a late answer does not leak memory.
        self.reply_listener._reply_events.pop(self.correlation_id, None)


class GuardedReplyListener(ReplyListener):
    # through the consumer that survives a broken connection (kernel.consumer)
    queue_consumer = GuardedQueueConsumer()
    # A reply is transient (its queue dies with this process, the caller waits in memory):
    # acking each one was a frame both ways per call for nothing (2.5% of the gateway's CPU).
    consume_without_ack = True


class ServiceRpc(DependencyProvider):
    """Injects a ``ServiceClient`` whose calls all carry a deadline."""

    rpc_reply_listener = GuardedReplyListener()

    def setup(self):
        config = self.container.config
        self.default_deadline = float(config.get("RPC_DEADLINE_SECONDS", 3.0))
        self.exchange = get_rpc_exchange(config)
        self.publisher = UnconfirmedPublisher(config[AMQP_URI_CONFIG_KEY])

    def get_dependency(self, worker_ctx):
        return ServiceClient(worker_ctx, self)
