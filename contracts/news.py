"""marshmallow schemas of the news RPC surface (also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from kernel.schemas import offset_field, page_of

# Vocabulary (the service's domain module imports it from here)
STATUSES = ("draft", "submitted", "approved", "scheduled", "published", "withdrawn")
LEVELS = ("county", "city", "province", "national")
COMMENT_LEVELS = ("county", "city", "province")
KINDS = ("news", "research")

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="lower-case letters, digits and single hyphens")
COLUMN_SLUG = fields.String(validate=[validate.Length(min=1, max=60), SLUG])
URL = validate.Regexp(r"^(https?://|/)[^\s<>\"']+$", error="an http(s) URL or a path on this site")


class ColumnSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)
    position = fields.Integer()
    description = fields.String()
    children = fields.List(fields.Nested(lambda: ColumnSchema()))


ColumnTreeSchema = page_of(ColumnSchema, "ColumnTree")


class ColumnCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    slug = fields.String(required=True, validate=[validate.Length(min=1, max=60), SLUG])
    name = fields.String(required=True, validate=validate.Length(min=1, max=30))
    parent = fields.String(allow_none=True, validate=[validate.Length(min=1, max=60), SLUG],
                           metadata={"description": "slug of the parent column"})
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))
    description = fields.String(load_default="", validate=validate.Length(max=500))


class ColumnUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(validate=validate.Length(min=1, max=30))
    parent = fields.String(allow_none=True, validate=[validate.Length(min=1, max=60), SLUG])
    position = fields.Integer(validate=validate.Range(min=0, max=10000))
    description = fields.String(validate=validate.Length(max=500))


class ArticleWriteSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    column = fields.String(required=True, validate=[validate.Length(min=1, max=60), SLUG],
                           metadata={"description": "column slug (GET /api/v1/columns)"})
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=200000),
                         metadata={"description": "HTML; sanitised on the server to an allow-list"})
    summary = fields.String(load_default="", validate=validate.Length(max=500))
    source = fields.String(load_default="", validate=validate.Length(max=100))
    cover = fields.String(allow_none=True, validate=[validate.Length(max=500), URL])
    slug = fields.String(allow_none=True, validate=[validate.Length(min=3, max=100), SLUG],
                         metadata={"description": "the article's address; default YYYYMMDD-<id>"})
    expected_version = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100000),
                                      metadata={"description": "edit only: 409 if the version changed meanwhile"})


class ReasonSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(validate=validate.Length(min=1, max=500))


class WithdrawSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=2, max=500))


class PublishSchema(Schema):
    class Meta:
        unknown = RAISE

    publish_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "publish at this moment (scheduled); absent or past: now", "example": "2026-12-03T08:00:00+08:00"})


class VersionSchema(Schema):
    version = fields.Integer()
    title = fields.String()
    created_by = fields.String()
    created_at = fields.String()
    approved_by = fields.String(allow_none=True)
    approved_at = fields.String(allow_none=True)


class StepSchema(Schema):
    action = fields.String()
    version = fields.Integer()
    actor = fields.String()
    role = fields.String()
    note = fields.String(allow_none=True)
    at = fields.String()


class ArticleSchema(Schema):
    id = fields.Integer()
    column = fields.String()
    column_name = fields.String()
    slug = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    version = fields.Integer()
    live_version = fields.Integer(allow_none=True, metadata={"description": "the version the public sees"})
    author = fields.String()
    publish_at = fields.String(allow_none=True)
    first_published_at = fields.String(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True, metadata={"description": "public view: when it was published"})
    created_at = fields.String()
    updated_at = fields.String()
    title = fields.String()
    summary = fields.String()
    source = fields.String()
    cover = fields.String(allow_none=True)
    body = fields.String()
    versions = fields.List(fields.Nested(VersionSchema))
    steps = fields.List(fields.Nested(StepSchema))


class PublicArticleSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    column = fields.String(allow_none=True)
    column_name = fields.String(allow_none=True)
    title = fields.String()
    summary = fields.String()
    source = fields.String()
    cover = fields.String(allow_none=True)
    version = fields.Integer()
    published_at = fields.String()
    updated_at = fields.String()
    body = fields.String()
    status = fields.String(metadata={"description": "editors' list only"})
    live_version = fields.Integer(allow_none=True)
    author = fields.String()
    publish_at = fields.String(allow_none=True)


ArticlePageSchema = Schema.from_dict({
    "items": fields.List(fields.Nested(PublicArticleSchema)), "total": fields.Integer(),
    "column": fields.Nested(ColumnSchema, allow_none=True,
                            metadata={"description": "the column asked for (public list), with its sub-columns' articles"}),
}, name="ArticlePage")


class ArticleListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    column = fields.String(validate=[validate.Length(min=1, max=60), SLUG])
    q = fields.String(validate=validate.Length(max=100))
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "editors and staff only: the workflow list"})
    author = fields.String(validate=validate.Length(max=100))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = offset_field()


# -- towns and submissions --------------------------------------------------------------------------
class TownSchema(Schema):
    code = fields.String()
    name = fields.String()
    account = fields.String(metadata={"description": "the town reporter's sign-in"})


TownPageSchema = page_of(TownSchema, "TownPage")


class SubmissionCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    body = fields.String(required=True, validate=validate.Length(min=2, max=100000))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    town = fields.String(validate=validate.Length(min=1, max=30),
                         metadata={"description": "staff submitting on a town's behalf"})


class AdoptionCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    channel = fields.String(required=True, validate=validate.Length(min=1, max=200),
                            metadata={"description": "where: 县门户网站, 市人大网, 省人大内刊…"})
    adopted_on = fields.Date(required=True)
    link = fields.String(allow_none=True, validate=[validate.Length(max=500), URL])
    leader_comment = fields.String(allow_none=True, validate=validate.OneOf(COMMENT_LEVELS),
                                   metadata={"description": "批示: the level of the leader who commented"})


class AdoptionSchema(Schema):
    id = fields.Integer()
    level = fields.String()
    channel = fields.String()
    adopted_on = fields.String()
    link = fields.String(allow_none=True)
    leader_comment = fields.String(allow_none=True)
    recorded_by = fields.String()


class SubmissionSchema(Schema):
    id = fields.Integer()
    town = fields.String()
    town_name = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
    kind = fields.String()
    submitted_by = fields.String()
    submitted_at = fields.String()
    adoptions = fields.List(fields.Nested(AdoptionSchema))


SubmissionPageSchema = page_of(SubmissionSchema, "SubmissionPage")


class SubmissionListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    town = fields.String(validate=validate.Length(max=30))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(validate=validate.Range(min=1, max=4))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class ScoresQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(required=True, validate=validate.Range(min=1, max=4))
    format = fields.String(validate=validate.OneOf(("json", "csv", "xlsx")))


class ScoreRowSchema(Schema):
    rank = fields.Integer()
    town = fields.String()
    name = fields.String()
    points = fields.Integer()
    pieces = fields.Integer()
    adopted = fields.Integer()
    research = fields.Integer()
    quota = fields.Integer()
    quota_met = fields.Boolean()


class ScoresSchema(Schema):
    year = fields.Integer()
    quarter = fields.Integer()
    rules = fields.Dict()
    items = fields.List(fields.Nested(ScoreRowSchema))


class SchemeSchema(Schema):
    year = fields.Integer()
    rules = fields.Dict()
    default = fields.Boolean()


class SchemeUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    rules = fields.Dict(required=True)


class SchemeQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class ReportQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(required=True, validate=validate.Range(min=1, max=4))


class MediaSchema(Schema):
    kind = fields.String(metadata={"enum": ["image", "attachment"]})
    content_type = fields.String(metadata={"description": "sniffed from the content; served with it"})
    size = fields.Integer()
    sha256 = fields.String()
    url = fields.String(metadata={"description": "/media/<sha256>.<ext>: immutable, cached for a year"})
    filename = fields.String(metadata={"description": "the name it was uploaded with (for a link's text)"})
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    resized_url = fields.String(allow_none=True,
                                metadata={"description": "an image wider than 960 px: a copy 960 px wide"})
