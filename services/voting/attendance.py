"""Leave of absence (请假) and settling attendance when a meeting ends — rules only, no I/O.

A member asks for leave with a reason before the meeting ends; staff approve or deny it (a
denied request may be asked again, a decided one is not decided twice). Ending the meeting
settles each member once: ``present`` (signed in at any time), ``leave`` (absent with
approved leave) or ``absent`` (absent without leave). Observers (列席) are not settled.
"""
LEAVE_STATUSES = ("pending", "approved", "denied")
DECISIONS = {"approve": "approved", "deny": "denied"}
OUTCOMES = ("present", "leave", "absent")


class AttendanceRule(Exception):
    def __init__(self, kind, message, details=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or {}


def check_open(meeting):
    if meeting.get("ended_at") is not None:
        raise AttendanceRule("conflict", "the meeting has ended", {"ended_at": str(meeting["ended_at"])})


def check_can_request(current):
    """A member may ask (again) unless a request is pending or approved."""
    if current is not None and current["status"] in ("pending", "approved"):
        raise AttendanceRule("conflict", f"a leave request is already {current['status']}",
                             {"status": current["status"]})


def decide(current, decision):
    """The new status of a pending request for ``decision`` (approve | deny)."""
    if current is None:
        raise AttendanceRule("not_found", "no leave request from this member", {})
    if current["status"] != "pending":
        raise AttendanceRule("conflict", f"the request is already {current['status']}",
                             {"status": current["status"]})
    return DECISIONS[decision]


def settle(members, leaves):
    """Outcomes of the members of an ending meeting.

    ``members``: [{deputy_id, role, ever_present}]; ``leaves``: {deputy_id: status}.
    Returns [(deputy_id, outcome)] in member order."""
    outcomes = []
    for member in members:
        if member["role"] != "member":
            continue
        if member["ever_present"]:
            outcome = "present"
        elif leaves.get(member["deputy_id"]) == "approved":
            outcome = "leave"
        else:
            outcome = "absent"
        outcomes.append((member["deputy_id"], outcome))
    return outcomes


def summary(outcomes):
    counts = {name: 0 for name in OUTCOMES}
    for _, outcome in outcomes:
        counts[outcome] += 1
    return counts
