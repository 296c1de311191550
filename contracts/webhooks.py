"""RPC/HTTP surface of the webhooks service."""
from marshmallow import EXCLUDE, Schema, fields, validate

from kernel.schemas import offset_field, page_of

# Vocabulary (the service's domain module imports it from here)
MAX_URL_LENGTH = 2000

# Vocabulary (the service's domain module imports it from here)
STATUSES = ("pending", "delivered", "dead", "cancelled")

EVENT_TYPE = validate.Regexp(r"^[a-z][a-z0-9_]*$", error="not an event type")


class WebhookCreateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL_LENGTH), metadata={
        "description": "https endpoint that receives POSTs (http only where the platform allows it); it must "
                       "resolve to public addresses only, checked again before every POST"})
    events = fields.List(fields.String(validate=EVENT_TYPE), load_default=list, validate=validate.Length(max=50),
                         metadata={"description": "event types to send (empty: all)"})
    description = fields.String(load_default="", validate=validate.Length(max=200))


class WebhookSchema(Schema):
    id = fields.String()
    department = fields.String()
    url = fields.String(metadata={"description": "as it will be called (host normalised)"})
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


ERROR_DESCRIPTION = ("short error class: timeout, connection_refused, connection_error, dns_failure, tls_error, "
                     "bad_response, blocked_address (the host is or resolves to a non-public address; not sent, "
                     "not retried), invalid_url (not retried), http_<status> (the endpoint answered non-2xx)")

class AttemptSchema(Schema):
    attempt = fields.Integer()
    started_at = fields.String()
    duration_ms = fields.Float()
    status_code = fields.Integer(allow_none=True, metadata={"description": "the endpoint's HTTP status"})
    error = fields.String(allow_none=True, metadata={"description": ERROR_DESCRIPTION})


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
    last_error = fields.String(allow_none=True, metadata={"description": ERROR_DESCRIPTION})
    created_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema))


DeliveryPageSchema = page_of(DeliverySchema, "DeliveryPageSchema")
