"""PostgreSQL access: a pooled dependency provider and the unit of work.

One pool per service process, sized to the container's ``max_workers`` plus a few (the
relay and health checks take their own). Each service logs in as its own role whose
``search_path`` is its own schema (set by ``kernel.bootstrap``), so repositories write
unqualified table names and can never reach another service's schema.
"""
import logging
import os
import time
import weakref

import kernel  # noqa: F401  (selects the eventlet-friendly psycopg wait function first)
import psycopg
from nameko.extensions import DependencyProvider
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from kernel.config import service_dsn
from kernel.envelope import new_envelope
from kernel.errors import ServiceUnavailable, ValidationFailed
from kernel.logs import current_correlation_id

log = logging.getLogger(__name__)


def outbox_channel(service):
    """NOTIFY channel that wakes ``service``'s outbox relay. One per service: every schema
    lives in one database, and a shared channel woke every relay on every commit."""
    return f"outbox_{service}"


class EventContractBroken(RuntimeError):
    """An event's payload does not fit its contract (contracts/events/): a bug in the producer."""

    def __init__(self, event_type, problems):
        super().__init__(f"{event_type} payload breaks its contract: {problems}")
        self.event_type, self.problems = event_type, problems


def _contract_checker():
    """``payload_problems`` of contracts/events/ when CHECK_EVENT_CONTRACTS is on (the test suite
    turns it on for every process it starts), else None: production does not pay for it."""
    if os.environ.get("CHECK_EVENT_CONTRACTS", "").strip().lower() not in ("1", "true", "yes", "on"):
        return None
    from contracts.events import payload_problems
    return payload_problems


def check_event_contract(event_type, data, checker=None):
    """Raise EventContractBroken if checking is on and ``data`` does not fit ``event_type``'s contract."""
    checker = checker or _contract_checker()
    if checker is None:
        return
    problems = checker(event_type, data)
    if problems:
        raise EventContractBroken(event_type, problems)


# Record that a consumer handled an event; RETURNING 1 only the first time. Also the first
# step of repository statements that claim and apply an event at once (kernel/directory.py).
CLAIM_EVENT = ("INSERT INTO processed_events (consumer, event_id) VALUES (%s, %s) "
               "ON CONFLICT DO NOTHING RETURNING 1")


class UnitOfWork:
    """What use cases see: repositories, ``emit`` for events, ``claim_event`` for
    idempotent consumers, ``commit``. Leaving the block without commit rolls back."""

    producer = "unknown"
    correlation_id = None
    contract_checker = None   # None: the process-wide setting (check_event_contract)

    def __init__(self):
        self.pending_events = []

    def __enter__(self):
        self.pending_events = []
        return self

    def __exit__(self, *exc_info):
        self.rollback()

    def emit(self, event_type, data, aggregate_id=None, exchange=None, routing_key=None):
        """Queue an event; it is written to the outbox in the same transaction at commit."""
        check_event_contract(event_type, data, self.contract_checker)
        envelope = new_envelope(event_type, data, self.producer,
                                correlation_id=self.correlation_id,
                                aggregate_id=None if aggregate_id is None else str(aggregate_id))
        self.pending_events.append((envelope, exchange, routing_key))
        return envelope

    def claim_event(self, consumer, event_id):
        """Record that ``consumer`` handled ``event_id``; False if it already had."""
        raise NotImplementedError

    def recall(self, scope, key):
        """The stored result of an earlier write with this Idempotency-Key, or None.
        Holds a transaction lock on the key so concurrent retries wait for the first."""
        raise NotImplementedError

    def remember(self, scope, key, result):
        raise NotImplementedError

    def commit(self):
        raise NotImplementedError

    def rollback(self):
        raise NotImplementedError


class PostgresUnitOfWork(UnitOfWork):
    def __init__(self, pool, producer, repositories, correlation_id=None, pool_timeout=1.5, readonly=False,
                 autocommit=False):
        super().__init__()
        # A read-only unit of work runs each statement in autocommit: one round trip per
        # query instead of BEGIN + query + ROLLBACK. So does one whose use case is a single
        # statement (``autocommit``: e.g. claim an event and apply it in one statement), which
        # saves BEGIN and COMMIT; it cannot emit events (the outbox row needs a transaction).
        self.readonly = readonly
        self.autocommit = readonly or autocommit
        self.pool = pool
        self.producer = producer
        self.repository_factories = repositories
        self.correlation_id = correlation_id
        self.pool_timeout = pool_timeout
        self.connection = None

    def __enter__(self):
        super().__enter__()
        try:
            self.connection = self.pool.getconn(timeout=self.pool_timeout)
        except PoolTimeout as exc:
            raise ServiceUnavailable("database unavailable", {"reason": "no database connection"}) from exc
        if self.autocommit:
            self.connection.autocommit = True
        self.cursor = self.connection.cursor()
        for name, factory in self.repository_factories.items():
            setattr(self, name, factory(self.cursor))
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if self.connection is not None and not self.connection.closed:
                if self.autocommit:
                    self.connection.autocommit = False
                elif self.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    self.connection.rollback()
        except psycopg.Error:
            pass
        finally:
            if self.connection is not None:
                self.pool.putconn(self.connection)
                self.connection = None
        if isinstance(exc, psycopg.OperationalError):
            raise ServiceUnavailable("database unavailable", {"reason": type(exc).__name__}) from exc
        if isinstance(exc, psycopg.DataError):
            # A value the database refuses (out of range, not valid for its type) came from
            # the caller: a 400, not a 500. Schemas should have named the field first, so
            # this net is logged to find the bound that is missing.
            log.warning("input refused by the database: %s", exc)
            reason = exc.diag.message_primary or str(exc).split("\n")[0]
            raise ValidationFailed("invalid input", {"_input": [reason]}) from exc
        return False

    def claim_event(self, consumer, event_id):
        self.cursor.execute(CLAIM_EVENT, (consumer, event_id))
        return self.cursor.fetchone() is not None

    def recall(self, scope, key):
        self.cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{scope}:{key}",))
        self.cursor.execute("SELECT response FROM idempotency_keys WHERE scope = %s AND key = %s", (scope, key))
        row = self.cursor.fetchone()
        return row[0] if row else None

    def remember(self, scope, key, result):
        self.cursor.execute("INSERT INTO idempotency_keys (scope, key, response) VALUES (%s, %s, %s)",
                            (scope, key, Jsonb(result)))

    def commit(self):
        if self.readonly:
            raise RuntimeError("commit in a read-only unit of work")
        if self.autocommit:
            if self.pending_events:
                raise RuntimeError("events emitted in an autocommit unit of work: their outbox rows need a transaction")
            return  # every statement committed on its own
        if self.pending_events:
            default_exchange = f"{self.producer}.events"
            # One multi-row INSERT: executemany would switch psycopg to pipeline mode, which
            # costs more than it saves for the one or two events a use case emits.
            rows = [(env["event_id"], env["aggregate_id"], env["type"], exchange or default_exchange,
                     routing_key or env["type"], Jsonb(env))
                    for env, exchange, routing_key in self.pending_events]
            self.cursor.execute(
                "INSERT INTO outbox (event_id, aggregate_id, event_type, exchange, routing_key, payload) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows)),
                [value for row in rows for value in row])
            # A statement trigger on outbox NOTIFYs outbox_channel(schema) at commit.
        self.connection.commit()
        self.pending_events = []

    def rollback(self):
        self.pending_events = []
        if self.connection is not None and not self.autocommit:
            self.connection.rollback()


class _IdleCheck:
    """Check a connection on checkout only if it sat idle in the pool for a while: one that
    was just returned is known good, and a round trip per checkout is not free. Broken
    connections are still weeded out after an outage (they have been idle meanwhile, or
    were discarded by the pool when returned in a bad state)."""

    def __init__(self, idle_seconds=1.0):
        self.idle_seconds = idle_seconds
        self.returned_at = weakref.WeakKeyDictionary()

    def mark_returned(self, connection):
        self.returned_at[connection] = time.monotonic()

    def check(self, connection):
        if time.monotonic() - self.returned_at.get(connection, 0.0) > self.idle_seconds:
            ConnectionPool.check_connection(connection)


def make_pool(dsn, max_size, name):
    idle_check = _IdleCheck()
    return ConnectionPool(
        dsn, min_size=min(2, max_size), max_size=max_size, open=False, name=name,
        check=idle_check.check, reset=idle_check.mark_returned,
        # A dead database must not stall start-up; readiness reports it instead.
        reconnect_timeout=0, kwargs={"connect_timeout": 3},
    )


class Database(DependencyProvider):
    """Injects a factory of unit-of-work objects bound to this worker's correlation id.

    ``repositories`` maps attribute names to callables ``cursor -> repository``.
    """

    def __init__(self, repositories=None):
        self.repositories = repositories or {}
        self.pool = None

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        self.dsn = service_dsn(config, self.service)
        self.pool_timeout = float(config.get("DB_POOL_TIMEOUT_SECONDS", 1.5))
        size = int(config.get("max_workers", 10)) + 4
        self.pool = make_pool(self.dsn, size, f"{self.service}-pool")

    def start(self):
        self.pool.open(wait=False)

    def stop(self):
        if self.pool is not None:
            self.pool.close(timeout=2)

    kill = stop

    def unit_of_work(self, correlation_id=None, readonly=False, autocommit=False):
        return PostgresUnitOfWork(self.pool, self.service, self.repositories, correlation_id=correlation_id,
                                  pool_timeout=self.pool_timeout, readonly=readonly, autocommit=autocommit)

    def get_dependency(self, worker_ctx):
        correlation_id = worker_ctx.data.get("correlation_id") or current_correlation_id()
        return UnitOfWorkFactory(self, correlation_id)

    def ping(self, timeout=1.0):
        """Readiness probe: True when a pooled connection answers."""
        try:
            with self.pool.connection(timeout=timeout) as conn:
                conn.execute("SELECT 1")
            return True
        except (PoolTimeout, psycopg.Error):
            return False

    def pool_stats(self):
        stats = self.pool.get_stats() if self.pool is not None else {}
        return {"size": stats.get("pool_size", 0), "available": stats.get("pool_available", 0),
                "waiting": stats.get("requests_waiting", 0), "max": self.pool.max_size if self.pool else 0}


class UnitOfWorkFactory:
    """What a service method gets as ``self.db``: call it for a unit of work."""

    def __init__(self, provider, correlation_id):
        self.provider = provider
        self.correlation_id = correlation_id

    def __call__(self, readonly=False, autocommit=False):
        return self.provider.unit_of_work(self.correlation_id, readonly, autocommit)

    def ping(self):
        return self.provider.ping()

    def pool_stats(self):
        return self.provider.pool_stats()
