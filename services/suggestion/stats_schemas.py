"""marshmallow schemas of the statistics RPC (also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from services.suggestion.stats_domain import GROUPINGS


class SessionField(fields.String):
    """A session number (1, 2, …) or ``between`` (also ``B``, ``0``): filed between sessions."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().lower()
        if text in ("between", "b", "0"):
            return "between"
        if text.isdigit() and 1 <= int(text) <= 99:
            return int(text)
        raise ValidationError("a session number 1-99, or 'between' for suggestions filed between sessions")

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class StatsQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    group_by = fields.String(load_default="department", validate=validate.OneOf(GROUPINGS),
                             metadata={"description": "department | category | term | session"})
    term = fields.Integer(load_default=None, validate=validate.Range(min=1, max=99),
                          metadata={"description": "届, e.g. 19"})
    session = SessionField(load_default=None, metadata={"description": "次会议 number, or 'between'"})
    format = fields.String(load_default=None, validate=validate.OneOf(("json", "csv", "xlsx")),
                           metadata={"description": "json (default), csv or xlsx; or send Accept: text/csv"})


class StatsRowSchema(Schema):
    class Meta:
        ordered = True

    group = fields.String(metadata={"description": "department code, category, term, or term-session"})
    label = fields.String()
    suggestions = fields.Integer(metadata={"description": "by department: suggestions assigned to it; "
                                                          "otherwise: suggestions filed"})
    assigned = fields.Integer()
    replied = fields.Integer()
    closed = fields.Integer()
    evaluated = fields.Integer()
    satisfied = fields.Integer()
    basically_satisfied = fields.Integer()
    unsatisfied = fields.Integer()
    replies_a = fields.Integer()
    replies_b = fields.Integer()
    replies_c = fields.Integer()
    overdue = fields.Integer(metadata={"description": "open past the due date"})
    replied_late = fields.Integer(metadata={"description": "replied after the due date"})
    avg_days_to_reply = fields.Float(allow_none=True)
    reply_rate = fields.Float(allow_none=True, metadata={"description": "办复率 replied/assigned (4 places)"})
    close_rate = fields.Float(allow_none=True, metadata={"description": "办结率 closed/assigned"})
    satisfaction_rate = fields.Float(allow_none=True,
                                     metadata={"description": "满意率 (satisfied + basically satisfied)/evaluated"})
    share_a = fields.Float(allow_none=True)
    share_b = fields.Float(allow_none=True)
    share_c = fields.Float(allow_none=True)


class StatsSchema(Schema):
    group_by = fields.String()
    filters = fields.Dict()
    today = fields.String(metadata={"description": "the date overdue is judged against"})
    rows = fields.List(fields.Nested(StatsRowSchema))
    totals = fields.Nested(StatsRowSchema)
