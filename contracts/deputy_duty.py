"""marshmallow schemas of duty records (deputy RPC surface; also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from kernel.schemas import offset_field
from contracts.deputy import LEVELS

# Vocabulary (the service's domain module imports it from here)
ACTIVITY_KINDS = ("inspection", "research", "law_check", "training", "group", "report_to_voters", "award")

# The duty-points rules (services/deputy/duty.RULES is built from this table): name, the part of
# the record it counts in, default points (a year's scheme may change them), label.
RULE_TABLE = (
    ("meeting_attended", "meetings", 2, "出席会议"),
    ("meeting_leave", "meetings", 0, "请假缺席（已批准）"),
    ("meeting_absent", "meetings", -5, "无故缺席"),
    ("suggestion_lead", "suggestions", 3, "领衔提出建议"),
    ("suggestion_co", "suggestions", 1, "联名提出建议"),
    ("reception", "voters", 2, "进站接待选民"),
    ("inspection", "inspections", 3, "视察"),
    ("research", "inspections", 3, "调研"),
    ("law_check", "inspections", 3, "执法检查"),
    ("training", "training", 2, "学习培训"),
    ("group", "group_activities", 1, "代表小组活动"),
    ("report_to_voters", "voters", 5, "向选民述职"),
    ("award", "awards", 5, "表彰奖励"),
)
RULE_NAMES = tuple(name for name, _, _, _ in RULE_TABLE)

DEPUTY_CODE = validate.Regexp(r"^[A-Z][0-9]{3,8}$", error="a deputy code like D0001")
YEAR = validate.Range(min=2000, max=2100)


class YearQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=YEAR, metadata={"description": "default: this year (Beijing time)"})


class ActivityCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    date = fields.Date(required=True, metadata={"example": "2026-11-20"})
    participants = fields.List(fields.String(validate=DEPUTY_CODE), required=True,
                               validate=validate.Length(min=1, max=1000),
                               metadata={"description": "deputy codes of those who took part"})
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    published = fields.Boolean(load_default=True, metadata={"description": "shown on the public record"})


class ActivityQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=YEAR)
    kind = fields.String(validate=validate.OneOf(ACTIVITY_KINDS))
    deputy = fields.String(validate=DEPUTY_CODE)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class ActivitySchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    title = fields.String()
    date = fields.String()
    description = fields.String()
    participants = fields.List(fields.String())
    published = fields.Boolean()
    recorded_by = fields.String(allow_none=True)
    created_at = fields.String()


class ActivityPageSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema))
    total = fields.Integer()


PointsSchema = Schema.from_dict({name: fields.Integer(validate=validate.Range(min=-100, max=100))
                                 for name in RULE_NAMES}, name="DutyPointsSchema")


class BandsSchema(Schema):
    class Meta:
        unknown = RAISE

    excellent = fields.Integer(validate=validate.Range(min=0, max=1000))
    good = fields.Integer(validate=validate.Range(min=0, max=1000))
    # "pass" is a Python keyword
    pass_ = fields.Integer(data_key="pass", attribute="pass", validate=validate.Range(min=0, max=1000))


class SchemeUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    base = fields.Integer(validate=validate.Range(min=0, max=1000))
    cap = fields.Integer(validate=validate.Range(min=0, max=1000))
    points = fields.Nested(PointsSchema, metadata={"description": "points per rule; rules left out keep theirs"})
    bands = fields.Nested(BandsSchema, metadata={"description": "lowest score of each band"})


class RuleSchema(Schema):
    rule = fields.String()
    part = fields.String()
    label = fields.String()
    default_points = fields.Integer()


class SchemeSchema(Schema):
    year = fields.Integer()
    version = fields.Integer(metadata={"description": "0: the defaults, never changed"})
    default = fields.Boolean()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    base = fields.Integer()
    cap = fields.Integer()
    points = fields.Dict(keys=fields.String(), values=fields.Integer())
    bands = fields.Dict(keys=fields.String(), values=fields.Integer())
    rules = fields.List(fields.Nested(RuleSchema))


class EvidenceSchema(Schema):
    kind = fields.String(metadata={"description": "meeting | suggestion | activity | reception"})
    id = fields.String(metadata={"description": "meeting id, suggestion id, activity id or reception id"})
    ref = fields.String(allow_none=True, metadata={"description": "suggestion number or meeting kind"})
    title = fields.String()
    date = fields.String()


class EntrySchema(Schema):
    evidence = fields.Dict()
    rule = fields.String()
    label = fields.String()
    title = fields.String()
    date = fields.String()
    detail = fields.Dict()
    points = fields.Integer(metadata={"description": "deputy and staff only"})


class BreakdownSchema(Schema):
    rule = fields.String()
    label = fields.String()
    part = fields.String()
    count = fields.Integer()
    points_each = fields.Integer()
    points = fields.Integer()
    evidence = fields.List(fields.Nested(EvidenceSchema))


class FlagSchema(Schema):
    code = fields.String()
    count = fields.Integer()
    message = fields.String()
    evidence = fields.List(fields.Dict())


class DutyRecordSchema(Schema):
    deputy = fields.String()
    name = fields.String()
    year = fields.Integer()
    visibility = fields.String(metadata={"description": "full (the deputy, staff) | public (published parts only)"})
    parts = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()),
                        metadata={"description": "basic, meetings, inspections, training, group_activities, "
                                                 "suggestions, voters, awards"})
    score = fields.Integer(allow_none=True)
    band = fields.String(allow_none=True, metadata={"description": "excellent | good | pass | fail"})
    band_label = fields.String(allow_none=True)
    scheme_version = fields.Integer(allow_none=True)
    base = fields.Integer()
    cap = fields.Integer()
    breakdown = fields.List(fields.Nested(BreakdownSchema))
    flags = fields.List(fields.Nested(FlagSchema))


class RankingQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=YEAR)
    level = fields.String(validate=validate.OneOf(LEVELS))
    town = fields.String(validate=validate.Length(min=1, max=20))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    offset = offset_field()


class RankingRowSchema(Schema):
    rank = fields.Integer()
    deputy_id = fields.String()
    name = fields.String()
    level = fields.String()
    town = fields.String()
    score = fields.Integer()
    band = fields.String()
    band_label = fields.String()
    receptions = fields.Integer(metadata={"description": "station receptions sat this year"})
    receptions_short = fields.Boolean(metadata={"description": "fewer than the two receptions a year each deputy "
                                                               "sits"})
    flagged = fields.Boolean(metadata={"description": "missed two congress sessions without leave (代表法 Art. 62)"})


class RankingPageSchema(Schema):
    year = fields.Integer()
    scheme_version = fields.Integer()
    level = fields.String(allow_none=True)
    town = fields.String(allow_none=True)
    bands = fields.Dict(keys=fields.String(), values=fields.Integer())
    flagged = fields.Integer()
    items = fields.List(fields.Nested(RankingRowSchema))
    total = fields.Integer()
