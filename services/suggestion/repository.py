"""SQL of the suggestion schema. Returns domain objects / plain dicts."""
from psycopg.types.json import Jsonb

from kernel.deputy_directory import DeputyDirectoryRepository
from kernel.sqlwhere import Where
from services.suggestion.domain import Assignment, Suggestion

SUGGESTION_COLUMNS = ("id", "number", "term", "session", "title", "content", "category", "lead_deputy", "status",
                      "filed_by", "submitted_at", "updated_at", "difficult", "key_supervision", "reject_reason",
                      "reject_note", "merged_into", "awaiting_reassignment", "rehandling_round", "satisfaction",
                      "evaluation_comment", "accepted_at", "assigned_at", "replied_at", "evaluated_at", "closed_at",
                      "version", "source")
ASSIGNMENT_COLUMNS = ("id", "suggestion_id", "department", "role", "status", "active", "assigned_at", "due_date",
                      "latest_due_date", "acknowledged_at", "returned_at", "return_reason", "extension_status",
                      "extension_due_date", "extension_reason", "view_content", "view_sent_at", "reply_category",
                      "reply_content", "replied_at", "followup_content", "followed_up_at", "due_soon_notified_at",
                      "overdue_notified_at")
# the inbox's sort keys (InboxQuerySchema) -> a fixed ORDER BY; never text from the request
INBOX_ORDER = {"due_date": "a.due_date, a.id", "-due_date": "a.due_date DESC, a.id DESC",
               "assigned_at": "a.assigned_at, a.id", "-assigned_at": "a.assigned_at DESC, a.id DESC"}
_MUTABLE_SUGGESTION = tuple(c for c in SUGGESTION_COLUMNS
                            if c not in ("id", "number", "term", "session", "filed_by",
                                                                      "submitted_at", "version", "source"))
_MUTABLE_ASSIGNMENT = ASSIGNMENT_COLUMNS[4:]
_TEXT = "(s.title || ' ' || s.content)"


def _suggestion(row):
    return Suggestion(*row)


def _assignment(row):
    return Assignment(*row)


class SuggestionRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    # -- numbering --------------------------------------------------------------------------
    def next_in_series(self, series):
        self.cursor.execute(
            "INSERT INTO suggestion_counters (series, last) VALUES (%s, 1) "
            "ON CONFLICT (series) DO UPDATE SET last = suggestion_counters.last + 1 RETURNING last", (series,))
        return self.cursor.fetchone()[0]

    # -- suggestions ------------------------------------------------------------------------
    def add(self, s):
        values = [Jsonb(v) if c in ("filed_by", "source") and v is not None else v for c, v in
                  ((c, getattr(s, c)) for c in SUGGESTION_COLUMNS)]
        self.cursor.execute("INSERT INTO suggestions (" + ", ".join(SUGGESTION_COLUMNS) + ") VALUES ("
                            + ", ".join(["%s"] * len(SUGGESTION_COLUMNS)) + ")", values)
        for d in s.deputies:
            self.add_deputy(s.id, d["code"], d["role"], d.get("via"))

    def add_deputy(self, suggestion_id, code, role, via=None):
        self.cursor.execute("INSERT INTO suggestion_deputies (suggestion_id, deputy_code, role, via) "
                            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING", (suggestion_id, code, role, via))

    def get(self, suggestion_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(SUGGESTION_COLUMNS) + " FROM suggestions WHERE id = %s"
                            + (" FOR UPDATE" if for_update else ""), (suggestion_id,))
        row = self.cursor.fetchone()
        if row is None:
            return None
        s = _suggestion(row)
        self.cursor.execute("SELECT deputy_code, role, via FROM suggestion_deputies WHERE suggestion_id = %s "
                            "ORDER BY (role = 'lead') DESC, role, deputy_code", (suggestion_id,))
        s.deputies = [{"code": c, "role": r, "via": v} for c, r, v in self.cursor.fetchall()]
        self.cursor.execute("SELECT " + ", ".join(ASSIGNMENT_COLUMNS) + " FROM assignments WHERE suggestion_id = %s "
                            "ORDER BY id", (suggestion_id,))
        s.assignments = [_assignment(r) for r in self.cursor.fetchall()]
        return s

    def save(self, s):
        self.cursor.execute(
            "UPDATE suggestions SET " + ", ".join(f"{c} = %s" for c in _MUTABLE_SUGGESTION)
            + ", version = version + 1 WHERE id = %s",
            [getattr(s, c) for c in _MUTABLE_SUGGESTION] + [s.id])
        s.version += 1

    def add_assignment(self, a):
        columns = ASSIGNMENT_COLUMNS[1:]
        self.cursor.execute("INSERT INTO assignments (" + ", ".join(columns) + ", updated_at) VALUES ("
                            + ", ".join(["%s"] * len(columns)) + ", now()) RETURNING id",
                            [getattr(a, c) for c in columns])
        a.id = self.cursor.fetchone()[0]

    def save_assignment(self, a):
        self.cursor.execute("UPDATE assignments SET " + ", ".join(f"{c} = %s" for c in _MUTABLE_ASSIGNMENT)
                            + ", updated_at = now() WHERE id = %s",
                            [getattr(a, c) for c in _MUTABLE_ASSIGNMENT] + [a.id])

    # -- timeline -----------------------------------------------------------------------------
    def add_timeline(self, suggestion_id, event_type, status, actor, occurred_at, department=None, details=None,
                     event_id=None):
        self.cursor.execute(
            "INSERT INTO suggestion_timeline (suggestion_id, event_type, status, actor, department, details, "
            "event_id, occurred_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (suggestion_id, event_type, status, Jsonb(actor), department, Jsonb(details or {}), event_id,
             occurred_at))

    def timeline(self, suggestion_id):
        self.cursor.execute("SELECT id, event_type, status, actor, department, details, event_id, occurred_at "
                            "FROM suggestion_timeline WHERE suggestion_id = %s ORDER BY id", (suggestion_id,))
        return [{"seq": i, "type": t, "status": st, "actor": a, "department": d, "details": det, "event_id": e,
                 "occurred_at": o.isoformat()} for i, t, st, a, d, det, e, o in self.cursor.fetchall()]

    # -- queries --------------------------------------------------------------------------------
    def list(self, status=None, department=None, deputy=None, category=None, term=None, session=None,
             scope_deputy=None, scope_department=None, public_statuses=None, limit=50, offset=0):
        where = Where().equal(("s.status", status), ("s.category", category), ("s.term", term),
                              ("s.session", session))
        for code in (deputy, scope_deputy):
            where.add_if(code, "EXISTS (SELECT 1 FROM suggestion_deputies d WHERE d.suggestion_id = s.id "
                               "AND d.deputy_code = %s)", code)
        where.add_if(department, "EXISTS (SELECT 1 FROM assignments a WHERE a.suggestion_id = s.id "
                                 "AND a.department = %s AND a.active)", department)
        where.add_if(scope_department, "EXISTS (SELECT 1 FROM assignments a WHERE a.suggestion_id = s.id "
                                       "AND a.department = %s)", scope_department)
        if public_statuses is not None:  # an empty list means none is public
            where.add("s.status = ANY(%s)", list(public_statuses))
        self.cursor.execute("SELECT count(*) FROM suggestions s" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT s.id FROM suggestions s" + str(where) + " ORDER BY s.submitted_at DESC, "
                            "s.number DESC LIMIT %s OFFSET %s", where.params + [limit, offset])
        ids = [r[0] for r in self.cursor.fetchall()]
        return self.get_many(ids), total

    def get_many(self, ids):
        """Several suggestions with their deputies and assignments in three queries, in ``ids`` order."""
        if not ids:
            return []
        self.cursor.execute("SELECT " + ", ".join(SUGGESTION_COLUMNS) + " FROM suggestions WHERE id = ANY(%s)",
                            (ids,))
        found = {row[0]: _suggestion(row) for row in self.cursor.fetchall()}
        self.cursor.execute("SELECT suggestion_id, deputy_code, role, via FROM suggestion_deputies "
                            "WHERE suggestion_id = ANY(%s) ORDER BY suggestion_id, (role = 'lead') DESC, role, "
                            "deputy_code", (ids,))
        for sid, code, role, via in self.cursor.fetchall():
            found[sid].deputies.append({"code": code, "role": role, "via": via})
        self.cursor.execute("SELECT " + ", ".join(ASSIGNMENT_COLUMNS) + " FROM assignments "
                            "WHERE suggestion_id = ANY(%s) ORDER BY id", (ids,))
        for row in self.cursor.fetchall():
            found[row[1]].assignments.append(_assignment(row))
        return [found[i] for i in ids if i in found]

    def similar(self, suggestion_id, text, limit=10, threshold=0.3):
        """Open suggestions whose title+content is trigram-similar (pg_trgm, works for Chinese)."""
        self.cursor.execute(
            f"SELECT s.id, s.number, s.title, s.status, s.lead_deputy, "
            f"extensions.similarity({_TEXT}, %s) AS score FROM suggestions s "
            f"WHERE s.id <> %s AND s.status <> ALL(%s) AND {_TEXT} OPERATOR(extensions.%%) %s "
            f"AND extensions.similarity({_TEXT}, %s) >= %s ORDER BY score DESC, s.number LIMIT %s",
            (text, suggestion_id, ["rejected", "merged", "withdrawn"], text, text, threshold, limit))
        return [{"id": i, "number": n, "title": t, "status": st, "lead_deputy": ld, "score": round(float(sc), 3)}
                for i, n, t, st, ld, sc in self.cursor.fetchall()]

    @staticmethod
    def _of_deputy(code, statuses):
        """WHERE clause and parameters: a deputy's suggestions, only in ``statuses`` when given."""
        if statuses is None:
            return "WHERE d.deputy_code = %s", [code]
        return "WHERE d.deputy_code = %s AND s.status = ANY(%s)", [code, list(statuses)]

    def deputy_counts(self, code, statuses=None):
        where, params = self._of_deputy(code, statuses)
        self.cursor.execute(
            "SELECT s.status, count(*) FROM suggestions s JOIN suggestion_deputies d ON d.suggestion_id = s.id "
            + where + " GROUP BY s.status", params)
        return dict(self.cursor.fetchall())

    def deputy_latest(self, code, limit=5, statuses=None):
        where, params = self._of_deputy(code, statuses)
        self.cursor.execute(
            "SELECT s.id, s.number, s.title, s.status, s.category, s.submitted_at, d.role "
            "FROM suggestions s JOIN suggestion_deputies d ON d.suggestion_id = s.id "
            + where + " ORDER BY s.submitted_at DESC, s.number DESC LIMIT %s", params + [limit])
        return [{"id": i, "number": n, "title": t, "status": st, "category": c, "submitted_at": sa.isoformat(),
                 "role": r} for i, n, t, st, c, sa, r in self.cursor.fetchall()]

    def count(self):
        self.cursor.execute("SELECT count(*) FROM suggestions")
        return self.cursor.fetchone()[0]

    # -- departments' work ------------------------------------------------------------------------
    def inbox(self, department, status=None, active=True, overdue_on=None, sort="due_date", limit=50, offset=0):
        where = Where("a.department = %s", params=[department])
        if active is not None:  # False: the inactive ones
            where.add("a.active = %s", active)
        where.equal(("a.status", status)).add_if(
            overdue_on, "a.status IN ('assigned', 'acknowledged', 'extension_requested') AND a.due_date < %s",
            overdue_on)
        return self._assignment_rows(where, INBOX_ORDER[sort], limit, offset)

    def extension_requests(self, department=None, limit=50, offset=0):
        """Active assignments whose extension request waits for staff, the oldest due date first."""
        where = Where("a.active", "a.extension_status = 'requested'").equal(("a.department", department))
        return self._assignment_rows(where, "a.due_date, a.id", limit, offset)

    def _assignment_rows(self, where, order, limit, offset):
        """Assignments with their suggestion's number, title, category, status and lead deputy
        (``order`` is a fixed ORDER BY of this module, never text from a request)."""
        self.cursor.execute("SELECT count(*) FROM assignments a" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(
            "SELECT " + ", ".join(f"a.{c}" for c in ASSIGNMENT_COLUMNS)
            + ", s.number, s.title, s.category, s.status, s.lead_deputy FROM assignments a "
              "JOIN suggestions s ON s.id = a.suggestion_id" + str(where)
            + " ORDER BY " + order + " LIMIT %s OFFSET %s", where.params + [limit, offset])
        items = []
        n = len(ASSIGNMENT_COLUMNS)
        for row in self.cursor.fetchall():
            a = _assignment(row[:n]).as_dict()
            a.update(dict(zip(("number", "title", "category", "suggestion_status", "lead_deputy"), row[n:])))
            items.append(a)
        return items, total

    def overdue(self, today, department=None, limit=50, offset=0):
        where = Where("a.active", "a.status IN ('assigned', 'acknowledged', 'extension_requested')",
                      "a.due_date < %s", params=[today]).equal(("a.department", department))
        self.cursor.execute("SELECT count(*) FROM assignments a" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(
            "SELECT a.suggestion_id, s.number, s.title, a.department, a.role, a.status, a.due_date, "
            "a.overdue_notified_at FROM assignments a JOIN suggestions s ON s.id = a.suggestion_id" + str(where)
            + " ORDER BY a.due_date, a.id LIMIT %s OFFSET %s", where.params + [limit, offset])
        return [{"suggestion_id": i, "number": n, "title": t, "department": d, "role": r, "status": st,
                 "due_date": dd.isoformat(), "days_overdue": (today - dd).days,
                 "escalated_at": e.isoformat() if e else None}
                for i, n, t, d, r, st, dd, e in self.cursor.fetchall()], total

    def overdue_counts(self, today):
        """{department: open assignments past their due date} (the ops gauge)."""
        self.cursor.execute(
            "SELECT department, count(*) FROM assignments WHERE active AND due_date < %s "
            "AND status IN ('assigned', 'acknowledged', 'extension_requested') GROUP BY department", (today,))
        return dict(self.cursor.fetchall())

    def claim_deadlines(self, today, due_soon_until, limit=200):
        """Open assignments whose due_soon or overdue warning is owed, locked for this
        transaction; rows another replica holds are skipped (it is warning them)."""
        self.cursor.execute(
            "SELECT a.id, a.suggestion_id, a.department, a.due_date, a.due_soon_notified_at, a.overdue_notified_at "
            "FROM assignments a WHERE a.active AND a.status IN ('assigned', 'acknowledged', 'extension_requested') "
            "AND ((a.due_soon_notified_at IS NULL AND a.due_date <= %s) "
            "  OR (a.overdue_notified_at IS NULL AND a.due_date < %s)) "
            "ORDER BY a.due_date, a.id LIMIT %s FOR UPDATE OF a SKIP LOCKED", (due_soon_until, today, limit))
        return [dict(zip(("id", "suggestion_id", "department", "due_date", "due_soon_notified_at",
                          "overdue_notified_at"), r)) for r in self.cursor.fetchall()]

    def mark_deadline(self, assignment_id, due_soon_at=None, overdue_at=None):
        self.cursor.execute(
            "UPDATE assignments SET due_soon_notified_at = COALESCE(due_soon_notified_at, %s), "
            "overdue_notified_at = COALESCE(overdue_notified_at, %s) WHERE id = %s",
            (due_soon_at, overdue_at, assignment_id))


DEPARTMENT_COLUMNS = ("code", "name", "short_name", "keywords", "active", "version")


class DepartmentRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def all(self):
        self.cursor.execute(f"SELECT {', '.join(DEPARTMENT_COLUMNS)} FROM departments ORDER BY code")
        return [dict(zip(DEPARTMENT_COLUMNS, r)) for r in self.cursor.fetchall()]

    def get(self, code, for_update=False):
        self.cursor.execute(f"SELECT {', '.join(DEPARTMENT_COLUMNS)} FROM departments WHERE code = %s"
                            + (" FOR UPDATE" if for_update else ""), (code,))
        row = self.cursor.fetchone()
        return dict(zip(DEPARTMENT_COLUMNS, row)) if row else None

    def save(self, code, name, short_name, active):
        """Insert or change a department; the version grows with every save."""
        self.cursor.execute(
            "INSERT INTO departments (code, name, short_name, active) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name, "
            "active = EXCLUDED.active, version = departments.version + 1 "
            f"RETURNING {', '.join(DEPARTMENT_COLUMNS)}", (code, name, short_name, active))
        return dict(zip(DEPARTMENT_COLUMNS, self.cursor.fetchone()))


RULE_COLUMNS = ("id", "category", "keywords", "department", "role", "weight", "active")


class RoutingRuleRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def _row(self, row):
        rule = dict(zip(RULE_COLUMNS, row))
        rule["weight"] = float(rule["weight"])
        return rule

    def all(self, active_only=False):
        """``active_only``: the rules routing uses — active ones of departments that are active."""
        self.cursor.execute("SELECT " + ", ".join(RULE_COLUMNS) + " FROM routing_rules"
                            + (" WHERE active AND department IN (SELECT code FROM departments WHERE active)"
                               if active_only else "") + " ORDER BY id")
        return [self._row(r) for r in self.cursor.fetchall()]

    def get(self, rule_id):
        self.cursor.execute("SELECT " + ", ".join(RULE_COLUMNS) + " FROM routing_rules WHERE id = %s", (rule_id,))
        row = self.cursor.fetchone()
        return self._row(row) if row else None

    def add(self, rule):
        self.cursor.execute(
            "INSERT INTO routing_rules (category, keywords, department, role, weight, active) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING " + ", ".join(RULE_COLUMNS),
            (rule.get("category"), list(rule.get("keywords") or []), rule["department"], rule.get("role", "lead"),
             rule.get("weight", 1), rule.get("active", True)))
        return self._row(self.cursor.fetchone())

    def update(self, rule_id, changes):
        sets = ", ".join(f"{k} = %s" for k in changes)
        self.cursor.execute(f"UPDATE routing_rules SET {sets} WHERE id = %s RETURNING " + ", ".join(RULE_COLUMNS),
                            [list(v) if k == "keywords" else v for k, v in changes.items()] + [rule_id])
        row = self.cursor.fetchone()
        return self._row(row) if row else None

    def delete(self, rule_id):
        self.cursor.execute("DELETE FROM routing_rules WHERE id = %s RETURNING id", (rule_id,))
        return self.cursor.fetchone() is not None


REPOSITORIES = {
    "deputy_directory": DeputyDirectoryRepository,
    "suggestions": SuggestionRepository,
    "departments": DepartmentRepository,
    "routing_rules": RoutingRuleRepository,
}
