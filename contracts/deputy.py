"""marshmallow schemas of the deputy RPC surface (also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from kernel.schemas import INT_MAX, offset_field, page_of

# Vocabulary (the service's domain module imports it from here)
GENDERS = ("male", "female")
LEVELS = ("county", "town")
STATUSES = ("active", "inactive")
STATION_LEVELS = ("county", "town", "village")

PHONE = validate.Regexp(r"^1[3-9][0-9]{9}$", error="must be an 11-digit mainland mobile number")


class DeputyFields(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    name = fields.String(validate=validate.Length(min=2, max=20))
    gender = fields.String(validate=validate.OneOf(GENDERS))
    ethnicity = fields.String(validate=validate.Length(min=2, max=10))
    birth_year = fields.Integer(validate=validate.Range(min=1900, max=2010))
    level = fields.String(validate=validate.OneOf(LEVELS))
    town = fields.String(validate=validate.Length(min=2, max=20))
    station_code = fields.String(validate=validate.Length(min=1, max=20))
    term = fields.Integer(validate=validate.Range(min=1, max=99))
    occupation = fields.String(validate=validate.Length(max=50))
    phone = fields.String(allow_none=True, validate=PHONE)
    email = fields.Email(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))


class DeputyCreateSchema(DeputyFields):
    code = fields.String(validate=validate.Regexp(r"^[A-Z][0-9]{3,8}$", error="like D0694"))
    name = fields.String(required=True, validate=validate.Length(min=2, max=20))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    ethnicity = fields.String(load_default="汉族", validate=validate.Length(min=2, max=10))
    birth_year = fields.Integer(required=True, validate=validate.Range(min=1900, max=2010))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    town = fields.String(required=True, validate=validate.Length(min=2, max=20))
    station_code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    term = fields.Integer(required=True, validate=validate.Range(min=1, max=99))
    occupation = fields.String(load_default="", validate=validate.Length(max=50))
    status = fields.String(load_default="active", validate=validate.OneOf(STATUSES))


class DeputyUpdateSchema(DeputyFields):
    """PATCH: any subset of the fields; ``version`` makes the update conditional."""
    version = fields.Integer(validate=validate.Range(min=1, max=INT_MAX))


class DeputySchema(Schema):
    class Meta:
        ordered = True

    id = fields.String(attribute="code", dump_only=True)
    code = fields.String()
    name = fields.String()
    gender = fields.String()
    ethnicity = fields.String()
    birth_year = fields.Integer()
    level = fields.String()
    town = fields.String()
    station_code = fields.String()
    term = fields.Integer()
    occupation = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "staff and the deputy only"})
    email = fields.String(allow_none=True, metadata={"description": "staff and the deputy only"})
    status = fields.String()
    version = fields.Integer()


class DeputyListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    level = fields.String(validate=validate.OneOf(LEVELS))
    town = fields.String(validate=validate.Length(max=20))
    station = fields.String(validate=validate.Length(max=20))
    status = fields.String(validate=validate.OneOf(STATUSES))
    q = fields.String(validate=validate.Length(min=1, max=20))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


DeputyPageSchema = page_of(DeputySchema, "DeputyPageSchema")


class StationSchema(Schema):
    class Meta:
        ordered = True

    code = fields.String()
    name = fields.String()
    level = fields.String(validate=validate.OneOf(STATION_LEVELS))
    town = fields.String(allow_none=True)
    parent_code = fields.String(allow_none=True)
    address = fields.String()
    reception_day = fields.String()
    children = fields.List(fields.Nested(lambda: StationSchema()))
