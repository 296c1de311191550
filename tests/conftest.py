"""Root conftest. eventlet must patch before anything else is imported: nameko's pytest
plugin stopped doing it in 2.14.0 (and is disabled in pytest.ini).

The browser tests (tests/browser) are the exception: Playwright's driver does not stop under
eventlet's patched threads, so they run in a second pytest with ``RENDA_BROWSER_TESTS=1``
(``make test`` does both), which patches nothing and collects nothing else."""
import os

BROWSER_RUN = bool(os.environ.get("RENDA_BROWSER_TESTS"))
if not BROWSER_RUN:
    import eventlet

    eventlet.monkey_patch()  # noqa: E402

import fcntl  # noqa: E402
import tempfile  # noqa: E402

import pytest  # noqa: E402

# Tests never touch the demo database or the default vhost a running platform uses, nor the
# platform's credentials: PostgreSQL roles and RabbitMQ users are global to their server, so
# a test run has its own (named after its TEST_DATABASE / TEST_VHOST) with fixed test-only
# secrets. A running `make run` platform (svc_<service>, dept-<code>, with the checkout's random
# secrets) and a test run of any checkout, or two runs with different TEST_DATABASE, therefore
# never change each other's passwords. Two runs with the same TEST_DATABASE wait for each other
# (the lock below).
TEST_DATABASE = os.environ.get("TEST_DATABASE", "renda_test")
TEST_VHOST = os.environ.get("TEST_VHOST", "renda_test")
PG = os.environ.get("TEST_PG", "127.0.0.1:5432")
TEST_SECRETS = {
    "JWT_SECRET": "test-only-jwt-secret-never-used-by-a-platform",
    "SERVICE_DB_PASSWORD": "test-only-db-password",
    "WEBHOOK_SIGNING_SECRET": "test-only-webhook-signing-secret",
    "DEPARTMENT_AMQP_SECRET": "test-only-department-amqp-secret",
}
os.environ.update(TEST_SECRETS)
os.environ.update({
    "DATABASE_URL": f"postgresql://postgres@{PG}/{TEST_DATABASE}",
    "SERVICE_DATABASE_URL": f"postgresql://{TEST_DATABASE}__{{service}}:{{password}}@{PG}/{TEST_DATABASE}",
    "DEPARTMENT_AMQP_USER_PREFIX": f"{TEST_VHOST}--dept-",
    "AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{TEST_VHOST}",
    "EVENT_RETRY_DELAYS": "[0.2, 0.5]",
    "RPC_DEADLINE_SECONDS": "3.0",
    "LOG_LEVEL": "WARNING",
    "SUGGESTION_DEADLINE_CHECK_SECONDS": "1",
    "WORK_GAUGES_SECONDS": "1",
    # The webhook tests' endpoints listen on 127.0.0.1; tests of the SSRF guard turn it off.
    "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    # Every event any process of a test run emits is checked against contracts/events/.
    "CHECK_EVENT_CONTRACTS": "true",
})

from kernel.bootstrap import bootstrap  # noqa: E402
from kernel.config import load_config  # noqa: E402
from tests.support.platform import (Client, PlatformProcesses, departments_known_everywhere,  # noqa: E402
                                    free_port, reset_database, reset_vhost)


# The browser run collects only tests/browser; the main run everything else.
collect_ignore = ["unit", "integration", "e2e", "reliability"] if BROWSER_RUN else ["browser"]

# One test run at a time per machine: runs share the test database and vhost, which a run
# drops and recreates. A second run waits here instead of corrupting the first.
_RUN_LOCK = open(os.path.join(tempfile.gettempdir(), f"renda-tests-{TEST_DATABASE}.lock"), "w")
fcntl.flock(_RUN_LOCK, fcntl.LOCK_EX)


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def prepared(config):
    """A fresh test database (roles, schemas, migrations) and vhost (queues), once per run."""
    reset_database(f"postgresql://postgres@{PG}/postgres", TEST_DATABASE)
    reset_vhost(TEST_VHOST)
    bootstrap(config, demo=False)
    return config


@pytest.fixture(scope="session")
def demo_loaded(prepared):
    from kernel.bootstrap import load_demo
    load_demo(prepared)
    return prepared


@pytest.fixture
def start_service(prepared):
    """Start nameko services in this process (each its own runner, config and HTTP port)."""
    from nameko.runners import ServiceRunner

    runners = []

    def start(service_cls, **overrides):
        config = dict(prepared, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}", **overrides)
        runner = ServiceRunner(config)
        runner.add_service(service_cls)
        runner.start()
        runners.append(runner)
        return runner.service_map[service_cls.name]

    yield start
    for runner in reversed(runners):
        runner.stop()


@pytest.fixture(scope="session")
def platform(demo_loaded):
    """All six processes, started as in production, against the test database and vhost."""
    log_dir = tempfile.mkdtemp(prefix="renda-e2e-")
    processes = PlatformProcesses(dict(os.environ), log_dir)
    processes.start_all()
    departments_known_everywhere(demo_loaded["DATABASE_URL"])
    yield processes
    processes.stop_all()


@pytest.fixture(scope="session")
def client(platform):
    return Client(platform.gateway_url)
