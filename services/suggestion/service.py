"""The suggestion service: suggestion handling (代表建议办理) — filing, review, routing,
department work, deadlines, evaluation. Entrypoints are thin: load schema -> use case -> dict.

It also keeps the deputy read model (kernel.deputy_directory) that lead deputies and
co-signers are checked against, a deadline timer (``SUGGESTION_DEADLINE_CHECK_SECONDS``) and a
quarter timer (``SUGGESTION_QUARTER_CHECK_SECONDS``) that emits ``suggestion_quarter_closed``.
"""
import logging

from kernel import deputy_directory
from kernel.consumer import rpc
from kernel.db import Database
from kernel.metrics import set_work_gauge, work_gauge
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService
from kernel.timers import ConfiguredTimer
from kernel.errors import load_payload as load
from services.suggestion import handlers
from services.suggestion.handlers import SuggestionSettings
from services.suggestion.provisioning import provision_departments, provisioner
from services.suggestion.repository import REPOSITORIES
from contracts.suggestion import (AssignSchema, ContentSchema, DepartmentSaveSchema, DepartmentSavedSchema,
                                  EvaluationSchema, ExtensionDecisionSchema, ExtensionRequestSchema, InboxQuerySchema,
                                  PageQuerySchema, ReasonSchema, ReplySchema, ReviewSchema, RoutingRuleSchema, SimilarQuerySchema,
                                  SuggestionCreateSchema, SuggestionListQuerySchema, SuggestionSourceSchema,
                                  WithdrawSchema)
from services.suggestion.stats import SuggestionStatistics, close_ended_quarter

log = logging.getLogger(__name__)
OVERDUE_GAUGE = work_gauge("suggestion_overdue_assignments", "Open assignments past their due date",
                           "department")


class SuggestionService(SuggestionStatistics, deputy_directory.DeputyDirectoryKeeper, PlatformService):
    name = "suggestion"
    topology_hooks = (provision_departments,)   # it owns the departments, so their queues and users
    db_extensions = ("pg_trgm",)  # trigram similarity for duplicate detection

    db = Database(REPOSITORIES)
    relay = OutboxRelay()

    @property
    def settings(self):
        return SuggestionSettings.from_config(self.config)

    # -- filing and review ------------------------------------------------------------------
    @rpc
    def file_suggestion(self, actor, payload, idempotency_key=None, source=None):
        command = load(SuggestionCreateSchema(), payload)
        source = load(SuggestionSourceSchema(), source) if source else None
        s = handlers.file_suggestion(command, actor, self.db(), self.settings, idempotency_key=idempotency_key,
                                     source=source)
        return s.as_dict()

    @rpc
    def get_suggestion(self, actor, suggestion_id):
        return handlers.get_suggestion(suggestion_id, actor, self.db(readonly=True))

    @rpc
    def list_suggestions(self, actor, query=None):
        items, total = handlers.list_suggestions(load(SuggestionListQuerySchema(), query), actor,
                                                 self.db(readonly=True))
        return {"items": items, "total": total}

    @rpc
    def review(self, actor, suggestion_id, payload):
        return handlers.review(suggestion_id, load(ReviewSchema(), payload), actor, self.db(),
                               self.settings).as_dict()

    @rpc
    def similar(self, actor, suggestion_id, limit=10):
        limit = load(SimilarQuerySchema(), {"limit": limit})["limit"]
        items = handlers.similar(suggestion_id, actor, self.db(readonly=True), self.settings, limit)
        return {"items": items, "total": len(items)}

    @rpc
    def proposals(self, actor, suggestion_id):
        items = handlers.propose(suggestion_id, actor, self.db(readonly=True))
        return {"items": items, "total": len(items)}

    @rpc
    def assign(self, actor, suggestion_id, payload):
        return handlers.assign(suggestion_id, load(AssignSchema(), payload), actor, self.db(),
                               self.settings).as_dict()

    # -- department work ----------------------------------------------------------------------
    @rpc
    def acknowledge(self, actor, suggestion_id):
        return handlers.acknowledge(suggestion_id, actor, self.db(), self.settings).as_dict()

    @rpc
    def return_assignment(self, actor, suggestion_id, payload):
        return handlers.return_assignment(suggestion_id, load(ReasonSchema(), payload), actor, self.db(),
                                          self.settings).as_dict()

    @rpc
    def request_extension(self, actor, suggestion_id, payload):
        return handlers.request_extension(suggestion_id, load(ExtensionRequestSchema(), payload), actor,
                                          self.db(), self.settings).as_dict()

    @rpc
    def decide_extension(self, actor, suggestion_id, payload):
        return handlers.decide_extension(suggestion_id, load(ExtensionDecisionSchema(), payload), actor,
                                         self.db(), self.settings).as_dict()

    @rpc
    def send_view(self, actor, suggestion_id, payload):
        return handlers.send_view(suggestion_id, load(ContentSchema(), payload), actor, self.db(),
                                  self.settings).as_dict()

    @rpc
    def reply(self, actor, suggestion_id, payload):
        return handlers.reply(suggestion_id, load(ReplySchema(), payload), actor, self.db(),
                              self.settings).as_dict()

    @rpc
    def follow_up(self, actor, suggestion_id, payload):
        return handlers.follow_up(suggestion_id, load(ContentSchema(), payload), actor, self.db(),
                                  self.settings).as_dict()

    # -- the deputy's side ------------------------------------------------------------------------
    @rpc
    def evaluate(self, actor, suggestion_id, payload):
        return handlers.evaluate(suggestion_id, load(EvaluationSchema(), payload), actor, self.db(),
                                 self.settings).as_dict()

    @rpc
    def withdraw(self, actor, suggestion_id, payload=None):
        return handlers.withdraw(suggestion_id, load(WithdrawSchema(), payload), actor, self.db(),
                                 self.settings).as_dict()

    @rpc
    def deputy_summary(self, actor, deputy_id):
        """Suggestions of one deputy for the dashboard, as far as ``actor`` may see them."""
        return handlers.deputy_summary(deputy_id, actor, self.db(readonly=True))

    # -- departments, routing rules, deadlines ---------------------------------------------------------
    @rpc
    def list_departments(self):
        items = handlers.list_departments(self.db(readonly=True))
        return {"items": items, "total": len(items)}

    @rpc
    def save_department(self, actor, code, payload):
        department, created = handlers.save_department(code, load(DepartmentSaveSchema(), payload), actor, self.db(),
                                                       provisioner(self.config))
        return DepartmentSavedSchema().dump(dict(department, created=created))

    @rpc
    def department_inbox(self, actor, code, query=None):
        items, total = handlers.department_inbox(code, load(InboxQuerySchema(), query), actor,
                                                 self.db(readonly=True))
        return {"items": items, "total": total}

    @rpc
    def overdue(self, actor, query=None):
        items, total = handlers.overdue_list(load(PageQuerySchema(), query), actor, self.db(readonly=True))
        return {"items": items, "total": total}

    @rpc
    def extension_requests(self, actor, query=None):
        items, total = handlers.extension_requests(load(PageQuerySchema(), query), actor, self.db(readonly=True))
        return {"items": items, "total": total}

    @rpc
    def list_rules(self, actor):
        items = handlers.list_rules(actor, self.db(readonly=True))
        return {"items": items, "total": len(items)}

    @rpc
    def create_rule(self, actor, payload):
        return handlers.create_rule(load(RoutingRuleSchema(), payload), actor, self.db())

    @rpc
    def update_rule(self, actor, rule_id, payload):
        changes = load(RoutingRuleSchema(), payload, partial=True)
        return handlers.update_rule(int(rule_id), changes, actor, self.db())

    @rpc
    def delete_rule(self, actor, rule_id):
        return handlers.delete_rule(int(rule_id), actor, self.db())

    @ConfiguredTimer.decorator("WORK_GAUGES_SECONDS", 15)
    def refresh_work_gauges(self):
        """suggestion_overdue_assignments{department}: what the OverdueSuggestionsRising alert watches."""
        try:
            counts = handlers.overdue_counts(self.db(readonly=True))
        except Exception:  # the database may be down; the gauge keeps its last value
            log.warning("overdue gauge refresh failed", exc_info=True)
            return
        set_work_gauge(OVERDUE_GAUGE, counts)

    @ConfiguredTimer.decorator("SUGGESTION_DEADLINE_CHECK_SECONDS", 60)
    def check_deadlines(self):
        """due_soon / overdue warnings, each exactly once (see handlers.check_deadlines)."""
        try:
            raised = handlers.check_deadlines(self.db(), self.settings)
        except Exception:  # the database may be down; the next tick tries again
            log.warning("deadline check failed", exc_info=True)
            return
        if raised["due_soon"] or raised["overdue"]:
            log.info("deadline check: %s", raised)

    @ConfiguredTimer.decorator("SUGGESTION_QUARTER_CHECK_SECONDS", 3600)
    def check_quarter(self):
        """suggestion_quarter_closed once per ended quarter (see stats.close_ended_quarter)."""
        try:
            closed = close_ended_quarter(self.db())
        except Exception:  # the database may be down; the next tick tries again
            log.warning("quarter check failed", exc_info=True)
            return
        if closed:
            log.info("quarter %d-Q%d closed: statistics event emitted", *closed)
