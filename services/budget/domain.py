"""Online budget supervision (预算联网监督): rules, 序时进度, the alert handling state machine and
the import file's columns. Pure Python: no I/O, no nameko or eventlet.

Money is ``Decimal`` here and a decimal string on the wire; never float.

Each alert rule is a function ``rule(facts, settings, as_of) -> [Finding]`` of facts the
repository gathers in SQL (sums per unit or line, the few payments over a threshold), so
the rules are table-tested without a database and the database does the heavy lifting.
"""
import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal, ROUND_HALF_UP

from contracts.events import budget as events
from kernel.errors import Conflict

# The vocabulary callers validate against is the contract's (contracts/budget.py).
from contracts.budget import RULES, STATUSES  # noqa: F401

ZERO = Decimal("0")
CENT = Decimal("0.01")

BUDGET_KINDS = {"general": "一般公共预算", "fund": "政府性基金预算", "state_capital": "国有资本经营预算",
                "social_insurance": "社会保险基金预算"}
BUDGET_KIND_ALIASES = {name: code for code, name in BUDGET_KINDS.items()}

# 三公经费: 因公出国(境) 30212, 公务接待 30217, 公务用车运行维护 30231, 公务用车购置 31013
SANGONG_ECON = ("30212", "30217", "30231", "31013")

RULE_NAMES = {"pace_lag": "执行进度滞后", "over_line": "超指标支付", "no_line": "无指标支付",
              "large_payment": "大额支付", "personal_payee": "向个人大额支付", "sangong_over": "三公经费超预算",
              "year_end_rush": "年末突击花钱", "idle_project": "项目资金闲置"}


def money(value):
    """A Decimal of yuan rounded to the fen."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value):
    return str(money(value if value is not None else ZERO))


# -- settings -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BudgetSettings:
    pace_lag_points: Decimal = Decimal("10")       # lag above this many percentage points
    pace_lag_from: tuple = (4, 1)                  # (month, day) from which pace_lag is evaluated
    large_payment: Decimal = Decimal("500000")
    personal_payee: Decimal = Decimal("50000")
    personal_exempt_econ: tuple = ("301", "303")   # wages and transfers to households
    year_end_share: Decimal = Decimal("0.5")       # December above this share of the unit's year
    target_basis: str = "days"                     # 序时进度: elapsed days / days, or months / 12
    max_evidence: int = 20                         # voucher numbers kept as evidence per alert

    @classmethod
    def from_config(cls, config):
        def get(key, default):
            value = config.get(key)
            return default if value in (None, "") else value

        month, day = (int(part) for part in str(get("BUDGET_PACE_LAG_FROM", "04-01")).split("-"))
        exempt = get("BUDGET_PERSONAL_EXEMPT_ECON", "301,303")
        if isinstance(exempt, str):
            exempt = [part.strip() for part in exempt.split(",") if part.strip()]
        return cls(pace_lag_points=Decimal(str(get("BUDGET_PACE_LAG_POINTS", "10"))),
                   pace_lag_from=(month, day),
                   large_payment=Decimal(str(get("BUDGET_LARGE_PAYMENT", "500000"))),
                   personal_payee=Decimal(str(get("BUDGET_PERSONAL_PAYEE", "50000"))),
                   personal_exempt_econ=tuple(str(e) for e in exempt),
                   year_end_share=Decimal(str(get("BUDGET_YEAR_END_SHARE", "0.5"))),
                   target_basis=str(get("BUDGET_TARGET_BASIS", "days")))


# -- 序时进度 ----------------------------------------------------------------------------------
def target_rate(as_of, basis="days", year=None):
    """序时进度 as of a date, 0..1: elapsed days / days in the year (as_of counted), or
    elapsed whole months / 12. A date after the year is 1, before it 0."""
    year = year or as_of.year
    if as_of.year > year:
        return Decimal(1)
    if as_of.year < year:
        return Decimal(0)
    if basis == "months":
        last_day = calendar.monthrange(as_of.year, as_of.month)[1]
        months = as_of.month if as_of.day == last_day else as_of.month - 1
        return Decimal(months) / Decimal(12)
    days = 366 if calendar.isleap(year) else 365
    return Decimal(as_of.timetuple().tm_yday) / Decimal(days)


def rate(paid, budget):
    """Execution rate paid / budget (0 when there is no budget)."""
    budget = Decimal(budget or 0)
    return Decimal(paid or 0) / budget if budget > 0 else ZERO


def ratio(value, places=4):
    return float(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def quarter_bounds(year, quarter):
    start = datetime.date(year, 3 * quarter - 2, 1)
    end_month = 3 * quarter
    return start, datetime.date(year, end_month, calendar.monthrange(year, end_month)[1])


# -- findings -------------------------------------------------------------------------------
@dataclass
class Finding:
    rule: str
    subject: str
    unit_code: str
    severity: str
    message: str
    figures: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)


def _pct(value):
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def pace_lag(units, settings, as_of, year):
    """units: [{unit_code, budget, paid}]. A unit whose execution rate is below 序时进度 by
    more than ``pace_lag_points`` percentage points, from ``pace_lag_from`` on."""
    month, day = settings.pace_lag_from
    if as_of < datetime.date(year, month, day):
        return []
    target = target_rate(as_of, settings.target_basis, year)
    found = []
    for unit in units:
        budget = Decimal(unit["budget"] or 0)
        if budget <= 0:
            continue
        executed = rate(unit["paid"], budget)
        lag_points = (target - executed) * 100
        if lag_points > settings.pace_lag_points:
            found.append(Finding(
                "pace_lag", unit["unit_code"], unit["unit_code"], "high" if lag_points > 2 * settings.pace_lag_points
                else "medium",
                f"执行进度 {_pct(executed)}，低于序时进度 {_pct(target)} {lag_points.quantize(Decimal('0.1'))} 个百分点",
                {"budget": money_str(budget), "paid": money_str(unit["paid"]), "rate": ratio(executed),
                 "target_rate": ratio(target), "lag_points": ratio(lag_points, 2)},
                {"as_of": as_of.isoformat()}))
    return found


def over_line(lines, settings, as_of, year):
    """lines: [{line_ref, unit_code, budget, paid, vouchers}]: payments against a line exceed
    its amount (approved plus adjustments)."""
    found = []
    for line in lines:
        budget, paid = Decimal(line["budget"] or 0), Decimal(line["paid"] or 0)
        if paid > budget:
            found.append(Finding(
                "over_line", line["line_ref"], line["unit_code"], "high",
                f"指标 {line['line_ref']} 已支付 {money_str(paid)} 元，超出指标金额 {money_str(budget)} 元",
                {"budget": money_str(budget), "paid": money_str(paid), "excess": money_str(paid - budget)},
                {"line_refs": [line["line_ref"]], "vouchers": list(line.get("vouchers") or [])[:settings.max_evidence]}))
    return found


def no_line(groups, settings, as_of, year):
    """groups: [{unit_code, func_code, econ_code, count, paid, vouchers}] of payments that match
    no line of the unit (by 指标文号, or by functional and economic code): one alert per unit
    and code pair."""
    found = []
    for group in groups:
        if not group["count"]:
            continue
        subject = f"{group['unit_code']}:{group['func_code']}:{group['econ_code']}"
        found.append(Finding(
            "no_line", subject, group["unit_code"], "high",
            f"{group['count']} 笔支付共 {money_str(group['paid'])} 元无对应指标"
            f"（功能分类 {group['func_code']}，经济分类 {group['econ_code']}）",
            {"paid": money_str(group["paid"]), "count": int(group["count"])},
            {"vouchers": list(group.get("vouchers") or [])[:settings.max_evidence],
             "func_code": group["func_code"], "econ_code": group["econ_code"]}))
    return found


def large_payment(payments, settings, as_of, year):
    """payments: [{voucher_no, unit_code, amount, payee_name, pay_date}]: one payment of at
    least ``large_payment`` yuan."""
    return [Finding(
        "large_payment", p["voucher_no"], p["unit_code"], "medium",
        f"单笔支付 {money_str(p['amount'])} 元（收款人 {p['payee_name']}），达到大额支付标准 "
        f"{money_str(settings.large_payment)} 元",
        {"amount": money_str(p["amount"]), "threshold": money_str(settings.large_payment)},
        {"vouchers": [p["voucher_no"]], "payee_name": p["payee_name"], "pay_date": str(p["pay_date"])})
        for p in payments if Decimal(p["amount"]) >= settings.large_payment]


def personal_payee(payments, settings, as_of, year):
    """payments: [{voucher_no, unit_code, amount, payee_type, econ_code, payee_name}]: a payment
    to an individual of at least ``personal_payee`` yuan outside the exempt economic classes
    (301 wages, 303 transfers to households)."""
    found = []
    for p in payments:
        exempt = any(p["econ_code"].startswith(prefix) for prefix in settings.personal_exempt_econ)
        if p["payee_type"] == "person" and not exempt and Decimal(p["amount"]) >= settings.personal_payee:
            found.append(Finding(
                "personal_payee", p["voucher_no"], p["unit_code"], "high",
                f"向个人 {p['payee_name']} 支付 {money_str(p['amount'])} 元（经济分类 {p['econ_code']}）",
                {"amount": money_str(p["amount"]), "threshold": money_str(settings.personal_payee)},
                {"vouchers": [p["voucher_no"]], "payee_name": p["payee_name"], "econ_code": p["econ_code"]}))
    return found


def sangong_over(units, settings, as_of, year):
    """units: [{unit_code, budget, paid, vouchers}] over the 三公 economic classes: payments
    exceed the unit's 三公 lines."""
    found = []
    for unit in units:
        budget, paid = Decimal(unit["budget"] or 0), Decimal(unit["paid"] or 0)
        if paid > budget:
            found.append(Finding(
                "sangong_over", unit["unit_code"], unit["unit_code"], "high",
                f"三公经费已支付 {money_str(paid)} 元，超出预算 {money_str(budget)} 元",
                {"budget": money_str(budget), "paid": money_str(paid), "excess": money_str(paid - budget)},
                {"vouchers": list(unit.get("vouchers") or [])[:settings.max_evidence],
                 "econ_codes": list(SANGONG_ECON)}))
    return found


def year_end_rush(units, settings, as_of, year):
    """units: [{unit_code, paid, december}]: December is more than ``year_end_share`` of the
    unit's payments of the year."""
    found = []
    for unit in units:
        paid, december = Decimal(unit["paid"] or 0), Decimal(unit["december"] or 0)
        if paid > 0 and december / paid > settings.year_end_share:
            found.append(Finding(
                "year_end_rush", unit["unit_code"], unit["unit_code"], "medium",
                f"12月支付 {money_str(december)} 元，占全年支付 {_pct(december / paid)}",
                {"paid": money_str(paid), "december": money_str(december), "share": ratio(december / paid)},
                {"as_of": as_of.isoformat()}))
    return found


def idle_project(lines, settings, as_of, year):
    """lines: [{line_ref, unit_code, project_code, project_name, issued_on, quarters}] where
    quarters is the set of quarters (1-4) with a payment: a project line with no payment in a
    whole completed quarter that began after it was issued."""
    found = []
    for line in lines:
        issued = line.get("issued_on") or datetime.date(year, 1, 1)
        paid_quarters = set(line.get("quarters") or ())
        idle = []
        for quarter in range(1, 5):
            start, end = quarter_bounds(year, quarter)
            if start >= issued and end < as_of and quarter not in paid_quarters:
                idle.append(quarter)
        if idle:
            found.append(Finding(
                "idle_project", line["line_ref"], line["unit_code"], "medium",
                f"项目 {line.get('project_name') or line.get('project_code')}（指标 {line['line_ref']}）"
                f"第{'、'.join(str(q) for q in idle)}季度无支付",
                {"idle_quarters": idle, "budget": money_str(line.get("budget") or 0)},
                {"line_refs": [line["line_ref"]], "project_code": line.get("project_code"),
                 "issued_on": issued.isoformat()}))
    return found


RULE_FUNCTIONS = {"pace_lag": pace_lag, "over_line": over_line, "no_line": no_line,
                  "large_payment": large_payment, "personal_payee": personal_payee,
                  "sangong_over": sangong_over, "year_end_rush": year_end_rush, "idle_project": idle_project}


def evaluate(facts, settings, as_of, year):
    """All rules over ``facts`` ({rule: rows}); the findings keyed by (rule, subject)."""
    findings = {}
    for rule, function in RULE_FUNCTIONS.items():
        for finding in function(facts.get(rule, ()), settings, as_of, year):
            findings[(finding.rule, finding.subject)] = finding
    return findings


# -- alert handling -------------------------------------------------------------------------
OPEN_STATUSES = ("raised", "sent", "explained", "rectification_required", "rectified")
# action -> (who, allowed from, to, event)
ACTIONS = {
    "send": ("staff", ("raised",), "sent", events.ALERT_SENT),
    "explain": ("unit", ("sent", "rectification_required"), "explained", events.ALERT_EXPLAINED),
    "accept": ("staff", ("explained",), "closed", events.ALERT_CLOSED),
    "require_rectification": ("staff", ("explained",), "rectification_required", None),
    "rectify": ("unit", ("rectification_required",), "rectified", None),
    "close": ("staff", ("raised", "sent", "explained", "rectified", "resolved"), "closed", events.ALERT_CLOSED),
}


def transition(status, action):
    """The status after ``action``, or Conflict naming what can be done now."""
    who, allowed, to, _ = ACTIONS[action]
    if status not in allowed:
        possible = [name for name, spec in ACTIONS.items() if status in spec[1]]
        raise Conflict(f"alert is {status}: cannot {action}", {"status": status, "possible_actions": possible})
    return to


def after_evaluation(status, holds):
    """(new status, timeline action or None) when an evaluation finds the condition
    holding (``holds``) or not for an existing alert."""
    if holds and status == "resolved":
        return "raised", "reopened_by_data"
    if not holds and status in ("raised", "sent"):
        return "resolved", "resolved_by_data"
    return status, None


# -- import files -----------------------------------------------------------------------------
PAYMENT_COLUMNS = (
    ("voucher_no", "支付凭证号", True), ("pay_date", "支付日期", True), ("unit_code", "预算单位编码", True),
    ("func_code", "功能分类编码", True), ("econ_code", "经济分类编码", True), ("project_code", "项目编码", False),
    ("line_ref", "指标文号", False), ("payee_name", "收款人名称", True), ("payee_account", "收款人账号", True),
    ("payee_type", "收款人类型", True), ("amount", "金额", True), ("memo", "摘要", False),
)
LINE_COLUMNS = (
    ("line_ref", "指标文号", True), ("unit_code", "预算单位编码", True), ("budget_kind", "预算类型", True),
    ("func_code", "功能分类编码", True), ("econ_code", "经济分类编码", True), ("project_code", "项目编码", False),
    ("project_name", "项目名称", False), ("amount", "金额", True), ("issued_on", "下达日期", False),
)
COLUMNS = {"payments": PAYMENT_COLUMNS, "lines": LINE_COLUMNS}


def column_label(kind, name):
    for field_name, chinese, _ in COLUMNS[kind]:
        if field_name == name:
            return chinese
    return name


class HeaderProblem(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(f"{column}: {message}" for column, message in problems))
        self.problems = problems


def map_header(kind, header):
    """The field name of each header cell (Chinese or English, either may be mixed), in
    file order. Raises HeaderProblem naming unknown, repeated or missing columns."""
    by_name = {}
    for field_name, chinese, _ in COLUMNS[kind]:
        by_name[field_name] = field_name
        by_name[chinese] = field_name
    fields, problems = [], []
    for cell in header:
        name = (cell or "").strip().lstrip("\ufeff").strip()
        field_name = by_name.get(name) or by_name.get(name.lower())
        if field_name is None:
            problems.append((name or "(empty)", "unknown column"))
        elif field_name in fields:
            problems.append((name, "column repeated"))
        fields.append(field_name)
    for field_name, chinese, required in COLUMNS[kind]:
        if required and field_name not in fields:
            problems.append((chinese, "required column missing"))
    if problems:
        raise HeaderProblem(problems)
    return fields
