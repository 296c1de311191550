"""Make the platform's database and broker ready: ``python -m kernel.bootstrap [--demo]``.

For every process listed under ``SERVICES`` in the config: one login role and one schema
it owns (and nothing else), its migrations (kernel tables first, then its own), and the
AMQP queues its event handlers consume (declared up front so no event published before
the consumer's first start is dropped). ``--demo`` then loads each module's demo data
through its own use cases. Every step is idempotent: running it twice is safe.
"""
import argparse
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # pinned stack, known
import importlib
import inspect
import logging
import os
import sys

import kernel  # noqa: F401
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from kernel.config import load_config, service_dsn

log = logging.getLogger("bootstrap")
KERNEL_MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def role_name(config, service):
    """The service's login role: the user of its DSN (``svc_<service>`` by default; the tests
    use names of their own, so a test run never changes a running platform's roles)."""
    return conninfo_to_dict(service_dsn(config, service))["user"]


def services_of(config):
    return dict(config["SERVICES"])


def ensure_database(admin_url):
    params = conninfo_to_dict(admin_url)
    dbname = params.get("dbname", "postgres")
    server = make_conninfo(admin_url, dbname="postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            log.info("created database %s", dbname)
    return dbname


def ensure_service_schema(admin_url, service, role, password, extensions=()):
    """One role per service owning one schema; nobody else is granted anything on it.
    ``extensions`` (which need a superuser) are created inside that schema."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        dbname = conn.info.dbname
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
            sql.Identifier(service), sql.Identifier(role)))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(service)))
        # Extensions live in one shared schema ``extensions`` (an extension exists once per
        # database, so two services cannot each have it in their own schema); every role
        # may use it and finds it on its search_path.
        conn.execute("CREATE SCHEMA IF NOT EXISTS extensions")
        conn.execute("GRANT USAGE ON SCHEMA extensions TO PUBLIC")
        conn.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}, extensions").format(
            sql.Identifier(role), sql.Identifier(dbname), sql.Identifier(service)))
        for extension in extensions:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA extensions").format(
                sql.Identifier(extension)))
            installed = conn.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                     "ON n.oid = e.extnamespace WHERE e.extname = %s", (extension,)).fetchone()
            if installed and installed[0] != "extensions":  # created in a service schema by older versions
                conn.execute(sql.SQL("ALTER EXTENSION {} SET SCHEMA extensions").format(sql.Identifier(extension)))
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


def migration_dirs(module_name):
    """Kernel tables first, then those of mixins (``migration_dirs`` on the service class),
    then the service's own ``migrations/``."""
    module = importlib.import_module(module_name)
    module_dir = os.path.dirname(module.__file__)
    dirs = [KERNEL_MIGRATIONS]
    for cls in service_classes(module):
        for klass in reversed(cls.__mro__):   # every mixin's, not only the first one found
            dirs.extend(d for d in vars(klass).get("migration_dirs", ()) if d not in dirs)
    own = os.path.join(module_dir, "migrations")
    if os.path.isdir(own):
        dirs.append(own)
    return dirs


def migrate(config, service, module_name):
    from yoyo import get_backend, read_migrations

    dsn = service_dsn(config, service)
    params = conninfo_to_dict(dsn)
    url = "postgresql+psycopg://{user}:{password}@{host}:{port}/{dbname}?schema={schema},extensions".format(
        user=params["user"], password=params.get("password", ""), host=params.get("host", "127.0.0.1"),
        port=params.get("port", 5432), dbname=params["dbname"], schema=service)
    backend = get_backend(url)
    migrations = read_migrations(*migration_dirs(module_name))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    backend.connection.close()
    if len(pending):
        log.info("%s: applied %d migration(s)", service, len(pending))


def service_classes(module):
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and obj.__module__ == module.__name__
            and isinstance(getattr(obj, "name", None), str)]


def extensions_of(module_name):
    """PostgreSQL extensions the module's service classes declare (``db_extensions``)."""
    return sorted({ext for cls in service_classes(importlib.import_module(module_name))
                   for ext in getattr(cls, "db_extensions", ())})


def subscriptions(module_name, service):
    """(source service, event type, queue name) of every ``subscribe`` handler in a module."""
    from kernel.consumer import ReliableEventHandler

    found = []
    for cls in service_classes(importlib.import_module(module_name)):
        for method_name, method in inspect.getmembers(cls, inspect.isfunction):
            for entrypoint in getattr(method, "nameko_entrypoints", ()):
                if isinstance(entrypoint, ReliableEventHandler):
                    source, event_type = entrypoint.source_service, entrypoint.event_type
                    queue = f"evt-{source}-{event_type}--{service}.{method_name}"
                    found.append((source, event_type, queue))
    return found


def declare_topology(config):
    from kombu import Connection, Queue

    from kernel.consumer import DEFAULT_RETRY_DELAYS, declare_side_queues
    from kernel.outbox import exchange_for

    delays = tuple(config.get("EVENT_RETRY_DELAYS") or DEFAULT_RETRY_DELAYS)
    with Connection(config["AMQP_URI"], connect_timeout=5) as connection:
        channel = connection.default_channel
        for service, module_name in services_of(config).items():
            exchange_for(f"{service}.events")(channel).declare()
            for source, event_type, queue_name in subscriptions(module_name, service):
                queue = Queue(queue_name, exchange=exchange_for(f"{source}.events"), routing_key=event_type,
                              durable=True, auto_delete=False)
                queue(channel).declare()
                declare_side_queues(channel, queue_name, delays)
    # Topology beyond handler queues (e.g. department queues and users): ``topology_hooks``
    # on a service class, each called as ``hook(config)``.
    for service, module_name in services_of(config).items():
        for cls in service_classes(importlib.import_module(module_name)):
            for hook in getattr(cls, "topology_hooks", ()):
                hook(config)


def load_demo(config):
    """Each process may ship ``<package>.seed.load_demo(config)``; run those in order."""
    for service, module_name in services_of(config).items():
        package = module_name.rsplit(".", 1)[0]
        try:
            seed = importlib.import_module(f"{package}.seed")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.seed":
                raise
            continue
        count = seed.load_demo(config)
        log.info("%s: demo data ready (%s)", service, count)


def service_admin_url(config, service):
    """The administrative connection to the database the service's DSN names: one shared database
    by default; on Kubernetes (deploy/k8s) each service has its own, so it can move to its own
    PostgreSQL instance later."""
    return make_conninfo(config["DATABASE_URL"], dbname=conninfo_to_dict(service_dsn(config, service))["dbname"])


def bootstrap(config, demo=False, topology=True):
    for service, module_name in services_of(config).items():
        admin_url = service_admin_url(config, service)
        ensure_database(admin_url)
        ensure_service_schema(admin_url, service, role_name(config, service), config["SERVICE_DB_PASSWORD"],
                              extensions_of(module_name))
        migrate(config, service, module_name)
    if topology:
        declare_topology(config)
    if demo:
        load_demo(config)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="load the demo data set")
    parser.add_argument("--no-topology", action="store_true", help="skip declaring AMQP queues")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("yoyo").setLevel(logging.WARNING)  # we log a line per service instead
    config = load_config()
    bootstrap(config, demo=args.demo, topology=not args.no_topology)
    log.info("bootstrap complete")


if __name__ == "__main__":
    sys.exit(main())
