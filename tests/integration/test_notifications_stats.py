"""Suggestion statistics through the gateway (in-process gateway + suggestion service) over a
known set of suggestions written straight into the suggestion schema (term 77, which no
other test or demo data uses), so that every count and rate has an exact expected value."""
import csv
import io
import json
import uuid

import psycopg
import pytest
import requests
from nameko.runners import ServiceRunner

from gateway.service import GatewayService
from services.suggestion.service import SuggestionService
from tests.support.platform import free_port

TERM = 77
T0 = "2026-01-05 02:00:00+00"  # 10:00 in the county


def days(n):
    return f"('{T0}'::timestamptz + interval '{n} days')"


# (key, category, status, session, satisfaction, assigned?, replied after n days,
#  [(department, role, status, active, due (days after T0), reply category, replied after, view after)])
SUGGESTIONS = [
    ("s1", "教育", "closed", 1, "satisfied", True, 10,
     [("edu", "lead", "replied", True, 90, "A", 10, None), ("finance", "co", "view_sent", True, 30, None, None, 5)]),
    ("s2", "教育", "replied", 1, None, True, 20, [("edu", "lead", "replied", True, 90, "B", 20, None)]),
    ("s3", "交通建设", "rehandling", 1, "unsatisfied", True, 30,
     [("transport", "lead", "replied", True, 90, "C", 30, None)]),
    ("s4", "交通建设", "assigned", 1, None, True, None, [("transport", "lead", "assigned", True, -4, None, None, None)]),
    ("s5", "交通建设", "closed", 1, "basically_satisfied", True, 8,
     [("transport", "lead", "replied", True, 5, "A", 8, None)]),
    ("s6", "教育", "rejected", None, None, False, None, []),
    ("s7", "教育", "withdrawn", 1, None, True, None, [("edu", "lead", "withdrawn", False, 90, None, None, None)]),
]


@pytest.fixture(scope="module")
def known_suggestions(prepared):
    prefix = "st" + uuid.uuid4().hex[:6]
    with psycopg.connect(prepared["DATABASE_URL"], autocommit=True) as db:
        db.execute("SET search_path = suggestion")
        for n, (key, category, status, session, satisfaction, assigned, replied, assignments) in \
                enumerate(SUGGESTIONS, start=1):
            sid = f"{prefix}-{key}"
            db.execute(
                "INSERT INTO suggestions (id, number, term, session, title, content, category, lead_deputy, status, "
                "satisfaction, filed_by, submitted_at, assigned_at, replied_at, updated_at) VALUES "
                f"(%s, %s, %s, %s, %s, %s, %s, 'D0001', %s, %s, %s, {days(-3)}, "
                f"{days(0) if assigned else 'NULL'}, {days(replied) if replied is not None else 'NULL'}, now())",
                (sid, f"{prefix}-{n}", TERM, session, f"统计测试{key}", "内容", category, status, satisfaction,
                 json.dumps({"role": "deputy", "subject": "D0001"})))
            for department, role, a_status, active, due, category_, a_replied, view in assignments:
                db.execute(
                    "INSERT INTO assignments (suggestion_id, department, role, status, active, assigned_at, due_date, "
                    "latest_due_date, reply_category, replied_at, view_sent_at, updated_at) VALUES "
                    f"(%s, %s, %s, %s, %s, {days(0)}, ({days(due)} AT TIME ZONE 'Asia/Shanghai')::date, "
                    f"({days(180)} AT TIME ZONE 'Asia/Shanghai')::date, %s, "
                    f"{days(a_replied) if a_replied is not None else 'NULL'}, "
                    f"{days(view) if view is not None else 'NULL'}, now())",
                    (sid, department, role, a_status, active, category_))
    return prefix


@pytest.fixture(scope="module")
def gateway_url(prepared, known_suggestions):
    runners = []
    for cls in (SuggestionService, GatewayService):
        runner = ServiceRunner(dict(prepared, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"))
        runner.add_service(cls)
        runner.start()
        runners.append(runner)
    yield "http://" + runners[1].service_map["gateway"].config["WEB_SERVER_ADDRESS"]
    for runner in reversed(runners):
        runner.stop()


def stats(url, **params):
    response = requests.get(f"{url}/api/v1/suggestions/stats", params={"term": TERM, **params}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def pick(row, *names):
    return {name: row[name] for name in names}


def test_by_category_counts_suggestions_and_their_rates(gateway_url):
    answer = stats(gateway_url, group_by="category")  # public: no token
    rows = {row["group"]: row for row in answer["rows"]}
    assert set(rows) == {"教育", "交通建设"} and answer["filters"] == {"term": TERM}
    assert pick(rows["教育"], "suggestions", "assigned", "replied", "closed", "evaluated", "satisfied",
                "replies_a", "replies_b", "replies_c", "overdue", "replied_late") == {
        "suggestions": 4, "assigned": 2, "replied": 2, "closed": 1, "evaluated": 1, "satisfied": 1,
        "replies_a": 1, "replies_b": 1, "replies_c": 0, "overdue": 0, "replied_late": 0}
    assert pick(rows["教育"], "reply_rate", "close_rate", "satisfaction_rate", "share_a", "share_b", "share_c",
                "avg_days_to_reply") == {"reply_rate": 1.0, "close_rate": 0.5, "satisfaction_rate": 1.0,
                                         "share_a": 0.5, "share_b": 0.5, "share_c": 0.0, "avg_days_to_reply": 15.0}
    transport = rows["交通建设"]
    assert pick(transport, "assigned", "replied", "closed", "evaluated", "basically_satisfied", "unsatisfied",
                "overdue", "replied_late") == {"assigned": 3, "replied": 2, "closed": 1, "evaluated": 2,
                                               "basically_satisfied": 1, "unsatisfied": 1, "overdue": 1,
                                               "replied_late": 1}
    assert pick(transport, "reply_rate", "close_rate", "satisfaction_rate", "share_a", "share_c",
                "avg_days_to_reply") == {"reply_rate": 0.6667, "close_rate": 0.3333, "satisfaction_rate": 0.5,
                                         "share_a": 0.5, "share_c": 0.5, "avg_days_to_reply": 19.0}
    total = answer["totals"]
    assert pick(total, "suggestions", "assigned", "replied", "closed", "evaluated", "reply_rate", "close_rate",
                "satisfaction_rate", "share_a", "share_b", "avg_days_to_reply", "overdue") == {
        "suggestions": 7, "assigned": 5, "replied": 4, "closed": 2, "evaluated": 3, "reply_rate": 0.8,
        "close_rate": 0.4, "satisfaction_rate": 0.6667, "share_a": 0.5, "share_b": 0.25, "avg_days_to_reply": 17.0,
        "overdue": 1}


def test_by_department_counts_assignments_and_co_handlers_views(gateway_url):
    answer = stats(gateway_url, group_by="department")
    rows = {row["group"]: row for row in answer["rows"]}
    assert len(rows) >= 30  # every active department, those without work with zeros
    assert rows["edu"]["label"] == "教育局"
    assert pick(rows["edu"], "suggestions", "assigned", "replied", "closed", "evaluated", "reply_rate",
                "close_rate", "satisfaction_rate", "avg_days_to_reply") == {
        "suggestions": 2, "assigned": 2, "replied": 2, "closed": 1, "evaluated": 1, "reply_rate": 1.0,
        "close_rate": 0.5, "satisfaction_rate": 1.0, "avg_days_to_reply": 15.0}  # the withdrawn one is out
    assert pick(rows["finance"], "assigned", "replied", "evaluated", "satisfaction_rate", "share_a",
                "avg_days_to_reply") == {"assigned": 1, "replied": 1, "evaluated": 0, "satisfaction_rate": None,
                                         "share_a": None, "avg_days_to_reply": 5.0}
    assert pick(rows["transport"], "assigned", "replied", "overdue", "replied_late", "reply_rate",
                "satisfaction_rate") == {"assigned": 3, "replied": 2, "overdue": 1, "replied_late": 1,
                                         "reply_rate": 0.6667, "satisfaction_rate": 0.5}
    assert pick(rows["water"], "assigned", "reply_rate", "close_rate") == \
        {"assigned": 0, "reply_rate": None, "close_rate": None}
    assert [r["group"] for r in answer["rows"][:3]] == ["transport", "edu", "finance"]  # busiest first
    assert pick(answer["totals"], "assigned", "replied", "closed", "reply_rate", "close_rate",
                "avg_days_to_reply") == {"assigned": 6, "replied": 5, "closed": 3, "reply_rate": 0.8333,
                                         "close_rate": 0.5, "avg_days_to_reply": 14.6}


def test_by_term_and_by_session(gateway_url):
    (term,) = stats(gateway_url, group_by="term")["rows"]
    assert (term["group"], term["label"], term["suggestions"], term["reply_rate"]) == ("77", "第77届", 7, 0.8)
    sessions = {row["group"]: row for row in stats(gateway_url, group_by="session")["rows"]}
    assert {k: (v["label"], v["suggestions"]) for k, v in sessions.items()} == {
        "77-1": ("第77届第1次会议期间", 6), "77-B": ("第77届闭会期间", 1)}
    between = stats(gateway_url, group_by="category", session="between")
    assert [(r["group"], r["suggestions"], r["assigned"]) for r in between["rows"]] == [("教育", 1, 0)]
    assert between["filters"] == {"term": TERM, "session": "between"}


def test_csv_export_by_parameter_and_by_accept_header(gateway_url):
    url = f"{gateway_url}/api/v1/suggestions/stats"
    by_param = requests.get(url, params={"group_by": "category", "term": TERM, "format": "csv"}, timeout=10)
    by_accept = requests.get(url, params={"group_by": "category", "term": TERM}, timeout=10,
                             headers={"Accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.content.startswith(b"\xef\xbb\xbf")
        assert "attachment" in response.headers["Content-Disposition"]
    assert by_param.content == by_accept.content
    records = list(csv.reader(io.StringIO(by_param.content.decode("utf-8-sig"))))
    header = records[0]
    rows = {r[0]: dict(zip(header, r)) for r in records[1:]}
    assert set(rows) == {"教育", "交通建设", "total"}
    assert rows["交通建设"]["办复率(reply_rate)"] == "0.6667" and rows["total"]["满意率(satisfaction_rate)"] == "0.6667"
    assert rows["教育"]["平均答复天数(avg_days_to_reply)"] == "15.0"
    # JSON stays the default, also for browsers' Accept headers
    browser = requests.get(url, params={"term": TERM}, headers={"Accept": "text/html,*/*;q=0.8"}, timeout=10)
    assert browser.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("params, field", [({"group_by": "deputy"}, "group_by"), ({"term": "x"}, "term"),
                                           ({"session": "third"}, "session"), ({"format": "xml"}, "format")])
def test_bad_parameters_are_400_naming_the_field(gateway_url, params, field):
    response = requests.get(f"{gateway_url}/api/v1/suggestions/stats", params=params, timeout=10)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and field in error["details"]
