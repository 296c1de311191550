"""kernel.bootstrap with a DSN template that names a database per service (as deploy/k8s does):
each service gets its own database with its role's schema and migrations, and nothing of another."""
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from kernel.bootstrap import bootstrap, role_name
from tests.support.platform import reset_database

SERVICES = {"news": "services.news.service", "webhooks": "services.webhooks.service"}


def test_each_service_gets_a_database_of_its_own(prepared):
    shared = conninfo_to_dict(prepared["SERVICE_DATABASE_URL"].format(service="x", password="y"))["dbname"]
    template = prepared["SERVICE_DATABASE_URL"].replace(f"/{shared}", f"/{shared}__own_{{service}}")
    config = dict(prepared, SERVICES=SERVICES, SERVICE_DATABASE_URL=template)
    admin = make_conninfo(prepared["DATABASE_URL"], dbname="postgres")
    databases = {service: f"{shared}__own_{service}" for service in SERVICES}
    try:
        bootstrap(config, demo=False, topology=False)
        bootstrap(config, demo=False, topology=False)  # idempotent, as the Kubernetes Job reruns it
        for service, database in databases.items():
            with psycopg.connect(make_conninfo(admin, dbname=database)) as conn:
                schemas = {row[0] for row in conn.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", (list(SERVICES),))}
                assert schemas == {service}
                owner = conn.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s",
                                     (service,)).fetchone()[0]
                assert owner == role_name(config, service)
                tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                                      (service,)).fetchone()[0]
                assert tables > 0  # migrations ran there
            # the service's own role reaches its database with its DSN
            dsn = template.format(service=service, password=config["SERVICE_DB_PASSWORD"])
            with psycopg.connect(dsn) as conn:
                assert conn.execute("SELECT current_database(), current_schema()").fetchone() == (database, service)
    finally:
        for database in databases.values():
            reset_database(admin, database)
