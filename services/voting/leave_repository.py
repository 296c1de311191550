"""SQL of leave requests and settled attendance (voting schema)."""
from kernel.rows import fetch_dict as _dict, fetch_dicts as _dicts

LEAVE_COLUMNS = ("meeting_id", "deputy_id", "reason", "status", "requested_at", "decided_by", "decided_at", "note")


class LeaveRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def get(self, meeting_id, deputy_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(LEAVE_COLUMNS) + " FROM leave_requests "
                            "WHERE meeting_id = %s AND deputy_id = %s" + (" FOR UPDATE" if for_update else ""),
                            (meeting_id, deputy_id))
        return _dict(self.cursor)

    def request(self, meeting_id, deputy_id, reason):
        self.cursor.execute(
            "INSERT INTO leave_requests (meeting_id, deputy_id, reason) VALUES (%s, %s, %s) "
            "ON CONFLICT (meeting_id, deputy_id) DO UPDATE SET reason = EXCLUDED.reason, status = 'pending', "
            "  requested_at = now(), decided_by = NULL, decided_at = NULL, note = NULL "
            "RETURNING " + ", ".join(LEAVE_COLUMNS), (meeting_id, deputy_id, reason))
        return _dict(self.cursor)

    def decide(self, meeting_id, deputy_id, status, by, note):
        self.cursor.execute(
            "UPDATE leave_requests SET status = %s, decided_by = %s, decided_at = now(), note = %s "
            "WHERE meeting_id = %s AND deputy_id = %s RETURNING " + ", ".join(LEAVE_COLUMNS),
            (status, by, note, meeting_id, deputy_id))
        return _dict(self.cursor)

    def list(self, meeting_id):
        self.cursor.execute(
            "SELECT l.meeting_id, l.deputy_id, m.name, l.reason, l.status, l.requested_at, l.decided_by, "
            "  l.decided_at, l.note FROM leave_requests l "
            "LEFT JOIN meeting_members m ON m.meeting_id = l.meeting_id AND m.deputy_id = l.deputy_id "
            "WHERE l.meeting_id = %s ORDER BY l.requested_at, l.deputy_id", (meeting_id,))
        return _dicts(self.cursor)

    def statuses(self, meeting_id):
        self.cursor.execute("SELECT deputy_id, status FROM leave_requests WHERE meeting_id = %s", (meeting_id,))
        return dict(self.cursor.fetchall())

    def members_for_settling(self, meeting_id):
        self.cursor.execute("SELECT deputy_id, role, ever_present FROM meeting_members WHERE meeting_id = %s "
                            "ORDER BY deputy_id", (meeting_id,))
        return _dicts(self.cursor)

    def end(self, meeting_id, by, outcomes):
        """Mark the meeting ended (once) and store the outcomes; the end time, or None if
        it had already ended."""
        self.cursor.execute("UPDATE meetings SET ended_at = now(), ended_by = %s "
                            "WHERE id = %s AND ended_at IS NULL RETURNING ended_at", (by, meeting_id))
        row = self.cursor.fetchone()
        if row is None:
            return None
        if outcomes:
            self.cursor.execute(
                "INSERT INTO attendance_outcomes (meeting_id, deputy_id, outcome) "
                "SELECT %s, * FROM unnest(%s::text[], %s::text[])",
                (meeting_id, [d for d, _ in outcomes], [o for _, o in outcomes]))
        return row[0]

    def outcomes(self, meeting_id):
        self.cursor.execute("SELECT deputy_id, outcome FROM attendance_outcomes WHERE meeting_id = %s "
                            "ORDER BY deputy_id", (meeting_id,))
        return self.cursor.fetchall()
