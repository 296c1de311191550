"""SQL of reception days and voters' opinions (deputy schema)."""
from psycopg.types.json import Jsonb

from kernel.sqlwhere import Where

RECEPTION_COLUMNS = ("id", "station_code", "held_on", "starts_at", "ends_at", "deputies", "note", "status", "sat",
                     "created_by", "created_at")
OPINION_COLUMNS = ("id", "tracking_code", "station_code", "content", "category", "name", "contact", "status",
                   "assigned_deputy", "answer", "forwarded_to", "department", "decline_reason", "suggestion_id",
                   "suggestion_number", "history", "created_at", "updated_at")


def _one(cursor, names):
    row = cursor.fetchone()
    return dict(zip(names, row)) if row else None


def _all(cursor, names):
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class VoterRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    # -- receptions ---------------------------------------------------------------------------
    def add_reception(self, station_code, held_on, starts_at, ends_at, deputies, note, status, by):
        self.cursor.execute(
            "INSERT INTO receptions (station_code, held_on, starts_at, ends_at, deputies, note, status, sat, created_by) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING " + ", ".join(RECEPTION_COLUMNS),
            (station_code, held_on, starts_at, ends_at, list(deputies), note, status,
             list(deputies) if status == "held" else [], by))
        return _one(self.cursor, RECEPTION_COLUMNS)

    def reception(self, reception_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(RECEPTION_COLUMNS) + " FROM receptions WHERE id = %s"
                            + (" FOR UPDATE" if for_update else ""), (reception_id,))
        return _one(self.cursor, RECEPTION_COLUMNS)

    def mark_held(self, reception_id, sat):
        self.cursor.execute("UPDATE receptions SET status = 'held', sat = %s WHERE id = %s RETURNING "
                            + ", ".join(RECEPTION_COLUMNS), (list(sat), reception_id))
        return _one(self.cursor, RECEPTION_COLUMNS)

    def receptions(self, station_code, year=None, limit=50, offset=0):
        where = Where("station_code = %s", params=[station_code]).add_if(
            year, "held_on >= make_date(%s, 1, 1) AND held_on < make_date(%s + 1, 1, 1)", year, year)
        self.cursor.execute("SELECT count(*) FROM receptions" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT " + ", ".join(RECEPTION_COLUMNS) + " FROM receptions" + str(where)
                            + " ORDER BY held_on DESC, id DESC LIMIT %s OFFSET %s", where.params + [limit, offset])
        return _all(self.cursor, RECEPTION_COLUMNS), total

    def station_deputies(self, station_code):
        self.cursor.execute("SELECT code FROM deputies WHERE station_code = %s AND status = 'active'", (station_code,))
        return {row[0] for row in self.cursor.fetchall()}

    # -- opinions ------------------------------------------------------------------------------
    def add_opinion(self, tracking_code, station_code, content, category, name, contact, entry):
        self.cursor.execute(
            "INSERT INTO opinions (tracking_code, station_code, content, category, name, contact, history) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tracking_code) DO NOTHING RETURNING "
            + ", ".join(OPINION_COLUMNS),
            (tracking_code, station_code, content, category, name, contact, Jsonb([entry])))
        return _one(self.cursor, OPINION_COLUMNS)

    def opinion(self, tracking_code, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(OPINION_COLUMNS) + " FROM opinions WHERE tracking_code = %s"
                            + (" FOR UPDATE" if for_update else ""), (tracking_code,))
        return _one(self.cursor, OPINION_COLUMNS)

    def update_opinion(self, tracking_code, changes, entry):
        names = sorted(changes)
        assignments = ", ".join(f"{n} = %s" for n in names)
        self.cursor.execute(
            f"UPDATE opinions SET {assignments}, history = history || %s, updated_at = now() "
            "WHERE tracking_code = %s RETURNING " + ", ".join(OPINION_COLUMNS),
            [changes[n] for n in names] + [Jsonb([entry]), tracking_code])
        return _one(self.cursor, OPINION_COLUMNS)

    def opinions_of_suggestion(self, suggestion_id):
        self.cursor.execute("SELECT " + ", ".join(OPINION_COLUMNS) + " FROM opinions WHERE suggestion_id = %s "
                            "FOR UPDATE", (str(suggestion_id),))
        return _all(self.cursor, OPINION_COLUMNS)

    def opinions(self, station=None, status=None, deputy=None, limit=50, offset=0):
        """``deputy``: only opinions of that deputy's station or assigned to them."""
        where = Where().equal(("station_code", station), ("status", status)).add_if(
            deputy, "(assigned_deputy = %s OR station_code = (SELECT station_code FROM deputies WHERE code = %s))",
            deputy, deputy)
        self.cursor.execute("SELECT count(*) FROM opinions" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute("SELECT " + ", ".join(OPINION_COLUMNS) + " FROM opinions" + str(where)
                            + " ORDER BY id DESC LIMIT %s OFFSET %s", where.params + [limit, offset])
        return _all(self.cursor, OPINION_COLUMNS), total

    # -- the public portal ------------------------------------------------------------------------------
    def upcoming_receptions(self, since, station=None, deputy=None, limit=200):
        """Scheduled reception days from ``since`` on, soonest first (of one station or one
        deputy's rota when given)."""
        where = (Where("status = 'scheduled'", "held_on >= %s", params=[since]).equal(("station_code", station))
                 .add_if(deputy, "%s = ANY (deputies)", deputy))
        self.cursor.execute("SELECT " + ", ".join(RECEPTION_COLUMNS) + " FROM receptions" + str(where)
                            + " ORDER BY held_on, starts_at, id LIMIT %s", where.params + [limit])
        return _all(self.cursor, RECEPTION_COLUMNS)

    def deputy_names(self, codes):
        """{code: name} of the given deputies (the public rota shows names)."""
        if not codes:
            return {}
        self.cursor.execute("SELECT code, name FROM deputies WHERE code = ANY (%s)", (list(codes),))
        return dict(self.cursor.fetchall())
