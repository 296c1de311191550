"""The suggestion use cases on real PostgreSQL (schema ``suggestion``, through the service's
own role): numbering without races, the lifecycle with its outbox rows and department
copies, Chinese duplicate detection with pg_trgm, deadline warnings exactly once even with
two concurrent checkers, injectable time, and the quarter's statistics event once per ended quarter."""
import concurrent.futures
import datetime
import uuid
from zoneinfo import ZoneInfo

import psycopg
import pytest

from contracts.events import suggestion as events
from kernel.db import PostgresUnitOfWork
from kernel.errors import Conflict, Unprocessable
from services.suggestion import handlers
from services.suggestion.handlers import SuggestionSettings
from services.suggestion.repository import REPOSITORIES
from services.suggestion.stats import close_ended_quarter, suggestion_statistics
from contracts.suggestion_stats import StatsSchema
from tests.integration.helpers import service_pool

STAFF = {"username": "staff", "role": "staff", "subject": None}
UTC = datetime.timezone.utc


def deputy(code):
    return {"username": code, "role": "deputy", "subject": code}


def dept(code):
    return {"username": f"dept-{code}", "role": "department", "subject": code}


@pytest.fixture(scope="module")
def pool(prepared):
    with service_pool(prepared, "suggestion", 4) as pool:
        yield pool


@pytest.fixture
def uow(pool):
    return lambda: PostgresUnitOfWork(pool, "suggestion", REPOSITORIES, correlation_id="test", pool_timeout=30)


@pytest.fixture(scope="module")
def deputies(pool):
    codes = [f"T{n:04d}" for n in range(1, 6)]
    unit = PostgresUnitOfWork(pool, "suggestion", REPOSITORIES, pool_timeout=30)
    with unit:
        for i, code in enumerate(codes):
            unit.deputy_directory.upsert({"code": code, "name": f"测试{i}", "level": "county", "town": "城关镇",
                                          "station_code": "S01", "term": 19,
                                          "status": "inactive" if i == 4 else "active", "version": 1})
        unit.commit()
    return codes


@pytest.fixture
def admin_db(prepared):
    with psycopg.connect(prepared["DATABASE_URL"], autocommit=True) as conn:
        yield conn


def file(uow, lead, title=None, content=None, now=None, **extra):
    command = {"title": title or f"关于改善道路的建议{uuid.uuid4().hex[:6]}",
               "content": content or "城关镇通村路年久失修，建议交通运输局安排资金维修道路和桥梁。", "category": "交通建设",
               "co_signers": [], "session": extra.pop("session", None), **extra}
    return handlers.file_suggestion(command, deputy(lead), uow(), now=now)


def outbox(admin_db, suggestion_id):
    return admin_db.execute("SELECT event_type, exchange, routing_key FROM suggestion.outbox "
                            "WHERE aggregate_id = %s ORDER BY id", (suggestion_id,)).fetchall()


def test_numbers_are_unique_and_dense_under_concurrency(uow, deputies):
    with concurrent.futures.ThreadPoolExecutor(4) as pool_:
        numbers = list(pool_.map(lambda _: file(uow, deputies[0], session=7).number, range(24)))
    assert len(set(numbers)) == 24
    assert sorted(int(n.split("-")[2]) for n in numbers) == list(range(1, 25))
    assert all(n.startswith("19-7-") for n in numbers)
    assert file(uow, deputies[0]).number.startswith("19-B-")


def test_unknown_and_inactive_co_signers_are_named(uow, deputies):
    with pytest.raises(Unprocessable) as info:
        file(uow, deputies[0], co_signers=["X9999", deputies[4]])
    assert set(info.value.details) == {"co_signers"}
    assert any("X9999" in m for m in info.value.details["co_signers"])
    assert any(deputies[4] in m for m in info.value.details["co_signers"])


def test_lifecycle_events_timeline_and_department_copies(uow, deputies, admin_db):
    s = file(uow, deputies[0], co_signers=[deputies[1]])
    s = handlers.review(s.id, {"decision": "accept"}, STAFF, uow())
    assert s.status == "routed"
    s = handlers.assign(s.id, {"assignments": [{"department": "transport", "role": "lead"},
                                               {"department": "finance", "role": "co"}]}, STAFF, uow())
    assert s.status == "assigned"
    s = handlers.acknowledge(s.id, dept("transport"), uow())
    assert s.status == "acknowledged"
    s = handlers.send_view(s.id, {"content": "资金可以安排"}, dept("finance"), uow())
    s = handlers.reply(s.id, {"category": "B", "content": "已列入明年计划"}, dept("transport"), uow())
    assert s.status == "replied"
    s = handlers.evaluate(s.id, {"satisfaction": "unsatisfied"}, deputy(deputies[0]), uow())
    assert s.status == "rehandling" and s.rehandling_round == 1
    s = handlers.reply(s.id, {"category": "A", "content": "已完成维修"}, dept("transport"), uow())
    s = handlers.evaluate(s.id, {"satisfaction": "basically_satisfied"}, deputy(deputies[0]), uow())
    assert s.status == "closed"
    rows = outbox(admin_db, s.id)
    main = [t for t, exchange, _ in rows if exchange == "suggestion.events"]
    assert main == ["suggestion_submitted", "suggestion_accepted", "suggestion_routed", "suggestion_assigned",
                    "suggestion_acknowledged", "suggestion_view_sent", "suggestion_replied",
                    "suggestion_evaluated", "suggestion_rehandling_opened", "suggestion_replied",
                    "suggestion_evaluated", "suggestion_closed"]
    copies = [rk for _, exchange, rk in rows if exchange == "suggestion.departments"]
    assert "transport.suggestion_assigned" in copies and "finance.suggestion_assigned" in copies
    assert "transport.suggestion_view_sent" in copies  # the co-handler's view goes to the lead
    assert copies.count("transport.suggestion_closed") == 1 and copies.count("finance.suggestion_closed") == 1
    timeline = handlers.get_suggestion(s.id, STAFF, uow())["timeline"]
    assert [t["type"] for t in timeline] == main
    assert timeline[4]["actor"]["subject"] == "transport"


def test_illegal_transition_is_a_conflict_naming_the_state(uow, deputies):
    s = file(uow, deputies[0])
    with pytest.raises(Conflict) as info:
        handlers.evaluate(s.id, {"satisfaction": "satisfied"}, deputy(deputies[0]), uow())
    assert info.value.details["status"] == "submitted"


def test_chinese_near_duplicates_are_found(uow, deputies):
    a = file(uow, deputies[0], title="关于加强城关镇中心小学校车安全管理的建议",
             content="城关镇中心小学校车老旧，存在超载现象，建议教育局加强校车安全管理，更新车辆。")
    b = file(uow, deputies[1], title="关于加强城关镇中心小学校车安全的建议",
             content="城关镇中心小学校车老旧超载，建议加强校车安全管理并更新车辆。")
    other = file(uow, deputies[2], title="关于发展林下经济的建议", content="建议林业局扶持林下经济，发展中药材种植和养蜂产业。")
    found = handlers.similar(b.id, STAFF, uow())
    ids = [f["id"] for f in found]
    assert a.id in ids and other.id not in ids
    handlers.review(b.id, {"decision": "merge", "merge_into": a.id}, STAFF, uow())
    merged = handlers.get_suggestion(a.id, STAFF, uow())
    assert deputies[1] in merged["deputy_codes"]


def test_deadline_warnings_exactly_once_with_two_checkers(uow, deputies, admin_db):
    long_ago = datetime.datetime.now(UTC) - datetime.timedelta(days=120)
    s = file(uow, deputies[0], now=long_ago)
    handlers.review(s.id, {"decision": "accept"}, STAFF, uow(), now=long_ago)
    handlers.assign(s.id, {"assignments": [{"department": "water", "role": "lead"}]}, STAFF, uow(), now=long_ago)
    soon = datetime.datetime.now(UTC) - datetime.timedelta(days=85)
    t = file(uow, deputies[0], now=soon)
    handlers.review(t.id, {"decision": "accept"}, STAFF, uow(), now=soon)
    handlers.assign(t.id, {"assignments": [{"department": "water", "role": "lead"}]}, STAFF, uow(), now=soon)
    settings = SuggestionSettings(due_soon_days=14)
    with concurrent.futures.ThreadPoolExecutor(2) as pool_:
        results = list(pool_.map(lambda _: handlers.check_deadlines(uow(), settings), range(4)))
    assert sum(r["overdue"] for r in results) >= 1
    rows = admin_db.execute("SELECT aggregate_id, event_type FROM suggestion.outbox WHERE exchange = "
                            "'suggestion.events' AND event_type IN ('suggestion_due_soon', 'suggestion_overdue') "
                            "AND aggregate_id = ANY(%s)", ([s.id, t.id],)).fetchall()
    assert sorted(rows) == sorted([(s.id, "suggestion_overdue"), (t.id, "suggestion_due_soon")])
    copies = admin_db.execute("SELECT routing_key FROM suggestion.outbox WHERE aggregate_id = %s AND "
                              "exchange = 'suggestion.departments' AND event_type = 'suggestion_overdue'",
                              (s.id,)).fetchall()
    assert copies == [("water.suggestion_overdue",)]
    overdue, _ = handlers.overdue_list({"limit": 500, "offset": 0}, STAFF, uow())
    assert s.id in [o["suggestion_id"] for o in overdue]


def test_return_window_and_extension_cap(uow, deputies):
    ten_days_ago = datetime.datetime.now(UTC) - datetime.timedelta(days=10)
    s = file(uow, deputies[0], now=ten_days_ago)
    handlers.review(s.id, {"decision": "accept"}, STAFF, uow(), now=ten_days_ago)
    s = handlers.assign(s.id, {"assignments": [{"department": "edu", "role": "lead"}]}, STAFF, uow(),
                        now=ten_days_ago)
    with pytest.raises(Conflict):
        handlers.return_assignment(s.id, {"reason": "不属于本单位职责"}, dept("edu"), uow())
    a = s.assignments[0]
    with pytest.raises(Unprocessable) as info:
        handlers.request_extension(s.id, {"reason": "需要协调", "due_date": a.latest_due_date +
                                          datetime.timedelta(days=1)}, dept("edu"), uow())
    assert "due_date" in info.value.details
    s = handlers.request_extension(s.id, {"reason": "需要协调"}, dept("edu"), uow())
    s = handlers.decide_extension(s.id, {"department": "edu", "approved": True}, STAFF, uow())
    a = s.assignments[0]
    assert a.due_date == a.latest_due_date and a.extension_status == "approved"


def test_dashboard_summary_shows_others_only_the_public_results(uow, deputies):
    """The deputy and staff see every suggestion of the deputy; the public, other deputies and
    departments only the handling results the public list shows (no submitted or rejected titles)."""
    lead = deputies[3]
    submitted = file(uow, lead, title="关于尚未审查的建议（标题不公开）")
    rejected = file(uow, lead, title="关于被退回的建议（标题不公开）")
    handlers.review(rejected.id, {"decision": "reject", "reason": "petition"}, STAFF, uow())
    replied = file(uow, lead)
    handlers.review(replied.id, {"decision": "accept"}, STAFF, uow())
    handlers.assign(replied.id, {"assignments": [{"department": "edu", "role": "lead"}]}, STAFF, uow())
    handlers.reply(replied.id, {"category": "A", "content": "已解决"}, dept("edu"), uow())

    for actor in (deputy(lead), STAFF):
        summary = handlers.deputy_summary(lead, actor, uow())
        assert summary["by_status"] == {"submitted": 1, "rejected": 1, "replied": 1} and summary["filed"] == 3
        assert {i["id"] for i in summary["items"]} == {submitted.id, rejected.id, replied.id}
        assert summary["public"] is False
    for actor in ({"username": None, "role": "public", "subject": None}, deputy(deputies[0]), dept("edu")):
        summary = handlers.deputy_summary(lead, actor, uow())
        assert summary["by_status"] == {"replied": 1} and summary["filed"] == 1, actor
        assert [i["id"] for i in summary["items"]] == [replied.id], actor
        assert summary["public"] is True
        public_list, total = handlers.list_suggestions({"deputy": lead}, {"role": "public"}, uow())
        assert total == 1 and [s["id"] for s in public_list] == [replied.id]


def test_inbox_sorts_by_due_date_or_assignment_time_either_way(uow, deputies):
    # telecom: weather is kept free of work for the notifications e2e test's statistics
    today = datetime.date.today()
    ten_days_ago = datetime.datetime.now(UTC) - datetime.timedelta(days=10)
    ids = []
    for assigned_at, due in ((ten_days_ago, today + datetime.timedelta(days=100)),
                             (None, today + datetime.timedelta(days=20))):
        s = file(uow, deputies[0], now=assigned_at)
        handlers.review(s.id, {"decision": "accept"}, STAFF, uow(), now=assigned_at)
        handlers.assign(s.id, {"assignments": [{"department": "telecom", "role": "lead"}], "due_date": due},
                        STAFF, uow(), now=assigned_at)
        ids.append(s.id)
    older_far, newer_near = ids

    def order(sort):
        items, _ = handlers.department_inbox("telecom", {"sort": sort, "limit": 500}, dept("telecom"), uow())
        return [i["suggestion_id"] for i in items if i["suggestion_id"] in ids]

    assert order("due_date") == [newer_near, older_far]
    assert order("-due_date") == [older_far, newer_near]
    assert order("assigned_at") == [older_far, newer_near]
    assert order("-assigned_at") == [newer_near, older_far]


def quarter_events(admin_db, year, quarter):
    return [row[0] for row in admin_db.execute(
        "SELECT payload FROM suggestion.outbox WHERE event_type = %s AND aggregate_id = %s",
        (events.QUARTER_CLOSED, f"{year}-Q{quarter}")).fetchall()]


def test_an_ended_quarter_emits_its_statistics_once_and_a_running_quarter_nothing(uow, admin_db):
    beijing = ZoneInfo("Asia/Shanghai")
    year = 3000 + uuid.uuid4().int % 5000  # a year no other run of the timer claims
    last_minute = datetime.datetime(year, 12, 31, 23, 59, tzinfo=beijing)
    # 1 January 00:30 in Beijing is still 31 December in UTC: the county's Q4 has ended
    new_year = datetime.datetime(year + 1, 1, 1, 0, 30, tzinfo=beijing).astimezone(UTC)

    assert close_ended_quarter(uow(), now=last_minute) == (year, 3)
    assert close_ended_quarter(uow(), now=last_minute) is None
    assert quarter_events(admin_db, year, 4) == []  # Q4 is still running
    with concurrent.futures.ThreadPoolExecutor(4) as pool_:  # replicas ticking at the same moment
        results = list(pool_.map(lambda _: close_ended_quarter(uow(), now=new_year), range(4)))
    assert results.count((year, 4)) == 1 and results.count(None) == 3
    assert close_ended_quarter(uow(), now=new_year + datetime.timedelta(days=30)) is None  # a restart later

    assert len(quarter_events(admin_db, year, 3)) == 1
    [envelope] = quarter_events(admin_db, year, 4)
    data = envelope["data"]
    assert envelope["type"] == "suggestion_quarter_closed" and (data["year"], data["quarter"]) == (year, 4)
    # the figures the staff action hands to news: the statistics RPC's answer by department, as of that day
    expected = StatsSchema().dump(suggestion_statistics({"group_by": "department"}, uow(),
                                                        datetime.date(year + 1, 1, 1)))
    assert data["statistics"] == expected and data["statistics"]["today"] == f"{year + 1}-01-01"
    assert data["statistics"]["group_by"] == "department" and data["statistics"]["rows"]
