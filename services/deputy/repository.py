"""SQL for the deputy schema. Returns domain objects."""
import psycopg

from kernel.department_directory import DepartmentDirectoryRepository
from kernel.sqlwhere import Where
from services.deputy.domain import Deputy, Station
from services.deputy.duty_repository import DutyRepository
from services.deputy.notification_repository import NotificationRepository
from services.deputy.voters_repository import VoterRepository

DEPUTY_COLUMNS = ("code", "name", "gender", "ethnicity", "birth_year", "level", "town", "station_code",
                  "term", "occupation", "phone", "email", "status", "version")
STATION_COLUMNS = ("code", "name", "level", "town", "parent_code", "address", "reception_day")
PHONE_CONSTRAINT = "deputies_phone_key"
_DEPUTY_SELECT = "SELECT " + ", ".join(DEPUTY_COLUMNS) + " FROM deputies"


class DeputyRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def get(self, code, for_update=False):
        self.cursor.execute(_DEPUTY_SELECT + " WHERE code = %s" + (" FOR UPDATE" if for_update else ""), (code,))
        row = self.cursor.fetchone()
        return Deputy(*row) if row else None

    def phone_taken(self, phone, except_code=None):
        self.cursor.execute("SELECT 1 FROM deputies WHERE phone = %s AND code IS DISTINCT FROM %s",
                            (phone, except_code))
        return self.cursor.fetchone() is not None

    def add(self, deputy):
        """Insert a new deputy in one statement. A deputy without a code is numbered from the
        sequence (``deputy.code`` is set). None, or the unique field that is taken: "code" or
        "phone" (the phone's unique constraint decides; no SELECT first)."""
        columns = DEPUTY_COLUMNS[1:]
        try:
            self.cursor.execute(
                "INSERT INTO deputies (" + ", ".join(DEPUTY_COLUMNS) + ") VALUES ("
                "COALESCE(%s, (SELECT 'D' || lpad(n::text, greatest(4, length(n::text)), '0') "
                "FROM nextval('deputy_number_seq') AS n)), " + ", ".join(["%s"] * len(columns)) + ") "
                "ON CONFLICT (code) DO NOTHING RETURNING code", [deputy.code] + [getattr(deputy, c) for c in columns])
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == PHONE_CONSTRAINT:
                return "phone"
            raise
        row = self.cursor.fetchone()
        if row is None:
            return "code"
        deputy.code = row[0]
        return None

    def save(self, deputy, changed):
        assignments = ", ".join(f"{name} = %s" for name in changed)
        self.cursor.execute(
            f"UPDATE deputies SET {assignments}, version = %s, updated_at = now() WHERE code = %s",
            [getattr(deputy, name) for name in changed] + [deputy.version, deputy.code])

    def list(self, level=None, town=None, station=None, status=None, q=None, limit=50, offset=0):
        where = Where().equal(("level", level), ("town", town), ("station_code", station), ("status", status))
        if q:
            where.add("name LIKE %s", "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        self.cursor.execute("SELECT count(*) FROM deputies" + str(where), where.params)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(_DEPUTY_SELECT + str(where) + " ORDER BY code LIMIT %s OFFSET %s",
                            where.params + [limit, offset])
        return [Deputy(*row) for row in self.cursor.fetchall()], total

    def sync_number_sequence(self):
        """After loading deputies with explicit codes, continue numbering after them."""
        self.cursor.execute(
            "SELECT setval('deputy_number_seq', GREATEST(COALESCE(max(substring(code from 2)::int), 0), 1)) "
            "FROM deputies WHERE code ~ '^D[0-9]+$'")


class StationRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def get(self, code):
        self.cursor.execute("SELECT " + ", ".join(STATION_COLUMNS) + " FROM stations WHERE code = %s", (code,))
        row = self.cursor.fetchone()
        return Station(*row) if row else None

    def all(self):
        self.cursor.execute("SELECT " + ", ".join(STATION_COLUMNS) + " FROM stations ORDER BY code")
        return [Station(*row) for row in self.cursor.fetchall()]

    def add(self, station):
        self.cursor.execute(
            "INSERT INTO stations (" + ", ".join(STATION_COLUMNS) + ") VALUES ("
            + ", ".join(["%s"] * len(STATION_COLUMNS)) + ") ON CONFLICT (code) DO NOTHING",
            [getattr(station, c) for c in STATION_COLUMNS])


REPOSITORIES = {"deputies": DeputyRepository, "stations": StationRepository,
                "notifications": NotificationRepository, "duty": DutyRepository,
                "voters": VoterRepository, "department_directory": DepartmentDirectoryRepository}
