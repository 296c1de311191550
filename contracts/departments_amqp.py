"""Department subscriptions over AMQP: the exchange, the per-department queues and users.

The suggestion service publishes a *department copy* of every event that concerns a
department (through its outbox) to the durable topic exchange ``suggestion.departments``
with routing key ``<department code>.<event type>``. This module declares, for every
department:

* ``department.<code>`` — a durable **quorum** queue bound with ``<code>.#``, with a
  delivery limit (``DEPARTMENT_QUEUE_DELIVERY_LIMIT``): a message returned that often
  (a consumer that keeps failing on it) is dead-lettered through the direct exchange
  ``suggestion.departments.dlx`` into ``department.<code>.dlq``;
* a RabbitMQ user ``dept-<code>`` (prefix ``DEPARTMENT_AMQP_USER_PREFIX``) whose only permission on the platform's vhost is to
  read its own queues (``^department\\.<code>(\\.dlq)?$``): no configure, no write;

and the queue of the platform's webhook deliverer (``webhooks.departments``), bound ``<code>.#``
only for the departments that have a webhook (``bind_webhook_queue``: the webhooks service
binds a department when its first webhook is registered, and all of them at its start), so a
department event nobody turns into a webhook call costs no delivery, decode and database read.

The suggestion service owns the departments and declares all this: at bootstrap for every
department in its table, and for a new one before the department's row commits
(services/suggestion/provisioning.py), so a queue is bound before any producer publishes to
it (the outbox relay publishes without the mandatory flag: an event with no bound queue is dropped). Users are
created through the RabbitMQ **management HTTP API** (``rabbitmq_management``, enabled by
scripts/setup.sh): it works against a remote broker with an admin account, whereas
``rabbitmqctl`` needs the node's Erlang cookie on the same machine. Before touching users,
the API's broker is checked to be the one ``AMQP_URI`` points at (same AMQP listener port).

Each department's password is derived from ``DEPARTMENT_AMQP_SECRET`` (HMAC of the user
name), so nothing secret is stored and every department has its own password; there is no
default secret, and production refuses the old well-known development value. Staff hand a department its connection URI:

    python -m contracts.departments_amqp credentials --department edu
    python -m contracts.departments_amqp provision --department edu   # again, e.g. after a broker rebuild
"""
import argparse
import hashlib
import hmac
import json
import logging
import re
import sys
import urllib.parse

import requests
from kombu import Connection, Exchange, Queue

from kernel.config import is_production, load_config

log = logging.getLogger(__name__)

EXCHANGE = "suggestion.departments"
DEAD_LETTER_EXCHANGE = "suggestion.departments.dlx"
WEBHOOK_QUEUE = "webhooks.departments"
DEFAULT_DELIVERY_LIMIT = 10
DEPARTMENT_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


# -- names ---------------------------------------------------------------------------------
def department_queue(code):
    return f"department.{code}"


def dead_letter_queue(queue_name):
    return f"{queue_name}.dlq"


DEFAULT_USER_PREFIX = "dept-"


def department_user(config, code):
    return f"{config.get('DEPARTMENT_AMQP_USER_PREFIX') or DEFAULT_USER_PREFIX}{code}"


def read_permission(code):
    return rf"^department\.{re.escape(code)}(\.dlq)?$"


def checked_codes(codes):
    """``codes`` as a list, each a valid department code (ValueError otherwise)."""
    codes = list(dict.fromkeys(codes))
    for code in codes:
        if not DEPARTMENT_CODE.match(code):
            raise ValueError(f"bad department code {code!r}")
    return codes


def delivery_limit(config):
    return int(config.get("DEPARTMENT_QUEUE_DELIVERY_LIMIT") or DEFAULT_DELIVERY_LIMIT)


def quorum_arguments(queue_name, limit):
    return {"x-queue-type": "quorum", "x-delivery-limit": int(limit),
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": dead_letter_queue(queue_name)}


def exchange():
    # Same declaration as kernel.outbox.exchange_for, so the relay's passive use agrees.
    return Exchange(EXCHANGE, type="topic", durable=True, delivery_mode=2)


def dead_letter_exchange():
    return Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True, delivery_mode=2)


def department_queue_object(code, limit):
    name = department_queue(code)
    return Queue(name, exchange=exchange(), routing_key=f"{code}.#", durable=True, auto_delete=False,
                 queue_arguments=quorum_arguments(name, limit))


def webhook_queue_object(limit):
    """The webhook deliverer's queue, declared unbound: its bindings are per department
    (``bind_webhook_queue``)."""
    return Queue(WEBHOOK_QUEUE, durable=True, auto_delete=False, queue_arguments=quorum_arguments(WEBHOOK_QUEUE, limit))


CATCH_ALL = "#"   # the webhook queue's binding before per-department ones: removed at the service's start


def bind_webhook_queue(config, codes, catch_all=False):
    """Bind the webhook deliverer's queue to each department of ``codes`` (``<code>.#``);
    ``catch_all``: bind ``#`` too (when which departments have webhooks cannot be read),
    else remove a ``#`` binding left from older versions. Idempotent."""
    codes = checked_codes(codes)
    with Connection(config["AMQP_URI"], connect_timeout=5) as connection:
        channel = connection.default_channel
        for routing_key in [f"{code}.#" for code in codes] + ([CATCH_ALL] if catch_all else []):
            channel.queue_bind(WEBHOOK_QUEUE, EXCHANGE, routing_key)
        if not catch_all:
            channel.queue_unbind(WEBHOOK_QUEUE, EXCHANGE, CATCH_ALL)
    return len(codes)


# -- credentials -------------------------------------------------------------------------
DEVELOPMENT_SECRET = "dev-department-amqp-secret"  # shipped by older versions: well known


def department_password(config, code):
    secret = str(config.get("DEPARTMENT_AMQP_SECRET") or "")
    if not secret:
        raise ProvisioningError("DEPARTMENT_AMQP_SECRET is not set")
    if secret == DEVELOPMENT_SECRET and is_production(config):
        raise ProvisioningError("production refuses the development DEPARTMENT_AMQP_SECRET")
    return hmac.new(secret.encode(), department_user(config, code).encode(), hashlib.sha256).hexdigest()[:32]


def vhost_of(amqp_uri):
    path = urllib.parse.urlsplit(amqp_uri).path
    return urllib.parse.unquote(path[1:]) if len(path) > 1 else "/"


def department_amqp_uri(config, code, amqp_uri=None):
    """The URI department ``code``'s subscriber connects with (platform host and vhost)."""
    parts = urllib.parse.urlsplit(amqp_uri or config["AMQP_URI"])
    host = parts.hostname or "127.0.0.1"
    netloc = "{}:{}@{}:{}".format(urllib.parse.quote(department_user(config, code), safe=""),
                                  urllib.parse.quote(department_password(config, code), safe=""),
                                  host, parts.port or 5672)
    return urllib.parse.urlunsplit((parts.scheme or "amqp", netloc, parts.path or "/", parts.query, ""))


# -- declaring -----------------------------------------------------------------------------
def declare_queues(config, codes, channel=None):
    """Exchange, dead-letter exchange, and each department's queue + dead-letter queue; the
    webhook deliverer's queue. Idempotent."""
    codes = checked_codes(codes)
    limit = delivery_limit(config)

    def declare(channel):
        exchange()(channel).declare()
        dlx = dead_letter_exchange()(channel)
        dlx.declare()
        queues = [department_queue_object(code, limit) for code in codes] + [webhook_queue_object(limit)]
        for queue in queues:
            queue(channel).declare()
            dlq = Queue(dead_letter_queue(queue.name), exchange=dead_letter_exchange(),
                        routing_key=dead_letter_queue(queue.name), durable=True, auto_delete=False)
            dlq(channel).declare()
        return len(queues)

    if channel is not None:
        return declare(channel)
    with Connection(config["AMQP_URI"], connect_timeout=5) as connection:
        return declare(connection.default_channel)


class ProvisioningError(Exception):
    pass


class ManagementApi:
    """The few calls of the RabbitMQ management HTTP API we need."""

    def __init__(self, url, timeout=10):
        parts = urllib.parse.urlsplit(url)
        self.auth = (urllib.parse.unquote(parts.username or "guest"), urllib.parse.unquote(parts.password or "guest"))
        self.base = urllib.parse.urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port or 15672}",
                                             parts.path.rstrip("/"), "", ""))
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, method, path, body=None):
        response = self.session.request(method, self.base + "/api" + path, auth=self.auth, json=body,
                                        timeout=self.timeout)
        if response.status_code >= 400:
            raise ProvisioningError(f"{method} {path}: {response.status_code} {response.text[:200]}")
        return response.json() if response.content else None

    def amqp_ports(self):
        overview = self._call("GET", "/overview")
        return {int(l["port"]) for l in overview.get("listeners", []) if l.get("protocol") in ("amqp", "amqp/ssl")}

    def put_user(self, name, password):
        self._call("PUT", f"/users/{urllib.parse.quote(name, safe='')}", {"password": password, "tags": ""})

    def set_permissions(self, vhost, user, configure, write, read):
        self._call("PUT", "/permissions/{}/{}".format(urllib.parse.quote(vhost, safe=""),
                                                      urllib.parse.quote(user, safe="")),
                   {"configure": configure, "write": write, "read": read})


class RabbitmqctlAdmin:
    """Same calls through ``rabbitmqctl`` (for a node the management plugin is not on, e.g.
    the private brokers of the fault tests): ``run(*args)`` runs rabbitmqctl on that node."""

    def __init__(self, run):
        self.run = run

    def put_user(self, name, password):
        try:
            self.run("add_user", name, password)
        except Exception as exc:  # already there: set the password instead
            if "already exists" not in str(exc) and "user_already_exists" not in str(exc):
                raise
            self.run("change_password", name, password)

    def set_permissions(self, vhost, user, configure, write, read):
        self.run("set_permissions", "-p", vhost, user, configure, write, read)


def management_url(config):
    """``RABBITMQ_MANAGEMENT_URL``, else the AMQP host on port 15672 with the AMQP credentials."""
    url = config.get("RABBITMQ_MANAGEMENT_URL")
    if url:
        return url
    parts = urllib.parse.urlsplit(config["AMQP_URI"])
    user = parts.username or "guest"
    password = parts.password or "guest"
    return f"http://{user}:{password}@{parts.hostname or '127.0.0.1'}:15672"


def management_api_for(config):
    """The management API of the broker AMQP_URI points at; ProvisioningError if there is
    none, or if the API answering belongs to another broker (another AMQP port)."""
    api = ManagementApi(management_url(config))
    amqp_port = urllib.parse.urlsplit(config["AMQP_URI"]).port or 5672
    try:
        ports = api.amqp_ports()
    except requests.RequestException as exc:
        raise ProvisioningError(f"management API at {api.base} unreachable: {exc}") from exc
    if amqp_port not in ports:
        raise ProvisioningError(f"management API at {api.base} belongs to a broker listening on {sorted(ports)}, "
                                f"not on AMQP port {amqp_port}")
    return api


def provision_users(config, codes, admin=None):
    codes = checked_codes(codes)
    admin = admin or management_api_for(config)
    vhost = vhost_of(config["AMQP_URI"])
    for code in codes:
        user = department_user(config, code)
        admin.put_user(user, department_password(config, code))
        admin.set_permissions(vhost, user, "^$", "^$", read_permission(code))
    return len(codes)


def provision(config, codes, admin=None):
    """The departments' queues always; their users when a user admin is reachable (in
    development a missing management API is a warning, in production an error). The
    suggestion service, which owns the departments, calls it at bootstrap for all of them and
    when staff add one (services/suggestion/provisioning.py)."""
    queues = declare_queues(config, codes)
    try:
        users = provision_users(config, codes, admin)
    except ProvisioningError as exc:
        if is_production(config):
            raise
        log.warning("department queues declared, but department users NOT provisioned: %s "
                    "(enable rabbitmq_management or set RABBITMQ_MANAGEMENT_URL)", exc)
        users = 0
    log.info("department subscriptions: %d queue(s), %d user(s)", queues, users)
    return {"queues": queues, "users": users}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Department AMQP subscriptions: provision, or show a department's URI")
    parser.add_argument("command", choices=("provision", "credentials"))
    parser.add_argument("--department", action="append", required=True,
                        help="department code (repeat for more); bootstrap provisions every department")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = load_config()
    codes = checked_codes(args.department)
    if args.command == "provision":
        print(json.dumps(provision(config, codes)))
    else:
        for code in codes:
            print(json.dumps({"department": code, "user": department_user(config, code), "queue": department_queue(code),
                              "amqp_uri": department_amqp_uri(config, code)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
