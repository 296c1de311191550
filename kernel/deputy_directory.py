"""A read model of the deputy roster, kept by services that need to know deputies
(suggestion: lead deputy and co-signers; voting: meeting members) from the deputy
service's events. A service mixes in ``DeputyDirectoryKeeper``: it gets the table in its own
schema (``deputy_directory_migrations/``, applied by bootstrap), the idempotent handlers
and two RPC queries.

Rows apply once and only move forward in version (kernel/directory.py).
"""
import os

from contracts.events import deputy as deputy_events
from kernel.consumer import rpc, subscribe
from kernel.directory import VersionedDirectory, apply_directory_event

DIRECTORY_FIELDS = ("code", "name", "level", "town", "station_code", "term", "status", "version")


class DeputyDirectoryRepository(VersionedDirectory):
    table = "deputy_directory"
    fields = DIRECTORY_FIELDS


def apply_deputy_event(envelope, consumer, uow):
    """Handle ``deputy_registered`` / ``deputy_updated``; True if it was new to ``consumer``."""
    return apply_directory_event(envelope, consumer, uow, "deputy_directory")


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
        apply_deputy_event(envelope, f"{self.name}.deputy_directory", self.db(autocommit=True))

    @subscribe("deputy", deputy_events.DEPUTY_UPDATED)
    def on_deputy_deputy_updated(self, envelope):
        apply_deputy_event(envelope, f"{self.name}.deputy_directory", self.db(autocommit=True))

    @rpc
    def directory_entry(self, deputy_id):
        """The read model's view of one deputy (None if not yet known)."""
        return lookup(deputy_id, self.db(readonly=True))

    @rpc
    def directory_size(self):
        return size(self.db(readonly=True))
