"""kernel.envelope: what every event travels in."""
import json

import pytest
from marshmallow import ValidationError

from kernel.envelope import ENVELOPE_SCHEMA, new_envelope

REQUIRED = ("event_id", "type", "occurred_at", "schema_version", "producer", "data")


def wire(envelope):
    return json.loads(json.dumps(envelope))


def test_new_envelope_round_trips_through_the_schema():
    envelope = new_envelope("deputy_registered", {"code": "D0001", "version": 1}, "deputy",
                            correlation_id="corr-1", aggregate_id="D0001")
    assert ENVELOPE_SCHEMA.load(wire(envelope)) == envelope
    assert envelope["schema_version"] == 1 and envelope["producer"] == "deputy"
    assert envelope["occurred_at"].endswith("+00:00")  # UTC, ISO-8601


def test_optional_fields_default_to_none():
    envelope = new_envelope("deputy_updated", {}, "deputy")
    loaded = ENVELOPE_SCHEMA.load({k: v for k, v in wire(envelope).items()
                                   if k not in ("correlation_id", "aggregate_id")})
    assert loaded["correlation_id"] is None and loaded["aggregate_id"] is None


def test_event_ids_are_unique():
    assert len({new_envelope("x_happened", {}, "p")["event_id"] for _ in range(100)}) == 100


def test_unknown_fields_are_ignored():
    envelope = new_envelope("x_happened", {}, "p")
    assert "extra" not in ENVELOPE_SCHEMA.load({**wire(envelope), "extra": 1})


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_field_is_rejected_naming_it(field):
    body = wire(new_envelope("deputy_registered", {"code": "D0001"}, "deputy"))
    del body[field]
    with pytest.raises(ValidationError) as caught:
        ENVELOPE_SCHEMA.load(body)
    assert set(caught.value.normalized_messages()) == {field}


@pytest.mark.parametrize("bad_type", ["Deputy-Registered", "deputy registered", "1st_event", ""])
def test_bad_type_name_is_rejected(bad_type):
    body = wire(new_envelope("deputy_registered", {}, "deputy"))
    body["type"] = bad_type
    with pytest.raises(ValidationError) as caught:
        ENVELOPE_SCHEMA.load(body)
    assert set(caught.value.normalized_messages()) == {"type"}


@pytest.mark.parametrize("field, value", [("schema_version", 0), ("schema_version", "one"),
                                          ("data", [1, 2]), ("event_id", "")])
def test_bad_values_are_rejected_naming_the_field(field, value):
    body = wire(new_envelope("deputy_registered", {}, "deputy"))
    body[field] = value
    with pytest.raises(ValidationError) as caught:
        ENVELOPE_SCHEMA.load(body)
    assert field in caught.value.normalized_messages()
