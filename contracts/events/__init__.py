"""Domain events: the type names and payload (``envelope["data"]``) schemas each service
publishes, one module per producer (issue 14 §4). Producers import their own module's
names; consumers import the producer's module instead of spelling type strings.

``payload_problems`` checks a payload against its contract. The in-memory unit of work
(kernel/testing.py) checks every event a use case emits, and the real one does when the
config sets ``CHECK_EVENT_CONTRACTS`` (the test suite does), so a payload that drifts from
its contract, or carries a field that must never travel, fails a test.
"""
from contracts.events import budget, deputy, news, suggestion, voting

PRODUCERS = {"budget": budget, "deputy": deputy, "news": news, "suggestion": suggestion, "voting": voting}


def _registry():
    registry = {}
    for module in PRODUCERS.values():
        for event_type, schema in module.PAYLOADS.items():
            if event_type in registry:
                raise RuntimeError(f"event type {event_type} has two contracts")
            registry[event_type] = schema()
    return registry


PAYLOADS = _registry()


def payload_problems(event_type, data):
    """marshmallow's error dict for ``data`` as a payload of ``event_type`` ({} if it fits)."""
    schema = PAYLOADS.get(event_type)
    if schema is None:
        return {"type": [f"no contract for event type {event_type!r} (contracts/events/)"]}
    return schema.validate(data)
