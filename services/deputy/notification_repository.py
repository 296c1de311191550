"""SQL of deputies' notifications (table ``notifications`` of the deputy schema)."""

ITEM_COLUMNS = ("id", "event_type", "suggestion_id", "suggestion_number", "alert_id", "subject", "body",
                "occurred_at", "created_at", "read_at", "email_status")
INSERT_COLUMNS = ("deputy_code", "event_id", "event_type", "suggestion_id", "suggestion_number", "subject",
                  "body", "occurred_at", "email_to", "email_status", "alert_id")
EMAIL_WAKE_CHANNEL = "deputy_notification_email"


def _iso(value):
    return value.isoformat() if value is not None else None


def _item(row):
    item = dict(zip(ITEM_COLUMNS, row))
    for name in ("occurred_at", "created_at", "read_at"):
        item[name] = _iso(item[name])
    item["type"] = item.pop("event_type")
    item["number"] = item.pop("suggestion_number")
    item["read"] = item["read_at"] is not None
    return item


class NotificationRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    # -- writing the inbox ------------------------------------------------------------------
    def contacts(self, codes):
        """{code: {"name", "email"}} of the deputies among ``codes`` the roster knows."""
        if not codes:
            return {}
        self.cursor.execute("SELECT code, name, email FROM deputies WHERE code = ANY(%s)", (list(codes),))
        return {code: {"name": name, "email": email or None} for code, name, email in self.cursor.fetchall()}

    def add_many(self, notifications):
        """Insert rows, skipping any (event, deputy) pair already present; the number added.
        Wakes the e-mail sender (at commit) when a row waits for sending."""
        values = [value for n in notifications for value in
                  (n.deputy_code, n.event_id, n.event_type, n.suggestion_id, n.suggestion_number, n.subject,
                   n.body, n.occurred_at, n.email_to, n.email_status, n.alert_id)]
        self.cursor.execute(
            "INSERT INTO notifications (" + ", ".join(INSERT_COLUMNS) + ", email_next_attempt) VALUES "
            + ", ".join(["(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ", now())"] * len(notifications))
            + " ON CONFLICT (event_id, deputy_code) DO NOTHING RETURNING email_status", values)
        statuses = [row[0] for row in self.cursor.fetchall()]
        if "pending" in statuses:
            self.cursor.execute("SELECT pg_notify(%s, '')", (EMAIL_WAKE_CHANNEL,))
        return len(statuses)

    # -- reading the inbox ------------------------------------------------------------------
    # A deputy's inbox keeps its read marks on the rows (``read_at``: one reader per row); the
    # staff's shared inbox keeps one mark per staff member in ``notification_reads``. ``reader``
    # None means the former; the item's ``read_at`` is the reader's own mark either way.
    @staticmethod
    def _inbox(reader):
        """(SELECT of the items, FROM clause, read-mark expression, parameters) for ``reader``."""
        if reader is None:
            source, read_at, params = "notifications n", "n.read_at", ()
        else:
            source, read_at, params = ("notifications n LEFT JOIN notification_reads r "
                                       "ON r.notification_id = n.id AND r.reader = %s", "r.read_at", (reader,))
        columns = ", ".join(read_at if c == "read_at" else "n." + c for c in ITEM_COLUMNS)
        return f"SELECT {columns} FROM {source}", source, read_at, params

    def page(self, deputy, unread_only=False, limit=20, offset=0, reader=None):
        select, source, read_at, params = self._inbox(reader)
        where = " WHERE n.deputy_code = %s" + (f" AND {read_at} IS NULL" if unread_only else "")
        # newest first by when it happened: events of different types reach the inbox through
        # different queues, so the order of arrival (id) is not the order of events
        self.cursor.execute(f"{select}{where} ORDER BY n.occurred_at DESC, n.id DESC "
                            "LIMIT %s OFFSET %s", (*params, deputy, limit, offset))
        items = [_item(row) for row in self.cursor.fetchall()]
        self.cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE {read_at} IS NULL) FROM {source} "
                            "WHERE n.deputy_code = %s", (*params, deputy))
        total, unread = self.cursor.fetchone()
        return items, (unread if unread_only else total), unread

    def mark_read(self, deputy, notification_id, reader=None):
        if reader is None:
            self.cursor.execute(
                "UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = %s AND deputy_code = %s "
                "RETURNING " + ", ".join(ITEM_COLUMNS), (notification_id, deputy))
        else:
            # the first mark stays (a second read changes nothing), as read_at's COALESCE above
            self.cursor.execute(
                "INSERT INTO notification_reads (notification_id, reader) "
                "SELECT id, %s FROM notifications WHERE id = %s AND deputy_code = %s "
                "ON CONFLICT (reader, notification_id) DO NOTHING", (reader, notification_id, deputy))
            select, _, _, params = self._inbox(reader)
            self.cursor.execute(f"{select} WHERE n.id = %s AND n.deputy_code = %s",
                                (*params, notification_id, deputy))
        row = self.cursor.fetchone()
        return _item(row) if row else None

    def mark_all_read(self, deputy, reader=None):
        if reader is None:
            self.cursor.execute("UPDATE notifications SET read_at = now() WHERE deputy_code = %s AND read_at IS NULL",
                                (deputy,))
        else:
            self.cursor.execute(
                "INSERT INTO notification_reads (notification_id, reader) "
                "SELECT id, %s FROM notifications WHERE deputy_code = %s "
                "ON CONFLICT (reader, notification_id) DO NOTHING", (reader, deputy))
        return self.cursor.rowcount

    # -- e-mail copies (the sender's own connection) -------------------------------------------
    def claim_due_email(self):
        """The oldest due e-mail, locked for this transaction; replicas skip each other's."""
        self.cursor.execute(
            "SELECT id, email_to, subject, body, suggestion_number, email_attempts FROM notifications "
            "WHERE email_status = 'pending' AND email_next_attempt <= now() "
            "ORDER BY email_next_attempt, id LIMIT 1 FOR UPDATE SKIP LOCKED")
        row = self.cursor.fetchone()
        if row is None:
            return None
        return dict(zip(("id", "email_to", "subject", "body", "number", "attempts"), row))

    def email_sent(self, notification_id, attempts):
        self.cursor.execute(
            "UPDATE notifications SET email_status = 'sent', email_sent_at = now(), email_attempts = %s, "
            "email_last_error = NULL WHERE id = %s", (attempts, notification_id))

    def email_retry(self, notification_id, attempts, delay_seconds, error):
        self.cursor.execute(
            "UPDATE notifications SET email_attempts = %s, email_last_error = %s, "
            "email_next_attempt = now() + make_interval(secs => %s) WHERE id = %s",
            (attempts, error[:1000], float(delay_seconds), notification_id))

    def email_failed(self, notification_id, attempts, error):
        self.cursor.execute(
            "UPDATE notifications SET email_status = 'failed', email_attempts = %s, email_last_error = %s, "
            "email_next_attempt = NULL WHERE id = %s", (attempts, error[:1000], notification_id))

    def email_status_counts(self):
        self.cursor.execute("SELECT email_status, count(*) FROM notifications GROUP BY email_status")
        return dict(self.cursor.fetchall())
