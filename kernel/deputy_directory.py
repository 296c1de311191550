"""A read model of the deputy roster, kept by services that need to know deputies
(suggestion: lead deputy and co-signers; voting: meeting members) from the deputy
service's events. A service mixes in ``DeputyDirectoryKeeper``: it gets the table in its own
schema (``deputy_directory_migrations/``, applied by bootstrap), the idempotent handlers
and two RPC queries.

An event applies once (``claim_event``) and never moves a row back to an older version,
so redelivery and out-of-order delivery are both harmless.
"""
import os

from contracts.events import deputy as deputy_events
from kernel.consumer import rpc, subscribe

DIRECTORY_FIELDS = ("code", "name", "level", "town", "station_code", "term", "status", "version")


class DeputyDirectoryRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def upsert(self, row):
        values = [row.get(name) for name in DIRECTORY_FIELDS]
        self.cursor.execute(
            "INSERT INTO deputy_directory (" + ", ".join(DIRECTORY_FIELDS) + ", updated_at) VALUES ("
            + ", ".join(["%s"] * len(DIRECTORY_FIELDS)) + ", now()) "
            "ON CONFLICT (code) DO UPDATE SET "
            + ", ".join(f"{n} = EXCLUDED.{n}" for n in DIRECTORY_FIELDS[1:])
            + ", updated_at = now(), applied_count = deputy_directory.applied_count + 1 "
            "WHERE deputy_directory.version < EXCLUDED.version", values)

    def get(self, code):
        self.cursor.execute("SELECT " + ", ".join(DIRECTORY_FIELDS) + ", applied_count "
                            "FROM deputy_directory WHERE code = %s", (code,))
        row = self.cursor.fetchone()
        return dict(zip(DIRECTORY_FIELDS + ("applied_count",), row)) if row else None

    def count(self):
        self.cursor.execute("SELECT count(*) FROM deputy_directory")
        return self.cursor.fetchone()[0]


def apply_deputy_event(envelope, consumer, uow):
    """Handle ``deputy_registered`` / ``deputy_updated``; True if it changed anything."""
    with uow:
        if not uow.claim_event(consumer, envelope["event_id"]):
            return False
        uow.deputy_directory.upsert(envelope["data"])
        uow.commit()
    return True


def lookup(code, uow):
    with uow:
        return uow.deputy_directory.get(code)


def size(uow):
    with uow:
        return uow.deputy_directory.count()




class DeputyDirectoryKeeper:
    """Mixin for a nameko service class that has ``db = Database({"deputy_directory":
    DeputyDirectoryRepository, ...})``."""

    migration_dirs = (os.path.join(os.path.dirname(__file__), "deputy_directory_migrations"),)

    @subscribe("deputy", deputy_events.DEPUTY_REGISTERED)
    def on_deputy_deputy_registered(self, envelope):
        apply_deputy_event(envelope, f"{self.name}.deputy_directory", self.db())

    @subscribe("deputy", deputy_events.DEPUTY_UPDATED)
    def on_deputy_deputy_updated(self, envelope):
        apply_deputy_event(envelope, f"{self.name}.deputy_directory", self.db())

    @rpc
    def directory_entry(self, deputy_id):
        """The read model's view of one deputy (None if not yet known)."""
        return lookup(deputy_id, self.db(readonly=True))

    @rpc
    def directory_size(self):
        return size(self.db(readonly=True))
