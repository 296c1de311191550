"""Events the voting service publishes on ``voting.events`` (routing key = type).

A secret item's events never carry member ids or per-choice counts while it is open
(``tally_updated`` has ``voters`` only for named items), and leave reasons never travel."""
from marshmallow import fields

from contracts.events.payload import ISO_DATE, Payload, codes

MEETING_CREATED = "meeting_created"
MEMBERS_ADDED = "members_added"
MEMBER_SIGNED_IN = "member_signed_in"
MEMBER_SIGNED_OUT = "member_signed_out"
ITEM_OPENED = "item_opened"
TALLY_UPDATED = "tally_updated"
VOTE_CLOSED = "vote_closed"
# Leave and the end of a meeting (issue 13)
LEAVE_REQUESTED = "leave_requested"
LEAVE_DECIDED = "leave_decided"
MEETING_ENDED = "meeting_ended"

COUNT = fields.Integer   # a count that a secret item's open tally hides (None)


class MeetingPayload(Payload):
    meeting_id = fields.Raw(required=True)


class ItemPayload(MeetingPayload):
    item_id = fields.Raw(required=True)


class MeetingCreated(MeetingPayload):
    kind = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = ISO_DATE(required=True)
    expected = fields.Integer(required=True)
    members = codes(required=True)
    observers = fields.List(fields.String(), required=True, metadata={"description": "codes or names"})


class MembersAdded(MeetingPayload):
    members = codes(required=True)
    observers = fields.List(fields.String(), required=True)
    expected = fields.Integer(required=True)
    by = fields.String(required=True, allow_none=True)


class MemberSigned(MeetingPayload):
    deputy_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    by = fields.String(required=True, allow_none=True, metadata={"description": "staff acting for the member"})
    present = fields.Integer(required=True)
    expected = fields.Integer(required=True)


class ItemOpened(ItemPayload):
    title = fields.String(required=True)
    kind = fields.String(required=True)
    mode = fields.String(required=True)
    merged = fields.Raw(required=True, allow_none=True)
    expected = fields.Integer(required=True)
    present = fields.Integer(required=True)
    threshold = fields.Integer(required=True)
    candidates = fields.List(fields.Raw(), required=True, allow_none=True)


class NamedChoice(Payload):
    deputy_id = fields.String(required=True)
    choice = fields.Raw(required=True)


class Counts(Payload):
    """The counts a running tally and a declared result share."""
    expected = fields.Integer(required=True)
    present = fields.Integer(required=True)
    yes = COUNT(required=True, allow_none=True)
    no = COUNT(required=True, allow_none=True)
    abstain = COUNT(required=True, allow_none=True)
    threshold = fields.Integer(required=True)
    candidates = fields.List(fields.Dict(), required=True)


class TallyUpdated(Counts, ItemPayload):
    seq = fields.Integer(required=True)
    voted = fields.Integer(required=True)
    not_voted = fields.Integer(required=True)
    voters = fields.List(fields.Nested(NamedChoice), metadata={"description": "named items only"})
    checkpoint = fields.Dict(allow_none=True, metadata={"description": "named items only: the ballot log's "
                                                                       "latest interim root"})


class VoteResult(Counts):
    absent = fields.Integer(required=True)
    voted = COUNT(required=True, allow_none=True)
    not_voted = COUNT(required=True, allow_none=True)
    passed = fields.Boolean(required=True)
    manual = fields.Boolean(required=True)
    ballots = fields.Integer(required=True)


class VoteClosed(ItemPayload):
    title = fields.String(required=True)
    kind = fields.String(required=True)
    mode = fields.String(required=True)
    result = fields.Nested(VoteResult, required=True)
    digest = fields.String(required=True)
    hash_algorithm = fields.String(required=True)


class LeaveRequested(MeetingPayload):
    """Never the reason."""
    deputy_id = fields.String(required=True)
    kind = fields.String(required=True)
    starts_at = ISO_DATE(required=True)


class LeaveDecided(MeetingPayload):
    deputy_id = fields.String(required=True)
    status = fields.String(required=True)
    by = fields.String(required=True, allow_none=True)


class Attendance(Payload):
    deputy_id = fields.String(required=True)
    outcome = fields.String(required=True)


class MeetingEnded(MeetingPayload):
    kind = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = ISO_DATE(required=True)
    ended_at = ISO_DATE(required=True)
    by = fields.String(required=True, allow_none=True)
    expected = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    attendance = fields.List(fields.Nested(Attendance), required=True)


PAYLOADS = {
    MEETING_CREATED: MeetingCreated, MEMBERS_ADDED: MembersAdded, MEMBER_SIGNED_IN: MemberSigned,
    MEMBER_SIGNED_OUT: MemberSigned, ITEM_OPENED: ItemOpened, TALLY_UPDATED: TallyUpdated, VOTE_CLOSED: VoteClosed,
    LEAVE_REQUESTED: LeaveRequested, LEAVE_DECIDED: LeaveDecided, MEETING_ENDED: MeetingEnded,
}
