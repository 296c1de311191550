"""services.deputy.notifications: texts, recipients, e-mail policy and the inbox use cases,
with an in-memory unit of work. The once-per-event rule is checked on PostgreSQL too:
tests/integration/test_unit_of_work_on_postgres.py, same name plus ``_on_postgres``."""
import uuid

import pytest

from kernel.errors import Forbidden, NotFound
from kernel.testing import FakeDirectory, FakeUnitOfWork
from services.deputy import notifications as n


DEPARTMENTS = {"edu": "教育局", "finance": "财政局", "health": "卫健局"}   # as the department directory gives them


def compose(event_type, data, code, names=None):
    return n.compose(event_type, data, code, names, departments=DEPARTMENTS)


def envelope(event_type, **data):
    base = {"suggestion_id": "s-1", "number": "19-3-012", "title": "关于改善校车接送的建议", "category": "教育",
            "status": "assigned", "lead_deputy": "D0001", "deputies": ["D0001", "D0002"],
            "departments": ["edu"], "actor": {"role": "staff", "subject": None, "username": "staff"}}
    base.update(data)
    return {"event_id": str(uuid.uuid4()), "type": event_type, "occurred_at": "2026-11-27T08:00:00+00:00",
            "schema_version": 1, "producer": "suggestion", "correlation_id": None, "aggregate_id": "s-1",
            "data": base}


class FakeNotifications:
    """Rows keyed like the table's unique constraint (event_id, deputy_code)."""

    def __init__(self, contacts=None):
        self.people = contacts or {}
        self.rows = {}
        self.read = {}     # reader (a deputy, or a staff username) -> ids marked read

    def contacts(self, codes):
        return {code: self.people[code] for code in codes if code in self.people}

    def add_many(self, rows):
        added = 0
        for row in rows:
            key = (row.event_id, row.deputy_code)
            if key not in self.rows:
                self.rows[key] = row
                added += 1
        return added

    def of(self, code):
        return [row for (_, deputy), row in self.rows.items() if deputy == code]

    def page(self, deputy, unread_only=False, limit=20, offset=0, reader=None):
        marks = self.read.get(reader or deputy, set())
        items = [{"id": i, "subject": row.subject, "read": i in marks}
                 for i, row in enumerate(self.of(deputy), start=1)]
        unread = [item for item in items if not item["read"]]
        shown = unread if unread_only else items
        return shown[offset:offset + limit], len(shown), len(unread)

    def mark_read(self, deputy, notification_id, reader=None):
        if notification_id > len(self.of(deputy)):
            return None
        self.read.setdefault(reader or deputy, set()).add(notification_id)
        return {"id": notification_id, "read": True}

    def mark_all_read(self, deputy, reader=None):
        marks = self.read.setdefault(reader or deputy, set())
        before = len(marks)
        marks.update(range(1, len(self.of(deputy)) + 1))
        return len(marks) - before


# -- texts ------------------------------------------------------------------------------------
def test_assigned_names_the_departments_their_roles_and_the_due_date():
    data = envelope("suggestion_assigned", assignments=[
        {"department": "edu", "role": "lead", "due_date": "2027-02-27"},
        {"department": "finance", "role": "co", "due_date": "2027-02-27"}])["data"]
    subject, body = compose("suggestion_assigned", data, "D0001")
    assert subject == "建议已交办"
    assert body == ("您领衔的建议《关于改善校车接送的建议》(19-3-012)已交办至 教育局（主办）、财政局（协办），"
                    "答复期限 2027-02-27。")
    assert compose("suggestion_assigned", data, "D0002")[1].startswith("您的建议《")


def test_assigned_without_assignment_details_falls_back_to_department_codes():
    data = envelope("suggestion_assigned", departments=["edu", "new-unit"])["data"]
    assert "已交办至 教育局、new-unit。" in compose("suggestion_assigned", data, "D0002")[1]


@pytest.mark.parametrize("reason, shown", [("petition", "属信访或投诉事项"), ("内容不具体", "内容不具体"),
                                           ({"code": "empty", "label": "内容空泛"}, "内容空泛")])
def test_rejection_tells_the_reason(reason, shown):
    subject, body = compose("suggestion_rejected", envelope("x", reason=reason)["data"], "D0001")
    assert subject == "建议未予立案" and body.endswith(f"经审查未予立案，原因：{shown}。")


def test_rejection_note_is_added_to_the_reason_or_replaces_other():
    data = envelope("x", reason="petition", reason_text="请向信访局反映")["data"]
    assert compose("suggestion_rejected", data, "D0001")[1].endswith("原因：属信访或投诉事项（请向信访局反映）。")
    data = envelope("x", reason="other", reason_text="超出本级职权")["data"]
    assert compose("suggestion_rejected", data, "D0001")[1].endswith("原因：超出本级职权。")


def test_reply_shows_the_department_and_category():
    data = envelope("suggestion_replied", department="health", reply_category="B", content="...")["data"]
    assert compose("suggestion_replied", data, "D0002")[1] == (
        "卫健局已答复您的建议《关于改善校车接送的建议》(19-3-012)，答复类别 B（正在解决或列入计划）。"
        "请登录平台查看答复并作出评价。")


def test_overdue_merged_closed_and_extension_texts():
    assert "超过答复期限 2027-02-27" in compose(
        "suggestion_overdue", envelope("x", department="edu", due_date="2027-02-27")["data"], "D0001")[1]
    merged = compose("suggestion_merged", envelope("x", merge_into="s-9", merge_into_number="19-3-001")["data"],
                       "D0002")[1]
    assert "并案办理" in merged and "(19-3-001)" in merged and "仍会收到答复" in merged
    assert compose("suggestion_closed", envelope("x")["data"], "D0001")[0] == "建议已办结"
    assert compose("suggestion_extension_decided", envelope("x", department="edu", approved=False)["data"],
                     "D0001") is None
    assert "延长至 2027-05-27" in compose("suggestion_extension_decided", envelope(
        "x", department="edu", approved=True, due_date="2027-05-27")["data"], "D0001")[1]


def test_submitted_tells_co_signers_only_with_the_lead_name():
    data = envelope("suggestion_submitted", actor={"role": "deputy", "subject": "D0001"})["data"]
    assert compose("suggestion_submitted", data, "D0001") is None
    assert compose("suggestion_submitted", data, "D0002", {"D0001": "张三"})[1] == \
        "张三代表领衔的建议《关于改善校车接送的建议》(19-3-012)已提交，您是联名代表。"


def test_events_deputies_do_not_hear_about_compose_nothing():
    assert compose("suggestion_acknowledged", envelope("x")["data"], "D0001") is None


# -- recipients and e-mail status ---------------------------------------------------------------
def test_recipients_are_the_entitled_deputies_without_the_actor_and_without_repeats():
    data = envelope("x", deputies=["D0001", "D0002", "D0002", "D0003"],
                    actor={"role": "deputy", "subject": "D0001", "username": "D0001"})["data"]
    assert n.recipients(data) == ["D0002", "D0003"]
    staff_did_it = envelope("x", deputies=["D0001", "D0002"])["data"]
    assert n.recipients(staff_did_it) == ["D0001", "D0002"]


def test_email_status_depends_on_the_address_and_on_smtp_being_configured():
    env = envelope("suggestion_accepted")
    contacts = {"D0001": {"name": "甲", "email": "d1@example.org"}, "D0002": {"name": "乙", "email": None}}
    rows = {row.deputy_code: row for row in n.notifications_for(env, contacts, email_enabled=True)}
    assert (rows["D0001"].email_to, rows["D0001"].email_status) == ("d1@example.org", "pending")
    assert (rows["D0002"].email_to, rows["D0002"].email_status) == (None, "none")
    rows = {row.deputy_code: row for row in n.notifications_for(env, contacts, email_enabled=False)}
    assert rows["D0001"].email_status == "skipped"  # SMTP_HOST empty: development default
    assert rows["D0001"].suggestion_number == "19-3-012" and rows["D0001"].event_id == env["event_id"]


def test_retry_delays_grow_exponentially_up_to_the_cap_and_give_up_after_max_attempts():
    assert [n.email_retry_delay(a, 60, 3600) for a in (1, 2, 3, 4, 7, 10)] == [60, 120, 240, 480, 3600, 3600]
    assert n.email_outcome(1, 5, permanent=False) == "retry"
    assert n.email_outcome(5, 5, permanent=False) == "failed"
    assert n.email_outcome(1, 5, permanent=True) == "failed"
    assert n.email_subject("建议已交办", "19-3-012") == "【代表建议】建议已交办 19-3-012"


# -- use cases ----------------------------------------------------------------------------------
def test_an_event_applies_once_even_when_delivered_twice():
    repo = FakeNotifications({"D0001": {"name": "甲", "email": "d1@example.org"}})
    uow = FakeUnitOfWork(notifications=repo, department_directory=FakeDirectory())
    env = envelope("suggestion_accepted")
    assert n.record_suggestion_event(env, uow, email_enabled=True) == 2
    assert n.record_suggestion_event(env, uow, email_enabled=True) == 0  # claimed already
    # even a second consumer name (claim passes) cannot duplicate rows: (event, deputy) is unique
    assert n.record_suggestion_event(env, uow, email_enabled=True, consumer="other") == 0
    assert len(repo.of("D0001")) == 1 and len(repo.of("D0002")) == 1


def test_a_notice_names_the_department_as_the_department_directory_knows_it_when_the_event_arrives():
    """The suggestion service owns the departments; a rename reaches the notices by its event,
    not by a new release of shared code."""
    repo = FakeNotifications()
    directory = FakeDirectory([{"code": "edu", "name": "宁陕县教育体育和科技局", "short_name": "教育局",
                                "active": True, "version": 1}])
    uow = FakeUnitOfWork(notifications=repo, department_directory=directory)
    n.record_suggestion_event(envelope("suggestion_replied", department="edu", deputies=["D0001"]), uow)
    directory.upsert({"code": "edu", "name": "宁陕县教育局", "short_name": "县教育局", "active": True, "version": 2})
    n.record_suggestion_event(envelope("suggestion_replied", department="edu", deputies=["D0001"]), uow)
    assert [row.body[:4] for row in repo.of("D0001")] == ["教育局已", "县教育局"]


def test_an_event_no_deputy_hears_about_is_still_claimed():
    uow = FakeUnitOfWork(notifications=FakeNotifications(), department_directory=FakeDirectory())
    env = envelope("suggestion_submitted", deputies=["D0001"], actor={"role": "deputy", "subject": "D0001"})
    assert n.record_suggestion_event(env, uow) == 0
    assert (n.CONSUMER, env["event_id"]) in uow.processed and uow.commits == 1


def test_only_deputies_and_staff_have_an_inbox_each_only_their_own():
    repo = FakeNotifications()
    uow = FakeUnitOfWork(notifications=repo, department_directory=FakeDirectory())
    n.record_suggestion_event(envelope("suggestion_accepted", deputies=["D0001"]), uow)
    me = {"role": "deputy", "subject": "D0001", "username": "D0001"}
    assert n.list_notifications(me, {}, uow)["total"] == 1
    assert n.list_notifications({"role": "deputy", "subject": "D0002"}, {}, uow)["total"] == 0
    assert n.list_notifications({"role": "staff", "username": "staff"}, {}, uow)["total"] == 0
    for actor in ({"role": "department", "subject": "edu"}, {"role": "unit", "subject": "105001"}, None):
        with pytest.raises(Forbidden):
            n.list_notifications(actor, {}, uow)
    assert n.mark_read(me, 1, uow)["read"] is True
    with pytest.raises(NotFound):
        n.mark_read({"role": "deputy", "subject": "D0002"}, 1, uow)
    assert n.mark_all_read(me, uow) == {"updated": 0, "unread": 0}   # the one there is read already


def test_staff_share_one_inbox_and_each_reads_it_for_themself():
    assert n.inbox_of({"role": "staff", "username": "clerk-wang"}) == (n.STAFF_INBOX, "clerk-wang")
    assert n.inbox_of({"role": "deputy", "subject": "D0001", "username": "D0001"}) == ("D0001", None)
    with pytest.raises(Forbidden):
        n.inbox_of({"role": "staff", "username": None})   # whose read marks would these be?
    uow = FakeUnitOfWork(notifications=FakeNotifications(), department_directory=FakeDirectory())
    n.record_budget_alert(budget_alert(), uow)
    wang, li = {"role": "staff", "username": "clerk-wang"}, {"role": "staff", "username": "clerk-li"}
    n.mark_read(wang, 1, uow)
    assert n.list_notifications(wang, {}, uow)["unread"] == 0
    assert n.list_notifications(li, {}, uow)["unread"] == 1


def budget_alert(alert_id=7, **data):
    base = {"alert_id": alert_id, "rule": "personal_payee", "rule_name": "向个人大额支付", "year": 2026,
            "unit_code": "113002", "unit_name": "宁陕县文化馆", "subject": "V1", "severity": "medium",
            "status": "raised", "message": "向个人支付 60,000.00 元", "figures": {}, "evidence": {},
            "as_of": "2026-11-28"}
    base.update(data)
    return {"event_id": str(uuid.uuid4()), "type": "budget_alert_raised", "occurred_at": "2026-11-28T08:00:00+00:00",
            "schema_version": 1, "producer": "budget", "correlation_id": None, "aggregate_id": str(alert_id),
            "data": base}


def test_a_raised_budget_alert_is_one_row_of_the_staff_inbox_once():
    repo = FakeNotifications()
    uow = FakeUnitOfWork(notifications=repo, department_directory=FakeDirectory())
    env = budget_alert()
    assert n.record_budget_alert(env, uow) == 1
    assert n.record_budget_alert(env, uow) == 0  # a redelivery: the event is claimed already
    staff = {"role": "staff", "username": "staff"}
    assert n.list_notifications(staff, {}, uow)["total"] == 1
    [row] = repo.of(n.STAFF_INBOX)
    assert row.event_type == "budget_alert_raised" and row.subject == "预算执行预警：向个人大额支付"
    assert row.body.startswith("宁陕县文化馆（113002）：向个人支付 60,000.00 元（数据截至 2026-11-28）")
    assert "预警编号 7" in row.body and row.email_status == "none" and row.alert_id == "7"
    assert n.list_notifications({"role": "deputy", "subject": "D0001"}, {}, uow)["total"] == 0
