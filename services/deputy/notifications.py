"""Deputies' notifications (代表通知): what a suggestion event tells each entitled deputy,
the inbox use cases and the e-mail retry policy. Pure Python plus use cases of
``(command, uow)``; no nameko or eventlet here (the entrypoints are in
notification_service.py, the SQL in notification_repository.py).

One event → one inbox row per deputy in ``data.deputies`` (lead, co-signers, deputies of
merged suggestions), except the deputy who did the thing themself. Applying an event is
idempotent twice over: ``claim_event`` in the same transaction, and a unique
``(event_id, deputy_code)`` constraint.

Budget alerts (issue 11): each ``budget_alert_raised`` becomes one row of the staff's inbox,
the shared inbox of the standing committee's office (recipient ``STAFF_INBOX`` in the
``deputy_code`` column; deputies' codes never take that value); each staff member marks its
rows read for themself (``notification_reads``). The issue sends them to the
财经委's members too "if such a group exists in the roster": the roster has no groups, so
staff only (``budget_alert_recipients``).
"""
from dataclasses import dataclass

from contracts.events import budget as budget_events
from contracts.events import suggestion as suggestion_events
from kernel.errors import Forbidden, NotFound

CONSUMER = "deputy.notifications"

# Event types that reach deputies' inboxes (the deputy service subscribes to each).
NOTIFIED_EVENTS = (
    suggestion_events.SUBMITTED,            # co-signers hear that a suggestion names them
    suggestion_events.ACCEPTED,
    suggestion_events.REJECTED,
    suggestion_events.MERGED,
    suggestion_events.ASSIGNED,
    suggestion_events.EXTENSION_DECIDED,    # approved extensions only (a new due date)
    suggestion_events.REPLIED,
    suggestion_events.FOLLOWED_UP,
    suggestion_events.REHANDLING_OPENED,
    suggestion_events.OVERDUE,
    suggestion_events.CLOSED,
    suggestion_events.WITHDRAWN,            # co-signers hear that the lead withdrew it
)

ROLE_NAMES = {"lead": "主办", "co": "协办", "separate": "分办"}
REPLY_CATEGORIES = {"A": "已解决或采纳", "B": "正在解决或列入计划", "C": "因条件限制留作参考",
                    "D": "其他"}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
# Reasons a suggestion is not accepted (DOMAIN.md); unknown codes are shown as sent.
REJECTION_REASONS = {
    "personal_matter": "属个人或家庭事务", "personal": "属个人或家庭事务",
    "petition": "属信访或投诉事项", "complaint": "属信访或投诉事项",
    "litigation": "属诉讼或司法案件", "court_case": "属诉讼或司法案件",
    "promotion": "涉及个人职务晋升等事项", "personnel": "涉及个人职务晋升等事项",
    "empty": "内容空泛，无具体意见", "empty_content": "内容空泛，无具体意见",
    "duplicate": "与已有建议重复", "other": "其他原因",
}


@dataclass
class Notification:
    deputy_code: str
    event_id: str
    event_type: str
    suggestion_id: str | None
    suggestion_number: str | None
    subject: str
    body: str
    occurred_at: str | None
    email_to: str | None = None
    email_status: str = "none"
    alert_id: str | None = None        # budget_alert_raised: the alert it is about


# -- composing the texts ----------------------------------------------------------------------
def department_name(code, departments=None):
    """``departments``: {code: short name} from the department directory; an unknown code shows as is."""
    return (departments or {}).get(code) or code


def _ref(data):
    number = data.get("number")
    return f"《{data.get('title', '')}》" + (f"({number})" if number else "")


def _your(data, code):
    return "您领衔的建议" if data.get("lead_deputy") == code else "您的建议"


def _reason(reason):
    if isinstance(reason, dict):
        reason = reason.get("label") or reason.get("code") or ""
    reason = str(reason or "").strip()
    return REJECTION_REASONS.get(reason, reason)


def _assignments(data, departments):
    parts, dues = [], set()
    for item in data.get("assignments") or []:
        role = ROLE_NAMES.get(item.get("role"), "")
        parts.append(department_name(item.get("department"), departments) + (f"（{role}）" if role else ""))
        if item.get("due_date"):
            dues.add(str(item["due_date"])[:10])
    if not parts:
        parts = [department_name(code, departments) for code in data.get("departments") or []]
    return "、".join(parts), sorted(dues)


def compose(event_type, data, code, names=None, departments=None):
    """``(subject, body)`` of the notice ``code`` gets for this event, or None when this
    event says nothing to that deputy. ``names`` maps deputy codes to names, ``departments``
    department codes to short names."""
    names = names or {}
    ref, your = _ref(data), _your(data, code)
    dept = department_name(data.get("department"), departments) if data.get("department") else ""
    if event_type == suggestion_events.SUBMITTED:
        if data.get("lead_deputy") == code:
            return None
        lead = names.get(data.get("lead_deputy")) or data.get("lead_deputy") or ""
        return "联名建议已提交", f"{lead}代表领衔的建议{ref}已提交，您是联名代表。"
    if event_type == suggestion_events.ACCEPTED:
        return "建议已立案", f"{your}{ref}已通过审查，予以立案，将交有关部门办理。"
    if event_type == suggestion_events.REJECTED:
        reason, note = _reason(data.get("reason")), str(data.get("reason_text") or "").strip()
        if note:
            reason = note if data.get("reason") in (None, "", "other") else f"{reason}（{note}）"
        return "建议未予立案", f"{your}{ref}经审查未予立案" + (f"，原因：{reason}" if reason else "") + "。"
    if event_type == suggestion_events.MERGED:
        target = data.get("merge_into_number") or data.get("merge_into") or ""
        target_title = data.get("merge_into_title")
        into = (f"《{target_title}》" if target_title else "") + (f"({target})" if target else "")
        return "建议已并案办理", (f"{your}{ref}已与建议{into}并案办理，承办单位将一并答复，"
                             "您仍会收到答复并可作出评价。")
    if event_type == suggestion_events.ASSIGNED:
        where, dues = _assignments(data, departments)
        due = f"，答复期限 {dues[0]}" if len(dues) == 1 else (f"，答复期限 {dues[0]} 至 {dues[-1]}" if dues else "")
        return "建议已交办", f"{your}{ref}已交办至 {where}{due}。"
    if event_type == suggestion_events.EXTENSION_DECIDED:
        if not data.get("approved"):
            return None
        due = str(data.get("due_date") or "")[:10]
        return "建议办理期限已延长", f"{dept}办理{your}{ref}的期限经批准延长至 {due}。"
    if event_type == suggestion_events.REPLIED:
        category = str(data.get("reply_category") or "")
        label = REPLY_CATEGORIES.get(category)
        kind = f"，答复类别 {category}（{label}）" if label else (f"，答复类别 {category}" if category else "")
        return "建议已答复", f"{dept}已答复{your}{ref}{kind}。请登录平台查看答复并作出评价。"
    if event_type == suggestion_events.FOLLOWED_UP:
        return "建议跟踪办理答复", f"{dept}对{your}{ref}作出了跟踪办理答复，请登录平台查看。"
    if event_type == suggestion_events.REHANDLING_OPENED:
        due = str(data.get("due_date") or "")[:10]
        return "建议重新办理", f"{your}{ref}已重新交办办理" + (f"，新的答复期限 {due}" if due else "") + "。"
    if event_type == suggestion_events.OVERDUE:
        due = str(data.get("due_date") or "")[:10]
        return "建议办理已超期", (f"{dept}办理{your}{ref}已超过答复期限" + (f" {due}" if due else "")
                            + "，已提请常委会办公室督办。")
    if event_type == suggestion_events.CLOSED:
        satisfaction = SATISFACTION.get(data.get("satisfaction"))
        return "建议已办结", f"{your}{ref}已办结" + (f"（评价：{satisfaction}）" if satisfaction else "") + "。"
    if event_type == suggestion_events.WITHDRAWN:
        return "建议已撤回", f"{your}{ref}已由领衔代表撤回。"
    return None


def recipients(data):
    """Deputies entitled to hear about this event, without the deputy who caused it."""
    actor = data.get("actor") or {}
    doer = actor.get("subject") if actor.get("role") == "deputy" else None
    seen, result = set(), []
    for code in data.get("deputies") or []:
        if code and code != doer and code not in seen:
            seen.add(code)
            result.append(code)
    return result


def notifications_for(envelope, contacts, email_enabled, departments=None):
    """The inbox rows an event makes. ``contacts`` maps deputy codes to
    ``{"name", "email"}`` (codes the roster does not know get no e-mail); ``departments``
    department codes to short names."""
    data, event_type = envelope.get("data") or {}, envelope["type"]
    names = {code: c.get("name") for code, c in contacts.items()}
    rows = []
    for code in recipients(data):
        text = compose(event_type, data, code, names, departments)
        if text is None:
            continue
        email = (contacts.get(code) or {}).get("email")
        rows.append(Notification(
            deputy_code=code, event_id=envelope["event_id"], event_type=event_type,
            suggestion_id=data.get("suggestion_id") or envelope.get("aggregate_id"),
            suggestion_number=data.get("number"), subject=text[0], body=text[1],
            occurred_at=data.get("occurred_at") or envelope.get("occurred_at"), email_to=email,
            email_status=("pending" if email_enabled else "skipped") if email else "none"))
    return rows


# -- budget alerts (the staff's inbox) --------------------------------------------------------------
STAFF_INBOX = "staff"
BUDGET_ALERT_EVENTS = (budget_events.ALERT_RAISED,)


def budget_alert_recipients():
    """Inboxes that hear of a raised budget alert: the staff's. (The 财经委's members would be
    added here; the roster has no committee groups to find them in.)"""
    return [STAFF_INBOX]


def budget_alert_notifications(envelope):
    """The inbox rows of one ``budget_alert_raised`` event."""
    data = envelope.get("data") or {}
    unit = data.get("unit_name") or data.get("unit_code") or ""
    code = f"（{data['unit_code']}）" if data.get("unit_name") and data.get("unit_code") else ""
    rule = data.get("rule_name") or data.get("rule") or ""
    as_of = f"（数据截至 {data['as_of']}）" if data.get("as_of") else ""
    subject = f"预算执行预警：{rule}" if rule else "预算执行预警"
    body = f"{unit}{code}：{data.get('message') or rule}{as_of}。预警编号 {data.get('alert_id')}，请在预算联网监督中处理。"
    return [Notification(deputy_code=recipient, event_id=envelope["event_id"], event_type=envelope["type"],
                         suggestion_id=None, suggestion_number=None, subject=subject, body=body,
                         occurred_at=envelope.get("occurred_at"),
                         alert_id=str(data["alert_id"]) if data.get("alert_id") is not None else None)
            for recipient in budget_alert_recipients()]


# -- e-mail retry policy ----------------------------------------------------------------------
def email_retry_delay(attempts, base_seconds, cap_seconds):
    """Seconds to wait after the ``attempts``-th failed try: base, 2·base, 4·base, … ≤ cap."""
    return min(base_seconds * (2 ** max(attempts - 1, 0)), cap_seconds)


def email_outcome(attempts, max_attempts, permanent):
    """'failed' (give up) or 'retry' after a failed try number ``attempts``."""
    return "failed" if permanent or attempts >= max_attempts else "retry"


def email_subject(notification_subject, number=None):
    return f"【代表建议】{notification_subject}" + (f" {number}" if number else "")


# -- use cases --------------------------------------------------------------------------------
def record_suggestion_event(envelope, uow, email_enabled=False, consumer=CONSUMER):
    """Write the inbox rows of one suggestion event; 0 if it was already applied."""
    with uow:
        if not uow.claim_event(consumer, envelope["event_id"]):
            return 0
        data = envelope.get("data") or {}
        codes = recipients(data)
        if not codes:
            uow.commit()
            return 0
        lookup = codes + ([data["lead_deputy"]] if data.get("lead_deputy") else [])
        contacts = uow.notifications.contacts(lookup)
        rows = notifications_for(envelope, contacts, email_enabled, uow.department_directory.names(short=True))
        added = uow.notifications.add_many(rows) if rows else 0
        uow.commit()
    return added


def record_budget_alert(envelope, uow, consumer=CONSUMER):
    """Write the inbox rows of one budget alert event; 0 if it was already applied."""
    with uow:
        if not uow.claim_event(consumer, envelope["event_id"]):
            return 0
        added = uow.notifications.add_many(budget_alert_notifications(envelope))
        uow.commit()
    return added


def inbox_of(actor):
    """(inbox, reader) of an actor: a deputy reads their own inbox (reader None: the rows' own
    read marks); a staff member the staff's shared inbox, with read marks of their own."""
    actor = actor or {}
    if actor.get("role") == "staff":
        if not actor.get("username"):
            raise Forbidden("a staff inbox is read by a signed-in staff member", {"role": "staff"})
        return STAFF_INBOX, actor["username"]
    if actor.get("role") != "deputy" or not actor.get("subject"):
        raise Forbidden("only deputies and staff have a notification inbox", {"role": actor.get("role")})
    return actor["subject"], None


def list_notifications(actor, query, uow):
    inbox, reader = inbox_of(actor)
    with uow:
        items, total, unread = uow.notifications.page(
            inbox, unread_only=query.get("unread", False), limit=query.get("limit", 20),
            offset=query.get("offset", 0), reader=reader)
    return {"items": items, "total": total, "unread": unread}


def mark_read(actor, notification_id, uow):
    inbox, reader = inbox_of(actor)
    with uow:
        item = uow.notifications.mark_read(inbox, notification_id, reader=reader)
        if item is None:
            # another deputy's notification is as unknown as a missing one
            raise NotFound(f"notification {notification_id} not found", {"id": notification_id})
        uow.commit()
    return item


def mark_all_read(actor, uow):
    inbox, reader = inbox_of(actor)
    with uow:
        updated = uow.notifications.mark_all_read(inbox, reader=reader)
        uow.commit()
    return {"updated": updated, "unread": 0}
