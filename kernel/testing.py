"""In-memory unit of work for fast use-case tests (Cosmic Python's FakeUnitOfWork).

Pass fake repositories as keyword arguments: ``FakeUnitOfWork(deputies=FakeDeputies())``.
Events a use case emits are in ``published`` after commit; nothing is written anywhere. Every
payload is checked against its contract (contracts/events/) as it is emitted.
"""
from contracts.events import payload_problems
from kernel.db import UnitOfWork


class FakeUnitOfWork(UnitOfWork):
    producer = "test"
    contract_checker = staticmethod(payload_problems)

    def __init__(self, **repositories):
        super().__init__()
        for name, repository in repositories.items():
            setattr(self, name, repository)
        self.published = []
        self.processed = set()
        self.idempotency = {}
        self.commits = 0

    def claim_event(self, consumer, event_id):
        if (consumer, event_id) in self.processed:
            return False
        self.processed.add((consumer, event_id))
        return True

    def recall(self, scope, key):
        return self.idempotency.get((scope, key))

    def remember(self, scope, key, result):
        self.idempotency[(scope, key)] = result

    def commit(self):
        self.published.extend(envelope for envelope, _, _ in self.pending_events)
        self.pending_events = []
        self.commits += 1

    def rollback(self):
        self.pending_events = []

    def event_types(self):
        return [envelope["type"] for envelope in self.published]


class FakeDirectory:
    """In memory, a kernel.directory.VersionedDirectory (deputy or department directory): rows
    by code that only move forward in version."""

    def __init__(self, rows=()):
        self.rows = {row["code"]: {**row, "applied_count": 1} for row in rows}
        self.upserts = 0
        self.claimed = set()    # (consumer, event_id) pairs upsert_once has applied

    def upsert_once(self, consumer, event_id, row):
        if (consumer, event_id) in self.claimed:
            return False
        self.claimed.add((consumer, event_id))
        self.upsert(row)
        return True

    def upsert(self, row):
        self.upserts += 1
        current = self.rows.get(row["code"])
        if current is None:
            self.rows[row["code"]] = {**row, "applied_count": 1}
        elif current["version"] < row["version"]:
            self.rows[row["code"]] = {**row, "applied_count": current["applied_count"] + 1}

    def get(self, code):
        return self.rows.get(code)

    def all(self):
        return [self.rows[code] for code in sorted(self.rows)]

    def count(self):
        return len(self.rows)

    def names(self, short=False):
        return {code: (row.get("short_name") if short and row.get("short_name") else row["name"])
                for code, row in self.rows.items()}
