"""RPC calls with deadlines, and concurrent fan-out with partial results.

nameko 2.x's RpcProxy waits for ever; here every call has a deadline. The request message
carries the same deadline as its AMQP expiration, so a service that comes back after an
outage does not work through requests whose callers have long given up.
"""
import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy, UnknownService

from kernel.consumer import CONNECTION_ERRORS, GuardedQueueConsumer
from kernel.errors import DeadlineExceeded, ServiceUnavailable


class ServiceClient:
    def __init__(self, worker_ctx, reply_listener, default_deadline):
        self.worker_ctx = worker_ctx
        self.reply_listener = reply_listener
        self.default_deadline = default_deadline

    def call_async(self, service, method, deadline=None, **kwargs):
        deadline = deadline or self.default_deadline
        proxy = ServiceProxy(self.worker_ctx, service, self.reply_listener,
                             expiration=max(1, int(deadline * 1000)))
        try:
            reply = getattr(proxy, method).call_async(**kwargs)
        except UnknownService as exc:
            raise ServiceUnavailable(f"service {service} is not running", {"service": service}) from exc
        except CONNECTION_ERRORS as exc:  # the request could not be published: broker down
            raise ServiceUnavailable("message broker unavailable", {"service": service}) from exc
        return _DeadlineReply(reply, service, method, deadline, self.reply_listener)

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
    def __init__(self, reply, service, method, deadline, reply_listener):
        self.reply = reply
        self.service = service
        self.method = method
        self.expires_at = eventlet.hubs.get_hub().clock() + deadline
        self.deadline = deadline
        self.reply_listener = reply_listener

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
        events = getattr(self.reply_listener, "_reply_events", {})
        for key, event in list(events.items()):
            if event is self.reply.reply_event:
                events.pop(key, None)


class GuardedReplyListener(ReplyListener):
    # acks replies through the consumer that survives a broken connection (kernel.consumer)
    queue_consumer = GuardedQueueConsumer()


class ServiceRpc(DependencyProvider):
    """Injects a ``ServiceClient`` whose calls all carry a deadline."""

    rpc_reply_listener = GuardedReplyListener()

    def setup(self):
        self.default_deadline = float(self.container.config.get("RPC_DEADLINE_SECONDS", 3.0))

    def get_dependency(self, worker_ctx):
        return ServiceClient(worker_ctx, self.rpc_reply_listener, self.default_deadline)
