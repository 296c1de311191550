"""SQL for the webhooks schema."""
from kernel.department_directory import DepartmentDirectoryRepository
from kernel.sqlwhere import Where
from services.webhooks.domain import Webhook

WEBHOOK_COLUMNS = ("id", "department", "url", "events", "description", "secret_salt", "created_by", "created_at")
DELIVERY_COLUMNS = ("id", "webhook_id", "department", "event_id", "event_type", "status", "attempts",
                    "next_attempt_at", "last_status_code", "last_error", "created_at", "delivered_at")
ATTEMPT_COLUMNS = ("attempt", "started_at", "duration_ms", "status_code", "error")


def _webhook(row):
    values = dict(zip(WEBHOOK_COLUMNS, row))
    values["id"] = str(values["id"])
    return Webhook(**values)


class WebhookRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def add(self, webhook):
        self.cursor.execute(
            "INSERT INTO webhooks (id, department, url, events, description, secret_salt, created_by) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING created_at",
            (webhook.id, webhook.department, webhook.url, list(webhook.events), webhook.description,
             webhook.secret_salt, webhook.created_by))
        webhook.created_at = self.cursor.fetchone()[0]
        return webhook

    def active(self, department):
        self.cursor.execute("SELECT " + ", ".join(WEBHOOK_COLUMNS) + " FROM webhooks "
                            "WHERE department = %s AND deleted_at IS NULL ORDER BY created_at, id", (department,))
        return [_webhook(row) for row in self.cursor.fetchall()]

    def departments_with_webhooks(self):
        """Codes of the departments that have an active webhook (the intake queue's bindings)."""
        self.cursor.execute("SELECT DISTINCT department FROM webhooks WHERE deleted_at IS NULL ORDER BY department")
        return [row[0] for row in self.cursor.fetchall()]

    def count_active(self, department):
        self.cursor.execute("SELECT count(*) FROM webhooks WHERE department = %s AND deleted_at IS NULL",
                            (department,))
        return self.cursor.fetchone()[0]

    def delete(self, department, webhook_id):
        """Soft delete (its delivery log stays); pending deliveries are cancelled."""
        self.cursor.execute("UPDATE webhooks SET deleted_at = now() WHERE id = %s AND department = %s "
                            "AND deleted_at IS NULL RETURNING 1", (webhook_id, department))
        if self.cursor.fetchone() is None:
            return False
        self.cursor.execute("UPDATE deliveries SET status = 'cancelled', lease_until = NULL, lease_token = NULL "
                            "WHERE webhook_id = %s AND status = 'pending'", (webhook_id,))
        return True


class DeliveryRepository:
    def __init__(self, cursor):
        self.cursor = cursor

    def add_many(self, rows):
        """rows: (id, webhook_id, department, event_id, event_type, body); an event already
        queued for a webhook is skipped (idempotent by event id)."""
        if not rows:
            return 0
        self.cursor.execute(
            "INSERT INTO deliveries (id, webhook_id, department, event_id, event_type, body) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
            + " ON CONFLICT (webhook_id, event_id) DO NOTHING", [v for row in rows for v in row])
        return self.cursor.rowcount

    def waiting_counts(self):
        """{status: deliveries} for pending (still to be tried) and dead (given up on) ones."""
        self.cursor.execute("SELECT status, count(*) FROM deliveries WHERE status IN ('pending', 'dead') "
                            "GROUP BY status")
        return dict(self.cursor.fetchall())

    def replay(self, department, delivery_id):
        """A dead delivery of an active webhook goes back to pending, due now. Returns
        (replayed, status): status None when the department has no such delivery."""
        self.cursor.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = now() WHERE id = %s AND department = %s "
            "AND status = 'dead' AND webhook_id IN (SELECT id FROM webhooks WHERE deleted_at IS NULL) "
            "RETURNING status", (delivery_id, department))
        if self.cursor.fetchone() is not None:
            return True, "pending"
        self.cursor.execute("SELECT d.status, w.deleted_at IS NOT NULL FROM deliveries d "
                            "JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = %s AND d.department = %s",
                            (delivery_id, department))
        row = self.cursor.fetchone()
        if row is None:
            return False, None
        return False, "webhook deleted" if row[1] else row[0]

    def page(self, department, status=None, webhook_id=None, event_type=None, limit=50, offset=0):
        where = Where("department = %s", params=[department]).equal(
            ("status", status), ("webhook_id", webhook_id), ("event_type", event_type))
        params, where = where.params, str(where)
        self.cursor.execute("SELECT count(*) FROM deliveries" + where, params)
        total = self.cursor.fetchone()[0]
        # One statement, so one snapshot: a delivery and its attempt log are read as the worker
        # committed them together (two autocommit reads could see the attempt but not last_error).
        self.cursor.execute(
            "WITH page AS (SELECT " + ", ".join(DELIVERY_COLUMNS) + " FROM deliveries" + where
            + " ORDER BY created_at DESC, id LIMIT %s OFFSET %s) "
            "SELECT " + ", ".join(f"page.{c}" for c in DELIVERY_COLUMNS) + ", "
            + ", ".join(f"a.{c}" for c in ATTEMPT_COLUMNS)
            + " FROM page LEFT JOIN delivery_attempts a ON a.delivery_id = page.id "
            "ORDER BY page.created_at DESC, page.id, a.attempt", params + [limit, offset])
        items = {}
        for row in self.cursor.fetchall():
            delivery, attempt = row[:len(DELIVERY_COLUMNS)], row[len(DELIVERY_COLUMNS):]
            item = items.setdefault(delivery[0], dict(zip(DELIVERY_COLUMNS, delivery), attempt_log=[]))
            if attempt[0] is not None:
                item["attempt_log"].append(dict(zip(ATTEMPT_COLUMNS, attempt)))
        items = list(items.values())
        return items, total


REPOSITORIES = {"webhooks": WebhookRepository, "deliveries": DeliveryRepository,
                "department_directory": DepartmentDirectoryRepository}


class DeliveryQueue:
    """The delivery workers' side of ``deliveries``: which departments have work due, claim
    one due row (FOR UPDATE SKIP LOCKED + a lease), record an attempt's outcome."""

    def __init__(self, cursor):
        self.cursor = cursor

    def due_by_department(self):
        self.cursor.execute(
            "SELECT department, count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now() "
            "AND (lease_until IS NULL OR lease_until < now()) GROUP BY department")
        return self.cursor.fetchall()

    def claim(self, department, lease_seconds, lease_token):
        self.cursor.execute(
            "UPDATE deliveries d SET lease_until = now() + make_interval(secs => %s), lease_token = %s, "
            "attempts = d.attempts + 1 FROM webhooks w "
            "WHERE d.id = (SELECT id FROM deliveries WHERE department = %s AND status = 'pending' "
            "  AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now()) "
            "  ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
            "AND w.id = d.webhook_id "
            "RETURNING d.id, d.webhook_id, d.event_id, d.event_type, d.body, d.attempts, w.url, w.secret_salt, "
            "d.lease_token", (lease_seconds, lease_token, department))
        return self.cursor.fetchone()

    def finish(self, delivery_id, lease_token, status, delay_seconds, status_code, error, success):
        """Record the attempt's outcome if the lease is still ours; False if the row changed
        meanwhile (webhook deleted)."""
        self.cursor.execute(
            "UPDATE deliveries SET status = %s, next_attempt_at = now() + make_interval(secs => %s), "
            "lease_until = NULL, lease_token = NULL, last_status_code = %s, last_error = %s, "
            "delivered_at = CASE WHEN %s THEN now() END "
            "WHERE id = %s AND lease_token = %s AND status = 'pending' RETURNING 1",
            (status, delay_seconds, status_code, error, success, delivery_id, lease_token))
        return self.cursor.fetchone() is not None

    def log_attempt(self, delivery_id, attempt, started_at, duration_ms, status_code, error):
        self.cursor.execute(
            "INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error) "
            "VALUES (%s, %s, to_timestamp(%s), %s, %s, %s) ON CONFLICT DO NOTHING",
            (delivery_id, attempt, started_at, duration_ms, status_code, error))
