"""SQL of suggestion-handling statistics: counts per group, read from the suggestion
schema's ``suggestions``, ``assignments`` and ``departments`` (layout: S-core's
migrations/0001_suggestions.sql). The arithmetic on the counts is in stats_domain.py."""

OPEN_STATUSES = ("assigned", "acknowledged", "extension_requested")

_COUNTS_BY_DEPARTMENT = """
WITH scoped AS (
    SELECT a.department, a.suggestion_id, a.role, a.status, a.due_date, a.assigned_at, a.reply_category,
           s.status AS suggestion_status, s.satisfaction,
           -- a co-handler answers the lead department with its written views
           CASE WHEN a.role = 'co' THEN COALESCE(a.replied_at, a.view_sent_at) ELSE a.replied_at END AS answered_at
      FROM assignments a
      JOIN suggestions s ON s.id = a.suggestion_id
     WHERE a.active {filters}
), counts AS (
    SELECT department,
           count(DISTINCT suggestion_id) AS suggestions,
           count(*) AS assigned,
           count(*) FILTER (WHERE answered_at IS NOT NULL) AS replied,
           count(*) FILTER (WHERE suggestion_status = 'closed') AS closed,
           count(*) FILTER (WHERE role <> 'co' AND satisfaction IS NOT NULL) AS evaluated,
           count(*) FILTER (WHERE role <> 'co' AND satisfaction = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE role <> 'co' AND satisfaction = 'basically_satisfied') AS basically_satisfied,
           count(*) FILTER (WHERE role <> 'co' AND satisfaction = 'unsatisfied') AS unsatisfied,
           count(*) FILTER (WHERE reply_category = 'A') AS replies_a,
           count(*) FILTER (WHERE reply_category = 'B') AS replies_b,
           count(*) FILTER (WHERE reply_category = 'C') AS replies_c,
           count(*) FILTER (WHERE status = ANY(%(open)s) AND due_date < %(today)s) AS overdue,
           count(*) FILTER (WHERE answered_at IS NOT NULL
                            AND (answered_at AT TIME ZONE %(tz)s)::date > due_date) AS replied_late,
           COALESCE(sum(EXTRACT(EPOCH FROM answered_at - assigned_at) / 86400.0)
                    FILTER (WHERE answered_at IS NOT NULL), 0) AS reply_days_sum
      FROM scoped
     GROUP BY department
)
SELECT COALESCE(d.code, c.department) AS "group",
       COALESCE(NULLIF(d.short_name, ''), d.name, c.department) AS label,
       c.suggestions, c.assigned, c.replied, c.closed, c.evaluated, c.satisfied, c.basically_satisfied,
       c.unsatisfied, c.replies_a, c.replies_b, c.replies_c, c.overdue, c.replied_late, c.reply_days_sum
  FROM departments d
  FULL JOIN counts c ON c.department = d.code
 WHERE d.active OR c.department IS NOT NULL
 ORDER BY c.assigned DESC NULLS LAST, 1
"""

_COUNTS_BY_SUGGESTION = """
WITH per_suggestion AS (
    SELECT suggestion_id,
           count(*) FILTER (WHERE reply_category = 'A') AS replies_a,
           count(*) FILTER (WHERE reply_category = 'B') AS replies_b,
           count(*) FILTER (WHERE reply_category = 'C') AS replies_c,
           bool_or(status = ANY(%(open)s) AND due_date < %(today)s) AS overdue,
           bool_or(replied_at IS NOT NULL AND (replied_at AT TIME ZONE %(tz)s)::date > due_date) AS replied_late
      FROM assignments
     WHERE active
     GROUP BY suggestion_id
)
SELECT {group} AS "group", {extra}
       count(*) AS suggestions,
       count(*) FILTER (WHERE s.assigned_at IS NOT NULL AND s.status <> 'withdrawn') AS assigned,
       count(*) FILTER (WHERE s.replied_at IS NOT NULL AND s.status <> 'withdrawn') AS replied,
       count(*) FILTER (WHERE s.status = 'closed') AS closed,
       count(*) FILTER (WHERE s.satisfaction IS NOT NULL) AS evaluated,
       count(*) FILTER (WHERE s.satisfaction = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE s.satisfaction = 'basically_satisfied') AS basically_satisfied,
       count(*) FILTER (WHERE s.satisfaction = 'unsatisfied') AS unsatisfied,
       COALESCE(sum(p.replies_a), 0) AS replies_a,
       COALESCE(sum(p.replies_b), 0) AS replies_b,
       COALESCE(sum(p.replies_c), 0) AS replies_c,
       count(*) FILTER (WHERE p.overdue) AS overdue,
       count(*) FILTER (WHERE p.replied_late) AS replied_late,
       COALESCE(sum(EXTRACT(EPOCH FROM s.replied_at - s.assigned_at) / 86400.0)
                FILTER (WHERE s.replied_at IS NOT NULL AND s.assigned_at IS NOT NULL
                        AND s.status <> 'withdrawn'), 0) AS reply_days_sum
  FROM suggestions s
  LEFT JOIN per_suggestion p ON p.suggestion_id = s.id
 WHERE true {filters}
 GROUP BY {group_by}
 ORDER BY {group_by}
"""

_GROUPS = {  # group_by -> (group expression, extra select list, GROUP BY list)
    "category": ("s.category", "s.category AS label,", "s.category"),
    "term": ("s.term::text", "s.term,", "s.term"),
    "session": ("s.term::text || '-' || COALESCE(s.session::text, 'B')", "s.term, s.session,", "s.term, s.session"),
}


def _filters(term, session, alias="s"):
    """SQL conditions and parameters; ``session`` is None (any), an int or 'between'."""
    clauses, params = [], {}
    if term is not None:
        clauses.append(f"{alias}.term = %(term)s")
        params["term"] = term
    if session == "between":
        clauses.append(f"{alias}.session IS NULL")
    elif session is not None:
        clauses.append(f"{alias}.session = %(session)s")
        params["session"] = session
    return "".join(" AND " + c for c in clauses), params


class SuggestionStatsRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def counts(self, group_by, today, timezone="Asia/Shanghai", term=None, session=None):
        """One dict of counts per group (see stats_domain.COUNT_FIELDS), with ``group`` and
        ``label`` (and ``term``/``session`` for those groupings)."""
        filters, params = _filters(term, session)
        params.update(today=today, tz=timezone, open=list(OPEN_STATUSES))
        if group_by == "department":
            statement = _COUNTS_BY_DEPARTMENT.format(filters=filters)
        else:
            group, extra, group_list = _GROUPS[group_by]
            statement = _COUNTS_BY_SUGGESTION.format(group=group, extra=extra, group_by=group_list,
                                                     filters=filters)
        self.cursor.execute(statement, params)
        names = [column.name for column in self.cursor.description]
        return [dict(zip(names, row)) for row in self.cursor.fetchall()]

    def claim_closed_quarter(self, year, quarter, now):
        """True for the one transaction that records the quarter as closed (its event goes
        out with it); False when it was recorded before, or by a concurrent replica."""
        self.cursor.execute("INSERT INTO closed_quarters (year, quarter, closed_at) VALUES (%s, %s, %s) "
                            "ON CONFLICT DO NOTHING", (year, quarter, now))
        return self.cursor.rowcount == 1
