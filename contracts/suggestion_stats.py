"""marshmallow schemas of the statistics RPC (also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

# Vocabulary of the statistics answer (the gateway renders CSV and XLSX from it)
GROUPINGS = ("department", "category", "term", "session")
# Column order and headers of the CSV export (Chinese for Excel users, the JSON key in brackets).
CSV_COLUMNS = (
    ("group", "分组"), ("label", "名称"), ("suggestions", "建议数"), ("assigned", "交办数"),
    ("replied", "已答复"), ("closed", "已办结"), ("evaluated", "已评价"), ("satisfied", "满意"),
    ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意"), ("replies_a", "A类答复"),
    ("replies_b", "B类答复"), ("replies_c", "C类答复"), ("overdue", "超期未答复"), ("replied_late", "逾期答复"),
    ("avg_days_to_reply", "平均答复天数"), ("reply_rate", "办复率"), ("close_rate", "办结率"),
    ("satisfaction_rate", "满意率"), ("share_a", "A类占比"), ("share_b", "B类占比"), ("share_c", "C类占比"),
)



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


def csv_cell(value, places=4):
    """A CSV cell: rates with 4 places, days with 1, empty for None; text a spreadsheet would
    run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{places}f}"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_records(answer):
    """Header row, one row per group, then the totals row: lists of strings."""
    records = [[f"{title}({key})" for key, title in CSV_COLUMNS]]
    for item in answer["rows"] + [answer["totals"]]:
        records.append([csv_cell(item.get(key), 1 if key == "avg_days_to_reply" else 4)
                        for key, _ in CSV_COLUMNS])
    return records
