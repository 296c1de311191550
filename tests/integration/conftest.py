"""Helpers of the integration suite: real PostgreSQL and RabbitMQ, services in-process.

These tests start services as in-process nameko containers on the test vhost; they need
that vhost to themselves (a whole-platform run from tests/e2e on the same vhost would
compete for the same queues), which ``exclusive_vhost`` checks up front.
"""
import psycopg
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.integration.helpers import Broker


def pytest_collection_modifyitems(session, config, items):
    """In a session that also holds tests/e2e or tests/reliability, run the integration
    tests right after the unit tests: the session-scoped ``platform`` fixture keeps all six
    processes running on the test vhost until the session ends, and those would compete
    with the in-process services started here."""
    def rank(item):
        parts = item.nodeid.replace("\\", "/").split("/")
        if "unit" in parts[:2]:
            return 0
        return 1 if "integration" in parts[:2] else 2
    items[:] = sorted(items, key=rank)  # stable: each group keeps its own order


@pytest.fixture(scope="session", autouse=True)
def exclusive_vhost(prepared):
    """Fail clearly (rather than flakily) when other processes consume our services' queues."""
    with Broker(prepared["AMQP_URI"]) as broker:
        for service in ("deputy", "suggestion", "gateway", "news", "budget"):
            consumers = broker.consumer_count(f"rpc-{service}")
            assert not consumers, (
                f"{consumers} consumer(s) already on rpc-{service}: the integration tests need the test vhost "
                "to themselves; run them in a pytest session without the tests/e2e platform")


@pytest.fixture
def cluster(prepared):
    """A standalone RPC client of the cluster (typed errors arrive as their own class)."""
    with ClusterRpcProxy(prepared, timeout=15) as proxy:
        yield proxy


@pytest.fixture
def admin_db(prepared):
    """A superuser connection to the test database, to look at what the services wrote."""
    with psycopg.connect(prepared["DATABASE_URL"], autocommit=True) as conn:
        yield conn


@pytest.fixture
def broker(prepared):
    with Broker(prepared["AMQP_URI"]) as broker:
        yield broker
