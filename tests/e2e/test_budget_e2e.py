"""Online budget supervision end to end through the gateway, all processes running on the demo
data: the planted problems raise alerts of every rule and no other unit has one; a file with
bad rows is rejected whole with a report naming row and column (nothing applied); the same
file twice is the same import; a committed file runs the rules and the alert it raises reaches
the staff's notification inbox; an alert is handled from
sending to closing with its timeline and events; a unit sees only its own; the public only
execution summaries."""
import uuid

import pytest

from demo import budget as demo
from services.budget.domain import RULES
from tests.e2e.conftest import assert_json_error
from tests.support.platform import EventProbe, eventually

YEAR = demo.DEMO_YEAR
HEADER = "支付凭证号,支付日期,预算单位编码,功能分类编码,经济分类编码,指标文号,收款人名称,收款人账号,收款人类型,金额,摘要\n"


def upload(client, text, encoding="utf-8", name="treasury.csv", **form):
    data = {"kind": "payments", "year": str(YEAR), **form}
    return client.post("/api/v1/budget/imports", as_user="staff", data=data,
                       files={"file": (name, text.encode(encoding), "text/csv")})


def finished(client, import_id):
    def check():
        answer = client.get(f"/api/v1/budget/imports/{import_id}", as_user="staff").json()
        return answer if answer["status"] in ("committed", "rejected") else None
    return eventually(check, 60, f"import {import_id} finished")


def unit_payments(client, unit):
    return client.get("/api/v1/budget/payments", as_user="staff", params={"year": YEAR, "unit": unit,
                                                                          "limit": 1}).json()["total"]


def test_planted_problems_raise_every_rule_and_clean_units_none(client):
    alerts = client.get("/api/v1/budget/alerts", as_user="staff", params={"year": YEAR, "limit": 1000}).json()
    rules = {}
    for alert in alerts["items"]:
        rules.setdefault(alert["rule"], set()).add(alert["unit_code"])
    assert set(rules) == set(RULES)
    for unit, rule in demo.PLANTED.items():
        assert unit in rules[rule], (unit, rule)
    assert {a["unit_code"] for a in alerts["items"]} <= set(demo.PLANTED)
    figures = next(a for a in alerts["items"] if a["rule"] == "large_payment")["figures"]
    assert figures["amount"] == "860000.00"  # money is an exact decimal string


def test_public_sees_execution_only(client):
    answer = client.get("/api/v1/budget/execution", params={"year": YEAR, "group_by": "month"})
    assert answer.status_code == 200
    months = answer.json()["items"]
    assert months[0]["key"] == "01" and len(months) == 12
    assert 0 < months[-1]["rate"] <= 1.2 and abs(months[-1]["target_rate"] - 0.92) < 0.1
    by_unit = client.get("/api/v1/budget/execution", params={"year": YEAR, "group_by": "unit"}).json()
    assert len(by_unit["items"]) == 81
    assert next(i for i in by_unit["items"] if i["key"] == "107002")["lag"] > 0.1
    for path in ("/api/v1/budget/alerts", "/api/v1/budget/lines", "/api/v1/budget/payments", "/api/v1/budget/imports"):
        assert_json_error(client.get(path), 401)


def test_a_unit_sees_only_its_own(client):
    own = client.get("/api/v1/budget/lines", as_user="unit-107002", params={"year": YEAR}).json()
    assert own["total"] > 0 and {line["unit_code"] for line in own["items"]} == {"107002"}
    assert_json_error(client.get("/api/v1/budget/lines", as_user="unit-107002", params={"unit": "105001"}), 403)
    alerts = client.get("/api/v1/budget/alerts", as_user="unit-107002", params={"year": YEAR}).json()["items"]
    assert alerts and {a["unit_code"] for a in alerts} == {"107002"}
    others = client.get("/api/v1/budget/alerts", as_user="staff", params={"unit": "109002"}).json()["items"]
    assert_json_error(client.get(f"/api/v1/budget/alerts/{others[0]['id']}", as_user="unit-107002"), 404)
    assert_json_error(client.post(f"/api/v1/budget/alerts/{others[0]['id']}/explain", as_user="unit-107002",
                                  json={"note": "不是我们的"}), 404)
    assert_json_error(client.post("/api/v1/budget/imports", as_user="unit-107002", files={"file": ("a.csv", b"x")}),
                      403)


def test_a_file_with_bad_rows_is_rejected_whole_and_changes_nothing(client):
    tag = uuid.uuid4().hex[:8].upper()
    before = unit_payments(client, "105002")
    text = HEADER + (f"E{tag}1,2026-11-03,105002,2050201,30201,,宁陕县城关商贸有限公司,610500001,单位,1200.50,办公用品\n"
                     f"E{tag}2,2026-11-31,105002,2050201,30201,,宁陕县城关商贸有限公司,610500001,单位,1.5.0,办公用品\n"
                     f"E{tag}3,2026-11-04,105002,9999999,30201,,宁陕县城关商贸有限公司,610500001,单位,80.00,\n")
    answer = upload(client, text, encoding="gbk")
    assert answer.status_code == 202, answer.text
    result = finished(client, answer.json()["id"])
    assert result["status"] == "rejected" and result["rows_applied"] == 0
    errors = {(e["row"], e["column"]) for e in result["errors"]}
    assert {(3, "支付日期"), (3, "金额"), (4, "功能分类编码")} <= errors, result["errors"]
    report = client.get(f"/api/v1/budget/imports/{result['id']}/errors.csv", as_user="staff")
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("text/csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,列,错误原因" and any(line.startswith("3,支付日期,") for line in lines)
    assert unit_payments(client, "105002") == before
    # the same file again is the same import, still rejected, nothing applied
    again = upload(client, text, encoding="gbk")
    assert again.status_code == 202 and again.json()["id"] == result["id"] and again.json()["created"] is False


def test_a_committed_file_runs_the_rules_and_the_same_file_is_the_same_import(client, config):
    tag = uuid.uuid4().hex[:8].upper()
    voucher = f"G{tag}1"
    english = "voucher_no,pay_date,unit_code,func_code,econ_code,project_code,line_ref,payee_name,payee_account," \
              "payee_type,amount,memo\n"
    text = english + (f"{voucher},2026-11-20,108002,2130301,31005,,,陕西秦岭水利建设工程有限公司,6105001,unit,"
                      f"\"720,000.00\",工程款\n"
                      f"G{tag}2,2026-11-21,108002,2130301,30201,,,宁陕县城关商贸有限公司,6105002,单位,300.00,\n")
    probe = EventProbe(config["AMQP_URI"], "budget", "payments_imported")
    try:
        answer = upload(client, text)
        assert answer.status_code == 202 and answer.json()["created"] is True
        result = finished(client, answer.json()["id"])
        assert result["status"] == "committed" and (result["rows_total"], result["rows_applied"]) == (2, 2)
        event = probe.wait_for(lambda e: e["data"]["import_id"] == result["id"], 30)
        assert event["data"]["rows_applied"] == 2
    finally:
        probe.close()
    alert = eventually(lambda: next((a for a in client.get(
        "/api/v1/budget/alerts", as_user="staff", params={"rule": "large_payment", "unit": "108002"}).json()["items"]
        if a["subject"] == voucher), None), 60, "the large payment's alert")
    assert alert["figures"]["amount"] == "720000.00"
    # the raised alert reaches the staff's notification inbox (the deputy service hears it)
    notice = eventually(lambda: next((n for n in client.get(
        "/api/v1/me/notifications", as_user="staff", params={"limit": 200}).json()["items"]
        if n["type"] == "budget_alert_raised" and f"预警编号 {alert['id']}" in n["body"]), None), 60,
        "the alert in the staff's inbox")
    assert notice["subject"].startswith("预算执行预警") and "108002" in notice["body"]
    again = upload(client, text, name="again.csv")
    assert again.json()["id"] == result["id"] and again.json()["created"] is False
    assert finished(client, result["id"])["rows_applied"] == 2


def test_an_alert_is_handled_to_a_close_with_its_timeline_and_events(client, config):
    alert = client.get("/api/v1/budget/alerts", as_user="staff",
                       params={"rule": "personal_payee", "unit": "113002", "year": YEAR}).json()["items"][0]
    path = f"/api/v1/budget/alerts/{alert['id']}"
    probe = EventProbe(config["AMQP_URI"], "budget", "#")
    try:
        assert_json_error(client.post(path + "/explain", as_user="unit-113002", json={"note": "x"}), 409)
        assert client.post(path + "/send", as_user="staff", json={}).json()["status"] == "sent"
        assert_json_error(client.post(path + "/explain", as_user="unit-113002", json={}), 400)
        assert_json_error(client.post(path + "/explain", as_user="staff", json={"note": "x"}), 403)
        explained = client.post(path + "/explain", as_user="unit-113002",
                                json={"note": "该款项为文艺演出劳务报酬，已代扣个税。"}).json()
        assert explained["status"] == "explained"
        assert client.post(path + "/require-rectification", as_user="staff",
                           json={"note": "劳务费应通过公对公结算"}).json()["status"] == "rectification_required"
        assert client.post(path + "/rectify", as_user="unit-113002",
                           json={"note": "已改为与演出公司结算"}).json()["status"] == "rectified"
        closed = client.post(path + "/close", as_user="staff", json={}).json()
        assert closed["status"] == "closed"
        assert [t["action"] for t in closed["timeline"]] == ["raised", "send", "explain", "require_rectification",
                                                               "rectify", "close"]
        seen = probe.collect(lambda e: e["type"].startswith("budget_alert_") and e["data"].get("alert_id") == alert["id"], 3, 30)
        assert [e["type"] for e in seen] == ["budget_alert_sent", "budget_alert_explained", "budget_alert_closed"]
    finally:
        probe.close()
    unit_view = client.get(path, as_user="unit-113002").json()
    assert unit_view["status"] == "closed" and unit_view["timeline"][2]["note"].startswith("该款项")


def test_evaluations_on_demand_change_nothing_when_data_did_not(client):
    answer = client.post("/api/v1/budget/evaluations", as_user="staff", json={"year": YEAR})
    assert answer.status_code == 200, answer.text
    assert answer.json()["raised"] == 0
    assert_json_error(client.post("/api/v1/budget/evaluations", as_user="staff", json={"year": "x"}), 400)
    assert_json_error(client.post("/api/v1/budget/evaluations", as_user="unit-107002", json={"year": YEAR}), 403)
