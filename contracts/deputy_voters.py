"""marshmallow schemas of reception days and voters' opinions (deputy RPC surface; also the
gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from kernel.schemas import offset_field

# Vocabulary (the service's domain module imports it from here)
TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
STATUSES = ("received", "classified", "answered", "forwarded", "converted", "replied", "declined", "closed")
FORWARD_TARGETS = ("town", "department")
DECLINE_REASONS = {"personal_dispute": "属个人纠纷，请通过人民调解等途径解决",
                   "petition": "属信访事项，请向信访部门反映",
                   "court_case": "属诉讼或司法案件，请通过司法途径解决",
                   "other": "不属于代表联络站受理范围"}

DEPUTY_CODE = validate.Regexp(r"^[A-Z][0-9]{3,8}$", error="a deputy code like D0001")
CLOCK = validate.Regexp(TIME, error="a time like 09:00")


class ReceptionCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    date = fields.Date(required=True, metadata={"description": "announced at least 3 days ahead (Beijing date)"})
    starts_at = fields.String(load_default="09:00", validate=CLOCK)
    ends_at = fields.String(load_default="12:00", validate=CLOCK)
    deputies = fields.List(fields.String(validate=DEPUTY_CODE), required=True, validate=validate.Length(min=1, max=50),
                           metadata={"description": "the deputies on duty (rota)"})
    note = fields.String(load_default="", validate=validate.Length(max=500))
    held = fields.Boolean(load_default=False, metadata={"description": "record a reception that already took place "
                                                                      "(date up to today): its deputies sat"})


class ReceptionHeldSchema(Schema):
    class Meta:
        unknown = RAISE

    deputies = fields.List(fields.String(validate=DEPUTY_CODE), validate=validate.Length(min=1, max=50),
                           metadata={"description": "who sat (default: everyone on the rota)"})


class ReceptionQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class ReceptionSchema(Schema):
    id = fields.Integer()
    station_code = fields.String()
    station_name = fields.String()
    date = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    deputies = fields.List(fields.String())
    note = fields.String()
    status = fields.String(metadata={"description": "scheduled | held"})
    sat = fields.List(fields.String())
    created_at = fields.String()


class ReceptionPageSchema(Schema):
    items = fields.List(fields.Nested(ReceptionSchema))
    total = fields.Integer()


class OpinionCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    station = fields.String(required=True, validate=validate.Length(min=1, max=20),
                            metadata={"description": "station code (GET /api/v1/stations)"})
    content = fields.String(required=True, validate=validate.Length(min=5, max=5000))
    category = fields.String(validate=validate.Length(min=1, max=20), allow_none=True)
    name = fields.String(validate=validate.Length(min=1, max=50), allow_none=True)
    contact = fields.String(validate=validate.Length(min=3, max=100), allow_none=True,
                            metadata={"description": "phone or e-mail; only staff and the assigned deputy see it"})


class StationOpinionCreateSchema(OpinionCreateSchema):
    """``POST /api/v1/stations/{code}/opinions``: the same, the station taken from the path."""
    class Meta:
        exclude = ("station",)


class TrackingSchema(Schema):
    tracking_code = fields.String()
    status = fields.String(metadata={"description": "received | in_progress | answered | declined | closed"})
    status_label = fields.String()
    answer = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    station = fields.String()


class ClassifySchema(Schema):
    class Meta:
        unknown = RAISE

    category = fields.String(required=True, validate=validate.Length(min=1, max=20))
    deputy = fields.String(validate=DEPUTY_CODE, allow_none=True, metadata={"description": "the assigned deputy"})


class AnswerSchema(Schema):
    class Meta:
        unknown = RAISE

    answer = fields.String(required=True, validate=validate.Length(min=2, max=5000))


class ForwardSchema(Schema):
    class Meta:
        unknown = RAISE

    to = fields.String(required=True, validate=validate.OneOf(FORWARD_TARGETS))
    department = fields.String(validate=validate.Length(min=1, max=40), allow_none=True,
                               metadata={"description": "a department code (GET /api/v1/departments) when to = department"})
    note = fields.String(validate=validate.Length(max=500), allow_none=True)


class DeclineSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.OneOf(tuple(DECLINE_REASONS)),
                           metadata={"description": "personal_dispute | petition (信访) | court_case | other"})
    note = fields.String(validate=validate.Length(max=500), allow_none=True)


class CloseSchema(Schema):
    class Meta:
        unknown = RAISE

    note = fields.String(validate=validate.Length(max=500), allow_none=True)


class ConvertSchema(Schema):
    class Meta:
        unknown = RAISE

    title = fields.String(required=True, validate=validate.Length(min=4, max=200))
    category = fields.String(validate=validate.Length(min=1, max=20),
                             metadata={"description": "a suggestion category (default 其他)"})


class OpinionQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    station = fields.String(validate=validate.Length(min=1, max=20))
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class OpinionSchema(Schema):
    tracking_code = fields.String()
    station_code = fields.String()
    content = fields.String()
    category = fields.String(allow_none=True)
    name = fields.String(allow_none=True, metadata={"description": "staff and the assigned deputy only"})
    contact = fields.String(allow_none=True, metadata={"description": "staff and the assigned deputy only"})
    status = fields.String()
    voter_status = fields.String()
    assigned_deputy = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    forwarded_to = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    suggestion_id = fields.String(allow_none=True)
    suggestion_number = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    created_at = fields.String()
    updated_at = fields.String()


class OpinionPageSchema(Schema):
    items = fields.List(fields.Nested(OpinionSchema))
    total = fields.Integer()
