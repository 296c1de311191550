"""The event envelope every domain event travels in (JSON primitives only)."""
import datetime
import uuid

from marshmallow import EXCLUDE, Schema, fields, validate


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    event_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    occurred_at = fields.String(required=True)  # ISO-8601 UTC, kept as text on the wire
    schema_version = fields.Integer(required=True, validate=validate.Range(min=1))
    producer = fields.String(required=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    aggregate_id = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


ENVELOPE_SCHEMA = EnvelopeSchema()


def utc_now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def new_envelope(event_type, data, producer, correlation_id=None, aggregate_id=None, schema_version=1):
    return {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": utc_now_iso(),
        "schema_version": schema_version,
        "producer": producer,
        "correlation_id": correlation_id,
        "aggregate_id": aggregate_id,
        "data": data,
    }
