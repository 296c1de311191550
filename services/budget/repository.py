"""SQL of the budget schema: reference data, lines, payments, execution, the facts the rules
need, alerts with their timeline, imports. Money stays NUMERIC (Decimal) all the way."""
from psycopg.types.json import Jsonb

from kernel.rows import fetch_dict as _dict, fetch_dicts as _dicts
from kernel.sqlwhere import Where
from services.budget.domain import SANGONG_ECON


# Lines of a year with their budget (approved amount plus adjustments).
LINES_CTE = """
lines AS (
    SELECT bl.id, bl.year, bl.line_ref, bl.unit_code, bl.budget_kind, bl.func_code, bl.econ_code, bl.project_code,
           bl.project_name, bl.issued_on, bl.amount AS approved, COALESCE(adj.total, 0) AS adjusted,
           bl.amount + COALESCE(adj.total, 0) AS budget
    FROM budget_lines bl
    LEFT JOIN (SELECT line_id, sum(amount) AS total FROM line_adjustments GROUP BY line_id) adj ON adj.line_id = bl.id
    WHERE bl.year = %(year)s)"""

# Payments of a year up to a date, each with the line it is paid against: by 指标文号 (of the
# same unit), else — without a 指标文号 — the unit's first line with the same codes.
PAY_CTE = LINES_CTE + """,
by_codes AS (
    SELECT DISTINCT ON (unit_code, func_code, econ_code) id, unit_code, func_code, econ_code
    FROM lines ORDER BY unit_code, func_code, econ_code, id),
pay AS (
    SELECT p.voucher_no, p.pay_date, p.unit_code, p.func_code, p.econ_code, p.amount, p.payee_type, p.payee_name,
           COALESCE(r.id, c.id) AS line_id
    FROM payments p
    LEFT JOIN lines r ON p.line_ref IS NOT NULL AND r.line_ref = p.line_ref AND r.unit_code = p.unit_code
    LEFT JOIN by_codes c ON p.line_ref IS NULL AND c.unit_code = p.unit_code AND c.func_code = p.func_code
                        AND c.econ_code = p.econ_code
    WHERE p.year = %(year)s AND p.pay_date <= %(as_of)s)"""


class BudgetRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    # -- reference -------------------------------------------------------------------------
    def units(self):
        self.cursor.execute(
            "SELECT u.code, u.name, u.department_code, d.name AS department_name, u.kind FROM units u "
            "JOIN departments d ON d.code = u.department_code ORDER BY u.code")
        return _dicts(self.cursor)

    def unit(self, code):
        self.cursor.execute("SELECT code, name, department_code, kind FROM units WHERE code = %s", (code,))
        return _dict(self.cursor)

    # -- lines and payments ------------------------------------------------------------------
    def lines(self, year, unit=None, func=None, econ=None, limit=100, offset=0):
        where, params = ["TRUE"], {"year": year, "as_of": "infinity", "limit": limit, "offset": offset}
        if unit:
            where.append("l.unit_code = %(unit)s")
            params["unit"] = unit
        if func:
            where.append("l.func_code LIKE %(func)s")
            params["func"] = func + "%"
        if econ:
            where.append("l.econ_code LIKE %(econ)s")
            params["econ"] = econ + "%"
        self.cursor.execute(
            "WITH " + PAY_CTE + ", paid AS (SELECT line_id, sum(amount) AS paid, count(*) AS payments FROM pay "
            "GROUP BY line_id) "
            "SELECT l.id, l.year, l.line_ref, l.unit_code, u.name AS unit_name, l.budget_kind, l.func_code, "
            "  l.econ_code, l.project_code, l.project_name, l.approved, l.adjusted, l.budget, l.issued_on, "
            "  COALESCE(p.paid, 0) AS paid, COALESCE(p.payments, 0) AS payments, count(*) OVER () AS total "
            "FROM lines l JOIN units u ON u.code = l.unit_code LEFT JOIN paid p ON p.line_id = l.id "
            "WHERE " + " AND ".join(where) + " ORDER BY l.unit_code, l.line_ref LIMIT %(limit)s OFFSET %(offset)s",
            params)
        rows = _dicts(self.cursor)
        return rows, (rows[0]["total"] if rows else self._count_lines(where, params))

    def _count_lines(self, where, params):
        self.cursor.execute("WITH " + LINES_CTE + " SELECT count(*) FROM lines l WHERE " + " AND ".join(where),
                            params)
        return self.cursor.fetchone()[0]

    def adjustments(self, line_ids):
        self.cursor.execute("SELECT line_id, amount, adjusted_on, document_no, reason FROM line_adjustments "
                            "WHERE line_id = ANY(%s) ORDER BY adjusted_on, id", (list(line_ids),))
        return _dicts(self.cursor)

    def payments(self, year, unit=None, line_ref=None, limit=100, offset=0):
        where, params = ["p.year = %(year)s"], {"year": year, "limit": limit, "offset": offset}
        if unit:
            where.append("p.unit_code = %(unit)s")
            params["unit"] = unit
        if line_ref:
            # the line's payments: by 指标文号, or without one by the line's codes
            where.append("(p.line_ref = %(line_ref)s OR (p.line_ref IS NULL AND EXISTS (SELECT 1 FROM budget_lines bl "
                         "WHERE bl.year = p.year AND bl.line_ref = %(line_ref)s AND bl.unit_code = p.unit_code "
                         "AND bl.func_code = p.func_code AND bl.econ_code = p.econ_code)))")
            params["line_ref"] = line_ref
        clause = " AND ".join(where)
        self.cursor.execute("SELECT count(*) FROM payments p WHERE " + clause, params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(
            "SELECT voucher_no, pay_date, unit_code, func_code, econ_code, project_code, line_ref, payee_name, "
            "payee_account, payee_type, amount, memo FROM payments p WHERE " + clause
            + " ORDER BY pay_date DESC, voucher_no LIMIT %(limit)s OFFSET %(offset)s", params)
        return _dicts(self.cursor), total

    def latest_payment_date(self, year):
        self.cursor.execute("SELECT max(pay_date) FROM payments WHERE year = %s", (year,))
        return self.cursor.fetchone()[0]

    # -- execution -----------------------------------------------------------------------------
    def execution(self, year, as_of, group_by, unit=None, department=None, sangong=False):
        """Rows of (group, name, budget, paid) for the year up to ``as_of``; ``month``: paid in
        each month and the year's budget. ``sangong``: only the 三公 economic classes."""
        params = {"year": year, "as_of": as_of, "unit": unit, "department": department,
                  "econ": list(SANGONG_ECON) if sangong else None}
        scope = ("(%(unit)s::text IS NULL OR {t}.unit_code = %(unit)s) AND (%(department)s::text IS NULL OR "
                 "{t}.unit_code IN (SELECT code FROM units WHERE department_code = %(department)s)) "
                 "AND (%(econ)s::text[] IS NULL OR {t}.econ_code = ANY(%(econ)s::text[]))")
        if group_by == "month":
            self.cursor.execute(
                "WITH " + LINES_CTE + " SELECT m AS key, m::text AS name, "
                "  (SELECT COALESCE(sum(budget), 0) FROM lines l WHERE " + scope.format(t="l") + ") AS budget, "
                "  COALESCE((SELECT sum(amount) FROM payments p WHERE p.year = %(year)s AND p.pay_date <= %(as_of)s "
                "     AND EXTRACT(MONTH FROM p.pay_date) = m AND " + scope.format(t="p") + "), 0) AS paid "
                "FROM generate_series(1, 12) AS m ORDER BY m", params)
            return _dicts(self.cursor)
        key = {"unit": ("u.code", "u.name"), "department": ("d.code", "d.name"),
               "func": ("left({t}.func_code, 3)", "fc.name"), "econ": ("left({t}.econ_code, 3)", "ec.name")}[group_by]
        budget_key = key[0].format(t="l")
        paid_key = key[0].format(t="p")
        self.cursor.execute(
            "WITH " + LINES_CTE + ", "
            "b AS (SELECT " + budget_key + " AS key, sum(l.budget) AS budget FROM lines l JOIN units u ON u.code = l.unit_code "
            "      JOIN departments d ON d.code = u.department_code WHERE " + scope.format(t="l") + " GROUP BY 1), "
            "pd AS (SELECT " + paid_key + " AS key, sum(p.amount) AS paid FROM payments p JOIN units u ON u.code = p.unit_code "
            "      JOIN departments d ON d.code = u.department_code "
            "      WHERE p.year = %(year)s AND p.pay_date <= %(as_of)s AND " + scope.format(t="p") + " GROUP BY 1) "
            "SELECT k.key, COALESCE(" + {"unit": "(SELECT name FROM units WHERE code = k.key)",
                                        "department": "(SELECT name FROM departments WHERE code = k.key)",
                                        "func": "(SELECT name FROM func_classes WHERE code = k.key)",
                                        "econ": "(SELECT name FROM econ_classes WHERE code = k.key)"}[group_by]
            + ", k.key) AS name, COALESCE(b.budget, 0) AS budget, COALESCE(pd.paid, 0) AS paid "
            "FROM (SELECT key FROM b UNION SELECT key FROM pd) k LEFT JOIN b ON b.key = k.key "
            "LEFT JOIN pd ON pd.key = k.key ORDER BY k.key", params)
        return _dicts(self.cursor)

    def unit_extras(self):
        self.cursor.execute("SELECT u.code, u.department_code, d.name AS department_name FROM units u "
                            "JOIN departments d ON d.code = u.department_code")
        return {r["code"]: r for r in _dicts(self.cursor)}

    # -- facts for the rules ---------------------------------------------------------------------
    def facts(self, year, as_of, settings):
        """{rule: rows} as the rule functions of domain.py take them (one temporary table of
        the year's payments with their lines, then one query per rule)."""
        params = {"year": year, "as_of": as_of, "sangong": list(SANGONG_ECON), "max": settings.max_evidence,
                  "large": settings.large_payment, "personal": settings.personal_payee}
        c = self.cursor
        c.execute("DROP TABLE IF EXISTS eval_lines, eval_pay")
        c.execute("CREATE TEMP TABLE eval_lines ON COMMIT DROP AS WITH " + LINES_CTE + " SELECT * FROM lines", params)
        c.execute("CREATE TEMP TABLE eval_pay ON COMMIT DROP AS WITH " + PAY_CTE + " SELECT * FROM pay", params)
        c.execute("ANALYZE eval_pay")
        facts = {}
        c.execute("SELECT u.code AS unit_code, COALESCE(b.budget, 0) AS budget, COALESCE(p.paid, 0) AS paid, "
                  "  COALESCE(p.december, 0) AS december "
                  "FROM units u "
                  "LEFT JOIN (SELECT unit_code, sum(budget) AS budget FROM eval_lines GROUP BY 1) b ON b.unit_code = u.code "
                  "LEFT JOIN (SELECT unit_code, sum(amount) AS paid, "
                  "   sum(amount) FILTER (WHERE EXTRACT(MONTH FROM pay_date) = 12) AS december "
                  "   FROM eval_pay GROUP BY 1) p ON p.unit_code = u.code ORDER BY u.code")
        units = _dicts(c)
        facts["pace_lag"] = units
        facts["year_end_rush"] = units
        c.execute("SELECT l.line_ref, l.unit_code, l.budget, COALESCE(p.paid, 0) AS paid, "
                  "  CASE WHEN p.paid > l.budget THEN p.vouchers END AS vouchers "
                  "FROM eval_lines l JOIN (SELECT line_id, sum(amount) AS paid, "
                  "  (array_agg(voucher_no ORDER BY amount DESC, voucher_no))[1:%(max)s] AS vouchers "
                  "  FROM eval_pay WHERE line_id IS NOT NULL GROUP BY 1) p ON p.line_id = l.id ORDER BY l.line_ref",
                  params)
        facts["over_line"] = _dicts(c)
        c.execute("SELECT unit_code, func_code, econ_code, count(*) AS count, sum(amount) AS paid, "
                  "  (array_agg(voucher_no ORDER BY amount DESC, voucher_no))[1:%(max)s] AS vouchers "
                  "FROM eval_pay WHERE line_id IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", params)
        facts["no_line"] = _dicts(c)
        c.execute("SELECT voucher_no, unit_code, amount, payee_name, payee_type, econ_code, pay_date FROM eval_pay "
                  "WHERE amount >= %(large)s OR (payee_type = 'person' AND amount >= %(personal)s) "
                  "ORDER BY voucher_no", params)
        big = _dicts(c)
        facts["large_payment"] = big
        facts["personal_payee"] = big
        c.execute("SELECT u.unit_code, COALESCE(b.budget, 0) AS budget, COALESCE(p.paid, 0) AS paid, p.vouchers "
                  "FROM (SELECT unit_code FROM eval_lines WHERE econ_code = ANY(%(sangong)s) "
                  "      UNION SELECT unit_code FROM eval_pay WHERE econ_code = ANY(%(sangong)s)) u "
                  "LEFT JOIN (SELECT unit_code, sum(budget) AS budget FROM eval_lines "
                  "           WHERE econ_code = ANY(%(sangong)s) GROUP BY 1) b ON b.unit_code = u.unit_code "
                  "LEFT JOIN (SELECT unit_code, sum(amount) AS paid, "
                  "  (array_agg(voucher_no ORDER BY amount DESC, voucher_no))[1:%(max)s] AS vouchers "
                  "  FROM eval_pay WHERE econ_code = ANY(%(sangong)s) GROUP BY 1) p ON p.unit_code = u.unit_code "
                  "ORDER BY 1", params)
        facts["sangong_over"] = _dicts(c)
        c.execute("SELECT l.line_ref, l.unit_code, l.project_code, l.project_name, l.issued_on, l.budget, "
                  "  COALESCE(array_agg(DISTINCT EXTRACT(QUARTER FROM p.pay_date)::int) "
                  "           FILTER (WHERE p.pay_date IS NOT NULL), '{}') AS quarters "
                  "FROM eval_lines l LEFT JOIN eval_pay p ON p.line_id = l.id "
                  "WHERE l.project_code IS NOT NULL GROUP BY l.id, l.line_ref, l.unit_code, l.project_code, "
                  "  l.project_name, l.issued_on, l.budget ORDER BY l.line_ref")
        facts["idle_project"] = _dicts(c)
        c.execute("SELECT count(*) FROM eval_pay")
        facts["payments_evaluated"] = c.fetchone()[0]
        c.execute("DROP TABLE eval_lines, eval_pay")
        return facts


ALERT_COLUMNS = ("id", "rule", "year", "subject", "unit_code", "severity", "status", "holds", "message", "figures",
                 "evidence", "as_of", "raised_at", "updated_at")


class AlertRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def of_year(self, year):
        self.cursor.execute("SELECT " + ", ".join(ALERT_COLUMNS) + " FROM alerts WHERE year = %s FOR UPDATE", (year,))
        return {(r["rule"], r["subject"]): r for r in _dicts(self.cursor)}

    def add(self, year, finding, as_of):
        self.cursor.execute(
            "INSERT INTO alerts (rule, year, subject, unit_code, severity, status, message, figures, evidence, as_of) "
            "VALUES (%s, %s, %s, %s, %s, 'raised', %s, %s, %s, %s) RETURNING " + ", ".join(ALERT_COLUMNS),
            (finding.rule, year, finding.subject, finding.unit_code, finding.severity, finding.message,
             Jsonb(finding.figures), Jsonb(finding.evidence), as_of))
        return _dict(self.cursor)

    def refresh(self, alert_id, finding, as_of, status):
        self.cursor.execute(
            "UPDATE alerts SET severity = %s, message = %s, figures = %s, evidence = %s, as_of = %s, holds = true, "
            "status = %s, updated_at = now() WHERE id = %s",
            (finding.severity, finding.message, Jsonb(finding.figures), Jsonb(finding.evidence), as_of, status,
             alert_id))

    def no_longer_holds(self, alert_id, as_of, status):
        self.cursor.execute("UPDATE alerts SET holds = false, as_of = %s, status = %s, updated_at = now() "
                            "WHERE id = %s", (as_of, status, alert_id))

    def set_status(self, alert_id, status):
        self.cursor.execute("UPDATE alerts SET status = %s, updated_at = now() WHERE id = %s", (status, alert_id))

    def get(self, alert_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(ALERT_COLUMNS) + " FROM alerts WHERE id = %s"
                            + (" FOR UPDATE" if for_update else ""), (alert_id,))
        return _dict(self.cursor)

    def list(self, year=None, rule=None, unit=None, status=None, limit=100, offset=0):
        where = Where().equal(("year", year), ("rule", rule), ("unit_code", unit), ("status", status))
        clause, params = where.clause, where.params
        self.cursor.execute("SELECT count(*) FROM alerts WHERE " + clause, params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT " + ", ".join(ALERT_COLUMNS) + " FROM alerts WHERE " + clause
                            + " ORDER BY (status IN ('closed', 'resolved')), raised_at DESC, id DESC "
                              "LIMIT %s OFFSET %s", params + [limit, offset])
        return _dicts(self.cursor), total

    def add_timeline(self, alert_id, action, actor, note, status):
        self.cursor.execute("INSERT INTO alert_timeline (alert_id, action, actor, note, status) "
                            "VALUES (%s, %s, %s, %s, %s)", (alert_id, action, actor, note, status))

    def timeline(self, alert_id):
        self.cursor.execute("SELECT at, action, actor, note, status FROM alert_timeline WHERE alert_id = %s "
                            "ORDER BY id", (alert_id,))
        return _dicts(self.cursor)


IMPORT_COLUMNS = ("id", "kind", "year", "filename", "content_hash", "size_bytes", "file_ref", "encoding", "status",
                  "rows_total", "rows_done", "rows_applied", "rows_skipped", "error_count", "message", "created_by",
                  "created_at", "started_at", "finished_at")


class ImportRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def add(self, import_id, kind, year, filename, content_hash, size_bytes, file_ref, encoding, created_by):
        """The new import, or None when this file (hash, kind, year) was imported before."""
        self.cursor.execute(
            "INSERT INTO imports (id, kind, year, filename, content_hash, size_bytes, file_ref, encoding, created_by) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (content_hash, kind, year) DO NOTHING "
            "RETURNING " + ", ".join(IMPORT_COLUMNS),
            (import_id, kind, year, filename, content_hash, size_bytes, file_ref, encoding, created_by))
        return _dict(self.cursor)

    def by_hash(self, content_hash, kind, year):
        self.cursor.execute("SELECT " + ", ".join(IMPORT_COLUMNS) + " FROM imports WHERE content_hash = %s "
                            "AND kind = %s AND year = %s", (content_hash, kind, year))
        return _dict(self.cursor)

    def get(self, import_id):
        self.cursor.execute("SELECT " + ", ".join(IMPORT_COLUMNS) + " FROM imports WHERE id = %s", (import_id,))
        return _dict(self.cursor)

    def list(self, limit=50, offset=0):
        self.cursor.execute("SELECT count(*) FROM imports")
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT " + ", ".join(IMPORT_COLUMNS) + " FROM imports ORDER BY created_at DESC "
                            "LIMIT %s OFFSET %s", (limit, offset))
        return _dicts(self.cursor), total

    def errors(self, import_id, limit=None):
        self.cursor.execute("SELECT row_no AS row, column_name AS column, message FROM import_errors "
                            "WHERE import_id = %s ORDER BY seq" + (" LIMIT %s" if limit else ""),
                            (import_id, limit) if limit else (import_id,))
        return _dicts(self.cursor)

    def waiting(self):
        self.cursor.execute("SELECT id FROM imports WHERE status IN ('queued', 'running') ORDER BY created_at")
        return [row[0] for row in self.cursor.fetchall()]


REPOSITORIES = {"budget": BudgetRepository, "alerts": AlertRepository, "imports": ImportRepository}
