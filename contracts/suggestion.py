"""marshmallow schemas of the suggestion RPC surface (also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate, validates_schema, ValidationError

from kernel.schemas import offset_field, page_of
from contracts.reference import SUGGESTION_CATEGORIES

# Vocabulary (the service's domain module imports it from here)
STATUSES = ("submitted", "rejected", "merged", "withdrawn", "accepted", "routed", "assigned", "acknowledged",
            "returned", "replied", "rehandling", "closed")
REJECT_REASONS = ("personal_matter", "petition", "court_case", "promotion", "empty_content", "other")
ROLES = ("lead", "co", "separate")
REPLY_CATEGORIES = ("A", "B", "C")
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")
ASSIGNMENT_STATUSES = ("assigned", "acknowledged", "extension_requested", "returned", "view_sent", "replied",
                       "withdrawn")

TITLE_MAX = 100
CONTENT_MAX = 5000
TEXT_MAX = 2000
INBOX_SORTS = ("due_date", "-due_date", "assigned_at", "-assigned_at")
DEPUTY_CODE = validate.Regexp(r"^[A-Z][0-9]{3,8}$", error="a deputy code like D0001")


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class SuggestionCreateSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=4, max=TITLE_MAX))
    content = fields.String(required=True, validate=validate.Length(min=10, max=CONTENT_MAX))
    category = fields.String(load_default="其他", validate=validate.OneOf(SUGGESTION_CATEGORIES))
    co_signers = fields.List(fields.String(validate=DEPUTY_CODE), load_default=list,
                             validate=validate.Length(max=50))
    session = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1, max=20),
                             metadata={"description": "session (次会议) number; omit between sessions"})
    deputy = fields.String(validate=DEPUTY_CODE, metadata={"description": "lead deputy (staff filing on behalf)"})


class SuggestionSourceSchema(Strict):
    """Where a suggestion came from: a voter's opinion a deputy converted (set by the
    conversion, never by the filing form)."""
    kind = fields.String(required=True, validate=validate.OneOf(("opinion",)))
    tracking_code = fields.String(required=True, validate=validate.Regexp(r"^YJ[0-9A-Z]{6,12}$"))
    station_code = fields.String(required=True, validate=validate.Length(min=1, max=20))


class ReviewSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "reject", "merge")))
    reason = fields.String(validate=validate.OneOf(REJECT_REASONS))
    reason_text = fields.String(validate=validate.Length(max=TEXT_MAX))
    merge_into = fields.String(validate=validate.Length(min=1, max=64))
    difficult = fields.Boolean(metadata={"description": "difficult: 6 months to reply instead of 3"})
    key_supervision = fields.Boolean(metadata={"description": "重点督办"})


class AssignmentItemSchema(Strict):
    department = fields.String(required=True, validate=validate.Length(min=1, max=40))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class AssignSchema(Strict):
    assignments = fields.List(fields.Nested(AssignmentItemSchema), required=True, validate=validate.Length(min=1))
    due_date = fields.Date()
    difficult = fields.Boolean()


class ReasonSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=TEXT_MAX))


class WithdrawSchema(Strict):
    reason = fields.String(validate=validate.Length(max=TEXT_MAX))


class ExtensionRequestSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=TEXT_MAX))
    due_date = fields.Date(metadata={"description": "wanted due date (default +3 months, capped at 6 from assignment)"})


class ExtensionDecisionSchema(Strict):
    department = fields.String(required=True, validate=validate.Length(min=1, max=40))
    approved = fields.Boolean(required=True)
    due_date = fields.Date()


class ContentSchema(Strict):
    content = fields.String(required=True, validate=validate.Length(min=2, max=CONTENT_MAX))


class ReplySchema(Strict):
    category = fields.String(required=True, validate=validate.OneOf(REPLY_CATEGORIES))
    content = fields.String(required=True, validate=validate.Length(min=2, max=CONTENT_MAX))


class EvaluationSchema(Strict):
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION))
    comment = fields.String(validate=validate.Length(max=TEXT_MAX))


class SuggestionListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(STATUSES))
    department = fields.String(validate=validate.Length(max=40))
    deputy = fields.String(validate=validate.Length(max=20))
    category = fields.String(validate=validate.OneOf(SUGGESTION_CATEGORIES))
    term = fields.Integer(validate=validate.Range(min=1, max=99))
    session = fields.Integer(validate=validate.Range(min=1, max=20))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class InboxQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(ASSIGNMENT_STATUSES))
    active = fields.Boolean(load_default=True, allow_none=True)
    overdue = fields.Boolean(load_default=False)
    sort = fields.String(load_default="due_date", validate=validate.OneOf(INBOX_SORTS),
                         metadata={"description": "due_date (earliest first), -due_date, assigned_at, -assigned_at "
                                                  "(newest first)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class PageQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    department = fields.String(validate=validate.Length(max=40))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


class SimilarQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50),
                           metadata={"description": "at most this many candidates"})


class RoutingRuleSchema(Strict):
    id = fields.Integer(dump_only=True)
    category = fields.String(allow_none=True, validate=validate.OneOf(SUGGESTION_CATEGORIES))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=40)), load_default=list,
                           validate=validate.Length(max=50))
    department = fields.String(required=True, validate=validate.Length(min=1, max=40))
    role = fields.String(load_default="lead", validate=validate.OneOf(ROLES))
    weight = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=100))
    active = fields.Boolean(load_default=True)

    @validates_schema
    def category_or_keywords(self, data, partial=None, **kwargs):
        if not partial and not data.get("category") and not data.get("keywords"):
            raise ValidationError("a rule needs a category or keywords", "keywords")


RoutingRulePageSchema = page_of(RoutingRuleSchema, "RoutingRulePageSchema")


class RuleDeletedSchema(Schema):
    deleted = fields.Integer(metadata={"description": "the id of the deleted rule"})


# -- responses (documentation; the service returns plain dicts) ----------------------------------------
# Every field a route answers is listed (the document says additionalProperties: false); times
# are ISO 8601 strings. Fields a caller's role does not get are simply absent.
def _time(description=None, nullable=True):
    return fields.String(allow_none=nullable, metadata={"description": description} if description else {})


class AssignmentViewSchema(Schema):
    """A department's assignment. Of another department's assignment a department sees
    only department, role, status and active; the lead department also a co-handler's
    view_content and view_sent_at."""
    id = fields.Integer()
    suggestion_id = fields.String()
    department = fields.String()
    role = fields.String(metadata={"description": "lead | co | separate"})
    status = fields.String()
    active = fields.Boolean()
    assigned_at = _time(nullable=False)
    due_date = fields.String(metadata={"description": "ISO date"})
    latest_due_date = fields.String(metadata={"description": "ISO date: no extension goes past it"})
    acknowledged_at = _time()
    returned_at = _time()
    return_reason = fields.String(allow_none=True)
    extension_status = fields.String(allow_none=True)
    extension_due_date = fields.String(allow_none=True, metadata={"description": "ISO date"})
    extension_reason = fields.String(allow_none=True)
    view_content = fields.String(allow_none=True, metadata={"description": "a co-handler's written views"})
    view_sent_at = _time()
    reply_category = fields.String(allow_none=True)
    reply_content = fields.String(allow_none=True)
    replied_at = _time()
    followup_content = fields.String(allow_none=True)
    followed_up_at = _time()
    due_soon_notified_at = _time()
    overdue_notified_at = _time()


class TimelineEntrySchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    status = fields.String()
    actor = fields.Dict()
    department = fields.String(allow_none=True)
    details = fields.Dict()
    event_id = fields.String(allow_none=True)
    occurred_at = fields.String()


class PublicReplySchema(Schema):
    department = fields.String()
    role = fields.String()
    reply_category = fields.String(allow_none=True)
    reply_content = fields.String(allow_none=True)
    replied_at = _time()
    followup_content = fields.String(allow_none=True)


class SuggestionViewSchema(Schema):
    """Staff and the suggestion's deputies see it whole; a department the same with only its
    own assignments in full; the public (``public: true``) the handling result only:
    id, number, title, category, status, term, session, departments, replies, submitted_at."""
    id = fields.String()
    number = fields.String(metadata={"example": "19-3-012"})
    title = fields.String()
    content = fields.String()
    category = fields.String()
    status = fields.String()
    term = fields.Integer()
    session = fields.Integer(allow_none=True)
    lead_deputy = fields.String()
    deputy_codes = fields.List(fields.String(), metadata={"description": "the lead deputy first, then co-signers"})
    deputies = fields.List(fields.Dict(), metadata={"description": "[{code, role, via}]"})
    filed_by = fields.Dict(metadata={"description": "who filed it (a deputy, or staff on their behalf)"})
    departments = fields.List(fields.String())
    assignments = fields.List(fields.Nested(AssignmentViewSchema))
    difficult = fields.Boolean()
    key_supervision = fields.Boolean(metadata={"description": "重点督办"})
    reject_reason = fields.String(allow_none=True)
    reject_note = fields.String(allow_none=True)
    merged_into = fields.String(allow_none=True)
    awaiting_reassignment = fields.Boolean()
    rehandling_round = fields.Integer()
    satisfaction = fields.String(allow_none=True)
    evaluation_comment = fields.String(allow_none=True)
    submitted_at = _time(nullable=False)
    updated_at = _time(nullable=False)
    accepted_at = _time()
    assigned_at = _time()
    replied_at = _time()
    evaluated_at = _time()
    closed_at = _time()
    version = fields.Integer()
    source = fields.Nested(SuggestionSourceSchema, allow_none=True,
                           metadata={"description": "the voter's opinion it was converted from (by tracking code), "
                                                    "or null; not in the public view"})
    timeline = fields.List(fields.Nested(TimelineEntrySchema), metadata={"description": "one suggestion only"})
    public = fields.Boolean(metadata={"description": "true: the public view (handling result only)"})
    replies = fields.List(fields.Nested(PublicReplySchema), metadata={"description": "public view: the replies"})


SuggestionPageSchema = page_of(SuggestionViewSchema, "SuggestionPageSchema")


class SimilarSchema(Schema):
    id = fields.String()
    number = fields.String()
    title = fields.String()
    status = fields.String()
    lead_deputy = fields.String()
    score = fields.Float()


SimilarPageSchema = page_of(SimilarSchema, "SimilarPageSchema")


class ProposalSchema(Schema):
    department = fields.String()
    role = fields.String()
    score = fields.Float()


ProposalPageSchema = page_of(ProposalSchema, "ProposalPageSchema")


class DepartmentSchema(Schema):
    code = fields.String()
    name = fields.String()
    short_name = fields.String()
    keywords = fields.List(fields.String())
    active = fields.Boolean()
    version = fields.Integer(metadata={"description": "grows with every change"})


class DepartmentSaveSchema(Strict):
    """The whole department (PUT): a new code creates it, its queue and AMQP user."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    short_name = fields.String(load_default="", validate=validate.Length(max=20))
    active = fields.Boolean(load_default=True, metadata={"description": "false: no new assignments, "
                                                                        "no routing proposals"})


class DepartmentSavedSchema(DepartmentSchema):
    created = fields.Boolean()


DepartmentPageSchema = page_of(DepartmentSchema, "DepartmentPageSchema")


class InboxItemSchema(AssignmentViewSchema):
    suggestion_id = fields.String()
    number = fields.String()
    title = fields.String()
    category = fields.String()
    suggestion_status = fields.String()
    lead_deputy = fields.String()
    overdue = fields.Boolean()


InboxPageSchema = page_of(InboxItemSchema, "InboxPageSchema")


class OverdueItemSchema(Schema):
    suggestion_id = fields.String()
    number = fields.String()
    title = fields.String()
    department = fields.String()
    role = fields.String()
    status = fields.String()
    due_date = fields.String()
    days_overdue = fields.Integer()
    escalated_at = fields.String(allow_none=True)


OverduePageSchema = page_of(OverdueItemSchema, "OverduePageSchema")
