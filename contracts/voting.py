"""marshmallow schemas of the voting RPC surface (also the gateway's OpenAPI source)."""
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from kernel.schemas import offset_field

# Vocabulary (the service's domain module imports it from here)
MEETING_KINDS = ("standing_committee", "chairpersons", "plenary")
ITEM_KINDS = ("resolution", "decision", "appointment", "removal", "amendment")
MODES = ("secret", "named", "show_of_hands", "paper")
CHOICES = ("yes", "no", "abstain")

DEPUTY_CODE = validate.Regexp(r"^[A-Z][0-9]{3,8}$", error="a deputy code like D0001")


class MeetingCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    starts_at = fields.AwareDateTime(required=True, metadata={"example": "2026-11-28T09:00:00+08:00"})
    members = fields.List(fields.String(validate=DEPUTY_CODE), required=True,
                          validate=validate.Length(min=1, max=5000),
                          metadata={"description": "deputy codes of the members who may vote"})
    observers = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                            validate=validate.Length(max=200),
                            metadata={"description": "列席: deputy codes or names; they may not vote"})
    chair = fields.String(validate=DEPUTY_CODE, allow_none=True,
                          metadata={"description": "a member; may see who has not voted yet"})


class MembersAddSchema(Schema):
    """More members or observers for a meeting already created (who is already in it is left as is)."""
    class Meta:
        unknown = RAISE
        ordered = True

    members = fields.List(fields.String(validate=DEPUTY_CODE), load_default=list,
                          validate=validate.Length(max=5000),
                          metadata={"description": "deputy codes of members to add (may vote on items opened "
                                                   "from now on)"})
    observers = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                            validate=validate.Length(max=200),
                            metadata={"description": "列席 to add: deputy codes or names"})

    @validates_schema
    def some(self, data, **kwargs):
        if not data.get("members") and not data.get("observers"):
            raise ValidationError("give members or observers to add", "members")


class MeetingListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()
    # a deputy's own meetings (as member or observer): their phone lists only those
    member = fields.String(validate=DEPUTY_CODE, metadata={"description": "only meetings this deputy belongs to"})


class PresenceSchema(Schema):
    class Meta:
        unknown = RAISE

    deputy_id = fields.String(validate=DEPUTY_CODE, allow_none=True,
                              metadata={"description": "staff only: the member signed in/out on their behalf"})


class CandidateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    post = fields.String(load_default="", validate=validate.Length(max=100))


class ItemCreateSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=2, max=300))
    mode = fields.String(validate=validate.OneOf(MODES),
                         metadata={"description": "secret (default; paper for removal), named, show_of_hands, paper"})
    candidates = fields.List(fields.Nested(CandidateSchema), load_default=list, validate=validate.Length(max=200))
    merged = fields.Boolean(load_default=False, metadata={"description": "appointment list merged into one vote"})
    amends = fields.Integer(allow_none=True, metadata={"description": "the item (motion) this amendment amends"})


class BallotSchema(Schema):
    class Meta:
        unknown = RAISE

    choice = fields.String(validate=validate.OneOf(CHOICES))
    choices = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(CHOICES)),
                          metadata={"description": "appointment list voted per person: {candidate name: choice}"})

    @validates_schema
    def one_of(self, data, **kwargs):
        if ("choice" in data) == ("choices" in data):
            raise ValidationError("give either choice or choices", "choice")


class CandidateCountSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True)
    yes = fields.Integer(required=True, validate=validate.Range(min=0))
    no = fields.Integer(required=True, validate=validate.Range(min=0))
    abstain = fields.Integer(required=True, validate=validate.Range(min=0))


class ManualTallySchema(Schema):
    """Counts of a show of hands or paper ballot entered by staff; the service decides passed."""
    class Meta:
        unknown = RAISE

    yes = fields.Integer(validate=validate.Range(min=0))
    no = fields.Integer(validate=validate.Range(min=0))
    abstain = fields.Integer(validate=validate.Range(min=0))
    candidates = fields.List(fields.Nested(CandidateCountSchema))


# -- responses (documentation of the HTTP surface) -------------------------------------------------
class CandidateResultSchema(Schema):
    name = fields.String()
    yes = fields.Integer(allow_none=True, metadata={"description": "null on a secret item until it closes"})
    no = fields.Integer(allow_none=True)
    abstain = fields.Integer(allow_none=True)
    not_voted = fields.Integer(allow_none=True)
    passed = fields.Boolean(allow_none=True)


class ResultSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    mode = fields.String()
    status = fields.String()
    final = fields.Boolean()
    expected = fields.Integer(metadata={"description": "应到 N: membership snapshot when the item opened"})
    present = fields.Integer(metadata={"description": "实到"})
    absent = fields.Integer()
    voted = fields.Integer(allow_none=True)
    yes = fields.Integer(allow_none=True, metadata={"description": "赞成 (null for per-candidate lists, and on a "
                                                                   "secret item until it closes: only voted shows)"})
    no = fields.Integer(allow_none=True)
    abstain = fields.Integer(allow_none=True)
    not_voted = fields.Integer(allow_none=True, metadata={"description": "未按: present at close, pressed nothing"})
    threshold = fields.Integer(metadata={"description": "floor(N/2)+1"})
    passed = fields.Boolean(allow_none=True)
    manual = fields.Boolean()
    digest = fields.String(allow_none=True, metadata={"description": "Merkle root of the ballot box (a secret "
                                                                      "item's: of its sealed, counted ballots)"})
    ballots = fields.Integer(allow_none=True, metadata={"description": "ballots in the box: a named item's log "
                                                                       "(changed votes included); a sealed box's "
                                                                       "counted ballots"})
    candidates = fields.List(fields.Nested(CandidateResultSchema))


class ItemSchema(Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    position = fields.Integer()
    kind = fields.String()
    title = fields.String()
    mode = fields.String()
    candidates = fields.List(fields.Nested(CandidateSchema))
    merged = fields.Boolean()
    amends = fields.Integer(allow_none=True)
    status = fields.String()
    expected = fields.Integer(allow_none=True)
    present_at_open = fields.Integer(allow_none=True)
    threshold = fields.Integer(allow_none=True)
    digest = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True)
    opened_at = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)


class MeetingSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.String()
    chair = fields.String(allow_none=True)
    ended_at = fields.String(allow_none=True, metadata={"description": "when staff ended the meeting (attendance "
                                                                       "settled); null while it runs"})
    expected = fields.Integer()
    present = fields.Integer()
    members = fields.List(fields.String())
    observers = fields.List(fields.Dict())
    items = fields.List(fields.Nested(ItemSchema))


class MeetingPageSchema(Schema):
    items = fields.List(fields.Dict())
    total = fields.Integer()


class PresenceResultSchema(Schema):
    meeting_id = fields.Integer()
    deputy_id = fields.String()
    name = fields.String()
    role = fields.String(metadata={"description": "member | observer"})
    signed_in = fields.Boolean()
    changed = fields.Boolean()
    by = fields.String(allow_none=True, metadata={"description": "staff username when on the member's behalf"})
    present = fields.Integer()
    expected = fields.Integer()


class AttendanceSchema(Schema):
    meeting_id = fields.Integer()
    expected = fields.Integer()
    present = fields.Integer()
    absent = fields.Integer()
    members = fields.List(fields.Dict())
    observers = fields.List(fields.Dict())


class ItemOpenedSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    mode = fields.String()
    merged = fields.Boolean()
    expected = fields.Integer(metadata={"description": "应到 N: the membership snapshot taken now"})
    present = fields.Integer()
    threshold = fields.Integer()
    candidates = fields.List(fields.Dict())
    status = fields.String(metadata={"example": "open"})


class TallyEnteredSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    status = fields.String()
    provisional = fields.Dict(metadata={"description": "the result these counts give at close"})


class ReceiptSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    ballot_id = fields.Integer(metadata={"description": "arrival number; named items only"})
    receipt = fields.String(metadata={"description": "the ballot's leaf hash: keep it to check inclusion"})
    token = fields.String(metadata={"description": "your pseudonym on this item (your code on named items)"})
    choice = fields.Raw()
    nonce = fields.String()
    stored_choice = fields.String(metadata={"description": "the choice as it is written in the ballot's leaf"})


class InclusionSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    receipt = fields.String()
    ballot_id = fields.Integer(metadata={"description": "arrival number; named items only"})
    included = fields.Boolean()
    status = fields.String()
    digest = fields.String(metadata={"description": "after close"})
    proof = fields.List(fields.Dict(), metadata={"description": "after close: [{side: left|right, hash}] up to "
                                                                "the digest"})
    index = fields.Integer(metadata={"description": "after close: the leaf's position"})
    leaves = fields.Integer(metadata={"description": "after close: leaves in the box"})
    verified = fields.Boolean()


class AuditSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    mode = fields.String()
    merged = fields.Boolean()
    per_candidate = fields.Boolean()
    candidates = fields.List(fields.Dict())
    digest = fields.String()
    hash_algorithm = fields.String()
    sealed = fields.Boolean(metadata={"description": "a secret item's sealed box: one counted ballot per pseudonym, "
                                                     "in token order, no arrival number; no checkpoints"})
    leaf_format = fields.String()
    node_format = fields.String()
    empty_format = fields.String(metadata={"description": "the leaf of an empty ballot box"})
    expected = fields.Integer()
    threshold = fields.Integer()
    ballots = fields.List(fields.Dict(), metadata={"description": "named items: [{seq, token, choice, nonce, "
                                                                  "leaf_hash}] in arrival order; sealed: "
                                                                  "[{token, choice, nonce, leaf_hash}] by token"})
    checkpoints = fields.List(fields.Dict(), metadata={"description": "interim Merkle roots taken while open "
                                                                      "(named items only)"})
    manual_tally = fields.Dict(allow_none=True)
    result = fields.Dict()


class PendingSchema(Schema):
    meeting_id = fields.Integer()
    item_id = fields.Integer()
    count = fields.Integer()
    pending = fields.List(fields.Dict(), metadata={"description": "[{deputy_id, name}] — never choices"})


# -- leave and the end of a meeting (issue 13) --------------------------------------------------------
class LeaveRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(required=True, validate=validate.Length(min=2, max=500),
                           metadata={"description": "why the member cannot attend (staff see it; never public)"})


class LeaveDecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(("approve", "deny")))
    note = fields.String(validate=validate.Length(max=500), allow_none=True)


class LeaveSchema(Schema):
    meeting_id = fields.Integer()
    deputy_id = fields.String()
    name = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"description": "pending | approved | denied"})
    requested_at = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class LeavePageSchema(Schema):
    meeting_id = fields.Integer()
    items = fields.List(fields.Nested(LeaveSchema))
    total = fields.Integer()


class OutcomeSchema(Schema):
    deputy_id = fields.String()
    outcome = fields.String(metadata={"description": "present | leave (absent with approved leave) | absent"})


class MeetingEndedSchema(Schema):
    meeting_id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.String()
    ended_at = fields.String()
    expected = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "{present, leave, absent}"})
    attendance = fields.List(fields.Nested(OutcomeSchema))
