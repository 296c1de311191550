"""Suggestion handling (代表建议办理) as pure Python: the state machine, assignments,
deadlines, numbering, routing scores and who may see or do what.

Two transition tables: one for the suggestion, one for each department's assignment.
The suggestion's status during handling is derived from its assignments
(``derive_status``); an action outside the tables raises ``Conflict`` naming the current
state, which the gateway answers with 409.
"""
import calendar
import datetime
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo

from kernel.errors import Conflict, Forbidden

# The vocabulary callers validate against is the contract's (contracts/suggestion.py).
from contracts.suggestion import (ASSIGNMENT_STATUSES, REJECT_REASONS, REPLY_CATEGORIES, ROLES,  # noqa: F401
                                  SATISFACTION, STATUSES)

# -- vocabulary ---------------------------------------------------------------------------
FINAL = ("rejected", "merged", "withdrawn", "closed")
IN_HANDLING = ("assigned", "acknowledged", "returned", "rehandling")
PUBLIC_STATUSES = ("replied", "closed", "rehandling")  # handling results are public (代表法)
RESPONSIBLE_ROLES = ("lead", "separate")  # they reply; co-handlers send views to the lead
OPEN_ASSIGNMENT = ("assigned", "acknowledged", "extension_requested")  # the deadline runs

# Suggestion-level actions -> statuses they are allowed in. Department actions are also
# checked against the assignment table below.
SUGGESTION_TRANSITIONS = {
    "accept": ("submitted",),
    "reject": ("submitted",),
    "merge": ("submitted",),
    "merge_into": ("submitted", "accepted", "routed", "assigned", "acknowledged", "returned"),  # as the target
    "route": ("accepted",),
    "assign": ("accepted", "routed", "returned", "assigned", "acknowledged", "rehandling"),
    "acknowledge": IN_HANDLING,
    "return": IN_HANDLING,
    "request_extension": IN_HANDLING,
    "decide_extension": IN_HANDLING,
    "send_view": IN_HANDLING,
    "reply": IN_HANDLING,
    "follow_up": ("replied", "closed", "rehandling"),
    "evaluate": ("replied",),
    "withdraw": ("submitted", "accepted", "routed", "assigned", "acknowledged", "returned"),
}

ASSIGNMENT_TRANSITIONS = {
    "acknowledge": (("assigned",), "acknowledged"),
    "return": (("assigned", "acknowledged"), "returned"),
    "request_extension": (("assigned", "acknowledged"), "extension_requested"),
    "decide_extension": (("extension_requested",), "acknowledged"),
    "send_view": (("assigned", "acknowledged", "extension_requested"), "view_sent"),
    "reply": (("assigned", "acknowledged", "extension_requested"), "replied"),
    "reopen": (("replied", "view_sent"), "acknowledged"),
    "withdraw": (OPEN_ASSIGNMENT + ("view_sent", "replied"), "withdrawn"),
}


def check_transition(action, status):
    allowed = SUGGESTION_TRANSITIONS[action]
    if status not in allowed:
        raise Conflict(f"cannot {action.replace('_', ' ')} a suggestion that is {status}",
                       {"status": status, "action": action, "allowed_from": list(allowed)})


def check_assignment_transition(action, assignment):
    allowed, target = ASSIGNMENT_TRANSITIONS[action]
    if assignment.status not in allowed:
        raise Conflict(f"cannot {action.replace('_', ' ')}: the assignment of {assignment.department} is "
                       f"{assignment.status}",
                       {"status": assignment.status, "assignment_status": assignment.status,
                        "department": assignment.department, "action": action, "allowed_from": list(allowed)})
    return target


# -- dates --------------------------------------------------------------------------------
def add_months(day, months):
    """Same day ``months`` later, clipped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


COUNTY_TIMEZONE = ZoneInfo("Asia/Shanghai")  # due dates are calendar days in the county's time


def as_date(moment):
    """The county's calendar day of a moment (a date stays as it is)."""
    if isinstance(moment, datetime.datetime):
        return (moment.astimezone(COUNTY_TIMEZONE) if moment.tzinfo else moment).date()
    return moment


def due_date_for(assigned_at, difficult=False):
    """代表法: reply within 3 months of assignment, difficult ones within 6."""
    return add_months(as_date(assigned_at), 6 if difficult else 3)


def latest_due_date(assigned_at):
    """An extension never takes a deadline past 6 months from assignment."""
    return add_months(as_date(assigned_at), 6)


def rehandling_due_date(now):
    """不满意 -> a new reply within 1 month."""
    return add_months(as_date(now), 1)


def default_extension(assignment):
    return min(add_months(assignment.due_date, 3), assignment.latest_due_date)


def numbering_series(term, session):
    """``19-3`` for the 3rd session of the 19th congress, ``19-B`` between sessions."""
    return f"{term}-{session if session else 'B'}"


def format_number(series, sequence):
    return f"{series}-{sequence:03d}"


# -- entities -------------------------------------------------------------------------------
@dataclass
class Assignment:
    id: int
    suggestion_id: str
    department: str
    role: str
    status: str
    active: bool
    assigned_at: datetime.datetime
    due_date: datetime.date
    latest_due_date: datetime.date
    acknowledged_at: datetime.datetime = None
    returned_at: datetime.datetime = None
    return_reason: str = None
    extension_status: str = None
    extension_due_date: datetime.date = None
    extension_reason: str = None
    view_content: str = None
    view_sent_at: datetime.datetime = None
    reply_category: str = None
    reply_content: str = None
    replied_at: datetime.datetime = None
    followup_content: str = None
    followed_up_at: datetime.datetime = None
    due_soon_notified_at: datetime.datetime = None
    overdue_notified_at: datetime.datetime = None

    @property
    def responsible(self):
        return self.role in RESPONSIBLE_ROLES

    def is_overdue(self, today):
        return self.active and self.status in OPEN_ASSIGNMENT and self.due_date < today

    def as_dict(self):
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, (datetime.date, datetime.datetime)):
                data[key] = value.isoformat()
        return data

    def event_dict(self):
        return {"department": self.department, "role": self.role, "due_date": self.due_date.isoformat()}


@dataclass
class Suggestion:
    id: str
    number: str
    term: int
    session: int
    title: str
    content: str
    category: str
    lead_deputy: str
    status: str
    filed_by: dict
    submitted_at: datetime.datetime
    updated_at: datetime.datetime
    difficult: bool = False
    key_supervision: bool = False
    reject_reason: str = None
    reject_note: str = None
    merged_into: str = None
    awaiting_reassignment: bool = False
    rehandling_round: int = 0
    satisfaction: str = None
    evaluation_comment: str = None
    accepted_at: datetime.datetime = None
    assigned_at: datetime.datetime = None
    replied_at: datetime.datetime = None
    evaluated_at: datetime.datetime = None
    closed_at: datetime.datetime = None
    version: int = 1
    # {"kind": "opinion", "tracking_code", "station_code"}: the voter's opinion it was converted from
    source: dict = None
    # loaded alongside
    deputies: list = field(default_factory=list)      # [{"code", "role", "via"}]
    assignments: list = field(default_factory=list)   # [Assignment]

    @property
    def deputy_codes(self):
        codes = [self.lead_deputy] + [d["code"] for d in self.deputies if d["code"] != self.lead_deputy]
        return list(dict.fromkeys(codes))

    @property
    def active_assignments(self):
        return [a for a in self.assignments if a.active]

    @property
    def department_codes(self):
        return list(dict.fromkeys(a.department for a in self.active_assignments))

    def assignment_of(self, department):
        for a in self.assignments:
            if a.department == department and a.active:
                return a
        return None

    def lead_assignment(self):
        for a in self.active_assignments:
            if a.role == "lead":
                return a
        return None

    def derive_status(self):
        """The status during handling, from the assignments."""
        active = self.active_assignments
        responsible = [a for a in active if a.responsible]
        if self.awaiting_reassignment or not responsible:
            return "returned"
        if all(a.status == "replied" for a in responsible):
            return "replied"
        if self.rehandling_round > 0:
            return "rehandling"
        if any(a.status != "assigned" for a in active):
            return "acknowledged"
        return "assigned"

    def as_dict(self):
        data = {k: v for k, v in asdict(self).items() if k not in ("assignments",)}
        for key, value in data.items():
            if isinstance(value, (datetime.date, datetime.datetime)):
                data[key] = value.isoformat()
        data["deputy_codes"] = self.deputy_codes
        data["departments"] = self.department_codes
        data["assignments"] = [a.as_dict() for a in self.assignments]
        return data

    def public_dict(self):
        """What the law makes public: the handling result, no deputy contact data."""
        return {
            "id": self.id, "number": self.number, "title": self.title, "category": self.category,
            "status": self.status, "term": self.term, "session": self.session,
            "departments": self.department_codes,
            "replies": [{"department": a.department, "role": a.role, "reply_category": a.reply_category,
                         "reply_content": a.reply_content,
                         "replied_at": a.replied_at.isoformat() if a.replied_at else None,
                         "followup_content": a.followup_content}
                        for a in self.active_assignments if a.status == "replied"],
            "submitted_at": self.submitted_at.isoformat(),
        }

    def event_data(self, actor, now, **extra):
        return {"suggestion_id": self.id, "number": self.number, "title": self.title, "category": self.category,
                "status": self.status, "lead_deputy": self.lead_deputy, "deputies": self.deputy_codes,
                "departments": self.department_codes, "actor": actor, "occurred_at": now.isoformat(), **extra}


# -- actors and permissions ---------------------------------------------------------------------
SYSTEM = {"role": "system"}


def is_staff(actor):
    return actor.get("role") in ("staff", "admin", "system")


def is_deputy(actor):
    return actor.get("role") == "deputy"


def is_department(actor):
    return actor.get("role") == "department"


def require_staff(actor):
    if not is_staff(actor):
        raise Forbidden("staff only", {"role": actor.get("role")})


def can_see(actor, suggestion):
    if is_staff(actor):
        return True
    if is_deputy(actor):
        return actor.get("subject") in suggestion.deputy_codes
    if is_department(actor):
        return any(a.department == actor.get("subject") for a in suggestion.assignments)
    return False


def visible_to_public(suggestion):
    return suggestion.status in PUBLIC_STATUSES


def may_see(actor, suggestion):
    """Whether the suggestion exists for this actor: their own (``can_see``) or a public
    handling result. Anything else is answered as if it did not exist (404), so a 403 never
    confirms that someone else's suggestion is there."""
    return can_see(actor, suggestion) or visible_to_public(suggestion)


def sees_all_suggestions_of(actor, deputy_code):
    """Staff and the deputy themself see all of a deputy's suggestions; anyone else (the
    public, other deputies, departments) only the public handling results (PUBLIC_STATUSES)."""
    return is_staff(actor) or (is_deputy(actor) and actor.get("subject") == deputy_code)


def department_view(suggestion, department):
    """A department sees the suggestion and its own assignment(s); of the others only who
    handles it in which role (it must know the lead to send views). The lead department also
    sees the co-handlers' written views (it answers the deputy with them in mind)."""
    data = suggestion.as_dict()
    lead = any(a.department == department and a.role == "lead" and a.active for a in suggestion.assignments)
    data["assignments"] = [a.as_dict() if a.department == department else _other_assignment(a, lead)
                           for a in suggestion.assignments]
    return data


def _other_assignment(a, to_lead):
    seen = {"department": a.department, "role": a.role, "status": a.status, "active": a.active}
    if to_lead and a.role == "co":
        sent = a.view_sent_at
        seen.update(view_content=a.view_content, view_sent_at=sent.isoformat() if sent else None)
    return seen


def require_department_actor(actor, suggestion, action):
    """The acting department's active assignment on this suggestion."""
    if not is_department(actor):
        raise Forbidden("departments only", {"role": actor.get("role")})
    department = actor.get("subject")
    assignment = suggestion.assignment_of(department)
    if assignment is None:
        raise Forbidden(f"{department} has no assignment on {suggestion.number}", {"department": department})
    return assignment


def require_entitled_deputy(actor, suggestion, action, lead_only=True):
    """The lead deputy (or staff on their behalf). Evaluation: the lead deputy of the
    suggestion or of one merged into it (each keeps the right to evaluate the reply)."""
    if is_staff(actor):
        return
    if not is_deputy(actor):
        raise Forbidden(f"only the deputy may {action}", {"role": actor.get("role")})
    code = actor.get("subject")
    if code == suggestion.lead_deputy:
        return
    if not lead_only and any(d["code"] == code and d["role"] == "merged" for d in suggestion.deputies):
        return
    raise Forbidden(f"only the lead deputy may {action}", {"deputy": code})


# -- routing --------------------------------------------------------------------------------
def propose_departments(rules, category, text, limit=3):
    """Score each department by the active rules: a rule applies when its category (if any)
    matches and, if it has keywords, at least one occurs in the text; it adds
    weight × (keyword hits, or 1 for a category-only rule). The best becomes the lead
    proposal, the next ones co-handlers (or what their rule says)."""
    scores, roles = {}, {}
    for rule in rules:
        if not rule.get("active", True):
            continue
        if rule.get("category") and rule["category"] != category:
            continue
        keywords = rule.get("keywords") or []
        hits = sum(1 for k in keywords if k and k in text)
        if keywords and not hits:
            continue
        gain = float(rule["weight"]) * (hits if keywords else 1)
        department = rule["department"]
        scores[department] = scores.get(department, 0.0) + gain
        if gain >= roles.get(department, ("", -1))[1]:
            roles[department] = (rule.get("role", "lead"), gain)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    proposals = []
    for index, (department, score) in enumerate(ranked):
        role = "lead" if index == 0 else ("separate" if roles[department][0] == "separate" else "co")
        proposals.append({"department": department, "role": role, "score": round(score, 2)})
    return proposals
