"""Use cases of leave requests and ending a meeting (issue 13): functions of (command, uow)."""
from contracts.events import voting as events
from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.voting import attendance
from services.voting.handlers import _is_staff, _iso, _meeting_or_404

_ERRORS = {"conflict": Conflict, "forbidden": Forbidden, "unprocessable": Unprocessable, "not_found": NotFound}


def _raise(rule):
    raise _ERRORS[rule.kind](rule.message, rule.details) from rule


def _view(row, with_reason=True):
    view = {"meeting_id": row["meeting_id"], "deputy_id": row["deputy_id"], "status": row["status"],
            "requested_at": _iso(row["requested_at"]), "decided_by": row["decided_by"],
            "decided_at": _iso(row["decided_at"]), "note": row["note"]}
    if "name" in row:
        view["name"] = row["name"]
    if with_reason:
        view["reason"] = row["reason"]
    return view


def request_leave(meeting_id, command, actor, uow):
    actor = actor or {}
    if actor.get("role") != "deputy" or not actor.get("subject"):
        raise Forbidden("a member asks for leave with their own account", {"role": actor.get("role")})
    deputy_id = actor["subject"]
    with uow:
        meeting = _meeting_or_404(uow, meeting_id, for_update=True)
        member = uow.meetings.member(meeting_id, deputy_id)
        if member is None or member["role"] != "member":
            raise Forbidden(f"{deputy_id} is not a member of this meeting", {"deputy_id": deputy_id})
        try:
            attendance.check_open(meeting)
            attendance.check_can_request(uow.leaves.get(meeting_id, deputy_id, for_update=True))
        except attendance.AttendanceRule as rule:
            _raise(rule)
        row = uow.leaves.request(meeting_id, deputy_id, command["reason"])
        uow.emit(events.LEAVE_REQUESTED, {"meeting_id": meeting_id, "deputy_id": deputy_id,
                                          "kind": meeting["kind"], "starts_at": _iso(meeting["starts_at"])},
                 aggregate_id=meeting_id)
        uow.commit()
    return _view(row)


def decide_leave(meeting_id, deputy_id, command, actor, uow):
    with uow:
        meeting = _meeting_or_404(uow, meeting_id, for_update=True)
        try:
            attendance.check_open(meeting)
            status = attendance.decide(uow.leaves.get(meeting_id, deputy_id, for_update=True), command["decision"])
        except attendance.AttendanceRule as rule:
            if rule.kind == "not_found":
                raise NotFound(f"no leave request from {deputy_id} for meeting {meeting_id}",
                               {"deputy_id": deputy_id}) from rule
            _raise(rule)
        by = (actor or {}).get("username")
        row = uow.leaves.decide(meeting_id, deputy_id, status, by, command.get("note"))
        uow.emit(events.LEAVE_DECIDED, {"meeting_id": meeting_id, "deputy_id": deputy_id, "status": status,
                                        "by": by}, aggregate_id=meeting_id)
        uow.commit()
    return _view(row)


def list_leave(meeting_id, actor, uow):
    """Staff see every request with its reason; a member sees only their own."""
    actor = actor or {}
    with uow:
        _meeting_or_404(uow, meeting_id)
        rows = uow.leaves.list(meeting_id)
    if not _is_staff(actor):
        rows = [r for r in rows if actor.get("role") == "deputy" and r["deputy_id"] == actor.get("subject")]
    return {"meeting_id": meeting_id, "items": [_view(r) for r in rows], "total": len(rows)}


def end_meeting(meeting_id, actor, uow):
    """Settle every member's attendance once and emit ``meeting_ended`` with the outcomes."""
    by = (actor or {}).get("username")
    with uow:
        meeting = _meeting_or_404(uow, meeting_id, for_update=True)
        try:
            attendance.check_open(meeting)
        except attendance.AttendanceRule as rule:
            _raise(rule)
        if any(i["status"] == "open" for i in uow.items.list(meeting_id)):
            raise Conflict("an item is still open: close it before ending the meeting", {"status": "open"})
        outcomes = attendance.settle(uow.leaves.members_for_settling(meeting_id), uow.leaves.statuses(meeting_id))
        ended_at = uow.leaves.end(meeting_id, by, outcomes)
        counts = attendance.summary(outcomes)
        data = {"meeting_id": meeting_id, "kind": meeting["kind"], "title": meeting["title"],
                "starts_at": _iso(meeting["starts_at"]), "ended_at": _iso(ended_at), "by": by,
                "expected": len(outcomes), "counts": counts,
                "attendance": [{"deputy_id": d, "outcome": o} for d, o in outcomes]}
        uow.emit(events.MEETING_ENDED, data, aggregate_id=meeting_id)
        uow.commit()
    return {k: v for k, v in data.items() if k != "by"}
