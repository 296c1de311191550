"""kernel.db.Database inside a running service, and the per-service role isolation."""
import time

import psycopg
import pytest
from psycopg import errors as pg_errors

from kernel.bootstrap import role_name
from kernel.config import service_dsn
from kernel.consumer import rpc
from kernel.db import Database


class SleepyService:
    """A service under a bootstrapped name (its role and schema exist)."""
    name = "news"

    db = Database()

    @rpc
    def sleep(self, seconds):
        with self.db() as uow:
            uow.cursor.execute("SELECT pg_sleep(%s)", (seconds,))
            uow.cursor.execute("SELECT current_user, current_schema()")
            return list(uow.cursor.fetchone())


def database_of(container):
    return next(dep for dep in container.dependencies if isinstance(dep, Database))


def concurrent_wall_time(cluster, calls, seconds):
    started = time.perf_counter()
    replies = [cluster.news.sleep.call_async(seconds) for _ in range(calls)]
    results = [reply.result() for reply in replies]
    return time.perf_counter() - started, results


def test_concurrent_queries_do_not_block_the_event_loop(start_service, cluster, prepared):
    """psycopg's C wait function would serialise these (ARCHITECTURE.md pitfall): 2 × 0.5 s ≈ 1.0 s."""
    start_service(SleepyService)
    role = role_name(prepared, "news")
    assert cluster.news.sleep(0) == [role, "news"]  # warm: the pool has its connections
    elapsed, results = concurrent_wall_time(cluster, 2, 0.5)
    assert results == [[role, "news"]] * 2
    assert elapsed < 0.8, f"two concurrent pg_sleep(0.5) took {elapsed:.2f}s"


def test_more_concurrent_queries_than_the_warm_pool(start_service, cluster):
    start_service(SleepyService)
    cluster.news.sleep(0)
    elapsed, _ = concurrent_wall_time(cluster, 6, 0.5)
    assert elapsed < 1.2, f"six concurrent pg_sleep(0.5) took {elapsed:.2f}s"


def test_pool_is_sized_max_workers_plus_four(start_service, cluster):
    container = start_service(SleepyService, max_workers=6)
    assert database_of(container).pool.max_size == 10
    assert database_of(container).pool_stats()["max"] == 10


def test_a_database_outage_is_service_unavailable(start_service, cluster):
    """No connection within DB_POOL_TIMEOUT_SECONDS → ServiceUnavailable (503), not a hung worker."""
    from kernel.errors import ServiceUnavailable
    start_service(SleepyService, SERVICE_DATABASE_URL="postgresql://svc_{service}:{password}@127.0.0.1:1/none",
                  DB_POOL_TIMEOUT_SECONDS=0.3)
    started = time.perf_counter()
    with pytest.raises(ServiceUnavailable):
        cluster.news.sleep(0)
    assert time.perf_counter() - started < 3


@pytest.fixture
def deputy_role(prepared):
    with psycopg.connect(service_dsn(prepared, "deputy"), autocommit=True) as conn:
        yield conn


def test_service_role_sees_its_own_schema(deputy_role, prepared):
    assert deputy_role.execute("SELECT current_user, current_schema()").fetchone() == (
        role_name(prepared, "deputy"), "deputy")
    deputy_role.execute("SELECT count(*) FROM deputies").fetchone()  # unqualified: its own schema


@pytest.mark.parametrize("table", ["suggestion.deputy_directory", "voting.deputy_directory",
                                   "gateway.accounts", "suggestion.outbox"])
def test_deputy_role_is_refused_other_schemas(deputy_role, table):
    with pytest.raises(pg_errors.InsufficientPrivilege):
        deputy_role.execute(f"SELECT * FROM {table} LIMIT 1")


def test_deputy_role_cannot_write_another_schema(deputy_role):
    with pytest.raises(pg_errors.InsufficientPrivilege):
        deputy_role.execute("INSERT INTO suggestion.processed_events (consumer, event_id) VALUES ('x', 'y')")


def test_deputy_role_cannot_create_tables_in_public(deputy_role):
    with pytest.raises(pg_errors.InsufficientPrivilege):
        deputy_role.execute("CREATE TABLE public.sneaky (id int)")


def test_deputy_role_cannot_create_schemas(deputy_role):
    with pytest.raises(pg_errors.InsufficientPrivilege):
        deputy_role.execute("CREATE SCHEMA sneaky")
