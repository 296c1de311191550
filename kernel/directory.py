"""Read models of another service's reference rows (deputies, departments), kept from that
service's events: rows keyed by ``code`` that only move forward in ``version``.

An event applies once (``claim_event``) and never moves a row back to an older version, so
redelivery and out-of-order delivery are both harmless."""
from kernel.db import CLAIM_EVENT


class VersionedDirectory:
    """Repository of one such table; a subclass names ``table`` and ``fields`` (``code``
    first, ``version`` among them)."""

    table = ""
    fields = ()

    def __init__(self, cursor):
        self.cursor = cursor

    def _upsert_sql(self, source):
        """INSERT ... ON CONFLICT of one row from ``source`` (VALUES or SELECT with the fields'
        placeholders), moving an existing row forward only to a newer version."""
        return (f"INSERT INTO {self.table} (" + ", ".join(self.fields) + ", updated_at) " + source + " "
                "ON CONFLICT (code) DO UPDATE SET "
                + ", ".join(f"{n} = EXCLUDED.{n}" for n in self.fields[1:])
                + f", updated_at = now(), applied_count = {self.table}.applied_count + 1 "
                f"WHERE {self.table}.version < EXCLUDED.version")

    def upsert(self, row):
        self.cursor.execute(self._upsert_sql("VALUES (" + ", ".join(["%s"] * len(self.fields)) + ", now())"),
                            [row.get(name) for name in self.fields])

    def upsert_once(self, consumer, event_id, row):
        """Claim ``event_id`` for ``consumer`` and upsert ``row`` in ONE statement (so, in
        autocommit, one round trip instead of BEGIN, claim, upsert, COMMIT); the row is
        written only if the claim is new. True if it was. Concurrent copies of one event: the
        second waits on the first's claim and then finds it taken."""
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.cursor.execute(
            f"WITH claim AS ({CLAIM_EVENT}), "
            f"applied AS ({self._upsert_sql(f'SELECT {placeholders}, now() WHERE EXISTS (SELECT FROM claim)')}) "
            "SELECT EXISTS (SELECT FROM claim)",
            [consumer, event_id, *(row.get(name) for name in self.fields)])
        return self.cursor.fetchone()[0]

    def get(self, code):
        self.cursor.execute("SELECT " + ", ".join(self.fields) + f", applied_count FROM {self.table} WHERE code = %s",
                            (code,))
        row = self.cursor.fetchone()
        return dict(zip(self.fields + ("applied_count",), row)) if row else None

    def all(self):
        self.cursor.execute("SELECT " + ", ".join(self.fields) + f" FROM {self.table} ORDER BY code")
        return [dict(zip(self.fields, row)) for row in self.cursor.fetchall()]

    def count(self):
        self.cursor.execute(f"SELECT count(*) FROM {self.table}")
        return self.cursor.fetchone()[0]


def apply_directory_event(envelope, consumer, uow, directory):
    """Apply a registered/updated/saved event to ``uow.<directory>``; True if it was new to
    this consumer (whether or not its version moved the row). One statement: give it an
    autocommit unit of work (``self.db(autocommit=True)``)."""
    with uow:
        applied = getattr(uow, directory).upsert_once(consumer, envelope["event_id"], envelope["data"])
        if applied:
            uow.commit()
    return applied
