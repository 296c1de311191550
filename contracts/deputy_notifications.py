"""marshmallow schemas of the notification inbox (RPC surface and the gateway's OpenAPI)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from kernel.schemas import offset_field


class NotificationQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # other query parameters are ignored, as elsewhere in the API

    unread = fields.Boolean(load_default=False, metadata={"description": "only unread notifications"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))
    offset = offset_field()


class NotificationSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer(required=True)
    type = fields.String(required=True, metadata={"description": "the event, e.g. suggestion_assigned or "
                                                                  "budget_alert_raised (staff)"})
    suggestion_id = fields.String(allow_none=True)
    number = fields.String(allow_none=True, metadata={"description": "suggestion number, e.g. 19-3-012"})
    alert_id = fields.String(allow_none=True, metadata={"description": "the budget alert it is about "
                                                                        "(budget_alert_raised), else null"})
    subject = fields.String(required=True)
    body = fields.String(required=True)
    occurred_at = fields.String(allow_none=True)
    created_at = fields.String()
    read = fields.Boolean()
    read_at = fields.String(allow_none=True)
    email_status = fields.String(metadata={"description": "none | skipped | pending | sent | failed"})


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = fields.Integer(metadata={"description": "matching notifications (all pages)"})
    unread = fields.Integer(metadata={"description": "unread notifications of this deputy"})


class ReadAllResultSchema(Schema):
    updated = fields.Integer()
    unread = fields.Integer()
