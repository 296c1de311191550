"""kernel.db.Database inside a running service, and the per-service role isolation."""
import uuid

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

    @rpc
    def meet(self, marker, peers, timeout):
        """Wait INSIDE the database until ``peers`` sessions (this one included) run this
        same statement at once; an error after ``timeout`` seconds."""
        with self.db() as uow:
            uow.cursor.execute(RENDEZVOUS.replace("MARKER", marker).replace("PEERS", str(int(peers)))
                               .replace("TIMEOUT", str(int(timeout))))
            uow.cursor.execute("SELECT current_user, current_schema()")
            result = list(uow.cursor.fetchone())
            uow.commit()  # a rollback would undo the flag in application_name
            return result


# One statement that polls pg_stat_activity (a per-transaction snapshot unless cleared) for
# the sessions running it. The first to see all of them flags it in its application_name (the
# pool keeps that connection open), so the others need not see the same instant themselves.
RENDEZVOUS = """DO $rendezvous$ BEGIN  -- rendezvous MARKER
    FOR round IN 1 .. TIMEOUT * 100 LOOP
        PERFORM pg_stat_clear_snapshot();
        IF EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'rendezvous MARKER met') THEN
            RETURN;
        END IF;
        IF (SELECT count(*) FROM pg_stat_activity
             WHERE state = 'active' AND query LIKE '%rendezvous MARKER%') >= PEERS THEN
            PERFORM set_config('application_name', 'rendezvous MARKER met', false);
            RETURN;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
    RAISE EXCEPTION 'rendezvous MARKER: fewer than PEERS sessions met within TIMEOUT s';
END $rendezvous$"""


def database_of(container):
    return next(dep for dep in container.dependencies if isinstance(dep, Database))


def all_meet(cluster, peers, timeout=10):
    """``peers`` concurrent calls that each wait in PostgreSQL for all the others. If a
    database wait blocked the service's event loop, the first call would hold it and the
    others would never reach the database: they could not meet, however fast the machine."""
    marker = uuid.uuid4().hex
    replies = [cluster.news.meet.call_async(marker, peers, timeout) for _ in range(peers)]
    return [reply.result() for reply in replies]  # a session that never met raises here


def test_concurrent_queries_do_not_block_the_event_loop(start_service, cluster, prepared):
    """psycopg's C wait function would serialise these (ARCHITECTURE.md pitfall)."""
    start_service(SleepyService)
    role = role_name(prepared, "news")
    assert cluster.news.sleep(0) == [role, "news"]  # warm: the pool has its connections
    assert all_meet(cluster, 2) == [[role, "news"]] * 2


def test_more_concurrent_queries_than_the_warm_pool(start_service, cluster, prepared):
    container = start_service(SleepyService)
    cluster.news.sleep(0)
    assert database_of(container).pool.min_size < 6  # the pool must grow to let all six meet
    assert all_meet(cluster, 6) == [[role_name(prepared, "news"), "news"]] * 6


def test_pool_is_sized_max_workers_plus_four(start_service, cluster):
    container = start_service(SleepyService, max_workers=6)
    assert database_of(container).pool.max_size == 10
    assert database_of(container).pool_stats()["max"] == 10


def test_a_database_outage_is_service_unavailable(start_service, cluster):
    """No connection within DB_POOL_TIMEOUT_SECONDS → ServiceUnavailable (503), not a hung worker."""
    from kernel.errors import ServiceUnavailable
    start_service(SleepyService, SERVICE_DATABASE_URL="postgresql://svc_{service}:{password}@127.0.0.1:1/none",
                  DB_POOL_TIMEOUT_SECONDS=0.3)
    with pytest.raises(ServiceUnavailable):  # a hung worker would end in the proxy's RpcTimeout instead
        cluster.news.sleep(0)


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
