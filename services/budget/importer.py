"""The import of one treasury file, run in a worker process of its own:
``python -m services.budget.importer <import id>`` (started by the budget service, see
``ImportRunner`` in service.py and docs/architecture.md for why a process and not a thread).

One pass over the file finds its encoding (UTF-8, else GB18030 ⊇ GBK) and counts its rows;
then, in ONE transaction: the rows stream into a temporary staging table with ``COPY`` (CSV
bytes go to the server as they are, with the file's encoding; XLSX rows are read one by
one with openpyxl's read-only mode), are merged into ``payments`` / ``budget_lines`` by one
``INSERT ... SELECT`` (a fast one for canonical payment files, else a careful parse), and any
row the merge left out is checked in SQL (one scan writes the row-level error report:
spreadsheet row, column, reason). The import either commits (``payments_imported`` in the
outbox) or is rolled back whole (rejected, only its report stored). After a committed import the rules run as
of the latest payment date. Memory stays flat in the size of the file.

No eventlet here: plain psycopg with its C wait function.
"""
import codecs
import csv
import datetime
import io
import logging
import os
import re
import sys
import time
import uuid

import psycopg
from psycopg import sql

from contracts.budget import import_directory
from contracts.events import budget as events
from services.budget.domain import COLUMNS, HeaderProblem, column_label, map_header

log = logging.getLogger("budget.importer")
CHUNK = 1 << 20
MAX_REPORTED_ERRORS = 1000
PROGRESS_EVERY_SECONDS = 0.3
IMPORT_WORK_MEM = "64MB"
IMPORT_APPLICATION_NAME = "budget-import"


# -- reading the file ---------------------------------------------------------------------------
def is_xlsx(path):
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def scan_csv(path, encoding="auto"):
    """(python codec, PostgreSQL encoding, newline count) in one pass over the file."""
    newlines, utf8_ok, tail = 0, True, b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            tail = chunk[-1:]
            if utf8_ok and encoding == "auto":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
    if tail and tail != b"\n":
        newlines += 1
    if encoding == "auto":
        encoding = "utf-8" if utf8_ok else "gbk"
    if encoding == "utf-8":
        return "utf-8-sig", "UTF8", newlines
    return "gb18030", "GB18030", newlines


def read_header(path, codec):
    """The header cells and the byte offset where the data rows begin."""
    with open(path, "rb") as f:
        first = f.readline(1 << 16)
    text = first.decode(codec)
    cells = next(csv.reader([text.rstrip("\r\n")]), [])
    return cells, len(first)


def cell_text(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def xlsx_rows(path):
    from openpyxl import load_workbook  # read-only mode streams the sheet's XML row by row

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(v) for v in row]
    finally:
        workbook.close()


# -- validation in SQL ----------------------------------------------------------------------------
# Dates and amounts are parsed once per row in LATERAL subqueries (OFFSET 0 keeps the planner
# from inlining them, which would evaluate them again at every reference), with string
# functions only: no regular expressions (PostgreSQL's regex engine costs ~30-80 µs a row on
# text with CJK characters) and no exceptions. Dates: 2026-03-05, 2026/3/5, 2026.3.5,
# 20260305, 2026年3月5日, with or without a time after a space. Amounts: digits, at most two
# decimals, thousands separators allowed.
def _parsed(date_column):
    return f"""(SELECT s.*, dp.y, dp.m, dp.d, dp.date_ok, am.amt, am.amt_ok FROM stage s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN length(q.n) = 8 AND translate(q.n, '0123456789', '') = ''
                    THEN substr(q.n, 1, 4) || '-' || substr(q.n, 5, 2) || '-' || substr(q.n, 7, 2) ELSE q.n END AS norm
        FROM (SELECT replace(translate(split_part(btrim(COALESCE(s.{date_column}, '')), ' ', 1), '/.年月', '----'),
                             '日', '') AS n) q
        OFFSET 0) nd
    CROSS JOIN LATERAL (
        SELECT p.y, p.m, p.d,
               COALESCE(p.y BETWEEN 1900 AND 2200 AND p.m BETWEEN 1 AND 12 AND p.d BETWEEN 1 AND
                   CASE WHEN p.m IN (4, 6, 9, 11) THEN 30
                        WHEN p.m = 2 THEN CASE WHEN (mod(p.y, 4) = 0 AND mod(p.y, 100) <> 0) OR mod(p.y, 400) = 0 THEN 29 ELSE 28 END
                        ELSE 31 END, false) AS date_ok
        FROM (SELECT CASE WHEN o.ok THEN split_part(nd.norm, '-', 1)::int END AS y,
                     CASE WHEN o.ok THEN split_part(nd.norm, '-', 2)::int END AS m,
                     CASE WHEN o.ok THEN split_part(nd.norm, '-', 3)::int END AS d
              FROM (SELECT translate(nd.norm, '0123456789-', '') = '' AND length(split_part(nd.norm, '-', 1)) = 4
                           AND length(split_part(nd.norm, '-', 2)) BETWEEN 1 AND 2
                           AND length(split_part(nd.norm, '-', 3)) BETWEEN 1 AND 2
                           AND split_part(nd.norm, '-', 4) = '' AS ok) o) p
        OFFSET 0) dp
    CROSS JOIN LATERAL (
        SELECT CASE WHEN x.ok THEN x.a::numeric END AS amt, x.ok AS amt_ok
        FROM (SELECT y.a, (y.a <> '' AND translate(y.a, '0123456789.', '') = ''
                           AND length(y.a) - length(replace(y.a, '.', '')) <= 1
                           AND length(split_part(y.a, '.', 1)) BETWEEN 1 AND 16
                           AND length(split_part(y.a, '.', 2)) <= 2) AS ok
              FROM (SELECT btrim(replace(COALESCE(s.amount, ''), ',', '')) AS a) y) x
        OFFSET 0) am)"""


PAYMENT_CHECKS = """
SELECT s.row_no, e.ord, e.col, e.msg FROM (
    SELECT s.*, u.code AS known_unit, fc.code AS known_func, ec.code AS known_econ,
           dup.first_row, p.voucher_no AS stored_voucher,
           (p.voucher_no IS NOT NULL AND (p.pay_date, p.unit_code, p.func_code, p.econ_code, COALESCE(p.project_code, ''),
              COALESCE(p.line_ref, ''), p.payee_name, p.payee_account, p.payee_type, p.amount, COALESCE(p.memo, ''))
              IS DISTINCT FROM
             (CASE WHEN s.date_ok THEN make_date(s.y, s.m, s.d) END, s.unit_code, s.func_code, s.econ_code,
              COALESCE(s.project_code, ''), COALESCE(s.line_ref, ''), s.payee_name, s.payee_account,
              CASE WHEN s.payee_type IN ('单位', 'unit') THEN 'unit' WHEN s.payee_type IN ('个人', 'person') THEN 'person' END,
              s.amt, COALESCE(s.memo, ''))) AS differs
    FROM {payments_parsed} s
    LEFT JOIN units u ON u.code = s.unit_code
    LEFT JOIN func_classes fc ON fc.code = s.func_code
    LEFT JOIN econ_classes ec ON ec.code = s.econ_code
    LEFT JOIN (SELECT voucher_no, min(row_no) AS first_row FROM stage GROUP BY 1 HAVING count(*) > 1) dup
           ON dup.voucher_no = s.voucher_no
    LEFT JOIN payments p ON p.voucher_no = s.voucher_no AND p.import_id IS DISTINCT FROM %(import_id)s
) s CROSS JOIN LATERAL (SELECT COALESCE(
        btrim(s.voucher_no) <> '' AND length(s.voucher_no) <= 64 AND (s.first_row IS NULL OR s.row_no = s.first_row)
        AND NOT s.differs AND s.date_ok AND s.y = %(year)s AND s.known_unit IS NOT NULL AND s.known_func IS NOT NULL
        AND s.known_econ IS NOT NULL AND btrim(s.payee_name) <> '' AND btrim(s.payee_account) <> ''
        AND s.payee_type IN ('单位', '个人', 'unit', 'person') AND s.amt_ok AND s.amt <> 0, false) AS ok OFFSET 0) good
CROSS JOIN LATERAL (VALUES
    (1, 'voucher_no', CASE WHEN COALESCE(btrim(s.voucher_no), '') = '' THEN '必填'
                           WHEN length(s.voucher_no) > 64 THEN '过长（最多64个字符）'
                           WHEN s.first_row IS NOT NULL AND s.row_no <> s.first_row
                             THEN '支付凭证号在文件中重复（首次出现在第 ' || (s.first_row + 1) || ' 行）'
                           WHEN s.differs THEN '支付凭证号已存在且内容不同（更正请以调整方式办理）' END),
    (2, 'pay_date', CASE WHEN COALESCE(btrim(s.pay_date), '') = '' THEN '必填'
                         WHEN NOT s.date_ok THEN '不是有效日期：' || left(s.pay_date, 40)
                         WHEN s.y <> %(year)s THEN '日期不在 ' || %(year)s || ' 年度' END),
    (3, 'unit_code', CASE WHEN COALESCE(btrim(s.unit_code), '') = '' THEN '必填'
                          WHEN s.known_unit IS NULL THEN '未知的预算单位编码：' || left(s.unit_code, 40) END),
    (4, 'func_code', CASE WHEN COALESCE(btrim(s.func_code), '') = '' THEN '必填'
                          WHEN s.known_func IS NULL THEN '未知的功能分类编码：' || left(s.func_code, 40) END),
    (5, 'econ_code', CASE WHEN COALESCE(btrim(s.econ_code), '') = '' THEN '必填'
                          WHEN s.known_econ IS NULL THEN '未知的经济分类编码：' || left(s.econ_code, 40) END),
    (6, 'payee_name', CASE WHEN COALESCE(btrim(s.payee_name), '') = '' THEN '必填' END),
    (7, 'payee_account', CASE WHEN COALESCE(btrim(s.payee_account), '') = '' THEN '必填' END),
    (8, 'payee_type', CASE WHEN s.payee_type IS NULL OR s.payee_type NOT IN ('单位', '个人', 'unit', 'person')
                           THEN '应为 单位 或 个人' END),
    (9, 'amount', CASE WHEN COALESCE(btrim(s.amount), '') = '' THEN '必填'
                       WHEN NOT s.amt_ok THEN '不是有效金额（元，最多两位小数）：' || left(s.amount, 40)
                       WHEN s.amt = 0 THEN '金额应大于 0' END)
) AS e(ord, col, msg)
WHERE NOT good.ok AND e.msg IS NOT NULL
"""

# The fast path: a file whose codes are all known (FAST_CODES_UNKNOWN: one scan of the staging
# table, each distinct code looked up once instead of three joins per row) and whose dates are
# all YYYY-MM-DD and amounts plain decimals (what treasury systems export) is merged by one
# statement that casts them directly. Any other spelling turns into 'invalid' and the cast error
# sends the import to PAYMENT_MERGE, which reads every accepted spelling; a voucher already
# stored or repeated in the file fails the primary key and does the same. A row this statement leaves out (wrong year, zero amount, unknown code, empty field)
# makes the count short, and the checks then report it.
PAYMENT_FAST_MERGE = """
INSERT INTO payments (voucher_no, year, pay_date, unit_code, func_code, econ_code, project_code, line_ref,
                      payee_name, payee_account, payee_type, amount, memo, import_id)
SELECT s.voucher_no, %(year)s, s.day, s.unit_code, s.func_code, s.econ_code, NULLIF(s.project_code, ''),
       NULLIF(s.line_ref, ''), s.payee_name, s.payee_account,
       CASE WHEN s.payee_type IN ('单位', 'unit') THEN 'unit' ELSE 'person' END, s.yuan, NULLIF(s.memo, ''),
       %(import_id)s
FROM (SELECT s.*,
             (CASE WHEN length(s.pay_date) = 10 AND substr(s.pay_date, 5, 1) = '-' AND substr(s.pay_date, 8, 1) = '-'
                        AND translate(s.pay_date, '0123456789', '') = '--'
                   THEN s.pay_date ELSE 'invalid' END)::date AS day,
             (CASE WHEN s.amount <> '' AND translate(s.amount, '0123456789.', '') = ''
                        AND length(s.amount) - length(replace(s.amount, '.', '')) <= 1
                        AND length(split_part(s.amount, '.', 1)) BETWEEN 1 AND 16
                        AND length(split_part(s.amount, '.', 2)) <= 2
                   THEN s.amount ELSE 'invalid' END)::numeric(18, 2) AS yuan
      FROM stage s OFFSET 0) s
WHERE btrim(s.voucher_no) <> '' AND length(s.voucher_no) <= 64
  AND s.day >= make_date(%(year)s, 1, 1) AND s.day < make_date(%(year)s + 1, 1, 1)
  AND btrim(s.payee_name) <> '' AND btrim(s.payee_account) <> '' AND s.payee_type IN ('单位', '个人', 'unit', 'person')
  AND s.yuan <> 0
"""

FAST_CODES_UNKNOWN = """
SELECT count(*) FROM (
    SELECT unit_code, func_code, econ_code, GROUPING(unit_code, func_code, econ_code) AS set_bits FROM stage
    GROUP BY GROUPING SETS ((unit_code), (func_code), (econ_code))) c
WHERE (c.set_bits = 3 AND NOT EXISTS (SELECT 1 FROM units u WHERE u.code = c.unit_code))
   OR (c.set_bits = 5 AND NOT EXISTS (SELECT 1 FROM func_classes f WHERE f.code = c.func_code))
   OR (c.set_bits = 6 AND NOT EXISTS (SELECT 1 FROM econ_classes e WHERE e.code = c.econ_code))
"""

# The careful merge parses each row once, with every accepted spelling, and writes it (no ON
# CONFLICT: its speculative insertion costs per row; vouchers already stored are left out by an
# anti-join, and a voucher repeated in the file fails the primary key, which sends the import
# down the checks' path). A row left out here is either stored with
# the same content (skipped) or an error that PAYMENT_CHECKS reports: the filter is the checks'
# "ok" test without the two tests that need the whole file (repeats) or the stored row (content).
PAYMENT_MERGE = """
INSERT INTO payments (voucher_no, year, pay_date, unit_code, func_code, econ_code, project_code, line_ref,
                      payee_name, payee_account, payee_type, amount, memo, import_id)
SELECT s.voucher_no, %(year)s, make_date(s.y, s.m, s.d), s.unit_code, s.func_code, s.econ_code, NULLIF(s.project_code, ''),
       NULLIF(s.line_ref, ''), s.payee_name, s.payee_account,
       CASE WHEN s.payee_type IN ('单位', 'unit') THEN 'unit' ELSE 'person' END, s.amt, NULLIF(s.memo, ''),
       %(import_id)s
FROM {payments_parsed} s
JOIN units u ON u.code = s.unit_code
JOIN func_classes fc ON fc.code = s.func_code
JOIN econ_classes ec ON ec.code = s.econ_code
WHERE btrim(s.voucher_no) <> '' AND length(s.voucher_no) <= 64 AND s.date_ok AND s.y = %(year)s
  AND btrim(s.payee_name) <> '' AND btrim(s.payee_account) <> '' AND s.payee_type IN ('单位', '个人', 'unit', 'person')
  AND s.amt_ok AND s.amt <> 0
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.voucher_no = s.voucher_no)
"""

LINE_CHECKS = """
SELECT s.row_no, e.ord, e.col, e.msg FROM (
    SELECT s.*, u.code AS known_unit, fc.code AS known_func, ec.code AS known_econ,
           dup.first_row, bl.line_ref AS stored, bk.code AS known_kind
    FROM {lines_parsed} s
    LEFT JOIN units u ON u.code = s.unit_code
    LEFT JOIN func_classes fc ON fc.code = s.func_code
    LEFT JOIN econ_classes ec ON ec.code = s.econ_code
    LEFT JOIN budget_kinds bk ON bk.code = s.budget_kind OR bk.name = s.budget_kind
    LEFT JOIN (SELECT line_ref, min(row_no) AS first_row FROM stage GROUP BY 1 HAVING count(*) > 1) dup
           ON dup.line_ref = s.line_ref
    LEFT JOIN budget_lines bl ON bl.year = %(year)s AND bl.line_ref = s.line_ref
) s CROSS JOIN LATERAL (SELECT COALESCE(
        btrim(s.line_ref) <> '' AND (s.first_row IS NULL OR s.row_no = s.first_row) AND s.stored IS NULL
        AND s.known_unit IS NOT NULL AND s.known_kind IS NOT NULL AND s.known_func IS NOT NULL
        AND s.known_econ IS NOT NULL AND s.amt_ok AND (COALESCE(btrim(s.issued_on), '') = '' OR s.date_ok),
        false) AS ok OFFSET 0) good
CROSS JOIN LATERAL (VALUES
    (1, 'line_ref', CASE WHEN COALESCE(btrim(s.line_ref), '') = '' THEN '必填'
                         WHEN s.first_row IS NOT NULL AND s.row_no <> s.first_row
                           THEN '指标文号在文件中重复（首次出现在第 ' || (s.first_row + 1) || ' 行）'
                         WHEN s.stored IS NOT NULL THEN '指标文号本年度已存在（调整请以调整方式办理）' END),
    (2, 'unit_code', CASE WHEN COALESCE(btrim(s.unit_code), '') = '' THEN '必填'
                          WHEN s.known_unit IS NULL THEN '未知的预算单位编码：' || left(s.unit_code, 40) END),
    (3, 'budget_kind', CASE WHEN s.known_kind IS NULL THEN '未知的预算类型：' || left(COALESCE(s.budget_kind, ''), 40) END),
    (4, 'func_code', CASE WHEN s.known_func IS NULL THEN '未知的功能分类编码：' || left(COALESCE(s.func_code, ''), 40) END),
    (5, 'econ_code', CASE WHEN s.known_econ IS NULL THEN '未知的经济分类编码：' || left(COALESCE(s.econ_code, ''), 40) END),
    (6, 'amount', CASE WHEN COALESCE(btrim(s.amount), '') = '' THEN '必填'
                       WHEN NOT s.amt_ok THEN '不是有效金额（元，最多两位小数）：' || left(s.amount, 40) END),
    (7, 'issued_on', CASE WHEN COALESCE(btrim(s.issued_on), '') <> '' AND NOT s.date_ok
                          THEN '不是有效日期：' || left(s.issued_on, 40) END)
) AS e(ord, col, msg)
WHERE NOT good.ok AND e.msg IS NOT NULL
"""

LINE_MERGE = """
INSERT INTO budget_lines (year, line_ref, unit_code, budget_kind, func_code, econ_code, project_code, project_name,
                          amount, issued_on, import_id)
SELECT %(year)s, s.line_ref, s.unit_code, bk.code, s.func_code, s.econ_code, NULLIF(s.project_code, ''),
       NULLIF(s.project_name, ''), s.amt,
       CASE WHEN s.date_ok THEN make_date(s.y, s.m, s.d) END, %(import_id)s
FROM {lines_parsed} s
JOIN budget_kinds bk ON bk.code = s.budget_kind OR bk.name = s.budget_kind
"""


# The year's latest payment date: one backward probe of the (year, unit_code, pay_date) index
# per unit instead of reading the whole year (every payment's unit is a known unit: imports
# check it, the demo loader uses the demo units).
LATEST_PAY_DATE = """
SELECT max(x.latest) FROM units u
CROSS JOIN LATERAL (SELECT max(p.pay_date) AS latest FROM payments p
                    WHERE p.year = %(year)s AND p.unit_code = u.code COLLATE "C") x
"""


def _sql(template):
    return template.format(payments_parsed=_parsed("pay_date"), lines_parsed=_parsed("issued_on"))


# -- the import -----------------------------------------------------------------------------------
class Rejected(Exception):
    def __init__(self, errors, message):
        super().__init__(message)
        self.errors = errors  # [(row, column, message)]


class Progress:
    """rows_done written from a second (autocommit) connection while the import's own
    transaction is still open, at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, dsn, import_id):
        self.conn = psycopg.connect(dsn, autocommit=True, application_name="budget-import-progress")
        self.import_id = import_id
        self.last = 0.0

    def set(self, done=None, total=None, status=None, force=False):
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        self.conn.execute(
            "UPDATE imports SET rows_done = COALESCE(%s, rows_done), rows_total = COALESCE(%s, rows_total), "
            "status = COALESCE(%s, status), started_at = COALESCE(started_at, now()) WHERE id = %s",
            (done, total, status, self.import_id))

    def close(self):
        self.conn.close()


def copy_context_row(exc):
    """The spreadsheet row of a COPY error (its CONTEXT says 'line N' of the data)."""
    context = getattr(exc.diag, "context", None) or ""
    match = re.search(r"line (\d+)", context)
    column = re.search(r"column (\w+)", context)
    return (int(match.group(1)) + 1 if match else None), (column.group(1) if column else None)


def stream_csv(cursor, path, fields, pg_encoding, offset, progress, total):
    columns = sql.SQL(", ").join(sql.Identifier(f) for f in fields)
    statement = sql.SQL("COPY stage ({}) FROM STDIN WITH (FORMAT csv, ENCODING {})").format(
        columns, sql.Literal(pg_encoding))
    done = 0
    with open(path, "rb") as f, cursor.copy(statement) as copy:
        f.seek(offset)
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            copy.write(chunk)
            done += chunk.count(b"\n")
            progress.set(done=min(done, total))
    return cursor.rowcount


def stream_xlsx(cursor, rows, fields, progress):
    columns = sql.SQL(", ").join(sql.Identifier(f) for f in fields)
    width = len(fields)
    done = 0
    with cursor.copy(sql.SQL("COPY stage ({}) FROM STDIN").format(columns)) as copy:
        for row in rows:
            if not any(v not in (None, "") for v in row):
                done += 1  # an empty row (spreadsheets keep some): counted, not staged
                continue
            row = (list(row) + [None] * width)[:width] if len(row) != width else row
            copy.write_row(row)
            done += 1
            progress.set(done=done)
    return done


def run_import(dsn, import_id, import_dir):
    """Import one file; returns the import's final row as a dict."""
    conn = psycopg.connect(dsn, application_name=IMPORT_APPLICATION_NAME)  # named in pg_stat_activity
    progress = Progress(dsn, import_id)
    try:
        return _run(conn, progress, import_id, import_dir)
    finally:
        progress.close()
        conn.close()


def _stage_table(cursor, kind):
    names = [name for name, _, _ in COLUMNS[kind]]
    cursor.execute(sql.SQL("CREATE TEMP TABLE stage (row_no bigint GENERATED ALWAYS AS IDENTITY, {}) "
                           "ON COMMIT DROP").format(
        sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(n)) for n in names)))


def _run(conn, progress, import_id, import_dir):
    cursor = conn.cursor()
    cursor.execute("SELECT id, kind, year, file_ref, encoding, status FROM imports WHERE id = %s FOR UPDATE",
                   (import_id,))
    row = cursor.fetchone()
    if row is None or row[5] in ("committed", "rejected"):
        conn.rollback()
        return None
    _, kind, year, file_ref, encoding, _ = row
    conn.commit()  # the row lock is not held during the work: the advisory lock below is
    cursor.execute("SELECT pg_try_advisory_lock(hashtextextended('budget-import:' || %s::text, 0))", (import_id,))
    if not cursor.fetchone()[0]:
        conn.rollback()
        return None  # another worker has it
    path = os.path.join(import_dir, os.path.basename(file_ref))
    labels = {}
    timer = PhaseTimer()
    try:
        # the duplicate-voucher aggregate and the anti-join hash a whole file: in memory, not in
        # temporary files (this session's backend only; bounded, whatever the file's size)
        cursor.execute("SELECT set_config('work_mem', %s, true)", (IMPORT_WORK_MEM,))
        # no parallel workers (a 2-core host runs the services' RPCs beside the import) and no JIT
        # (its compile time outweighs what it saves on these one-pass statements)
        cursor.execute("SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)")
        _stage_table(cursor, kind)
        if is_xlsx(path):
            rows = xlsx_rows(path)
            header = next(rows, [])
            fields = _header(kind, header, labels)
            progress.set(status="running", force=True)
            total = stream_xlsx(cursor, rows, fields, progress)
            staged = cursor.rowcount
        else:
            codec, pg_encoding, newlines = scan_csv(path, encoding)
            header, offset = read_header(path, codec)
            fields = _header(kind, header, labels)
            total = max(newlines - 1, 0)
            progress.set(done=0, total=total, status="running", force=True)
            timer.lap("scan")
            try:
                staged = stream_csv(cursor, path, fields, pg_encoding, offset, progress, total)
            except (psycopg.errors.BadCopyFileFormat, psycopg.errors.CharacterNotInRepertoire,
                    psycopg.errors.UntranslatableCharacter, psycopg.errors.InvalidTextRepresentation,
                    psycopg.errors.DataError) as exc:
                row_no, _ = copy_context_row(exc)
                raise Rejected([(row_no, None, f"无法读取该行：{exc.diag.message_primary}")],
                               "file cannot be read as CSV")
        progress.set(done=staged, total=staged, force=True)
        timer.lap("copy")
        params = {"year": year, "import_id": import_id}
        if staged == 0:
            raise Rejected([(2, None, "文件中没有数据行")], "no data rows")
        if kind == "payments":
            applied = _merge_payments(cursor, params, staged, labels, timer)
        else:
            _raise_errors(cursor, kind, _sql(LINE_CHECKS), params, labels)
            timer.lap("checks")
            cursor.execute(_sql(LINE_MERGE), params)
            applied = cursor.rowcount
            timer.lap("merge")
        latest = None
        if kind == "payments":
            cursor.execute(LATEST_PAY_DATE, {"year": year})
            latest = cursor.fetchone()[0]
        event_type = events.PAYMENTS_IMPORTED if kind == "payments" else events.LINES_IMPORTED
        _emit(cursor, event_type, import_id, {
            "import_id": str(import_id), "kind": kind, "year": year, "rows_total": staged, "rows_applied": applied,
            "rows_skipped": staged - applied, "latest_pay_date": latest.isoformat() if latest else None})
        cursor.execute("UPDATE imports SET status = 'committed', rows_total = %s, rows_done = %s, rows_applied = %s, "
                       "rows_skipped = %s, finished_at = now(), message = NULL WHERE id = %s",
                       (staged, staged, applied, staged - applied, import_id))
        conn.commit()
        timer.lap("commit")
        log.info("import %s committed: %d rows staged, %d applied; seconds %s", import_id, staged, applied,
                 timer.laps)
        return {"status": "committed", "rows_applied": applied, "latest": latest, "year": year, "kind": kind,
                "seconds": timer.laps}
    except Rejected as rejected:
        conn.rollback()
        _reject(cursor, import_id, rejected)
        conn.commit()
        return {"status": "rejected", "errors": len(rejected.errors), "seconds": timer.laps}
    except HeaderProblem as problem:
        conn.rollback()
        _reject(cursor, import_id, Rejected([(1, column, message) for column, message in problem.problems],
                                            "bad header"))
        conn.commit()
        return {"status": "rejected"}
    finally:
        try:
            cursor.execute("SELECT pg_advisory_unlock_all()")
            conn.commit()
        except psycopg.Error:
            pass


def _merge_payments(cursor, params, staged, labels, timer):
    """Insert the file's new payments (the fast merge, else the careful one); the number
    inserted. Rows left out (stored with the same content: skipped; or errors) send the import
    through the checks, as does a voucher repeated in the file (the primary key refuses it).
    Imports merge one at a time (an advisory lock for the transaction), so neither merge races
    another import's commit of the same voucher."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended('budget-import-merge', 0))")
    cursor.execute("SAVEPOINT merge")
    inserted = None
    cursor.execute(FAST_CODES_UNKNOWN)
    if cursor.fetchone()[0] == 0:
        try:
            cursor.execute(PAYMENT_FAST_MERGE, params)
            inserted = cursor.rowcount
        except (psycopg.errors.DataError, psycopg.errors.UniqueViolation):
            cursor.execute("ROLLBACK TO SAVEPOINT merge")
    if inserted is None:
        timer.lap("fast_merge_abandoned")
        cursor.execute("ANALYZE stage")  # row count and value spread for the joins' plans
        try:
            cursor.execute(_sql(PAYMENT_MERGE), params)
            inserted = cursor.rowcount
        except psycopg.errors.UniqueViolation:  # a voucher repeated in the file: the checks name it
            cursor.execute("ROLLBACK TO SAVEPOINT merge")
    timer.lap("merge")
    if inserted == staged:
        return inserted  # every row new and valid: nothing left to check
    _raise_errors(cursor, "payments", _sql(PAYMENT_CHECKS), params, labels)
    timer.lap("checks")
    if inserted is None:  # cannot happen under the merge lock unless the checks miss a repeat
        raise Rejected([(None, None, "支付凭证号重复")], "voucher number repeated")
    return inserted


def _raise_errors(cursor, kind, checks, params, labels):
    """Rejected with the first MAX_REPORTED_ERRORS row errors (and the count of all), if any."""
    cursor.execute("SELECT row_no, col, msg, count(*) OVER () FROM (" + checks + ") x "
                   "ORDER BY row_no, ord LIMIT %(limit)s", dict(params, limit=MAX_REPORTED_ERRORS))
    found = cursor.fetchall()
    if found:
        errors = [(r + 1, labels.get(c, column_label(kind, c)), m) for r, c, m, _ in found]
        raise _rejected(errors, found[0][3])


class PhaseTimer:
    """Seconds spent in each phase of an import, for its log line (where the time goes)."""

    def __init__(self):
        self.laps = {}
        self.last = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0) + now - self.last, 3)
        self.last = now


def _rejected(errors, count):
    rejected = Rejected(errors, f"{count} error(s)")
    rejected.count = count
    return rejected


def _header(kind, header, labels):
    fields = map_header(kind, header)
    for field, cell in zip(fields, header):
        labels[field] = (cell or "").strip().lstrip("\ufeff").strip()
    return fields


def _reject(cursor, import_id, rejected):
    count = getattr(rejected, "count", len(rejected.errors))
    cursor.execute("DELETE FROM import_errors WHERE import_id = %s", (import_id,))
    with cursor.copy("COPY import_errors (import_id, seq, row_no, column_name, message) FROM STDIN") as copy:
        for seq, (row, column, message) in enumerate(rejected.errors, start=1):
            copy.write_row((import_id, seq, row, column, message))
    cursor.execute("UPDATE imports SET status = 'rejected', error_count = %s, message = %s, finished_at = now(), "
                   "rows_applied = 0 WHERE id = %s", (count, str(rejected), import_id))


def _emit(cursor, event_type, aggregate_id, data):
    """The outbox row (kernel envelope) of an event, in the import's transaction."""
    from psycopg.types.json import Jsonb

    from kernel.db import check_event_contract
    from kernel.envelope import new_envelope

    check_event_contract(event_type, data)
    envelope = new_envelope(event_type, data, "budget", aggregate_id=str(aggregate_id))
    cursor.execute("INSERT INTO outbox (event_id, aggregate_id, event_type, exchange, routing_key, payload) "
                   "VALUES (%s, %s, %s, 'budget.events', %s, %s)",
                   (envelope["event_id"], envelope["aggregate_id"], event_type, event_type, Jsonb(envelope)))


def main(argv=None):
    """``python -m services.budget.importer <import id>``: import, then run the rules."""
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s budget.importer %(message)s")
    from kernel.config import load_config, service_dsn

    config = load_config()
    nice = int(config.get("BUDGET_IMPORT_NICE") or 0)
    if nice > 0:
        os.nice(nice)  # the worker's own CPU yields to the services' RPCs on the same host
    dsn = service_dsn(config, "budget")
    import_dir = import_directory(config)
    import_id = uuid.UUID(argv[0])
    result = run_import(dsn, import_id, import_dir)
    log.info("import %s: %s", import_id, result)
    if result and result["status"] == "committed" and result.get("latest"):
        started = time.perf_counter()
        evaluated = evaluate_after_import(config, dsn, result["year"], result["latest"])
        log.info("import %s: rules as of %s in %.3f s: %s", import_id, result["latest"],
                 time.perf_counter() - started, evaluated)
    return 0


def evaluate_after_import(config, dsn, year, latest):
    from kernel.db import PostgresUnitOfWork, make_pool
    from services.budget import handlers
    from services.budget.domain import BudgetSettings
    from services.budget.repository import REPOSITORIES

    pool = make_pool(dsn, 1, "budget-importer")
    pool.open(wait=True, timeout=10)
    try:
        return handlers.evaluate({"year": year, "as_of": latest}, {"username": "import", "role": "staff"},
                                 PostgresUnitOfWork(pool, "budget", REPOSITORIES), BudgetSettings.from_config(config))
    finally:
        pool.close()


if __name__ == "__main__":
    sys.exit(main())
