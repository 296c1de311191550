"""A read model of the county departments (承办单位), kept by services that need to know them
(deputy: department names in its notices and for forwarding a voter's opinion; webhooks:
which departments may register webhooks) from the suggestion service's ``department_saved``
events. The suggestion service owns the list at run time: staff add and change departments
through the API, and no service reads them from code.

A service mixes in ``DepartmentDirectoryKeeper`` and has ``"department_directory":
DepartmentDirectoryRepository`` in its ``Database``; it gets the table in its own schema
(``department_directory_migrations/``, applied by bootstrap) and the idempotent handler.
Rows apply once and only move forward in version (kernel/directory.py).
"""
import os

from contracts.events import suggestion as suggestion_events
from kernel.consumer import rpc, subscribe
from kernel.directory import VersionedDirectory, apply_directory_event


class DepartmentDirectoryRepository(VersionedDirectory):
    table = "department_directory"
    fields = ("code", "name", "short_name", "active", "version")

    def names(self, short=False):
        """{code: name} of every known department; ``short``: its short name where it has one."""
        self.cursor.execute("SELECT code, CASE WHEN %s AND short_name <> '' THEN short_name ELSE name END "
                            "FROM department_directory", (short,))
        return dict(self.cursor.fetchall())


def apply_department_event(envelope, consumer, uow):
    return apply_directory_event(envelope, consumer, uow, "department_directory")


def seed_starting_list(departments, uow):
    """Demo seeds only: the county's starting list at version 1, as the suggestion service's
    migration seeds its own table, for demo data that names a department before the first
    ``department_saved`` has arrived (the events of version 1 then change nothing)."""
    with uow:
        for d in departments:
            uow.department_directory.upsert({"code": d["code"], "name": d["name"], "short_name": d.get("short_name", ""),
                                             "active": True, "version": 1})
        uow.commit()


class DepartmentDirectoryKeeper:
    migration_dirs = (os.path.join(os.path.dirname(__file__), "department_directory_migrations"),)

    @subscribe("suggestion", suggestion_events.DEPARTMENT_SAVED)
    def on_suggestion_department_saved(self, envelope):
        apply_department_event(envelope, f"{self.name}.department_directory", self.db(autocommit=True))

    @rpc
    def department_directory(self):
        """The departments this service knows (code, name, short_name, active, version)."""
        with self.db(readonly=True) as uow:
            return uow.department_directory.all()
