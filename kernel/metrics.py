"""Prometheus metrics of one process. Names are ``<service>_<noun>_<unit>``; labels are
low-cardinality (entrypoint names, outcomes, event types), never ids."""
import time

from nameko.extensions import DependencyProvider
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

_BY_SERVICE = {}

LATENCY_BUCKETS = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10)


class ServiceMetrics:
    def __init__(self, service):
        p = service
        self.calls = Counter(f"{p}_entrypoint_calls_total", "Entrypoint calls by outcome",
                             ["entrypoint", "outcome"])
        self.latency = Histogram(f"{p}_entrypoint_latency_seconds", "Entrypoint latency",
                                 ["entrypoint"], buckets=LATENCY_BUCKETS)
        self.errors = Counter(f"{p}_entrypoint_errors_total", "Entrypoint errors by class",
                              ["entrypoint", "error"])
        self.events_published = Counter(f"{p}_events_published_total", "Events published by the outbox relay",
                                        ["event_type"])
        self.events_consumed = Counter(f"{p}_events_consumed_total", "Events handled",
                                       ["event_type", "outcome"])
        self.events_retried = Counter(f"{p}_events_retried_total", "Events sent to a retry queue",
                                      ["event_type"])
        self.events_dead_lettered = Counter(f"{p}_events_dead_lettered_total",
                                            "Events moved to a dead-letter queue", ["reason"])
        self.rpc_dropped = Counter(f"{p}_rpc_requests_dropped_total",
                                   "RPC requests that could not be answered (no reply_to, undecodable)")
        self.outbox_backlog = Gauge(f"{p}_outbox_backlog_events", "Outbox rows not yet published")
        self.outbox_relay_leader = Gauge(f"{p}_outbox_relay_leader",
                                         "1 while this process's outbox relay holds the service's relay lock "
                                         "(the one replica that publishes)")
        self.outbox_lag = Gauge(f"{p}_outbox_lag_seconds", "Age of the oldest unpublished outbox row")
        self.outbox_delay = Histogram(f"{p}_outbox_publish_delay_seconds", "Commit-to-publish delay",
                                      buckets=LATENCY_BUCKETS)
        self.pool_size = Gauge(f"{p}_db_pool_connections", "Database pool connections", ["state"])


def service_metrics(service):
    """One set of metrics per service name in this process (tests run several)."""
    if service not in _BY_SERVICE:
        _BY_SERVICE[service] = ServiceMetrics(service)
    return _BY_SERVICE[service]


_GAUGES = {}


def work_gauge(name, documentation, label):
    """A gauge of work waiting (overdue assignments, dead deliveries...) by one label, set
    from the database by a timer. One per name in this process (tests run several services)."""
    if name not in _GAUGES:
        _GAUGES[name] = Gauge(name, documentation, [label])
    return _GAUGES[name]


def set_work_gauge(gauge, counts, always=()):
    """Replace every series of ``gauge`` by ``counts`` ({label value: count}); labels in
    ``always`` are kept at 0 when absent, so an alert on them sees a series. Clear and set
    run without yielding, so no scrape sees the gauge half-set."""
    gauge.clear()
    for value in always:
        gauge.labels(value).set(0)
    for value, count in counts.items():
        gauge.labels(value).set(count)


def exposition():
    return generate_latest(), CONTENT_TYPE_LATEST


class EntrypointMetrics(DependencyProvider):
    """Counts and times every entrypoint call of the service, by outcome."""

    def setup(self):
        self.metrics = service_metrics(self.container.service_name)
        self.started = {}

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        name = worker_ctx.entrypoint.method_name
        if started is not None:
            self.metrics.latency.labels(name).observe(time.perf_counter() - started)
        outcome = "error" if exc_info else "ok"
        self.metrics.calls.labels(name, outcome).inc()
        if exc_info:
            self.metrics.errors.labels(name, exc_info[0].__name__).inc()

    def get_dependency(self, worker_ctx):
        return self.metrics
