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
