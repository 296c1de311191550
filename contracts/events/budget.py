"""Events the budget service publishes on ``budget.events`` (routing key = type). Money travels
as decimal strings (in ``figures``)."""
from marshmallow import fields

from contracts.events.payload import ISO_DATE, Payload

PAYMENTS_IMPORTED = "payments_imported"
LINES_IMPORTED = "budget_lines_imported"
ALERT_RAISED = "budget_alert_raised"
ALERT_SENT = "budget_alert_sent"
ALERT_EXPLAINED = "budget_alert_explained"
ALERT_CLOSED = "budget_alert_closed"


class Imported(Payload):
    import_id = fields.String(required=True)
    kind = fields.String(required=True)
    year = fields.Integer(required=True)
    rows_total = fields.Integer(required=True)
    rows_applied = fields.Integer(required=True)
    rows_skipped = fields.Integer(required=True)
    latest_pay_date = ISO_DATE(required=True, allow_none=True, metadata={"description": "payments only"})


class AlertRaised(Payload):
    alert_id = fields.Raw(required=True)
    rule = fields.String(required=True)
    rule_name = fields.String(required=True, allow_none=True)
    year = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True, allow_none=True)
    subject = fields.String(required=True)
    severity = fields.String(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    figures = fields.Dict(required=True, metadata={"description": "money as decimal strings"})
    evidence = fields.Raw(required=True, metadata={"description": "voucher numbers, line references"})
    as_of = ISO_DATE(required=True)


class AlertStep(AlertRaised):
    action = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    actor = fields.Dict(required=True, metadata={"description": "username and role"})


PAYLOADS = {PAYMENTS_IMPORTED: Imported, LINES_IMPORTED: Imported, ALERT_RAISED: AlertRaised,
            ALERT_SENT: AlertStep, ALERT_EXPLAINED: AlertStep, ALERT_CLOSED: AlertStep}
