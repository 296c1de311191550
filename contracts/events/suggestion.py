"""Events the suggestion service publishes on ``suggestion.events`` (routing key = type); the
department copies go to ``suggestion.departments`` with routing key ``<department>.<type>``
(contracts/departments_amqp.py), with the same payload.

Every payload carries the suggestion's public summary (SuggestionPayload) and the actor; the
fields each event adds are in its schema below."""
from marshmallow import fields

from contracts.events.payload import ISO_DATE, Payload, codes

SUBMITTED = "suggestion_submitted"
ACCEPTED = "suggestion_accepted"
REJECTED = "suggestion_rejected"
MERGED = "suggestion_merged"
ROUTED = "suggestion_routed"
ASSIGNED = "suggestion_assigned"
ACKNOWLEDGED = "suggestion_acknowledged"
RETURNED = "suggestion_returned"
EXTENSION_REQUESTED = "suggestion_extension_requested"
EXTENSION_DECIDED = "suggestion_extension_decided"
VIEW_SENT = "suggestion_view_sent"
REPLIED = "suggestion_replied"
FOLLOWED_UP = "suggestion_followed_up"
EVALUATED = "suggestion_evaluated"
REHANDLING_OPENED = "suggestion_rehandling_opened"
CLOSED = "suggestion_closed"
WITHDRAWN = "suggestion_withdrawn"
DUE_SOON = "suggestion_due_soon"
OVERDUE = "suggestion_overdue"
# once per quarter after it ended (Beijing time): {year, quarter, statistics: the by-department
# answer of the statistics RPC as of that day}; the news service drafts the quarter's report from it
QUARTER_CLOSED = "suggestion_quarter_closed"
# a department (承办单位) created or changed by staff; the suggestion service owns the list, the
# others keep what they need of it from this event (the deputy service: names for its notices)
DEPARTMENT_SAVED = "department_saved"

DEPARTMENTS_EXCHANGE = "suggestion.departments"


class SuggestionPayload(Payload):
    suggestion_id = fields.String(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True)
    status = fields.String(required=True)
    lead_deputy = fields.String(required=True)
    deputies = codes(required=True)
    departments = codes(required=True, metadata={"description": "the departments handling it now"})
    actor = fields.Dict(required=True, metadata={"description": "role, subject, username of who acted"})
    occurred_at = ISO_DATE(required=True)


class ForDepartment(SuggestionPayload):
    department = fields.String(required=True, metadata={"description": "the department this step concerns"})


class Submitted(SuggestionPayload):
    co_signers = codes(required=True)
    session = fields.Integer(required=True, allow_none=True, metadata={"description": "null: filed between sessions (闭会期间)"})
    term = fields.Integer(required=True)
    source = fields.Dict(metadata={"description": "the voter's opinion it came from: kind, tracking_code, "
                                                  "station_code"})


class Rejected(SuggestionPayload):
    reason = fields.String(required=True)
    reason_text = fields.String(required=True, allow_none=True)


class Merged(SuggestionPayload):
    merge_into = fields.String(required=True)
    merge_into_number = fields.String(required=True)


class Accepted(SuggestionPayload):
    difficult = fields.Boolean(required=True)


class Proposal(Payload):
    department = fields.String(required=True)
    role = fields.String(required=True)
    score = fields.Float(required=True)


class Routed(SuggestionPayload):
    proposals = fields.List(fields.Nested(Proposal), required=True)


class AssignmentPayload(Payload):
    department = fields.String(required=True)
    role = fields.String(required=True)
    due_date = ISO_DATE(required=True)


class Assigned(SuggestionPayload):
    assignments = fields.List(fields.Nested(AssignmentPayload), required=True)
    automatic = fields.Boolean(required=True)


class Returned(ForDepartment):
    reason = fields.String(required=True, allow_none=True)
    role = fields.String(required=True)


class ExtensionRequested(ForDepartment):
    due_date = ISO_DATE(required=True)
    reason = fields.String(required=True, allow_none=True)


class ExtensionDecided(ForDepartment):
    approved = fields.Boolean(required=True)
    due_date = ISO_DATE(required=True)


class ViewSent(ForDepartment):
    to_department = fields.String(required=True, allow_none=True)
    content = fields.String(required=True, allow_none=True)


class Replied(ForDepartment):
    reply_category = fields.String(required=True, allow_none=True)
    content = fields.String(required=True, allow_none=True)
    role = fields.String(required=True)
    replied_at = ISO_DATE(required=True)
    round = fields.Integer(required=True)


class FollowedUp(ForDepartment):
    content = fields.String(required=True, allow_none=True)
    reply_category = fields.String(required=True, allow_none=True)


class Evaluated(SuggestionPayload):
    satisfaction = fields.String(required=True)
    comment = fields.String(required=True, allow_none=True)


class RehandlingOpened(SuggestionPayload):
    due_date = ISO_DATE(required=True)
    round = fields.Integer(required=True)


class Withdrawn(SuggestionPayload):
    reason = fields.String(required=True, allow_none=True)
    withdrawn_departments = codes(required=True)


class Overdue(ForDepartment):
    due_date = ISO_DATE(required=True)
    days_overdue = fields.Integer(required=True)
    escalated_to = fields.String(required=True)


class DueSoon(ForDepartment):
    due_date = ISO_DATE(required=True)
    days_left = fields.Integer(required=True)


class QuarterClosed(Payload):
    year = fields.Integer(required=True)
    quarter = fields.Integer(required=True)
    statistics = fields.Dict(required=True, metadata={"description": "the by-department statistics as of that day"})


class DepartmentSaved(Payload):
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True, metadata={"description": "'' when it has none"})
    active = fields.Boolean(required=True, metadata={"description": "false: no new assignments reach it"})
    version = fields.Integer(required=True, metadata={"description": "grows with every change: keep the highest"})


PAYLOADS = {
    SUBMITTED: Submitted, ACCEPTED: Accepted, REJECTED: Rejected, MERGED: Merged, ROUTED: Routed,
    ASSIGNED: Assigned, ACKNOWLEDGED: ForDepartment, RETURNED: Returned, EXTENSION_REQUESTED: ExtensionRequested,
    EXTENSION_DECIDED: ExtensionDecided, VIEW_SENT: ViewSent, REPLIED: Replied, FOLLOWED_UP: FollowedUp,
    EVALUATED: Evaluated, REHANDLING_OPENED: RehandlingOpened, CLOSED: SuggestionPayload, WITHDRAWN: Withdrawn,
    DUE_SOON: DueSoon, OVERDUE: Overdue, QUARTER_CLOSED: QuarterClosed, DEPARTMENT_SAVED: DepartmentSaved,
}
ALL = tuple(PAYLOADS)
