"""The budget schema on PostgreSQL: the demo year (81 units, ~50,000 payments generated in
SQL), the rules over it (every planted problem raised, no alert on any other unit), an
evaluation run twice changes nothing, and the import worker: a good file committed, a file
with bad rows rejected whole with its row-level report, the same vouchers again skipped."""
import datetime
from decimal import Decimal
import hashlib
import os
import shutil
import tempfile
import uuid

import psycopg
import pytest

from kernel.config import service_dsn
from demo import budget as demo
from kernel.db import PostgresUnitOfWork
from services.budget import handlers, importer, seed
from services.budget.domain import RULES, BudgetSettings
from services.budget.repository import REPOSITORIES
from tests.integration.helpers import service_pool

STAFF = {"username": "staff", "role": "staff", "subject": None}


@pytest.fixture(scope="module")
def budget_pool(prepared):
    with service_pool(prepared, "budget", 3) as pool:
        seed.load_demo(prepared)
        yield pool


def uow(pool):
    return PostgresUnitOfWork(pool, "budget", REPOSITORIES)


def test_demo_year_has_81_units_and_about_50000_payments(budget_pool):
    with uow(budget_pool) as u:
        assert len(u.budget.units()) == 81
        u.cursor.execute("SELECT count(*), count(DISTINCT unit_code) FROM payments WHERE year = %s", (demo.DEMO_YEAR,))
        payments, units = u.cursor.fetchone()
    assert 40_000 <= payments <= 60_000
    assert units == 81


def test_every_rule_fires_on_its_planted_unit_and_nowhere_else(budget_pool):
    with uow(budget_pool) as u:
        alerts, _ = u.alerts.list(year=demo.DEMO_YEAR, limit=1000)
    by_rule = {}
    for alert in alerts:
        by_rule.setdefault(alert["rule"], set()).add(alert["unit_code"])
    assert set(by_rule) == set(RULES)
    for unit, rule in demo.PLANTED.items():
        assert unit in by_rule[rule], (rule, by_rule[rule])
    flagged = {a["unit_code"] for a in alerts}
    assert flagged == set(demo.PLANTED), sorted(flagged - set(demo.PLANTED))


def test_evaluating_again_raises_nothing_new(budget_pool, prepared):
    settings = BudgetSettings.from_config(prepared)
    result = handlers.evaluate({"year": demo.DEMO_YEAR, "as_of": demo.as_of()}, STAFF, uow(budget_pool), settings)
    assert result["raised"] == 0 and result["resolved"] == 0
    assert result["updated"] == result["findings"] > 0


def _write(tmp, name, text, encoding="utf-8"):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(text.encode(encoding))
    return path


def _register(pool, path, kind="payments", year=demo.DEMO_YEAR, encoding="auto"):
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    view, created = handlers.start_import({"kind": kind, "year": year, "filename": os.path.basename(path),
                                           "content_hash": digest, "size_bytes": os.path.getsize(path),
                                           "file_ref": os.path.basename(path), "encoding": encoding}, STAFF, uow(pool))
    return view, created


@pytest.fixture
def import_dir():
    path = tempfile.mkdtemp(prefix="budget-imports-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


HEADER_ZH = "支付凭证号,支付日期,预算单位编码,功能分类编码,经济分类编码,指标文号,收款人名称,收款人账号,收款人类型,金额,摘要\n"


def test_a_file_with_bad_rows_is_rejected_whole_with_row_and_column(budget_pool, prepared, import_dir):
    tag = uuid.uuid4().hex[:6].upper()
    text = HEADER_ZH + (
        f"T{tag}1,2026-11-03,105001,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,1200.50,办公用品\n"
        f"T{tag}2,2026-13-03,105001,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,12x,办公用品\n"
        f"T{tag}3,2026-11-04,999999,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,80.00,办公用品\n"
        f"T{tag}1,2026-11-05,105001,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,80.00,办公用品\n")
    path = _write(import_dir, uuid.uuid4().hex + ".csv", text, "gbk")
    view, created = _register(budget_pool, path)
    assert created and view["status"] == "queued"
    result = importer.run_import(service_dsn(prepared, "budget"), uuid.UUID(view["id"]), import_dir)
    assert result["status"] == "rejected"
    answer = handlers.get_import(view["id"], STAFF, uow(budget_pool))
    errors = {(e["row"], e["column"]) for e in answer["errors"]}
    assert {(3, "支付日期"), (3, "金额"), (4, "预算单位编码"), (5, "支付凭证号")} <= errors, answer["errors"]
    assert answer["rows_applied"] == 0
    with uow(budget_pool) as u:
        u.cursor.execute("SELECT count(*) FROM payments WHERE voucher_no LIKE %s", (f"T{tag}%",))
        assert u.cursor.fetchone()[0] == 0  # the good first row is not applied either


def test_a_good_file_is_committed_and_its_vouchers_skipped_when_sent_again(budget_pool, prepared, import_dir):
    tag = uuid.uuid4().hex[:6].upper()
    rows = "".join(f"V{tag}{i},2026/11/{i + 1},105001,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,{i}00.25,\n"
                   for i in range(1, 6))
    english = "voucher_no,pay_date,unit_code,func_code,econ_code,line_ref,payee_name,payee_account,payee_type,amount,memo\n"
    path = _write(import_dir, uuid.uuid4().hex + ".csv", english + rows)
    view, _ = _register(budget_pool, path)
    dsn = service_dsn(prepared, "budget")
    assert importer.run_import(dsn, uuid.UUID(view["id"]), import_dir)["status"] == "committed"
    answer = handlers.get_import(view["id"], STAFF, uow(budget_pool))
    assert (answer["rows_total"], answer["rows_applied"], answer["rows_skipped"]) == (5, 5, 0)
    # the same rows in another file (one more row): the five are skipped, the new one applied
    more = rows + f"V{tag}9,2026-11-20,105001,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,99.99,\n"
    path2 = _write(import_dir, uuid.uuid4().hex + ".csv", HEADER_ZH + more)
    view2, _ = _register(budget_pool, path2)
    assert importer.run_import(dsn, uuid.UUID(view2["id"]), import_dir)["status"] == "committed"
    answer2 = handlers.get_import(view2["id"], STAFF, uow(budget_pool))
    assert (answer2["rows_applied"], answer2["rows_skipped"]) == (1, 5)
    with uow(budget_pool) as u:
        u.cursor.execute("SELECT sum(amount) FROM payments WHERE voucher_no LIKE %s", (f"V{tag}%",))
        assert str(u.cursor.fetchone()[0]) == "1601.24"
        u.cursor.execute("SELECT count(*) FROM outbox WHERE event_type = 'payments_imported' "
                         "AND aggregate_id = %s", (view["id"],))
        assert u.cursor.fetchone()[0] == 1
    # a stored voucher with different content is an error naming it
    changed = f"V{tag}1,2026-11-02,105001,2050101,30201,,宁陕县城关商贸有限公司,610500001,单位,999.00,\n"
    path3 = _write(import_dir, uuid.uuid4().hex + ".csv", HEADER_ZH + changed)
    view3, _ = _register(budget_pool, path3)
    assert importer.run_import(dsn, uuid.UUID(view3["id"]), import_dir)["status"] == "rejected"
    errors = handlers.get_import(view3["id"], STAFF, uow(budget_pool))["errors"]
    assert errors[0]["row"] == 2 and errors[0]["column"] == "支付凭证号" and "内容不同" in errors[0]["message"]


def test_the_same_file_registered_twice_is_the_same_import(budget_pool, import_dir):
    path = _write(import_dir, uuid.uuid4().hex + ".csv", HEADER_ZH + f"S{uuid.uuid4().hex[:8]},2026-11-03,105001,"
                  "2050101,30201,,某公司,1,单位,1.00,\n")
    first, created = _register(budget_pool, path)
    second, created_again = _register(budget_pool, path)
    assert created and not created_again and first["id"] == second["id"]


def test_a_header_with_an_unknown_or_missing_column_is_reported_on_row_1(budget_pool, prepared, import_dir):
    path = _write(import_dir, uuid.uuid4().hex + ".csv", "支付凭证号,日期,金额\nX1,2026-01-01,1\n")
    view, _ = _register(budget_pool, path)
    importer.run_import(service_dsn(prepared, "budget"), uuid.UUID(view["id"]), import_dir)
    answer = handlers.get_import(view["id"], STAFF, uow(budget_pool))
    assert answer["status"] == "rejected"
    assert {(1, "日期")} <= {(e["row"], e["column"]) for e in answer["errors"]}
    assert any(e["column"] == "预算单位编码" and "missing" in e["message"] for e in answer["errors"])


def test_execution_by_month_climbs_to_the_units_total(budget_pool, prepared):
    settings = BudgetSettings.from_config(prepared)
    by_unit = handlers.execution({"year": demo.DEMO_YEAR, "as_of": demo.as_of(), "group_by": "unit"},
                                 uow(budget_pool), settings)
    by_month = handlers.execution({"year": demo.DEMO_YEAR, "as_of": demo.as_of(), "group_by": "month"},
                                  uow(budget_pool), settings)
    assert len(by_unit["items"]) == 81
    assert by_month["items"][-1]["cumulative_paid"] == by_unit["totals"]["paid"]
    assert by_month["totals"]["budget"] == by_unit["totals"]["budget"]
    lagging = next(i for i in by_unit["items"] if i["key"] == "107002")
    assert lagging["lag"] > 0.10


def test_an_xlsx_file_is_imported_row_by_row(budget_pool, prepared, import_dir):
    from openpyxl import Workbook

    tag = uuid.uuid4().hex[:6].upper()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER_ZH.strip().split(","))
    sheet.append([f"X{tag}1", datetime.date(2026, 11, 5), "105001", 2050101, 30201, None, "某公司", "6105", "单位",
                  1234.5, "办公用品"])
    sheet.append([None] * 11)  # an empty row, as spreadsheets keep them
    sheet.append([f"X{tag}2", "2026-11-06", "105001", "2050101", "30201", None, "某公司", "6105", "单位", 10, None])
    path = os.path.join(import_dir, uuid.uuid4().hex + ".xlsx")
    workbook.save(path)
    view, _ = _register(budget_pool, path)
    assert importer.run_import(service_dsn(prepared, "budget"), uuid.UUID(view["id"]), import_dir)["status"] == "committed"
    with uow(budget_pool) as u:
        u.cursor.execute("SELECT voucher_no, pay_date, amount FROM payments WHERE voucher_no LIKE %s ORDER BY 1",
                         (f"X{tag}%",))
        rows = u.cursor.fetchall()
    assert rows == [(f"X{tag}1", datetime.date(2026, 11, 5), Decimal("1234.50")),
                    (f"X{tag}2", datetime.date(2026, 11, 6), Decimal("10.00"))]


def test_a_row_with_too_many_cells_rejects_the_file_naming_the_row(budget_pool, prepared, import_dir):
    tag = uuid.uuid4().hex[:6].upper()
    text = HEADER_ZH + (f"C{tag}1,2026-11-03,105001,2050101,30201,,某公司,6105,单位,1.00,\n"
                        f"C{tag}2,2026-11-03,105001,2050101,30201,,某公司,6105,单位,1.00,,多余\n")
    path = _write(import_dir, uuid.uuid4().hex + ".csv", text)
    view, _ = _register(budget_pool, path)
    assert importer.run_import(service_dsn(prepared, "budget"), uuid.UUID(view["id"]), import_dir)["status"] == "rejected"
    errors = handlers.get_import(view["id"], STAFF, uow(budget_pool))["errors"]
    assert errors[0]["row"] == 3, errors


def _canonical_rows(tag, count, first=1):
    """Rows as treasury systems export them (YYYY-MM-DD, plain amounts): the fast merge."""
    return "".join(f"F{tag}{i},2026-10-{i % 28 + 1:02d},105001,2050101,30201,,宁陕县城关商贸有限公司,6105{i},单位,{i}.10,\n"
                   for i in range(first, first + count))


def test_a_canonical_file_takes_the_fast_merge_and_an_overlapping_one_the_careful_merge(budget_pool, prepared,
                                                                                          import_dir):
    tag = uuid.uuid4().hex[:6].upper()
    dsn = service_dsn(prepared, "budget")
    path = _write(import_dir, uuid.uuid4().hex + ".csv", HEADER_ZH + _canonical_rows(tag, 30))
    view, _ = _register(budget_pool, path)
    result = importer.run_import(dsn, uuid.UUID(view["id"]), import_dir)
    assert result["status"] == "committed" and result["rows_applied"] == 30
    assert "fast_merge_abandoned" not in result["seconds"] and "checks" not in result["seconds"], result
    # the same 30 vouchers and 2 new ones: the primary key refuses the fast merge, the careful
    # merge skips the 30 stored ones (same content) and applies the 2
    path2 = _write(import_dir, uuid.uuid4().hex + ".csv", HEADER_ZH + _canonical_rows(tag, 32))
    view2, _ = _register(budget_pool, path2)
    result2 = importer.run_import(dsn, uuid.UUID(view2["id"]), import_dir)
    assert result2["status"] == "committed" and "fast_merge_abandoned" in result2["seconds"], result2
    answer = handlers.get_import(view2["id"], STAFF, uow(budget_pool))
    assert (answer["rows_applied"], answer["rows_skipped"]) == (2, 30)
    with uow(budget_pool) as u:
        u.cursor.execute("SELECT count(*), sum(amount) FROM payments WHERE voucher_no LIKE %s", (f"F{tag}%",))
        assert u.cursor.fetchone() == (32, sum(Decimal(f"{i}.10") for i in range(1, 33)))


@pytest.mark.parametrize("bad_row, column", [
    ("{v},2025-10-01,105001,2050101,30201,,某公司,6105,单位,1.00,\n", "支付日期"),      # another year
    ("{v},2026-10-01,105001,2050101,30201,,某公司,6105,单位,0.00,\n", "金额"),          # zero
    ("{v},2026-10-01,999999,2050101,30201,,某公司,6105,单位,1.00,\n", "预算单位编码"),  # unknown unit
    ("{v},2026-10-01,105001,2050101,30201,,,6105,单位,1.00,\n", "收款人名称"),          # empty payee
    ("{first},2026-10-02,105001,2050101,30201,,某公司,6105,单位,2.00,\n", "支付凭证号"),  # repeated in the file
])
def test_a_canonical_file_with_one_bad_row_is_rejected_whole_naming_it(budget_pool, prepared, import_dir, bad_row,
                                                                       column):
    """Rows the fast merge leaves out (or a repeated voucher it cannot insert) are reported by
    the checks, and the rows it had inserted are rolled back with the file."""
    tag = uuid.uuid4().hex[:6].upper()
    text = HEADER_ZH + _canonical_rows(tag, 5) + bad_row.format(v=f"F{tag}X", first=f"F{tag}1")
    path = _write(import_dir, uuid.uuid4().hex + ".csv", text)
    view, _ = _register(budget_pool, path)
    result = importer.run_import(service_dsn(prepared, "budget"), uuid.UUID(view["id"]), import_dir)
    assert result["status"] == "rejected", result
    errors = handlers.get_import(view["id"], STAFF, uow(budget_pool))["errors"]
    assert (7, column) in {(e["row"], e["column"]) for e in errors}, errors
    with uow(budget_pool) as u:
        u.cursor.execute("SELECT count(*) FROM payments WHERE voucher_no LIKE %s", (f"F{tag}%",))
        assert u.cursor.fetchone()[0] == 0
