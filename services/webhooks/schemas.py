"""RPC/HTTP surface of the webhooks service."""
from marshmallow import EXCLUDE, Schema, fields, validate

from kernel.schemas import offset_field, page_of
from services.webhooks.domain import STATUSES

EVENT_TYPE = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="not an event type")


class WebhookCreateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    url = fields.String(required=True, metadata={"description": "http(s) endpoint that receives POSTs"})
    events = fields.List(fields.String(validate=EVENT_TYPE), load_default=list, validate=validate.Length(max=50),
                         metadata={"description": "event types to send (empty: all)"})
    description = fields.String(load_default="", validate=validate.Length(max=200))


class WebhookSchema(Schema):
    id = fields.String()
    department = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String()
    created_by = fields.String(allow_none=True)
    created_at = fields.String()


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "signing secret: shown once, keep it"})


WebhookListSchema = page_of(WebhookSchema, "WebhookListSchema")


class WebhookDeletedSchema(Schema):
    deleted = fields.String(metadata={"description": "the id of the removed webhook"})


class ReplayedSchema(Schema):
    id = fields.String(metadata={"description": "the delivery"})
    status = fields.String(metadata={"example": "pending"})


class DeliveryQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(STATUSES))
    webhook = fields.String(validate=validate.Length(max=64))
    event_type = fields.String(validate=EVENT_TYPE)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class AttemptSchema(Schema):
    attempt = fields.Integer()
    started_at = fields.String()
    duration_ms = fields.Float()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.String()
    webhook_id = fields.String()
    department = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.String(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema))


DeliveryPageSchema = page_of(DeliverySchema, "DeliveryPageSchema")
