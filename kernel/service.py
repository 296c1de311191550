"""What every platform service has: correlation ids in logs, entrypoint metrics,
``health`` over RPC and ``/health`` + ``/metrics`` over HTTP on its own port."""
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from kernel.consumer import rpc
from kernel.logs import correlation_id_var
from kernel.metrics import EntrypointMetrics, exposition
from kernel.web import http, json_response


class CorrelationContext(DependencyProvider):
    """Puts the worker's correlation id where the log formatter finds it."""

    def worker_setup(self, worker_ctx):
        correlation_id_var.set(worker_ctx.data.get("correlation_id"))

    def worker_teardown(self, worker_ctx):
        correlation_id_var.set(None)


class PlatformService:
    """Mixin for nameko service classes. Subclasses may define ``db`` (kernel.db.Database)
    and ``relay`` (kernel.outbox.OutboxRelay); readiness checks whichever exist."""

    config = Config()
    correlation = CorrelationContext()
    entrypoint_metrics = EntrypointMetrics()

    def _readiness(self):
        checks = {}
        db = getattr(self, "db", None)
        if db is not None:
            checks["database"] = db.ping()
        relay = getattr(self, "relay", None)
        if relay is not None:
            checks["outbox_relay"] = relay.healthy()
        return {"service": self.name, "live": True, "ready": all(checks.values()), "checks": checks}

    @rpc
    def health(self):
        return self._readiness()

    @rpc
    def ping(self):
        return {"service": self.name, "pong": True}

    @http("GET", "/health")
    def http_health(self, request):
        body = self._readiness()
        return json_response(body, 200 if body["ready"] else 503)

    @http("GET", "/health/live")
    def http_live(self, request):
        return json_response({"service": self.name, "live": True})

    @http("GET", "/metrics")
    def http_metrics(self, request):
        db = getattr(self, "db", None)
        if db is not None:
            stats = db.pool_stats()
            for state in ("size", "available", "waiting", "max"):
                self.entrypoint_metrics.pool_size.labels(state).set(stats[state])
        payload, content_type = exposition()
        return Response(payload, content_type=content_type)
