"""Budget supervision rules as table tests: each rule is a pure function of facts; 序时进度;
the alert handling state machine; the import header mapping."""
import datetime
from decimal import Decimal

import pytest

from kernel.errors import Conflict
from services.budget import domain
from services.budget.domain import BudgetSettings, HeaderProblem

S = BudgetSettings()
YEAR = 2026
D = datetime.date


@pytest.mark.parametrize("as_of, basis, expected", [
    (D(2026, 1, 1), "days", Decimal(1) / 365),
    (D(2026, 12, 31), "days", Decimal(1)),
    (D(2026, 7, 2), "days", Decimal(183) / 365),
    (D(2026, 6, 30), "months", Decimal(6) / 12),
    (D(2026, 6, 29), "months", Decimal(5) / 12),   # June not complete yet
])
def test_target_rate(as_of, basis, expected):
    assert domain.target_rate(as_of, basis) == expected


def test_target_rate_of_another_year():
    assert domain.target_rate(D(2027, 1, 5), year=2026) == 1
    assert domain.target_rate(D(2025, 12, 5), year=2026) == 0


def test_leap_year_has_366_days():
    assert domain.target_rate(D(2024, 12, 30)) == Decimal(365) / 366


def unit(code, budget, paid, december="0"):
    return {"unit_code": code, "budget": Decimal(budget), "paid": Decimal(paid), "december": Decimal(december)}


@pytest.mark.parametrize("paid, as_of, fires", [
    ("500", D(2026, 12, 2), True),      # 50% against ~92%
    ("830", D(2026, 12, 2), False),     # 9.1 points behind: under the 10-point threshold
    ("810", D(2026, 12, 2), True),      # 11.1 points behind
    ("0", D(2026, 3, 31), False),       # not evaluated before 1 April
    ("0", D(2026, 4, 1), True),         # from 1 April: 0% against ~24.9%
])
def test_pace_lag(paid, as_of, fires):
    found = domain.pace_lag([unit("U1", "1000", paid)], S, as_of, YEAR)
    assert bool(found) is fires
    if fires:
        assert found[0].subject == "U1" and found[0].figures["budget"] == "1000.00"


def test_pace_lag_ignores_units_without_budget():
    assert domain.pace_lag([unit("U1", "0", "0")], S, D(2026, 12, 2), YEAR) == []


@pytest.mark.parametrize("budget, paid, fires", [("100.00", "100.00", False), ("100.00", "100.01", True),
                                                 ("0", "1", True), ("100", "0", False)])
def test_over_line(budget, paid, fires):
    line = {"line_ref": "L1", "unit_code": "U1", "budget": Decimal(budget), "paid": Decimal(paid),
            "vouchers": ["V1", "V2"]}
    found = domain.over_line([line], S, D(2026, 12, 2), YEAR)
    assert bool(found) is fires
    if fires:
        assert found[0].evidence["vouchers"] == ["V1", "V2"] and Decimal(found[0].figures["excess"]) > 0


def test_no_line_is_one_alert_per_unit_and_code_pair():
    groups = [{"unit_code": "U1", "func_code": "2010101", "econ_code": "30299", "count": 3, "paid": Decimal("70.50"),
               "vouchers": ["A", "B", "C"]},
              {"unit_code": "U1", "func_code": "2010101", "econ_code": "30201", "count": 1, "paid": Decimal("1"),
               "vouchers": ["D"]}]
    found = domain.no_line(groups, S, D(2026, 12, 2), YEAR)
    assert [f.subject for f in found] == ["U1:2010101:30299", "U1:2010101:30201"]
    assert found[0].figures == {"paid": "70.50", "count": 3}


@pytest.mark.parametrize("amount, fires", [("499999.99", False), ("500000.00", True), ("860000", True)])
def test_large_payment(amount, fires):
    p = {"voucher_no": "V1", "unit_code": "U1", "amount": Decimal(amount), "payee_name": "某公司",
         "pay_date": D(2026, 9, 1)}
    assert bool(domain.large_payment([p], S, D(2026, 12, 2), YEAR)) is fires


@pytest.mark.parametrize("payee_type, econ, amount, fires", [
    ("person", "30226", "50000", True),
    ("person", "30226", "49999.99", False),
    ("unit", "30226", "90000", False),
    ("person", "30101", "90000", False),   # wages: exempt
    ("person", "30305", "90000", False),   # transfers to households: exempt
    ("person", "31002", "60000", True),
])
def test_personal_payee(payee_type, econ, amount, fires):
    p = {"voucher_no": "V1", "unit_code": "U1", "amount": Decimal(amount), "payee_type": payee_type,
         "econ_code": econ, "payee_name": "王某"}
    assert bool(domain.personal_payee([p], S, D(2026, 12, 2), YEAR)) is fires


@pytest.mark.parametrize("budget, paid, fires", [("30000", "29999", False), ("30000", "45000", True),
                                                 ("0", "100", True)])
def test_sangong_over(budget, paid, fires):
    row = {"unit_code": "U1", "budget": Decimal(budget), "paid": Decimal(paid), "vouchers": ["V"]}
    assert bool(domain.sangong_over([row], S, D(2026, 12, 2), YEAR)) is fires


@pytest.mark.parametrize("paid, december, fires", [("100", "50", False), ("100", "50.01", True), ("0", "0", False),
                                                   ("100", "1", False)])
def test_year_end_rush(paid, december, fires):
    assert bool(domain.year_end_rush([unit("U1", "1", paid, december)], S, D(2026, 12, 20), YEAR)) is fires


@pytest.mark.parametrize("issued, quarters, as_of, idle", [
    (D(2026, 2, 15), {1, 4}, D(2026, 12, 2), [2, 3]),
    (D(2026, 2, 15), {1, 2, 3}, D(2026, 12, 2), []),
    (D(2026, 2, 15), set(), D(2026, 6, 30), []),        # Q2 not complete on its last day
    (D(2026, 2, 15), set(), D(2026, 7, 1), [2]),
    (D(2026, 4, 2), {4}, D(2026, 12, 2), [3]),          # Q2 began before it was issued
    (D(2026, 1, 1), set(), D(2026, 4, 1), [1]),
])
def test_idle_project(issued, quarters, as_of, idle):
    line = {"line_ref": "L1", "unit_code": "U1", "project_code": "P1", "project_name": "项目", "issued_on": issued,
            "quarters": quarters, "budget": Decimal("10")}
    found = domain.idle_project([line], S, as_of, YEAR)
    assert (found[0].figures["idle_quarters"] if found else []) == idle


def test_thresholds_come_from_settings():
    settings = BudgetSettings.from_config({"BUDGET_LARGE_PAYMENT": "100", "BUDGET_PACE_LAG_POINTS": "50",
                                           "BUDGET_PERSONAL_EXEMPT_ECON": "301", "BUDGET_PACE_LAG_FROM": "07-01"})
    assert settings.large_payment == Decimal(100) and settings.pace_lag_from == (7, 1)
    assert domain.large_payment([{"voucher_no": "V", "unit_code": "U", "amount": Decimal("100"), "payee_name": "x",
                                  "pay_date": D(2026, 1, 2)}], settings, D(2026, 12, 2), YEAR)
    assert not domain.pace_lag([unit("U1", "1000", "500")], settings, D(2026, 12, 2), YEAR)
    assert domain.personal_payee([{"voucher_no": "V", "unit_code": "U", "amount": Decimal("60000"),
                                   "payee_type": "person", "econ_code": "30305", "payee_name": "x"}], settings,
                                 D(2026, 12, 2), YEAR)


@pytest.mark.parametrize("status, action, to", [
    ("raised", "send", "sent"), ("sent", "explain", "explained"), ("explained", "accept", "closed"),
    ("explained", "require_rectification", "rectification_required"),
    ("rectification_required", "rectify", "rectified"), ("rectified", "close", "closed"),
    ("resolved", "close", "closed"), ("rectification_required", "explain", "explained"),
])
def test_handling_transitions(status, action, to):
    assert domain.transition(status, action) == to


@pytest.mark.parametrize("status, action", [("raised", "explain"), ("closed", "send"), ("sent", "accept"),
                                            ("explained", "rectify"), ("closed", "close")])
def test_handling_refuses_steps_out_of_order(status, action):
    with pytest.raises(Conflict) as caught:
        domain.transition(status, action)
    assert caught.value.details["status"] == status


@pytest.mark.parametrize("status, holds, expected", [
    ("raised", False, ("resolved", "resolved_by_data")), ("sent", False, ("resolved", "resolved_by_data")),
    ("explained", False, ("explained", None)),  # in handling: the flow goes on, the flag says it no longer holds
    ("resolved", True, ("raised", "reopened_by_data")), ("raised", True, ("raised", None)),
    ("closed", True, ("closed", None)),
])
def test_after_evaluation(status, holds, expected):
    assert domain.after_evaluation(status, holds) == expected


def test_evaluate_keys_findings_by_rule_and_subject():
    facts = {"large_payment": [{"voucher_no": "V1", "unit_code": "U1", "amount": Decimal("600000"),
                                "payee_name": "x", "payee_type": "unit", "econ_code": "31005",
                                "pay_date": D(2026, 5, 1)}]}
    facts["personal_payee"] = facts["large_payment"]
    assert set(domain.evaluate(facts, S, D(2026, 12, 2), YEAR)) == {("large_payment", "V1")}


def test_header_accepts_chinese_and_english_in_any_order():
    fields = domain.map_header("payments", ["\ufeff金额", "voucher_no", "支付日期", "预算单位编码", "func_code",
                                            "经济分类编码", "收款人名称", "payee_account", "收款人类型"])
    assert fields[:3] == ["amount", "voucher_no", "pay_date"]


def test_header_problems_name_the_column():
    with pytest.raises(HeaderProblem) as caught:
        domain.map_header("payments", ["支付凭证号", "日期", "金额", "金额"])
    problems = dict(caught.value.problems)
    assert problems["日期"] == "unknown column" and problems["金额"] == "column repeated"
    assert problems["预算单位编码"] == "required column missing"
