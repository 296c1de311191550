"""Fault tests run the platform against a PRIVATE RabbitMQ and PostgreSQL (tests/support/
instances.py) that they may stop, kill and restart, never against the shared servers.

``stack``: the private instances (once per session), bootstrapped with the demo data, and
the demo's 693 ``deputy_registered`` events already delivered (an empty outbox).
``launch(names, extra_env)``: the platform's processes against the stack, stopped after
the test."""
import os
import subprocess
import tempfile

import pika
import psycopg
import pytest
import requests

from kernel.bootstrap import bootstrap, load_demo
from tests.support.instances import PrivatePostgres, PrivateRabbit
from prometheus_client.parser import text_string_to_metric_families

from tests.support.platform import PROCESSES, Client, PlatformProcesses, eventually, free_port, service_of

# Ports of our own: free ones picked per run (so that test runs side by side on one machine
# never share an instance), or fixed through the environment.
def _ports(*names):
    chosen = []
    for name in names:
        port = int(os.environ.get(name) or 0)
        while not port or port in chosen:
            port = free_port()
        chosen.append(port)
    return chosen


RABBIT_PORT, RABBIT_DIST_PORT, PG_PORT = _ports(
    "RELIABILITY_RABBIT_PORT", "RELIABILITY_RABBIT_DIST_PORT", "RELIABILITY_PG_PORT")
DATABASE = "renda"
DEMO_DEPUTIES = 693


class Stack:
    def __init__(self, config, rabbit, postgres):
        self.rabbit = rabbit
        self.postgres = postgres
        self.admin_url = f"postgresql://postgres@127.0.0.1:{postgres.port}/{DATABASE}"
        urls = {
            "DATABASE_URL": self.admin_url,
            "SERVICE_DATABASE_URL": f"postgresql://svc_{{service}}:{{password}}@127.0.0.1:{postgres.port}/{DATABASE}",
            "AMQP_URI": rabbit.url,
        }
        self.config = dict(config, **urls)
        self.env = dict(os.environ, **urls)
        self.amqp_uri = rabbit.url

    # -- the database, read as the superuser (any schema) ----------------------------------
    def query(self, statement, params=None):
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(statement, params).fetchall()

    def execute(self, statement, params=None):
        """A statement that returns no rows (DDL, settings)."""
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement, params)

    def scalar(self, statement, params=None):
        return self.query(statement, params)[0][0]

    def unpublished(self):
        return self.scalar("SELECT count(*) FROM deputy.outbox WHERE published_at IS NULL")

    def directory(self, service, codes):
        """{code: applied_count} of ``codes`` in ``service``'s deputy read model."""
        return dict(self.query(f"SELECT code, applied_count FROM {service}.deputy_directory "
                               "WHERE code = ANY(%s)", (list(codes),)))

    # -- the broker -------------------------------------------------------------------------
    def channel(self):
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_uri))
        return connection, connection.channel()

    def event_backlog(self, services):
        """{queue: messages (ready + unacked)} of the event queues of ``services`` that are
        not empty, dead-letter queues aside (kernel.bootstrap names them
        ``evt-<source>-<type>--<service>.<method>``)."""
        backlog = {}
        for line in self.rabbit.ctl("list_queues", "name", "messages").splitlines():
            name, _, count = line.rpartition("\t")
            consumer = name.partition("--")[2]
            if (name.startswith("evt-") and not name.endswith(".dlq") and count.isdigit() and int(count)
                    and consumer.partition(".")[0] in services):
                backlog[name] = int(count)
        return backlog

    def queue_depth(self, queue):
        connection, channel = self.channel()
        try:
            return channel.queue_declare(queue, passive=True).method.message_count
        finally:
            connection.close()


@pytest.fixture(scope="session")
def private_rabbit():
    rabbit = PrivateRabbit(port=RABBIT_PORT, dist_port=RABBIT_DIST_PORT, name=f"reliability{RABBIT_PORT}")
    rabbit.start()
    yield rabbit
    rabbit.stop()


@pytest.fixture(scope="session")
def private_postgres():
    postgres = PrivatePostgres(port=PG_PORT)
    postgres.start()
    yield postgres
    postgres.stop()


@pytest.fixture(scope="session")
def stack(config, private_rabbit, private_postgres):
    stack = Stack(config, private_rabbit, private_postgres)
    bootstrap(stack.config, demo=False)
    load_demo(stack.config)
    # Deliver the demo's events once, so every test starts from empty outboxes, full read
    # models and no backlog (a relay started with OUTBOX_FAULT would otherwise crash on the
    # events, and a backlog handled during a test competes with its requests for workers).
    drained = ("deputy", "suggestion", "voting")
    processes = PlatformProcesses(stack.env, tempfile.mkdtemp(prefix="renda-rel-drain-"), names=drained)
    try:
        processes.start_all()
        for service in drained:
            eventually(lambda: stack.scalar(f"SELECT count(*) FROM {service}.outbox WHERE published_at IS NULL") == 0,
                       timeout=120, what=f"the demo {service} outbox to drain")
        for service in ("suggestion", "voting"):
            eventually(lambda: stack.scalar(f"SELECT count(*) FROM {service}.deputy_directory") == DEMO_DEPUTIES,
                       timeout=60, what=f"the demo deputies in the {service} read model")
        eventually(lambda: not stack.event_backlog(drained), timeout=180,
                   what=f"the demo events handled by {drained}")
    finally:
        processes.stop_all()
    return stack


class Launched(PlatformProcesses):
    def client(self, name="gateway"):
        return Client(self.url(name))

    def wait_healthy(self, timeout=30):
        eventually(lambda: requests.get(self.gateway_url + "/health", timeout=5).status_code == 200,
                   timeout=timeout, what=f"platform /health 200 (logs in {self.log_dir})")

    def wait_ready_for(self, names, timeout=30):
        """Until the gateway's /health no longer names any of ``names`` unavailable (a
        platform launched without some services never reaches /health 200)."""
        def ready():
            unavailable = requests.get(self.gateway_url + "/health", timeout=5).json()["unavailable"]
            return not set(names) & set(unavailable)
        eventually(ready, timeout=timeout, what=f"{names} ready in /health (logs in {self.log_dir})")

    def assert_all_running(self):
        """No process died (nameko kills a container on an unexpected worker error)."""
        dead = {name: proc.returncode for name, proc in self.procs.items() if proc.poll() is not None}
        assert not dead, f"processes exited: {dead} (logs in {self.log_dir})"

    def consumed(self, name, event_type, outcome="ok"):
        """How many ``event_type`` events process ``name`` has handled (its /metrics)."""
        return self.metric(name, "events_consumed_total", event_type=event_type, outcome=outcome)

    def metric(self, name, metric, **labels):
        """The sum of the samples ``<service>_<metric>`` of process ``name`` (its /metrics)
        whose labels include ``labels``; 0 when there is none."""
        text = requests.get(f"{self.url(name)}/metrics", timeout=10).text
        wanted = f"{service_of(name)}_{metric}"
        return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
                   if sample.name == wanted and labels.items() <= sample.labels.items())

    def wait_exit(self, name, timeout=20):
        """The exit code of process ``name`` (which is expected to end by itself)."""
        proc = self.procs[name]
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} still running after {timeout}s (logs in {self.log_dir})")
        self.procs.pop(name)
        return proc.returncode


@pytest.fixture
def launch(stack):
    launched = []

    def launch(names=tuple(PROCESSES), extra_env=None):
        processes = Launched(stack.env, tempfile.mkdtemp(prefix="renda-rel-"), names=tuple(names))
        launched.append(processes)
        for name in names:
            processes.start(name, (extra_env or {}).get(name))
        for name in names:
            processes.wait_ready(name)
        return processes

    yield launch
    for processes in launched:
        processes.stop_all()
