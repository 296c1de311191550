"""SQL of the voting schema."""
from psycopg.types.json import Jsonb

from kernel import deputy_directory
from kernel.rows import fetch_dict as _dict, fetch_dicts as _dicts
from services.voting.domain import Item
from services.voting.leave_repository import LeaveRepository

# Advisory-lock namespace of an item's ballot box: ballots hold it SHARED for their short
# transaction, closing takes it EXCLUSIVE — so a ballot that saw the item open commits
# before the close reads the log, and none slips in after. A lock-manager entry, not a row.
BALLOT_BOX_LOCK = 4201

MEETING_COLUMNS = ("id", "kind", "title", "starts_at", "chair", "created_by", "created_at", "ended_at")
ITEM_COLUMNS = ("id", "meeting_id", "position", "kind", "title", "mode", "candidates", "merged", "amends",
                "status", "expected", "present_at_open", "threshold", "opened_at", "closed_at", "manual_tally",
                "result", "digest", "tally_seq", "sealed")
ITEM_SPEC = ("id", "meeting_id", "kind", "title", "mode", "candidates", "merged", "amends", "status", "position")


class MeetingRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def add(self, kind, title, starts_at, chair, created_by):
        self.cursor.execute(
            "INSERT INTO meetings (kind, title, starts_at, chair, created_by) VALUES (%s, %s, %s, %s, %s) "
            "RETURNING " + ", ".join(MEETING_COLUMNS), (kind, title, starts_at, chair, created_by))
        return _dict(self.cursor)

    def add_members(self, meeting_id, rows):
        """rows: (deputy_id, name, role)."""
        if rows:
            self.cursor.execute(
                "INSERT INTO meeting_members (meeting_id, deputy_id, name, role) "
                "SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[])",
                (meeting_id, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]))
        self.cursor.execute("UPDATE meetings SET member_count = %s WHERE id = %s",
                            (sum(1 for r in rows if r[2] == "member"), meeting_id))

    def add_more_members(self, meeting_id, rows):
        """rows: (deputy_id, name, role) of people not yet in the meeting (a concurrent add of the
        same person is skipped). Recounts the members. Returns the number of members now."""
        if rows:
            self.cursor.execute(
                "INSERT INTO meeting_members (meeting_id, deputy_id, name, role) "
                "SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::text[]) ON CONFLICT DO NOTHING",
                (meeting_id, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]))
        self.cursor.execute(
            "UPDATE meetings SET member_count = (SELECT count(*) FROM meeting_members "
            "  WHERE meeting_id = %s AND role = 'member') WHERE id = %s RETURNING member_count",
            (meeting_id, meeting_id))
        return self.cursor.fetchone()[0]

    def count_presence(self, meeting_id, delta):
        """Move the live present count by ``delta`` (the last statement before commit: the
        row lock orders concurrent sign-ins). Returns (expected, present)."""
        self.cursor.execute("UPDATE meetings SET present_count = present_count + %s WHERE id = %s "
                            "RETURNING member_count, present_count", (delta, meeting_id))
        return tuple(self.cursor.fetchone())

    def live_counts(self, meeting_id):
        self.cursor.execute("SELECT member_count, present_count FROM meetings WHERE id = %s", (meeting_id,))
        return tuple(self.cursor.fetchone())

    def get(self, meeting_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(MEETING_COLUMNS) + " FROM meetings WHERE id = %s"
                            + (" FOR UPDATE" if for_update else ""), (meeting_id,))
        return _dict(self.cursor)

    def find_by_title(self, title):
        self.cursor.execute("SELECT " + ", ".join(MEETING_COLUMNS) + " FROM meetings WHERE title = %s "
                            "ORDER BY id LIMIT 1", (title,))
        return _dict(self.cursor)

    def list(self, limit=50, offset=0, member=None):
        where, args = "", ()
        if member:
            where = " WHERE EXISTS (SELECT 1 FROM meeting_members mm WHERE mm.meeting_id = m.id AND mm.deputy_id = %s)"
            args = (member,)
        self.cursor.execute("SELECT count(*) FROM meetings m" + where, args)
        total = self.cursor.fetchone()[0]
        self.cursor.execute(
            "SELECT m.id, m.kind, m.title, m.starts_at, m.chair, m.created_by, m.created_at, m.ended_at, "
            "  m.member_count AS expected, m.present_count AS present "
            "FROM meetings m" + where + " ORDER BY m.starts_at DESC, m.id DESC LIMIT %s OFFSET %s",
            args + (limit, offset))
        return _dicts(self.cursor), total

    def members(self, meeting_id):
        self.cursor.execute(
            "SELECT deputy_id, name, role, present, signed_in_at, signed_in_by FROM meeting_members "
            "WHERE meeting_id = %s ORDER BY role, deputy_id", (meeting_id,))
        return _dicts(self.cursor)

    def member(self, meeting_id, deputy_id):
        self.cursor.execute(
            "SELECT deputy_id, name, role, present, signed_in_at, signed_in_by FROM meeting_members "
            "WHERE meeting_id = %s AND deputy_id = %s", (meeting_id, deputy_id))
        return _dict(self.cursor)

    def set_presence(self, meeting_id, deputy_id, present, by):
        """Sign in or out; False if the member already was in that state."""
        self.cursor.execute(
            "UPDATE meeting_members SET present = %s, "
            "  signed_in_at = CASE WHEN %s THEN now() ELSE signed_in_at END, "
            "  signed_in_by = CASE WHEN %s THEN %s ELSE signed_in_by END, "
            "  ever_present = ever_present OR %s "
            "WHERE meeting_id = %s AND deputy_id = %s AND present <> %s RETURNING 1",
            (present, present, present, by, present, meeting_id, deputy_id, present))
        if self.cursor.fetchone() is None:
            return False
        self.cursor.execute("INSERT INTO attendance_log (meeting_id, deputy_id, action, by_user) "
                            "VALUES (%s, %s, %s, %s)", (meeting_id, deputy_id, "in" if present else "out", by))
        return True

    def counts(self, meeting_id):
        """(expected, present) among members."""
        self.cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE present) FROM meeting_members "
            "WHERE meeting_id = %s AND role = 'member'", (meeting_id,))
        return tuple(self.cursor.fetchone())

    def directory(self, codes):
        return directory_entries(self.cursor, codes)

    def attendance_of(self, deputy_id):
        """For the dashboard: meetings the deputy is a member of, attended (signed in at
        least once), absent (held — an item was voted — without the deputy), votes cast."""
        self.cursor.execute(
            "SELECT count(*) AS meetings, count(*) FILTER (WHERE mm.ever_present) AS attended, "
            "  count(*) FILTER (WHERE NOT mm.ever_present AND (m.starts_at <= now() OR EXISTS ("
            "     SELECT 1 FROM items i WHERE i.meeting_id = m.id AND i.status <> 'pending'))) AS absent "
            "FROM meeting_members mm JOIN meetings m ON m.id = mm.meeting_id "
            "WHERE mm.deputy_id = %s AND mm.role = 'member'", (deputy_id,))
        row = _dict(self.cursor)
        self.cursor.execute(
            "SELECT count(*) FROM item_electorate e WHERE e.deputy_id = %s AND (e.voted OR EXISTS ("
            "  SELECT 1 FROM current_choices c WHERE c.item_id = e.item_id AND c.token = e.token))", (deputy_id,))
        row["votes_cast"] = self.cursor.fetchone()[0]
        return row


class ItemRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def add(self, meeting_id, kind, title, mode, candidates, merged, amends):
        self.cursor.execute(
            "INSERT INTO items (meeting_id, position, kind, title, mode, candidates, merged, amends) "
            "SELECT %s, COALESCE(max(position), 0) + 1, %s, %s, %s, %s, %s, %s FROM items WHERE meeting_id = %s "
            "RETURNING " + ", ".join(ITEM_COLUMNS),
            (meeting_id, kind, title, mode, Jsonb(candidates), merged, amends, meeting_id))
        return _dict(self.cursor)

    def get(self, meeting_id, item_id, for_update=False):
        self.cursor.execute("SELECT " + ", ".join(ITEM_COLUMNS) + " FROM items WHERE id = %s AND meeting_id = %s"
                            + (" FOR UPDATE" if for_update else ""), (item_id, meeting_id))
        return _dict(self.cursor)

    def list(self, meeting_id):
        self.cursor.execute("SELECT " + ", ".join(ITEM_COLUMNS) + " FROM items WHERE meeting_id = %s "
                            "ORDER BY position", (meeting_id,))
        return _dicts(self.cursor)

    def spec(self, item_id):
        self.cursor.execute("SELECT " + ", ".join(ITEM_SPEC) + " FROM items WHERE id = %s", (item_id,))
        row = _dict(self.cursor)
        return Item(**row) if row else None

    def open(self, item_id, meeting_id, threshold, electorate):
        """Snapshot the members as the item's electorate (``electorate``: (deputy, token))
        and open it. Returns (expected, present)."""
        self.cursor.execute(
            "INSERT INTO item_electorate (item_id, deputy_id, token) SELECT %s, * FROM unnest(%s::text[], %s::text[])",
            (item_id, [d for d, _ in electorate], [t for _, t in electorate]))
        self.cursor.execute(
            "UPDATE items SET status = 'open', opened_at = now(), threshold = %s, "
            "  expected = (SELECT count(*) FROM meeting_members WHERE meeting_id = %s AND role = 'member'), "
            "  present_at_open = (SELECT count(*) FROM meeting_members WHERE meeting_id = %s AND role = 'member' "
            "                      AND present) "
            "WHERE id = %s RETURNING expected, present_at_open", (threshold, meeting_id, meeting_id, item_id))
        return tuple(self.cursor.fetchone())

    def set_manual_tally(self, item_id, tally):
        self.cursor.execute("UPDATE items SET manual_tally = %s WHERE id = %s", (Jsonb(tally), item_id))

    def close(self, item_id, result, digest, sealed=False):
        """Close the item and record, per member, only whether they voted."""
        self.cursor.execute("UPDATE items SET status = 'closed', closed_at = now(), result = %s, digest = %s, "
                            "sealed = %s WHERE id = %s RETURNING closed_at", (Jsonb(result), digest, sealed, item_id))
        closed_at = self.cursor.fetchone()[0]
        self.cursor.execute(
            "UPDATE item_electorate e SET voted = EXISTS (SELECT 1 FROM current_choices c "
            "  WHERE c.item_id = e.item_id AND c.token = e.token) WHERE e.item_id = %s", (item_id,))
        return closed_at

    def open_items(self):
        self.cursor.execute("SELECT id FROM items WHERE status = 'open' ORDER BY id")
        return [row[0] for row in self.cursor.fetchall()]

    def presence(self, item_id):
        """(present, present tokens without a ballot ... as counts): present electorate
        members now, and how many of them have not voted."""
        self.cursor.execute(
            "SELECT count(*) FILTER (WHERE m.present), count(*) FILTER (WHERE m.present AND c.token IS NULL) "
            "FROM item_electorate e JOIN items i ON i.id = e.item_id "
            "JOIN meeting_members m ON m.meeting_id = i.meeting_id AND m.deputy_id = e.deputy_id "
            "LEFT JOIN current_choices c ON c.item_id = e.item_id AND c.token = e.token "
            "WHERE e.item_id = %s", (item_id,))
        return tuple(self.cursor.fetchone())

    def present_tokens(self, item_id):
        self.cursor.execute(
            "SELECT e.token FROM item_electorate e JOIN items i ON i.id = e.item_id "
            "JOIN meeting_members m ON m.meeting_id = i.meeting_id AND m.deputy_id = e.deputy_id "
            "WHERE e.item_id = %s AND m.present", (item_id,))
        return [row[0] for row in self.cursor.fetchall()]

    def pending_voters(self, item_id):
        """Names of present electorate members with no ballot yet (never their choices)."""
        self.cursor.execute(
            "SELECT e.deputy_id, m.name FROM item_electorate e JOIN items i ON i.id = e.item_id "
            "JOIN meeting_members m ON m.meeting_id = i.meeting_id AND m.deputy_id = e.deputy_id "
            "LEFT JOIN current_choices c ON c.item_id = e.item_id AND c.token = e.token "
            "WHERE e.item_id = %s AND m.present AND c.token IS NULL ORDER BY e.deputy_id", (item_id,))
        return _dicts(self.cursor)

    def grouped_choices(self, item_id):
        self.cursor.execute("SELECT choice, count(*) FROM current_choices WHERE item_id = %s GROUP BY choice",
                            (item_id,))
        return {choice: n for choice, n in self.cursor.fetchall()}

    def current_choices(self, item_id):
        self.cursor.execute("SELECT token, choice FROM current_choices WHERE item_id = %s ORDER BY token",
                            (item_id,))
        return self.cursor.fetchall()

    def record_tally(self, item_id, tally):
        """Store the running tally if it changed; the new seq, or None if unchanged."""
        self.cursor.execute(
            "UPDATE items SET tally_seq = tally_seq + 1, last_tally = %s "
            "WHERE id = %s AND status = 'open' AND last_tally IS DISTINCT FROM %s RETURNING tally_seq",
            (Jsonb(tally), item_id, Jsonb(tally)))
        row = self.cursor.fetchone()
        return row[0] if row else None


_CAST = """
WITH chk AS (
    SELECT i.status, i.mode, e.token, m.role, COALESCE(m.present, false) AS present
    FROM items i
    LEFT JOIN item_electorate e ON e.item_id = i.id AND e.deputy_id = %(deputy)s
    LEFT JOIN meeting_members m ON m.meeting_id = i.meeting_id AND m.deputy_id = %(deputy)s
    WHERE i.id = %(item)s AND i.meeting_id = %(meeting)s
), new AS (
    SELECT nextval('ballots_id_seq') AS id, token, mode FROM chk
    WHERE status = 'open' AND token IS NOT NULL AND present AND mode IN ('secret', 'named')
), ins AS (
    INSERT INTO ballots (id, item_id, token, choice, nonce, leaf_hash)
    SELECT id, %(item)s, token, %(choice)s::text, %(nonce)s::text,
           encode(sha256(convert_to(CASE WHEN mode = 'secret'
               THEN 'renda-ballot-v2|' || %(item)s::text || '|' || token
               ELSE 'renda-ballot-v1|' || %(item)s::text || '|' || id::text || '|' || token END
               || '|' || %(choice)s::text || '|' || %(nonce)s::text, 'UTF8')), 'hex')
    FROM new
    RETURNING id, leaf_hash, token
), cur AS (
    INSERT INTO current_choices (item_id, token, ballot_id, choice)
    SELECT %(item)s, token, id, %(choice)s::text FROM ins
    ON CONFLICT (item_id, token) DO UPDATE SET ballot_id = EXCLUDED.ballot_id, choice = EXCLUDED.choice
    WHERE current_choices.ballot_id < EXCLUDED.ballot_id
)
SELECT chk.status, chk.mode, chk.token IS NOT NULL AS entitled, chk.role, chk.present,
       ins.id AS ballot_id, ins.leaf_hash, ins.token
FROM chk LEFT JOIN ins ON true
"""


def _box_key(item_id):
    return BALLOT_BOX_LOCK, int(item_id) % 2147483647


class BallotRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def share_box(self, item_id):
        self.cursor.execute("SELECT pg_advisory_xact_lock_shared(%s::int4, %s::int4)", _box_key(item_id))

    def lock_box(self, item_id):
        self.cursor.execute("SELECT pg_advisory_xact_lock(%s::int4, %s::int4)", _box_key(item_id))

    def cast(self, meeting_id, item_id, deputy_id, choice, nonce):
        """Check and record a ballot in ONE statement: the item is open, the deputy is in its
        electorate and present → append to the log and make it the voter's current choice.
        Returns the checks and, if recorded, ballot_id/leaf_hash/token; None if no such item."""
        self.cursor.execute(_CAST, {"meeting": meeting_id, "item": item_id, "deputy": deputy_id,
                                    "choice": choice, "nonce": nonce})
        return _dict(self.cursor)

    def log(self, item_id):
        self.cursor.execute("SELECT id, token, choice, nonce, leaf_hash, cast_at FROM ballots WHERE item_id = %s "
                            "ORDER BY id", (item_id,))
        return _dicts(self.cursor)

    def last_checkpoint(self, item_id):
        self.cursor.execute("SELECT ballots, last_seq, root, extract(epoch FROM now() - taken_at)::float8 AS age "
                            "FROM ballot_checkpoints WHERE item_id = %s ORDER BY id DESC LIMIT 1", (item_id,))
        return _dict(self.cursor)

    def last_seq(self, item_id):
        self.cursor.execute("SELECT max(id) FROM ballots WHERE item_id = %s", (item_id,))
        return self.cursor.fetchone()[0]

    def add_checkpoint(self, item_id, ballots, last_seq, root):
        """Once per position of the log: another replica's ticker may have taken it already."""
        self.cursor.execute("INSERT INTO ballot_checkpoints (item_id, ballots, last_seq, root) VALUES (%s, %s, %s, %s) "
                            "ON CONFLICT (item_id, last_seq) DO NOTHING", (item_id, ballots, last_seq, root))

    def checkpoints(self, item_id):
        self.cursor.execute("SELECT ballots, last_seq, root FROM ballot_checkpoints WHERE item_id = %s ORDER BY id",
                            (item_id,))
        return _dicts(self.cursor)

    def leaves(self, item_id):
        self.cursor.execute("SELECT id, leaf_hash FROM ballots WHERE item_id = %s ORDER BY id", (item_id,))
        return self.cursor.fetchall()

    def counted(self, item_id):
        """The counted (last) ballot of each token, in token order."""
        self.cursor.execute(
            "SELECT b.token, b.choice, b.nonce, b.leaf_hash FROM current_choices c JOIN ballots b ON b.id = c.ballot_id "
            "WHERE c.item_id = %s ORDER BY b.token COLLATE \"C\"", (item_id,))
        return _dicts(self.cursor)

    def seal(self, item_id):
        """Seal a closed secret item's box: keep the counted ballot of each pseudonym (in
        pseudonym order, with no arrival number or time), erase the arrival log, the current
        choices and the member-to-pseudonym table. Returns the sealed ballots in token order."""
        self.cursor.execute(
            "INSERT INTO sealed_ballots (item_id, token, choice, nonce, leaf_hash) "
            "SELECT c.item_id, b.token, b.choice, b.nonce, b.leaf_hash FROM current_choices c "
            "JOIN ballots b ON b.id = c.ballot_id WHERE c.item_id = %s ORDER BY b.token COLLATE \"C\"", (item_id,))
        self.cursor.execute("DELETE FROM current_choices WHERE item_id = %s", (item_id,))
        self.cursor.execute("DELETE FROM ballots WHERE item_id = %s", (item_id,))
        self.cursor.execute("UPDATE item_electorate SET token = NULL WHERE item_id = %s", (item_id,))
        return self.sealed(item_id)

    def sealed(self, item_id):
        self.cursor.execute("SELECT token, choice, nonce, leaf_hash FROM sealed_ballots WHERE item_id = %s "
                            "ORDER BY token COLLATE \"C\"", (item_id,))
        return _dicts(self.cursor)

    def purge_dead_rows(self):
        """VACUUM the tables sealing deleted from, so the erased rows do not linger in the
        table files either (best effort; needs an autocommit connection)."""
        self.cursor.execute("VACUUM (SKIP_LOCKED) ballots, current_choices, item_electorate")


REPOSITORIES = {
    "deputy_directory": deputy_directory.DeputyDirectoryRepository,
    "meetings": MeetingRepository,
    "items": ItemRepository,
    "ballots": BallotRepository,
    "leaves": LeaveRepository,
}


def directory_entries(cursor, codes):
    """{code: {name, status}} of the deputies of ``codes`` the read model knows."""
    cursor.execute("SELECT code, name, status FROM deputy_directory WHERE code = ANY(%s)", (list(codes),))
    return {code: {"name": name, "status": status} for code, name, status in cursor.fetchall()}
