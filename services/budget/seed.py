"""Demo data of the budget service (development): 81 units, classification tables, the demo
year's budget lines (some adjusted) and ~50,000 payments generated in SQL with
``generate_series`` from each line's plan (one statement, no row-by-row inserts), the few
planted payments, then one evaluation of the rules so a fresh platform shows alerts of every
rule. Idempotent: each part is skipped when present."""
import datetime
from decimal import Decimal

from kernel.config import is_production, service_dsn
from kernel.db import PostgresUnitOfWork, make_pool
from demo import budget as demo
from services.budget import handlers
from services.budget.domain import BudgetSettings
from services.budget.repository import REPOSITORIES

SYSTEM = {"username": "system", "role": "staff", "subject": None}

PAYMENTS_SQL = """
INSERT INTO payments (voucher_no, year, pay_date, unit_code, func_code, econ_code, project_code, line_ref,
                      payee_name, payee_account, payee_type, amount, memo)
SELECT 'ZF' || %(year)s::text || lpad((p.idx * 1000 + g.i)::text, 8, '0'),
       %(year)s::int,
       p.start + ((p.stop - p.start) * (g.i - 1)) / greatest(p.n - 1, 1),
       p.unit, p.func, p.econ, p.project,
       CASE WHEN g.i %% 3 = 0 AND p.project IS NULL THEN NULL ELSE p.line_ref END,
       CASE WHEN g.i <= p.n * p.person_share
            THEN (%(persons)s::text[])[1 + (p.idx * 7 + g.i) %% cardinality(%(persons)s::text[])]
            ELSE (%(companies)s::text[])[1 + (p.idx * 3 + g.i) %% cardinality(%(companies)s::text[])] END,
       CASE WHEN g.i <= p.n * p.person_share THEN '622848' ELSE '610500' END
            || lpad(((p.idx * 131 + g.i * 17) %% 99999999)::text, 12, '0'),
       CASE WHEN g.i <= p.n * p.person_share THEN 'person' ELSE 'unit' END,
       round(p.total / p.n * (CASE WHEN g.i %% 2 = 0 THEN 1.2 ELSE 0.8 END), 2),
       p.memo
FROM unnest(%(idx)s::int[], %(line_ref)s::text[], %(unit)s::text[], %(func)s::text[], %(econ)s::text[],
            %(project)s::text[], %(n)s::int[], %(total)s::numeric[], %(start)s::date[], %(stop)s::date[],
            %(person_share)s::float8[], %(memo)s::text[])
     AS p(idx, line_ref, unit, func, econ, project, n, total, start, stop, person_share, memo)
CROSS JOIN LATERAL generate_series(1, p.n) AS g(i)
"""

PERSONS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴霞", "徐明", "孙丽", "胡斌",
           "朱红", "高峰", "林琳", "何强", "郭燕", "马超", "罗兰"]
COMPANIES = ["宁陕县城关商贸有限公司", "安康市汉江办公用品有限公司", "宁陕县秦岭汽车维修服务部", "陕西天成建设工程有限公司",
             "宁陕县鑫源印务有限公司", "安康市博远信息技术有限公司", "宁陕县江口宾馆", "中国石化销售股份有限公司陕西安康分公司",
             "宁陕县绿源园林绿化有限公司", "陕西秦岭生态工程有限公司", "宁陕县电力公司", "中国电信股份有限公司宁陕分公司"]
MEMOS = {"30101": "发放基本工资", "30102": "发放津贴补贴", "30108": "缴纳养老保险", "30201": "购买办公用品",
         "30211": "报销差旅费", "30213": "设备维修", "30217": "公务接待", "30226": "支付劳务费", "30227": "委托业务费",
         "30231": "公务用车燃油及维修", "31005": "工程进度款"}


def payment_plan(lines, as_of):
    """Rows of the payments statement: one per (line, period) with count and total."""
    plan = []
    for index, line in enumerate(lines, start=1):
        p = line["plan"]
        budget = line["amount"] + (line["adjustment"] or 0)
        total = budget * Decimal(str(round(p["factor"], 4)))
        base = dict(line_ref=line["line_ref"], unit=line["unit_code"], func=line["func_code"], econ=line["econ_code"],
                    project=line["project_code"], person_share=p["person_share"],
                    memo=MEMOS.get(line["econ_code"], "支付"))
        if line["unit_code"] in demo.PLANTED and demo.PLANTED[line["unit_code"]] == "year_end_rush":
            november = datetime.date(demo.DEMO_YEAR, 11, 30)
            plan.append(dict(base, idx=index, n=p["count"], total=total, start=p["start"], stop=november))
            plan.append(dict(base, idx=index + 5000, n=10, total=budget / 2, start=datetime.date(demo.DEMO_YEAR, 12, 1),
                             stop=as_of))
        elif p.get("idle"):
            q1_end = datetime.date(demo.DEMO_YEAR, 3, 31)
            plan.append(dict(base, idx=index, n=4, total=budget * Decimal("0.15"),
                             start=p["start"], stop=q1_end))
            plan.append(dict(base, idx=index + 5000, n=6, total=budget * Decimal("0.25"),
                             start=datetime.date(demo.DEMO_YEAR, 10, 8), stop=as_of))
        else:
            plan.append(dict(base, idx=index, n=p["count"], total=total, start=p["start"], stop=as_of))
    return plan


def load_reference(uow):
    cursor = uow.cursor
    cursor.executemany("INSERT INTO departments (code, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                       [(code, name) for code, name, _ in demo.DEPARTMENTS])
    cursor.executemany("INSERT INTO units (code, name, department_code, kind) VALUES (%s, %s, %s, %s) "
                       "ON CONFLICT DO NOTHING",
                       [(u["code"], u["name"], u["department_code"], u["kind"]) for u in demo.generate_units()])
    cursor.executemany("INSERT INTO budget_kinds (code, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                       demo.BUDGET_KINDS)
    cursor.executemany("INSERT INTO func_classes (code, name, level) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                       [(c, n, (len(c) - 1) // 2) for c, n in demo.FUNC_CLASSES])
    cursor.executemany("INSERT INTO econ_classes (code, name, level) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                       [(c, n, (len(c) - 1) // 2) for c, n in demo.ECON_CLASSES])


def load_year(uow, as_of):
    cursor = uow.cursor
    year = demo.DEMO_YEAR
    cursor.execute("SELECT count(*) FROM budget_lines WHERE year = %s", (year,))
    if cursor.fetchone()[0]:
        return 0
    lines = demo.generate_lines()
    cursor.execute(
        "INSERT INTO budget_lines (year, line_ref, unit_code, budget_kind, func_code, econ_code, project_code, "
        "project_name, amount, issued_on) "
        "SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
        "%s::text[], %s::numeric[], %s::date[])",
        (year, [l["line_ref"] for l in lines], [l["unit_code"] for l in lines], [l["budget_kind"] for l in lines],
         [l["func_code"] for l in lines], [l["econ_code"] for l in lines], [l["project_code"] for l in lines],
         [l["project_name"] for l in lines], [l["amount"] for l in lines], [l["issued_on"] for l in lines]))
    adjusted = [l for l in lines if l["adjustment"]]
    cursor.execute(
        "INSERT INTO line_adjustments (line_id, amount, adjusted_on, document_no, reason) "
        "SELECT bl.id, a.amount, %s, a.doc, '年中追加' FROM unnest(%s::text[], %s::numeric[], %s::text[]) "
        "AS a(line_ref, amount, doc) JOIN budget_lines bl ON bl.year = %s AND bl.line_ref = a.line_ref",
        (datetime.date(year, 7, 15), [l["line_ref"] for l in adjusted], [l["adjustment"] for l in adjusted],
         [f"宁财预追〔{year}〕{i:03d}号" for i, _ in enumerate(adjusted, start=1)], year))
    plan = payment_plan(lines, as_of)
    params = {"year": year, "persons": PERSONS, "companies": COMPANIES}
    for key in ("idx", "line_ref", "unit", "func", "econ", "project", "n", "total", "start", "stop", "person_share",
                "memo"):
        params[key] = [row[key] for row in plan]
    cursor.execute(PAYMENTS_SQL, params)
    count = cursor.rowcount
    cursor.executemany(
        "INSERT INTO payments (voucher_no, year, pay_date, unit_code, func_code, econ_code, project_code, line_ref, "
        "payee_name, payee_account, payee_type, amount, memo) VALUES (%s, " + str(year)
        + ", %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING", demo.extra_payments())
    return count + len(demo.extra_payments())


def load_demo(config):
    if is_production(config):
        return "skipped in production"
    pool = make_pool(service_dsn(config, "budget"), 2, "budget-seed")
    pool.open(wait=True, timeout=10)
    as_of = demo.as_of()
    try:
        with PostgresUnitOfWork(pool, "budget", REPOSITORIES) as uow:
            load_reference(uow)
            payments = load_year(uow, as_of)
            uow.commit()
        result = handlers.evaluate({"year": demo.DEMO_YEAR, "as_of": as_of}, SYSTEM,
                                   PostgresUnitOfWork(pool, "budget", REPOSITORIES),
                                   BudgetSettings.from_config(config))
    finally:
        pool.close()
    return f"{len(demo.generate_units())} units, {payments} payments added, {result['open']} open alerts"
