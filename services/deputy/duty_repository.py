"""SQL of duty records (deputy schema): entries, meetings seen, schemes, activities."""
from psycopg.types.json import Jsonb

from kernel.sqlwhere import Where

ENTRY_COLUMNS = ("deputy_code", "year", "rule", "part", "evidence_kind", "evidence_id", "evidence_ref", "title",
                 "occurred_on", "detail", "public", "event_id")
READ_COLUMNS = ("id", "deputy_code", "year", "rule", "part", "evidence_kind", "evidence_id", "evidence_ref", "title",
                "occurred_on", "detail", "public", "void")
ENTRY_BATCH = 2000    # rows per INSERT: 13 columns x 2,000 stays under PostgreSQL's 65,535 parameters
ACTIVITY_COLUMNS = ("id", "kind", "title", "held_on", "description", "participants", "published", "recorded_by",
                    "created_at")


def _rows(cursor, names):
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class DutyRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    # -- entries ------------------------------------------------------------------------------
    def _values(self, entries, event_id):
        return [(e.deputy_code, e.year, e.rule, e.part, e.evidence_kind, e.evidence_id, e.evidence_ref, e.title,
                 e.occurred_on, Jsonb(e.detail or {}), e.public, event_id) for e in entries]

    def upsert(self, entries, event_id, overwrite=True, void=False):
        """Write entries (one per deputy and evidence). ``overwrite``: a later, settling event
        (a meeting's end) replaces rule, title and date; otherwise an existing row stays as is.
        ``void``: the evidence no longer counts (a withdrawn or rejected suggestion)."""
        if not entries:
            return 0
        columns = ENTRY_COLUMNS + ("void",)
        if void:
            conflict = "DO UPDATE SET void = true, event_id = EXCLUDED.event_id, updated_at = now()"
        elif overwrite:
            conflict = ("DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in ENTRY_COLUMNS[1:])
                        + ", updated_at = now()")
        else:
            conflict = "DO NOTHING"
        return self._insert_entries(columns, [v + (void,) for v in self._values(entries, event_id)], conflict)

    def settle_suggestion(self, entries, event_id):
        """A suggestion is filed: lead and co-signers get their entries (rule, date, title set
        by this event; a status a later event already wrote is kept)."""
        if not entries:
            return 0
        return self._insert_entries(
            ENTRY_COLUMNS, self._values(entries, event_id),
            "DO UPDATE SET rule = EXCLUDED.rule, part = EXCLUDED.part, year = EXCLUDED.year, "
            "occurred_on = EXCLUDED.occurred_on, title = EXCLUDED.title, evidence_ref = EXCLUDED.evidence_ref, "
            "updated_at = now()")

    def _insert_entries(self, columns, rows, conflict):
        """Multi-row INSERT ... ON CONFLICT in batches: one statement takes at most 65,535
        parameters, and a meeting of a few thousand members writes an entry for each."""
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        written = 0
        for start in range(0, len(rows), ENTRY_BATCH):
            batch = rows[start:start + ENTRY_BATCH]
            self.cursor.execute(
                "INSERT INTO duty_entries (" + ", ".join(columns) + ") VALUES " + ", ".join([placeholders] * len(batch))
                + " ON CONFLICT (deputy_code, evidence_kind, evidence_id) " + conflict,
                [x for row in batch for x in row])
            written += self.cursor.rowcount
        return written

    def suggestion_status(self, suggestion_id, status, public, extra=None):
        """A suggestion's handling moved on: its entries show the new status (and become
        public once a result is)."""
        self.cursor.execute(
            "UPDATE duty_entries SET detail = detail || %s, public = public OR %s, updated_at = now() "
            "WHERE evidence_kind = 'suggestion' AND evidence_id = %s",
            (Jsonb({"status": status, **(extra or {})}), public, str(suggestion_id)))
        return self.cursor.rowcount

    def entries(self, deputy_code, year):
        self.cursor.execute("SELECT " + ", ".join(READ_COLUMNS) + " FROM duty_entries "
                            "WHERE deputy_code = %s AND year = %s ORDER BY occurred_on, id", (deputy_code, year))
        return _rows(self.cursor, READ_COLUMNS)

    def congress_absences(self, deputy_code):
        self.cursor.execute(
            "SELECT evidence_id, title, occurred_on FROM duty_entries WHERE deputy_code = %s "
            "AND rule = 'meeting_absent' AND NOT void AND detail->>'kind' = 'plenary' ORDER BY occurred_on",
            (deputy_code,))
        return [{"meeting_id": int(m) if m.isdigit() else m, "title": t, "date": d.isoformat()}
                for m, t, d in self.cursor.fetchall()]

    def flagged(self, codes=None):
        """{deputy: number of congress sessions missed without leave} for those with two or more."""
        self.cursor.execute(
            "SELECT deputy_code, count(*) FROM duty_entries WHERE rule = 'meeting_absent' AND NOT void "
            "AND detail->>'kind' = 'plenary'" + (" AND deputy_code = ANY(%s)" if codes is not None else "")
            + " GROUP BY deputy_code HAVING count(*) >= 2", ([list(codes)] if codes is not None else []))
        return dict(self.cursor.fetchall())

    def counts(self, year, level=None, town=None):
        """[(deputy code, name, level, town, {rule: count})] of every active deputy (of the
        level and town) for the year — deputies with no entries too."""
        where = Where("d.status = 'active'").equal(("d.level", level), ("d.town", town))
        self.cursor.execute(
            "SELECT d.code, d.name, d.level, d.town, e.rule, count(e.id) FROM deputies d "
            "LEFT JOIN duty_entries e ON e.deputy_code = d.code AND e.year = %s AND NOT e.void"
            + str(where) + " GROUP BY d.code, d.name, d.level, d.town, e.rule ORDER BY d.code",
            [year] + where.params)
        deputies = {}
        for code, name, lvl, twn, rule, count in self.cursor.fetchall():
            row = deputies.setdefault(code, (code, name, lvl, twn, {}))
            if rule:
                row[4][rule] = count
        return list(deputies.values())

    def clear_year(self, year):
        """For a rebuild from the event history: forget the year's entries."""
        self.cursor.execute("DELETE FROM duty_entries WHERE year = %s", (year,))
        return self.cursor.rowcount

    # -- meetings the voting service told about -----------------------------------------------
    def remember_meeting(self, meeting_id, kind, title, starts_at):
        self.cursor.execute(
            "INSERT INTO duty_meetings (meeting_id, kind, title, starts_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (meeting_id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, "
            "starts_at = EXCLUDED.starts_at", (str(meeting_id), kind, title, starts_at))

    def meeting(self, meeting_id):
        self.cursor.execute("SELECT kind, title, starts_at FROM duty_meetings WHERE meeting_id = %s",
                            (str(meeting_id),))
        row = self.cursor.fetchone()
        return dict(zip(("kind", "title", "starts_at"), row)) if row else None

    # -- schemes ----------------------------------------------------------------------------------
    def scheme(self, year):
        self.cursor.execute("SELECT version, scheme, updated_by, updated_at FROM duty_schemes WHERE year = %s "
                            "ORDER BY version DESC LIMIT 1", (year,))
        row = self.cursor.fetchone()
        return dict(zip(("version", "scheme", "updated_by", "updated_at"), row)) if row else None

    def save_scheme(self, year, scheme, by):
        self.cursor.execute("SELECT pg_advisory_xact_lock(4301, %s)", (year,))
        self.cursor.execute(
            "INSERT INTO duty_schemes (year, version, scheme, updated_by) "
            "SELECT %s, COALESCE(max(version), 0) + 1, %s, %s FROM duty_schemes WHERE year = %s "
            "RETURNING version, scheme, updated_by, updated_at", (year, Jsonb(scheme), by, year))
        return dict(zip(("version", "scheme", "updated_by", "updated_at"), self.cursor.fetchone()))

    # -- activities -------------------------------------------------------------------------------
    def known_deputies(self, codes):
        self.cursor.execute("SELECT code FROM deputies WHERE code = ANY(%s)", (list(codes),))
        return {row[0] for row in self.cursor.fetchall()}

    def add_activity(self, kind, title, held_on, description, participants, published, by):
        self.cursor.execute(
            "INSERT INTO activities (kind, title, held_on, description, participants, published, recorded_by) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING " + ", ".join(ACTIVITY_COLUMNS),
            (kind, title, held_on, description, list(participants), published, by))
        return dict(zip(ACTIVITY_COLUMNS, self.cursor.fetchone()))

    def activity(self, activity_id):
        self.cursor.execute("SELECT " + ", ".join(ACTIVITY_COLUMNS) + " FROM activities WHERE id = %s",
                            (activity_id,))
        row = self.cursor.fetchone()
        return dict(zip(ACTIVITY_COLUMNS, row)) if row else None

    def activities(self, year=None, kind=None, deputy=None, published_only=False, limit=50, offset=0):
        where = (Where().add_if(year, "held_on >= make_date(%s, 1, 1) AND held_on < make_date(%s + 1, 1, 1)", year, year)
                 .equal(("kind", kind)).add_if(deputy, "%s = ANY(participants)", deputy)
                 .add_if(published_only, "published"))
        self.cursor.execute("SELECT count(*) FROM activities" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT " + ", ".join(ACTIVITY_COLUMNS) + " FROM activities" + str(where)
                            + " ORDER BY held_on DESC, id DESC LIMIT %s OFFSET %s", where.params + [limit, offset])
        return _rows(self.cursor, ACTIVITY_COLUMNS), total
