"""Test support: a clean test database and vhost, in-process service runners, the whole
platform as real processes, an AMQP event probe, and condition waits."""
import ctypes
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid

import pika
import psycopg
import requests
from psycopg import sql

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = sys.executable
PROCESSES = {  # name -> module, as in deploy/Procfile
    "gateway": "gateway.service",
    "news": "services.news.service",
    "deputy": "services.deputy.service",
    "suggestion": "services.suggestion.service",
    "budget": "services.budget.service",
    "voting": "services.voting.service",
    "webhooks": "services.webhooks.service",
}


def service_of(name):
    """The platform process a test process name runs: a replica is named ``<process>-<k>``
    ("suggestion-2" runs the suggestion service)."""
    base, _, number = name.rpartition("-")
    return base if base in PROCESSES and number.isdigit() else name


def replicas(count, names=tuple(PROCESSES)):
    """Process names of ``count`` replicas of each of ``names``: the first keeps the plain
    name ("gateway", "gateway-2", ...)."""
    return tuple(name if k == 1 else f"{name}-{k}" for name in names for k in range(1, count + 1))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def eventually(check, timeout=10.0, what="condition"):
    """Wait until ``check()`` returns a truthy value (re-checking a condition, with a
    deadline) and return it. Fails the test with ``what`` when the deadline passes."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # the system may still be starting
            last_error = exc
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" +
                         (f" (last error: {last_error!r})" if last_error else ""))


def deadline_slack(deadline):
    """The most a deadline-bound answer may take in a test: generous, since other work shares
    the machine. It proves the answer came from the deadline and not from the client's own
    timeout (30 s in these tests); how fast it comes is measured in bench/, not here."""
    return 2 * deadline + 5.0


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=60)


def reset_vhost(vhost):
    subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=60)
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")


def reset_database(admin_url, dbname):
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


class EventProbe:
    """Binds a private queue to ``<service>.events`` and collects envelopes (pika)."""

    def __init__(self, amqp_uri, service, routing_key="#"):
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        self.channel = self.connection.channel()
        exchange = f"{service}.events"
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, exchange, routing_key=routing_key)

    def collect(self, predicate, count, timeout=10.0):
        """The first ``count`` envelopes matching ``predicate``, in arrival order."""
        found = []
        deadline = time.monotonic() + timeout
        for method, properties, body in self.channel.consume(self.queue, inactivity_timeout=0.2):
            if method is not None:
                self.channel.basic_ack(method.delivery_tag)
                envelope = json.loads(body)
                if predicate(envelope):
                    found.append(envelope)
                    if len(found) == count:
                        break
            if time.monotonic() > deadline:
                break
        self.channel.cancel()
        if len(found) < count:
            raise AssertionError(f"only {len(found)} of {count} matching events within {timeout}s")
        return found

    def wait_for(self, predicate, timeout=10.0):
        return self.collect(predicate, 1, timeout)[0]

    def close(self):
        try:
            self.connection.close()
        except Exception:
            pass


PR_SET_PDEATHSIG = 1


def departments_known_everywhere(admin_url, keepers=("deputy", "webhooks")):
    """Wait until every service keeping a department directory has every department at the
    suggestion service's version (they learn them from ``department_saved`` once the
    suggestion service's relay runs), so tests that name a department do not race that."""
    def caught_up():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            return all(conn.execute(sql.SQL(
                "SELECT NOT EXISTS (SELECT 1 FROM suggestion.departments s WHERE NOT EXISTS ("
                "SELECT 1 FROM {}.department_directory d WHERE d.code = s.code AND d.version >= s.version))").format(
                    sql.Identifier(keeper))).fetchone()[0] for keeper in keepers)
    eventually(caught_up, 60, "every department in the deputy and webhooks services' directories")


def die_with_parent(parent_pid):
    """A preexec_fn: the child gets SIGTERM when the test run that started it dies. Without it a
    killed pytest (a CI time-out, ``timeout``, Ctrl-C twice) leaves a platform running against the
    test database, and the next run's demo seeding deadlocks with its timers."""
    def arrange():
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before the prctl took effect
            os._exit(1)
    return arrange


class PlatformProcesses:
    """The platform's processes started as in production (``python -m kernel.runner``)."""

    def __init__(self, env, log_dir, names=tuple(PROCESSES), modules=None):
        self.env = env
        self.log_dir = log_dir
        self.names = names
        # e.g. {"gateway2": "gateway.service"}; replicas ("suggestion-2") need no entry (service_of)
        self.modules = dict(PROCESSES, **(modules or {}))
        self.ports = {name: free_port() for name in names}
        self.procs = {}

    @property
    def gateway_url(self):
        return self.url("gateway")

    def url(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name, extra_env=None):
        env = dict(self.env, WEB_SERVER_ADDRESS=f"127.0.0.1:{self.ports[name]}", PYTHONUNBUFFERED="1",
                   PYTHONWARNINGS="ignore", **(extra_env or {}))
        log = open(os.path.join(self.log_dir, f"{name}.log"), "ab")
        module = self.modules.get(name) or self.modules[service_of(name)]
        self.procs[name] = subprocess.Popen([PYTHON, "-m", "kernel.runner", module], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT,
                                            preexec_fn=die_with_parent(os.getpid()))
        return self.procs[name]

    def start_all(self):
        for name in self.names:
            self.start(name)
        try:
            for name in self.names:
                self.wait_ready(name)
        except BaseException:
            self.stop_all()  # no orphans competing for the test vhost's queues
            raise

    def wait_ready(self, name, timeout=60):
        url = f"http://127.0.0.1:{self.ports[name]}/health/live"

        def live():
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited with {self.procs[name].returncode}: see {self.log_dir}")
            return requests.get(url, timeout=1).status_code == 200
        deadline = time.monotonic() + timeout
        while True:
            try:
                if live():
                    return
            except RuntimeError:
                raise
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} not live within {timeout}s (logs in {self.log_dir})")
            time.sleep(0.1)

    def stop(self, name, timeout=15):
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def kill(self, name):
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()

    def stop_all(self, timeout=15):
        """Stop every process at once (each takes ~2 s to shut down cleanly)."""
        procs = [self.procs.pop(name) for name in list(self.procs)]
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def account_headers(config, username, role, subject, ttl=600):
    """Bearer headers for ``username``, whose account is made directly in the gateway's schema
    when missing (with no usable password): for tests that need principals without signing
    in through bcrypt. The token carries the account's current token version."""
    from gateway.auth import issue_token
    from kernel.config import service_dsn

    with psycopg.connect(service_dsn(config, "gateway"), autocommit=True) as conn:
        conn.execute("INSERT INTO accounts (username, password_hash, role, subject) VALUES (%s, '!', %s, %s) "
                     "ON CONFLICT (username) DO NOTHING", (username, role, subject))
        version = conn.execute("SELECT token_version FROM accounts WHERE username = %s", (username,)).fetchone()[0]
    account = {"username": username, "role": role, "subject": subject, "token_version": version}
    return {"Authorization": "Bearer " + issue_token(account, config["JWT_SECRET"], ttl)}


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connections from another loopback address (127.0.0.0/8): the gateway sees another client."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address):
    """A requests session whose connections come from ``address`` (e.g. "127.0.0.23")."""
    session = requests.Session()
    adapter = SourceAddressAdapter(address)
    session.mount("http://", adapter)
    return session


class Client:
    """HTTP client of the gateway with the demo accounts' tokens."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()
        self.tokens = {}

    def token(self, username, password="demo"):
        if username not in self.tokens:
            response = self.session.post(f"{self.base_url}/api/v1/auth/token",
                                         json={"username": username, "password": password}, timeout=10)
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def request(self, method, path, as_user=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if as_user:
            headers["Authorization"] = f"Bearer {self.token(as_user)}"
        kwargs.setdefault("timeout", 15)
        return self.session.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)


# Phones of deputies the tests register: prefix 166, which the demo roster never uses
# (demo/county.py PHONE_PREFIXES), numbered in sequence from a random start, so no two in one
# test run collide (random numbers did: ~5,000 registrations in one database made a 409
# "phone already registered" a matter of time).
_TEST_PHONES = itertools.count(random.randrange(10**8 - 10**6))


def new_deputy_payload(phone_seed=None, **overrides):
    """A valid new town deputy of 城关镇 (a phone no other deputy of this test run has)."""
    seed = phone_seed if phone_seed is not None else next(_TEST_PHONES)
    payload = {"name": "测试代表", "gender": "female", "birth_year": 1980, "level": "town",
               "town": "城关镇", "station_code": "ST-000", "term": 19,
               "phone": "166" + str(seed % 10**8).zfill(8)}
    payload.update(overrides)
    return payload
