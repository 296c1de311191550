"""Use cases of the suggestion service: functions of (command, uow, ...). ``now`` is the
clock (injectable: demo data and tests use moments in the past); ``settings`` holds the
configurable rules (SuggestionSettings)."""
import datetime
import uuid
from dataclasses import dataclass

from contracts.departments_amqp import DEPARTMENT_CODE
from contracts.events import suggestion as events
from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from services.suggestion import domain
from services.suggestion.domain import Assignment, Suggestion


@dataclass
class SuggestionSettings:
    term: int = 19
    return_days: int = 7
    due_soon_days: int = 14
    auto_assign_threshold: float = None  # None: staff confirm every routing proposal
    similarity_threshold: float = 0.3

    @classmethod
    def from_config(cls, config):
        threshold = config.get("SUGGESTION_AUTO_ASSIGN_THRESHOLD")
        return cls(term=int(config.get("SUGGESTION_TERM", 19)),
                   return_days=int(config.get("SUGGESTION_RETURN_DAYS", 7)),
                   due_soon_days=int(config.get("SUGGESTION_DUE_SOON_DAYS", 14)),
                   auto_assign_threshold=_threshold(threshold),
                   similarity_threshold=float(config.get("SUGGESTION_SIMILARITY_THRESHOLD", 0.3)))


def _threshold(value):
    """Off unless a number is configured (YAML reads 'off'/'false' as False)."""
    if value is None or isinstance(value, bool) or str(value).strip().lower() in ("", "off", "none", "false"):
        return None
    return float(value)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _not_found(suggestion_id):
    return NotFound(f"suggestion {suggestion_id} not found", {"id": suggestion_id})


def _load(uow, suggestion_id, for_update=True):
    s = uow.suggestions.get(suggestion_id, for_update=for_update)
    if s is None:
        raise _not_found(suggestion_id)
    return s


def _load_visible(uow, suggestion_id, actor, for_update=True):
    """The suggestion if the actor may see it; one the actor may not see is as missing as an
    unknown id (404, the same answer), so role and ownership 403s come only after this."""
    s = _load(uow, suggestion_id, for_update=for_update)
    if not domain.may_see(actor, s):
        raise _not_found(suggestion_id)
    return s


def _record(uow, s, event_type, actor, now, department=None, copy_to=(), details=None, **extra):
    """Emit the event, its department copies (same transaction) and the timeline row."""
    data = s.event_data(actor, now, **({"department": department} if department else {}), **extra)
    envelope = uow.emit(event_type, data, aggregate_id=s.id)
    for code in dict.fromkeys(copy_to):
        uow.emit(event_type, data, aggregate_id=s.id, exchange=events.DEPARTMENTS_EXCHANGE,
                 routing_key=f"{code}.{event_type}")
    uow.suggestions.add_timeline(s.id, event_type, s.status, actor, now, department=department,
                                 details={**extra, **(details or {})}, event_id=envelope["event_id"])
    return envelope


def _touch(uow, s, now):
    s.updated_at = now
    uow.suggestions.save(s)


# -- filing -----------------------------------------------------------------------------------
def _check_deputy(uow, code, field):
    entry = uow.deputy_directory.get(code)
    if entry is None:
        raise Unprocessable(f"unknown deputy {code}", {field: [f"no deputy {code}"]})
    if entry.get("status") != "active":
        raise Unprocessable(f"deputy {code} is not active", {field: [f"deputy {code} is {entry.get('status')}"]})
    return entry


def file_suggestion(command, actor, uow, settings=None, now=None, idempotency_key=None, source=None):
    """A deputy files (or staff file on a deputy's behalf with ``deputy``). ``source``: the
    voter's opinion it was converted from ({"kind": "opinion", "tracking_code", "station_code"}),
    kept on the suggestion and in its first timeline entry."""
    settings = settings or SuggestionSettings()
    now = now or utcnow()
    if domain.is_deputy(actor):
        lead = actor["subject"]
        if command.get("deputy") not in (None, lead):
            raise Forbidden("a deputy files their own suggestions", {"deputy": [command["deputy"]]})
    elif domain.is_staff(actor):
        lead = command.get("deputy")
        if not lead:
            raise ValidationFailed("staff file on behalf of a deputy", {"deputy": ["required when staff file"]})
    else:
        raise Forbidden("only deputies (or staff on their behalf) file suggestions", {"role": actor.get("role")})
    with uow:
        scope_key = f"{actor.get('username')}:{idempotency_key}" if idempotency_key else None
        if scope_key:
            earlier = uow.recall("file_suggestion", scope_key)
            if earlier is not None:
                return _load(uow, earlier["id"], for_update=False)
        entry = _check_deputy(uow, lead, "deputy")
        co_signers = [c for c in dict.fromkeys(command.get("co_signers") or []) if c != lead]
        bad = {}
        for code in co_signers:
            try:
                _check_deputy(uow, code, "co_signers")
            except Unprocessable as exc:
                bad.setdefault("co_signers", []).extend(exc.details["co_signers"])
        if bad:
            raise Unprocessable("unknown or inactive co-signer", bad)
        session = command.get("session")
        term = command.get("term") or entry.get("term") or settings.term
        series = domain.numbering_series(term, session)
        number = domain.format_number(series, uow.suggestions.next_in_series(series))
        s = Suggestion(id=uuid.uuid4().hex[:16], number=number, term=term, session=session,
                       title=command["title"].strip(), content=command["content"].strip(),
                       category=command.get("category") or "其他", lead_deputy=lead, status="submitted",
                       filed_by=actor, submitted_at=now, updated_at=now, source=source)
        s.deputies = [{"code": lead, "role": "lead", "via": None}] + \
                     [{"code": c, "role": "co_signer", "via": None} for c in co_signers]
        uow.suggestions.add(s)
        _record(uow, s, events.SUBMITTED, actor, now, co_signers=co_signers, session=session, term=term,
                **({"source": source} if source else {}))
        if scope_key:
            uow.remember("file_suggestion", scope_key, {"id": s.id})
        uow.commit()
    return s


# -- review -------------------------------------------------------------------------------------
def review(suggestion_id, command, actor, uow, settings=None, now=None):
    settings = settings or SuggestionSettings()
    now = now or utcnow()
    domain.require_staff(actor)
    decision = command["decision"]
    reason, note = command.get("reason"), (command.get("reason_text") or "").strip() or None
    if decision == "reject" and reason not in domain.REJECT_REASONS:
        raise ValidationFailed("a rejection needs a reason", {"reason": [f"one of {', '.join(domain.REJECT_REASONS)}"]})
    if decision == "reject" and reason == "other" and not note:
        raise ValidationFailed("reason 'other' needs a text", {"reason_text": ["required for 'other'"]})
    if decision == "merge" and not command.get("merge_into"):
        raise ValidationFailed("a merge needs a target", {"merge_into": ["required for a merge"]})
    with uow:
        s = _load(uow, suggestion_id)
        domain.check_transition(decision, s.status)
        if decision == "reject":
            s.status, s.reject_reason, s.reject_note = "rejected", reason, note
            _touch(uow, s, now)
            _record(uow, s, events.REJECTED, actor, now, reason=reason, reason_text=note)
        elif decision == "merge":
            target_id = command["merge_into"]
            if target_id == s.id:
                raise Unprocessable("cannot merge a suggestion into itself", {"merge_into": ["same suggestion"]})
            target = uow.suggestions.get(target_id, for_update=True)
            if target is None:
                raise Unprocessable("no such target suggestion", {"merge_into": [f"no suggestion {target_id}"]})
            if target.status not in domain.SUGGESTION_TRANSITIONS["merge_into"]:
                raise Conflict(f"cannot merge into a suggestion that is {target.status}",
                               {"status": s.status, "merge_into_status": target.status})
            s.status, s.merged_into = "merged", target.id
            _touch(uow, s, now)
            for code in s.deputy_codes:  # every deputy keeps the right to a reply
                if code not in target.deputy_codes:
                    uow.suggestions.add_deputy(target.id, code, "merged", s.id)
                    target.deputies.append({"code": code, "role": "merged", "via": s.id})
            _touch(uow, target, now)
            _record(uow, s, events.MERGED, actor, now, merge_into=target.id, merge_into_number=target.number)
            uow.suggestions.add_timeline(target.id, "suggestion_merged_in", target.status, actor, now,
                                         details={"merged": s.id, "merged_number": s.number,
                                                  "deputies": s.deputy_codes})
        else:
            s.status, s.accepted_at = "accepted", now
            s.difficult = bool(command.get("difficult", s.difficult))
            s.key_supervision = bool(command.get("key_supervision", s.key_supervision))
            _touch(uow, s, now)
            _record(uow, s, events.ACCEPTED, actor, now, difficult=s.difficult)
            _route(uow, s, settings, now)
        uow.commit()
    return s


def _route(uow, s, settings, now):
    """Propose departments by the rules; assign at once above the configured threshold."""
    domain.check_transition("route", s.status)
    proposals = domain.propose_departments(uow.routing_rules.all(active_only=True), s.category,
                                           f"{s.title} {s.content}")
    s.status = "routed"
    _touch(uow, s, now)
    _record(uow, s, events.ROUTED, domain.SYSTEM, now, proposals=proposals)
    threshold = settings.auto_assign_threshold
    if threshold is not None and proposals and proposals[0]["score"] >= threshold:
        _assign(uow, s, [{"department": p["department"], "role": p["role"]} for p in proposals
                         if p["role"] == "lead" or p["score"] >= threshold / 2],
                domain.SYSTEM, now, auto=True)
    return proposals


def similar(suggestion_id, actor, uow, settings=None, limit=10):
    settings = settings or SuggestionSettings()
    domain.require_staff(actor)
    with uow:
        s = _load(uow, suggestion_id, for_update=False)
        return uow.suggestions.similar(s.id, f"{s.title} {s.content}", limit, settings.similarity_threshold)


# -- assignment -----------------------------------------------------------------------------------
def assign(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    domain.require_staff(actor)
    with uow:
        s = _load(uow, suggestion_id)
        domain.check_transition("assign", s.status)
        if "difficult" in command:
            s.difficult = bool(command["difficult"])
        _assign(uow, s, command["assignments"], actor, now, due_date=command.get("due_date"))
        uow.commit()
    return s


def _assign(uow, s, wanted, actor, now, due_date=None, auto=False):
    errors = {}
    for index, item in enumerate(wanted):
        department = uow.departments.get(item["department"])
        if department is None:
            errors.setdefault("department", []).append(f"unknown department {item['department']}")
        elif not department.get("active", True):
            errors.setdefault("department", []).append(f"{item['department']} no longer takes assignments")
        elif s.assignment_of(item["department"]) is not None:
            errors.setdefault("department", []).append(f"{item['department']} is already assigned")
    codes = [item["department"] for item in wanted]
    if len(set(codes)) != len(codes):
        errors.setdefault("department", []).append("a department appears twice")
    if errors:
        raise Unprocessable("cannot assign", errors)
    leads = [a for a in s.active_assignments if a.role == "lead"] + [i for i in wanted if i["role"] == "lead"]
    if len(leads) > 1:
        raise Unprocessable("one lead department at most", {"assignments": ["more than one lead department"]})
    responsible = [a for a in s.active_assignments if a.responsible] + \
                  [i for i in wanted if i["role"] in domain.RESPONSIBLE_ROLES]
    if not responsible:
        raise Unprocessable("someone must reply", {"assignments": ["needs a lead or separate department"]})
    if any(i["role"] == "co" for i in wanted) and not leads:
        raise Unprocessable("co-handlers need a lead", {"assignments": ["co-handlers send views to a lead"]})
    latest = domain.latest_due_date(now)
    due = domain.due_date_for(now, s.difficult)
    if due_date is not None:
        if due_date <= domain.as_date(now) or due_date > latest:
            raise Unprocessable("due date out of range",
                                {"due_date": [f"between tomorrow and {latest.isoformat()} (6 months)"]})
        due = due_date
    if s.rehandling_round:
        due = max(due, domain.rehandling_due_date(now)) if due_date is None else due
    added = []
    for item in wanted:
        a = Assignment(id=None, suggestion_id=s.id, department=item["department"], role=item["role"],
                       status="assigned", active=True, assigned_at=now, due_date=due,
                       latest_due_date=max(latest, due))
        uow.suggestions.add_assignment(a)
        s.assignments.append(a)
        added.append(a)
    s.assigned_at = s.assigned_at or now
    s.awaiting_reassignment = False
    s.status = s.derive_status()
    _touch(uow, s, now)
    _record(uow, s, events.ASSIGNED, actor, now, copy_to=[a.department for a in added],
            assignments=[a.event_dict() for a in added], automatic=auto)


# -- department work ---------------------------------------------------------------------------------
def _department_step(suggestion_id, action, actor, uow, now):
    s = _load_visible(uow, suggestion_id, actor)
    a = domain.require_department_actor(actor, s, action)
    domain.check_transition(action, s.status)
    target = domain.check_assignment_transition(action, a)
    return s, a, target


def acknowledge(suggestion_id, actor, uow, settings=None, now=None):
    now = now or utcnow()
    with uow:
        s, a, target = _department_step(suggestion_id, "acknowledge", actor, uow, now)
        a.status, a.acknowledged_at = target, now
        uow.suggestions.save_assignment(a)
        s.status = s.derive_status()
        _touch(uow, s, now)
        _record(uow, s, events.ACKNOWLEDGED, actor, now, department=a.department)
        uow.commit()
    return s


def return_assignment(suggestion_id, command, actor, uow, settings=None, now=None):
    settings = settings or SuggestionSettings()
    now = now or utcnow()
    with uow:
        s, a, target = _department_step(suggestion_id, "return", actor, uow, now)
        window_end = a.assigned_at + datetime.timedelta(days=settings.return_days)
        if now > window_end:
            raise Conflict(f"returns are accepted within {settings.return_days} days of assignment",
                           {"status": s.status, "assignment_status": a.status,
                            "assigned_at": a.assigned_at.isoformat(), "return_days": settings.return_days})
        a.status, a.active, a.returned_at, a.return_reason = target, False, now, command["reason"].strip()
        uow.suggestions.save_assignment(a)
        if a.role == "lead" or not any(x.responsible for x in s.active_assignments):
            s.awaiting_reassignment = True
        s.status = s.derive_status()
        _touch(uow, s, now)
        _record(uow, s, events.RETURNED, actor, now, department=a.department, copy_to=[a.department],
                reason=a.return_reason, role=a.role)
        uow.commit()
    return s


def request_extension(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    with uow:
        s, a, target = _department_step(suggestion_id, "request_extension", actor, uow, now)
        wanted = command.get("due_date") or domain.default_extension(a)
        if wanted <= a.due_date or wanted > a.latest_due_date:
            raise Unprocessable("extension out of range",
                                {"due_date": [f"after {a.due_date.isoformat()} and not past "
                                              f"{a.latest_due_date.isoformat()} (6 months from assignment)"]})
        a.status, a.extension_status = target, "requested"
        a.extension_due_date, a.extension_reason = wanted, command["reason"].strip()
        uow.suggestions.save_assignment(a)
        s.status = s.derive_status()
        _touch(uow, s, now)
        _record(uow, s, events.EXTENSION_REQUESTED, actor, now, department=a.department,
                due_date=wanted.isoformat(), reason=a.extension_reason)
        uow.commit()
    return s


def decide_extension(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    domain.require_staff(actor)
    with uow:
        s = _load(uow, suggestion_id)
        domain.check_transition("decide_extension", s.status)
        a = s.assignment_of(command["department"])
        if a is None:
            raise Unprocessable("no such assignment", {"department": [f"{command['department']} is not assigned"]})
        target = domain.check_assignment_transition("decide_extension", a)
        approved = command["approved"]
        a.status, a.extension_status = target, "approved" if approved else "denied"
        if approved:
            due = command.get("due_date") or a.extension_due_date
            if due <= a.due_date or due > a.latest_due_date:
                raise Unprocessable("extension out of range",
                                    {"due_date": [f"not past {a.latest_due_date.isoformat()}"]})
            a.due_date = due
            a.due_soon_notified_at = a.overdue_notified_at = None  # warnings are owed for the new date
        uow.suggestions.save_assignment(a)
        s.status = s.derive_status()
        _touch(uow, s, now)
        _record(uow, s, events.EXTENSION_DECIDED, actor, now, department=a.department, copy_to=[a.department],
                approved=approved, due_date=a.due_date.isoformat())
        uow.commit()
    return s


def send_view(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    with uow:
        s, a, target = _department_step(suggestion_id, "send_view", actor, uow, now)
        if a.role != "co":
            raise Conflict("only co-handlers send views; lead and separate departments reply",
                           {"status": s.status, "role": a.role})
        lead = s.lead_assignment()
        a.status, a.view_content, a.view_sent_at = target, command["content"].strip(), now
        uow.suggestions.save_assignment(a)
        s.status = s.derive_status()
        _touch(uow, s, now)
        _record(uow, s, events.VIEW_SENT, actor, now, department=a.department,
                copy_to=[lead.department] if lead else [], to_department=lead.department if lead else None,
                content=a.view_content)
        uow.commit()
    return s


def reply(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    with uow:
        s, a, target = _department_step(suggestion_id, "reply", actor, uow, now)
        if not a.responsible:
            raise Conflict("co-handlers send views to the lead department instead of replying",
                           {"status": s.status, "role": a.role})
        a.status, a.reply_category, a.reply_content, a.replied_at = (target, command["category"],
                                                                      command["content"].strip(), now)
        a.acknowledged_at = a.acknowledged_at or now
        uow.suggestions.save_assignment(a)
        s.status = s.derive_status()
        if s.status == "replied":
            s.replied_at = now
        _touch(uow, s, now)
        _record(uow, s, events.REPLIED, actor, now, department=a.department, reply_category=a.reply_category,
                content=a.reply_content, role=a.role, replied_at=now.isoformat(), round=s.rehandling_round)
        uow.commit()
    return s


def follow_up(suggestion_id, command, actor, uow, settings=None, now=None):
    """B/C replies stay tracked; the department reports once the matter is solved."""
    now = now or utcnow()
    with uow:
        s = _load_visible(uow, suggestion_id, actor)
        a = domain.require_department_actor(actor, s, "follow_up")
        domain.check_transition("follow_up", s.status)
        if a.status != "replied" or a.reply_category not in ("B", "C"):
            raise Conflict("a follow-up answers a B or C reply",
                           {"status": s.status, "assignment_status": a.status, "reply_category": a.reply_category})
        a.followup_content, a.followed_up_at = command["content"].strip(), now
        uow.suggestions.save_assignment(a)
        _touch(uow, s, now)
        _record(uow, s, events.FOLLOWED_UP, actor, now, department=a.department, content=a.followup_content,
                reply_category=a.reply_category)
        uow.commit()
    return s


# -- evaluation, withdrawal ------------------------------------------------------------------------
def evaluate(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    with uow:
        s = _load_visible(uow, suggestion_id, actor)
        domain.require_entitled_deputy(actor, s, "evaluate", lead_only=False)
        domain.check_transition("evaluate", s.status)
        satisfaction = command["satisfaction"]
        s.satisfaction, s.evaluation_comment, s.evaluated_at = satisfaction, command.get("comment"), now
        departments = s.department_codes
        if satisfaction == "unsatisfied":
            s.rehandling_round += 1
            due = domain.rehandling_due_date(now)
            for a in s.active_assignments:
                if a.responsible and a.status == "replied":
                    a.status = domain.check_assignment_transition("reopen", a)
                    a.due_date, a.latest_due_date = due, max(a.latest_due_date, due)
                    a.due_soon_notified_at = a.overdue_notified_at = None
                    uow.suggestions.save_assignment(a)
            s.status = s.derive_status()
            _touch(uow, s, now)
            _record(uow, s, events.EVALUATED, actor, now, copy_to=departments, satisfaction=satisfaction,
                    comment=s.evaluation_comment)
            _record(uow, s, events.REHANDLING_OPENED, actor, now, copy_to=departments, due_date=due.isoformat(),
                    round=s.rehandling_round)
        else:
            s.status, s.closed_at = "closed", now
            _touch(uow, s, now)
            _record(uow, s, events.EVALUATED, actor, now, copy_to=departments, satisfaction=satisfaction,
                    comment=s.evaluation_comment)
            _record(uow, s, events.CLOSED, actor, now, copy_to=departments)
        uow.commit()
    return s


def withdraw(suggestion_id, command, actor, uow, settings=None, now=None):
    now = now or utcnow()
    with uow:
        s = _load_visible(uow, suggestion_id, actor)
        domain.require_entitled_deputy(actor, s, "withdraw")
        domain.check_transition("withdraw", s.status)
        if any(a.status == "replied" for a in s.active_assignments):
            raise Conflict("a suggestion with a reply cannot be withdrawn", {"status": s.status})
        departments = s.department_codes
        for a in s.active_assignments:
            a.status = domain.check_assignment_transition("withdraw", a)
            a.active = False
            uow.suggestions.save_assignment(a)
        s.status = "withdrawn"
        _touch(uow, s, now)
        _record(uow, s, events.WITHDRAWN, actor, now, copy_to=departments, reason=(command or {}).get("reason"),
                withdrawn_departments=departments)
        uow.commit()
    return s


# -- deadlines ---------------------------------------------------------------------------------------
def check_deadlines(uow, settings=None, now=None, batch=200):
    """Warn about assignments due soon and escalate overdue ones — each exactly once: the
    flag is set in the same transaction as the event goes to the outbox, and rows are
    claimed with FOR UPDATE SKIP LOCKED so a second replica never warns about the same one."""
    settings = settings or SuggestionSettings()
    now = now or utcnow()
    today = domain.as_date(now)
    raised = {"due_soon": 0, "overdue": 0}
    with uow:
        rows = uow.suggestions.claim_deadlines(today, today + datetime.timedelta(days=settings.due_soon_days), batch)
        for row in rows:
            s = uow.suggestions.get(row["suggestion_id"])
            if row["due_date"] < today and row["overdue_notified_at"] is None:
                uow.suggestions.mark_deadline(row["id"], due_soon_at=now, overdue_at=now)
                _record(uow, s, events.OVERDUE, domain.SYSTEM, now, department=row["department"],
                        copy_to=[row["department"]], due_date=row["due_date"].isoformat(),
                        days_overdue=(today - row["due_date"]).days, escalated_to="staff")
                raised["overdue"] += 1
            elif row["due_soon_notified_at"] is None:
                uow.suggestions.mark_deadline(row["id"], due_soon_at=now)
                _record(uow, s, events.DUE_SOON, domain.SYSTEM, now, department=row["department"],
                        copy_to=[row["department"]], due_date=row["due_date"].isoformat(),
                        days_left=(row["due_date"] - today).days)
                raised["due_soon"] += 1
        uow.commit()
    return raised


def overdue_counts(uow, now=None):
    """Open assignments past due, by department (what the overdue gauge shows)."""
    with uow:
        return uow.suggestions.overdue_counts(domain.as_date(now or utcnow()))


# -- queries ---------------------------------------------------------------------------------------
def get_suggestion(suggestion_id, actor, uow):
    with uow:
        s = _load_visible(uow, suggestion_id, actor, for_update=False)
        timeline = uow.suggestions.timeline(s.id)
    if domain.is_staff(actor) or domain.is_deputy(actor) and domain.can_see(actor, s):
        return {**s.as_dict(), "timeline": timeline}
    if domain.is_department(actor) and domain.can_see(actor, s):
        own = actor["subject"]
        return {**domain.department_view(s, own),
                "timeline": [t for t in timeline if t["department"] in (None, own) or
                             t["type"] in (events.ASSIGNED, events.VIEW_SENT)]}
    return {**s.public_dict(), "public": True}  # _load_visible: a public handling result


def list_suggestions(query, actor, uow):
    query = dict(query)
    limit, offset = query.pop("limit", 50), query.pop("offset", 0)
    public = False
    if domain.is_staff(actor):
        scope = {}
    elif domain.is_deputy(actor):
        scope = {"scope_deputy": actor["subject"]}
    elif domain.is_department(actor):
        scope = {"scope_department": actor["subject"]}
    else:
        public = True
        scope = {"public_statuses": domain.PUBLIC_STATUSES}
    with uow:
        items, total = uow.suggestions.list(**query, **scope, limit=limit, offset=offset)
    if public:
        return [s.public_dict() for s in items], total
    if domain.is_department(actor):
        return [domain.department_view(s, actor["subject"]) for s in items], total
    return [s.as_dict() for s in items], total


def department_inbox(code, query, actor, uow, now=None):
    now = now or utcnow()
    if not (domain.is_staff(actor) or (domain.is_department(actor) and actor.get("subject") == code)):
        raise Forbidden("a department sees its own inbox only", {"department": code})
    with uow:
        if uow.departments.get(code) is None:
            raise NotFound(f"department {code} not found", {"code": code})
        query = dict(query)
        overdue = query.pop("overdue", False)
        items, total = uow.suggestions.inbox(code, overdue_on=domain.as_date(now) if overdue else None, **query)
    today = domain.as_date(now)
    for item in items:
        item["overdue"] = item["active"] and item["status"] in domain.OPEN_ASSIGNMENT and \
            datetime.date.fromisoformat(item["due_date"]) < today
    return items, total


def overdue_list(query, actor, uow, now=None):
    domain.require_staff(actor)
    now = now or utcnow()
    with uow:
        return uow.suggestions.overdue(domain.as_date(now), **query)


def extension_requests(query, actor, uow):
    """Extension requests waiting for a staff decision (each with the wanted date and reason)."""
    domain.require_staff(actor)
    with uow:
        return uow.suggestions.extension_requests(**query)


def deputy_summary(code, actor, uow, limit=5):
    """A deputy's suggestions for the dashboard: counts by status and the latest. The deputy
    and staff get all of them; anyone else what the public sees (handling results only)."""
    public = not domain.sees_all_suggestions_of(actor, code)
    statuses = domain.PUBLIC_STATUSES if public else None
    with uow:
        counts = uow.suggestions.deputy_counts(code, statuses)
        latest = uow.suggestions.deputy_latest(code, limit, statuses)
    return {"deputy_id": code, "filed": sum(counts.values()), "by_status": counts, "items": latest,
            "public": public}


def list_departments(uow):
    with uow:
        return uow.departments.all()


def save_department(code, command, actor, uow, provision=None):
    """Create or change a department (staff): ``command`` is the whole department (name,
    short_name, active). A change emits ``department_saved``; saving what is already stored
    emits nothing. A new department's queue and AMQP user are provisioned (``provision(code)``)
    before its row commits: the relay publishes department copies without the mandatory
    flag, so a queue declared later would miss the first assignments. Returns (department,
    created)."""
    domain.require_staff(actor)
    if not DEPARTMENT_CODE.match(code):
        raise Unprocessable("bad department code", {"code": ["lower-case letters, digits, - or _; "
                                                             "starts with a letter; at most 32"]})
    wanted = {"name": command["name"].strip(), "short_name": (command.get("short_name") or "").strip(),
              "active": command.get("active", True)}
    if not wanted["name"]:
        raise Unprocessable("the name is empty", {"name": ["must not be blank"]})
    with uow:
        before = uow.departments.get(code, for_update=True)
        if before is not None and all(before[k] == v for k, v in wanted.items()):
            return before, False
        if before is None and provision is not None:
            provision(code)
        saved = uow.departments.save(code, **wanted)
        uow.emit(events.DEPARTMENT_SAVED, {k: saved[k] for k in ("code", "name", "short_name", "active", "version")},
                 aggregate_id=code)
        uow.commit()
    return saved, before is None


# -- routing rules -------------------------------------------------------------------------------------
def _check_rule_department(uow, rule):
    if "department" in rule and uow.departments.get(rule["department"]) is None:
        raise Unprocessable("unknown department", {"department": [f"no department {rule['department']}"]})


def list_rules(actor, uow):
    domain.require_staff(actor)
    with uow:
        return uow.routing_rules.all()


def create_rule(command, actor, uow):
    domain.require_staff(actor)
    with uow:
        _check_rule_department(uow, command)
        rule = uow.routing_rules.add(command)
        uow.commit()
    return rule


def update_rule(rule_id, changes, actor, uow):
    domain.require_staff(actor)
    with uow:
        _check_rule_department(uow, changes)
        rule = uow.routing_rules.update(rule_id, changes) if changes else uow.routing_rules.get(rule_id)
        if rule is None:
            raise NotFound(f"rule {rule_id} not found", {"id": rule_id})
        uow.commit()
    return rule


def delete_rule(rule_id, actor, uow):
    domain.require_staff(actor)
    with uow:
        if not uow.routing_rules.delete(rule_id):
            raise NotFound(f"rule {rule_id} not found", {"id": rule_id})
        uow.commit()
    return {"deleted": rule_id}


def propose(suggestion_id, actor, uow):
    """The routing proposal for a suggestion, recomputed from the current rules (staff)."""
    domain.require_staff(actor)
    with uow:
        s = _load(uow, suggestion_id, for_update=False)
        return domain.propose_departments(uow.routing_rules.all(active_only=True), s.category,
                                          f"{s.title} {s.content}")
