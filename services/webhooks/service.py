"""The webhooks service: departments' webhooks and their delivery (issue 3, item 8).

Consumes the department copies of suggestion events (exchange ``suggestion.departments``),
stores a delivery per interested webhook, and POSTs each one signed with the webhook's
own secret, with retries and back-off, then dead (see services/webhooks/delivery.py).
It learns which departments exist from the suggestion service's ``department_saved`` events
(kernel/department_directory.py); the suggestion service, which owns them, provisions their
queues and AMQP users.
"""
import logging

from kombu.exceptions import OperationalError as BrokerError

from contracts import departments_amqp
from kernel.consumer import rpc
from kernel.db import Database, make_pool
from kernel.department_directory import DepartmentDirectoryKeeper
from kernel.metrics import set_work_gauge, work_gauge
from kernel.service import PlatformService
from kernel.timers import ConfiguredTimer
from kernel.errors import ServiceUnavailable, load_payload as load
from services.webhooks import handlers
from services.webhooks.delivery import WebhookDispatcher, consume_department_events
from services.webhooks.repository import REPOSITORIES
from contracts.webhooks import (DeliveryPageSchema, DeliveryQuerySchema, WebhookCreateSchema,
                                WebhookCreatedSchema, WebhookListSchema)
from services.webhooks.targets import TargetPolicy

log = logging.getLogger(__name__)
DELIVERIES_GAUGE = work_gauge("webhooks_deliveries_waiting", "Webhook deliveries waiting: pending (to be tried) "
                              "and dead (given up, replayable)", "status")

class WebhooksDatabase(Database):
    """Its transactions are a few milliseconds long (store deliveries, read the log): a small
    pool (``WEBHOOK_DB_POOL_SIZE``) serves all workers; a worker waits for a connection rather
    than the process holding max_workers + 4 of the database's connections."""

    def setup(self):
        super().setup()
        size = int(self.container.config.get("WEBHOOK_DB_POOL_SIZE") or 6)
        self.pool = make_pool(self.dsn, size, f"{self.service}-pool")


class WebhooksService(DepartmentDirectoryKeeper, PlatformService):
    name = "webhooks"

    db = WebhooksDatabase(REPOSITORIES)
    dispatcher = WebhookDispatcher()

    def _departments(self):
        return handlers.known_departments(self.db(readonly=True))

    def _readiness(self):
        body = super()._readiness()
        body["checks"]["dispatcher"] = self.dispatcher.healthy()
        body["ready"] = all(body["checks"].values())
        return body

    def _subscribe_department(self, code):
        try:
            departments_amqp.bind_webhook_queue(self.config, [code])
        except (BrokerError, OSError) as exc:
            raise ServiceUnavailable("the department's events could not be subscribed to",
                                     {"reason": type(exc).__name__}) from exc

    @ConfiguredTimer.decorator("WORK_GAUGES_SECONDS", 15)
    def refresh_work_gauges(self):
        """webhooks_deliveries_waiting{status}: what the WebhookDeliveriesDying alert watches."""
        try:
            counts = handlers.waiting_deliveries(self.db(readonly=True))
        except Exception:  # the database may be down; the gauge keeps its last value
            log.warning("delivery gauge refresh failed", exc_info=True)
            return
        set_work_gauge(DELIVERIES_GAUGE, counts, always=("pending", "dead"))

    @rpc
    def register_webhook(self, department, payload, actor):
        handlers.check_access(actor, department, self._departments())
        command = dict(load(WebhookCreateSchema(), payload), department=department, actor=actor)
        created = handlers.register_webhook(command, self.db(), self.config.get("WEBHOOK_SIGNING_SECRET", ""),
                                            TargetPolicy.from_config(self.config), self._subscribe_department)
        return WebhookCreatedSchema().dump(created)

    @rpc
    def list_webhooks(self, department, actor):
        handlers.check_access(actor, department, self._departments())
        return WebhookListSchema().dump(handlers.list_webhooks(department, self.db(readonly=True)))

    @rpc
    def delete_webhook(self, department, webhook_id, actor):
        handlers.check_access(actor, department, self._departments())
        handlers.delete_webhook(department, webhook_id, self.db())
        return {"deleted": webhook_id}

    @rpc
    def list_deliveries(self, department, query, actor):
        handlers.check_access(actor, department, self._departments())
        page = handlers.list_deliveries(department, load(DeliveryQuerySchema(), query), self.db(readonly=True))
        return DeliveryPageSchema().dump(page)

    @rpc
    def replay_delivery(self, department, delivery_id, actor):
        handlers.check_access(actor, department, self._departments())
        replayed = handlers.replay_delivery(department, delivery_id, self.db())
        self.dispatcher.poke()
        return replayed

    @consume_department_events
    def on_suggestion_department_event(self, envelope, body, department):
        if handlers.accept_event(envelope, body, department, self.db()):
            self.dispatcher.poke()
