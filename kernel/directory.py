"""Read models of another service's reference rows (deputies, departments), kept from that
service's events: rows keyed by ``code`` that only move forward in ``version``.

An event applies once (``claim_event``) and never moves a row back to an older version, so
redelivery and out-of-order delivery are both harmless."""


class VersionedDirectory:
    """Repository of one such table; a subclass names ``table`` and ``fields`` (``code``
    first, ``version`` among them)."""

    table = ""
    fields = ()

    def __init__(self, cursor):
        self.cursor = cursor

    def upsert(self, row):
        values = [row.get(name) for name in self.fields]
        self.cursor.execute(
            f"INSERT INTO {self.table} (" + ", ".join(self.fields) + ", updated_at) VALUES ("
            + ", ".join(["%s"] * len(self.fields)) + ", now()) "
            "ON CONFLICT (code) DO UPDATE SET "
            + ", ".join(f"{n} = EXCLUDED.{n}" for n in self.fields[1:])
            + f", updated_at = now(), applied_count = {self.table}.applied_count + 1 "
            f"WHERE {self.table}.version < EXCLUDED.version", values)

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
    this consumer (whether or not its version moved the row)."""
    with uow:
        if not uow.claim_event(consumer, envelope["event_id"]):
            return False
        getattr(uow, directory).upsert(envelope["data"])
        uow.commit()
    return True
