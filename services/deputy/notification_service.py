"""Deputies' notifications in the deputy service: ``NotificationKeeper`` (a mixin of
DeputyService) subscribes to suggestion events, fills each entitled deputy's inbox and
answers inbox RPCs; ``NotificationMailer`` sends the e-mail copies.

E-mail is never sent inside the consumer's transaction: the consumer only writes rows with
``email_status = 'pending'`` (or ``'skipped'`` when SMTP_HOST is empty — the development
default — or ``'none'`` when the deputy has no address). The mailer, a background green
thread per replica, takes one due row at a time with ``FOR UPDATE SKIP LOCKED`` (so two
replicas never send the same row), sends it over SMTP with a timeout and marks it sent in
the same transaction; a temporary failure is retried with exponential backoff, a permanent
one (5xx) or the last allowed try marks it failed. A crash after the SMTP server accepted a
message but before the commit sends it again on the next try (at-least-once, like any
mail relay), never twice in normal operation.
"""
import logging
import smtplib
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from contracts.events import budget as budget_events
from contracts.events import suggestion as suggestion_events
import kernel  # noqa: F401  (eventlet-friendly psycopg wait function)
import eventlet
import psycopg
from nameko.extensions import DependencyProvider
from prometheus_client import Counter
from psycopg import sql

from kernel.config import service_dsn
from kernel.consumer import rpc, subscribe
from kernel.errors import ValidationFailed, load_payload as _load
from kernel.loops import keep_running
from services.deputy import notifications
from services.deputy.notification_repository import EMAIL_WAKE_CHANNEL, NotificationRepository
from contracts.deputy_notifications import (NotificationPageSchema, NotificationQuerySchema,
                                            NotificationSchema)

log = logging.getLogger(__name__)

EMAILS = Counter("deputy_notification_emails_total", "Notification e-mails by outcome", ["outcome"])
EMAIL_FOOTER = "\n\n——\n此邮件由智慧人大平台自动发送，请勿直接回复。登录平台可查看详情。"


def smtp_settings(config):
    host = (config.get("SMTP_HOST") or "").strip()
    return {
        "host": host,
        "enabled": bool(host),
        "port": int(config.get("SMTP_PORT") or 25),
        "sender": config.get("SMTP_FROM") or "noreply@renda.local",
        "user": config.get("SMTP_USER") or None,
        "password": config.get("SMTP_PASSWORD") or "",
        "starttls": str(config.get("SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
        "timeout": float(config.get("SMTP_TIMEOUT_SECONDS") or 10),
        "max_attempts": int(config.get("SMTP_MAX_ATTEMPTS") or 5),
        "retry_base": float(config.get("SMTP_RETRY_BASE_SECONDS") or 60),
        "retry_max": float(config.get("SMTP_RETRY_MAX_SECONDS") or 3600),
        "poll": float(config.get("SMTP_POLL_SECONDS") or 5),
    }


def build_message(row, sender):
    message = EmailMessage()
    domain = parseaddr(sender)[1].rpartition("@")[2] or "renda.local"
    message["From"] = sender
    message["To"] = row["email_to"]
    message["Subject"] = notifications.email_subject(row["subject"], row["number"])
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=f"notification-{row['id']}", domain=domain)
    message["X-Renda-Notification"] = str(row["id"])
    message.set_content(row["body"] + EMAIL_FOOTER)
    return message


def _permanent(exc):
    """A 5xx answer will not change on a retry; network trouble and 4xx may."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


class NotificationMailer(DependencyProvider):
    """Background sender of pending notification e-mails (one green thread per replica);
    idle unless SMTP_HOST is set."""

    BATCH = 50

    def setup(self):
        config = self.container.config
        self.settings = smtp_settings(config)
        self.dsn = service_dsn(config, self.container.service_name)
        self.running = False
        self.sending = False
        self.thread = None
        self.last_loop = 0.0

    def start(self):
        if not self.settings["enabled"]:
            log.info("SMTP_HOST is empty: notification e-mails are marked skipped, not sent")
            return
        self.running = True
        self.thread = self.container.spawn_managed_thread(self._run, identifier="notification-mailer")

    def stop(self):
        self.running = False
        if self.thread is not None:
            if self.sending:
                # let the send in progress finish and commit (bounded by the SMTP timeout)
                with eventlet.Timeout(self.settings["timeout"] + 1, False):
                    self.thread.wait()
            self.thread.kill()
            self.thread = None

    def kill(self):
        self.running = False
        if self.thread is not None:
            self.thread.kill()
            self.thread = None

    def get_dependency(self, worker_ctx):
        return self

    @property
    def enabled(self):
        return self.settings["enabled"]

    # -- the loop ---------------------------------------------------------------------------
    def _run(self):
        keep_running(lambda: self.running, self._serve, "notification mailer", cap=10.0)

    def _serve(self):
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=3) as db:
            db.execute(sql.SQL("LISTEN {}").format(sql.Identifier(EMAIL_WAKE_CHANNEL)))
            while self.running:
                self.last_loop = time.monotonic()
                if self.send_due(db) >= self.BATCH:
                    continue
                for _ in db.notifies(timeout=self.settings["poll"], stop_after=1):
                    pass

    def send_due(self, db):
        """Send due e-mails, one row per transaction; the number of rows handled."""
        handled, smtp = 0, None
        self.sending = True
        try:
            while self.running and handled < self.BATCH:
                with db.transaction():
                    repository = NotificationRepository(db.cursor())
                    row = repository.claim_due_email()
                    if row is None:
                        break
                    handled += 1
                    attempts = row["attempts"] + 1
                    try:
                        if smtp is None:
                            smtp = self._connect()
                        smtp.send_message(build_message(row, self.settings["sender"]))
                    except (OSError, smtplib.SMTPException) as exc:
                        error = f"{type(exc).__name__}: {exc}"
                        if not isinstance(exc, smtplib.SMTPRecipientsRefused):
                            smtp = self._close(smtp)  # the session may be unusable
                        self._failed(repository, row, attempts, error, _permanent(exc))
                    else:
                        repository.email_sent(row["id"], attempts)
                        EMAILS.labels("sent").inc()
        finally:
            self._close(smtp)
            self.sending = False
        return handled

    def _failed(self, repository, row, attempts, error, permanent):
        s = self.settings
        if notifications.email_outcome(attempts, s["max_attempts"], permanent) == "failed":
            repository.email_failed(row["id"], attempts, error)
            EMAILS.labels("failed").inc()
            log.error("notification e-mail %s to %s given up after %d attempt(s): %s",
                      row["id"], row["email_to"], attempts, error)
        else:
            delay = notifications.email_retry_delay(attempts, s["retry_base"], s["retry_max"])
            repository.email_retry(row["id"], attempts, delay, error)
            EMAILS.labels("retried").inc()
            log.warning("notification e-mail %s failed (attempt %d), retry in %.1fs: %s",
                        row["id"], attempts, delay, error)

    def _connect(self):
        s = self.settings
        smtp = smtplib.SMTP(s["host"], s["port"], timeout=s["timeout"])
        try:
            if s["starttls"]:
                smtp.starttls()
            if s["user"]:
                smtp.login(s["user"], s["password"])
        except Exception:
            self._close(smtp)
            raise
        return smtp

    @staticmethod
    def _close(smtp):
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:
                smtp.close()
        return None



def _notification_id(value):
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number <= 0 or number > 2 ** 62:
        raise ValidationFailed("invalid notification id", {"id": ["must be a positive integer"]})
    return number


class NotificationKeeper:
    """Mixin of DeputyService (which registers ``notifications`` with its Database)."""

    mailer = NotificationMailer()

    def _record(self, envelope):
        notifications.record_suggestion_event(envelope, self.db(), email_enabled=self.mailer.enabled)

    # One queue per event type (bootstrap declares them, so nothing is dropped before the
    # first start). The method names are part of the queue names: do not rename them.
    @subscribe("suggestion", suggestion_events.SUBMITTED)
    def on_suggestion_suggestion_submitted(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.ACCEPTED)
    def on_suggestion_suggestion_accepted(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.REJECTED)
    def on_suggestion_suggestion_rejected(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.MERGED)
    def on_suggestion_suggestion_merged(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.ASSIGNED)
    def on_suggestion_suggestion_assigned(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.EXTENSION_DECIDED)
    def on_suggestion_suggestion_extension_decided(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.REPLIED)
    def on_suggestion_suggestion_replied(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.FOLLOWED_UP)
    def on_suggestion_suggestion_followed_up(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.REHANDLING_OPENED)
    def on_suggestion_suggestion_rehandling_opened(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.OVERDUE)
    def on_suggestion_suggestion_overdue(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.CLOSED)
    def on_suggestion_suggestion_closed(self, envelope):
        self._record(envelope)

    @subscribe("suggestion", suggestion_events.WITHDRAWN)
    def on_suggestion_suggestion_withdrawn(self, envelope):
        self._record(envelope)

    @subscribe("budget", budget_events.ALERT_RAISED)
    def on_budget_budget_alert_raised(self, envelope):
        notifications.record_budget_alert(envelope, self.db())

    # -- the inbox -----------------------------------------------------------------------------
    @rpc
    def list_notifications(self, actor, query=None):
        page = notifications.list_notifications(actor, _load(NotificationQuerySchema(), query),
                                                self.db(readonly=True))
        return NotificationPageSchema().dump(page)

    @rpc
    def mark_notification_read(self, actor, notification_id):
        item = notifications.mark_read(actor, _notification_id(notification_id), self.db())
        return NotificationSchema().dump(item)

    @rpc
    def mark_all_notifications_read(self, actor):
        return notifications.mark_all_read(actor, self.db())
