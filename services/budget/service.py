"""The budget service: online budget supervision (预算联网监督) — units, budget lines,
treasury payment imports, execution against 序时进度, alert rules and their handling.

Imports run in a worker PROCESS (``python -m services.budget.importer <id>``), one at a
time per replica, started and watched by ``ImportRunner`` from a green thread: parsing,
COPY and the SQL merge of a 1,000,000-row file never touch this process's eventlet hub or
its GIL, so the other RPCs keep answering (docs/architecture.md, "Budget imports").
"""
import logging
import os
import subprocess
import sys

import eventlet
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from contracts.budget import (AlertQuerySchema, BudgetAlertActionSchema, BudgetEvaluationSchema, ExecutionQuerySchema,
                              ImportListQuerySchema, ImportStartSchema, LineQuerySchema, PaymentQuerySchema,
                              import_directory)
from kernel.consumer import rpc
from kernel.db import Database
from kernel.errors import load_payload as load
from kernel.outbox import OutboxRelay
from kernel.service import PlatformService
from services.budget import handlers
from services.budget.domain import ACTIONS, BudgetSettings
from services.budget.repository import REPOSITORIES

log = logging.getLogger(__name__)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class ImportRunner(DependencyProvider):
    """Runs queued imports in worker processes, one at a time per replica (the worker takes
    an advisory lock per import, so two replicas never run the same one). At start it picks
    up imports left queued, or running when a previous process died (nothing of those was
    applied: an import commits in one transaction)."""

    def setup(self):
        self.config = self.container.config
        self.gate = Semaphore(int(self.config.get("BUDGET_IMPORT_CONCURRENCY", 1)))
        self.db = next(dep for dep in self.container.dependencies if isinstance(dep, Database))
        self.processes = set()

    def start(self):
        self.container.spawn_managed_thread(self._resume, identifier="budget-import-resume")

    def stop(self):
        for proc in list(self.processes):
            if proc.poll() is None:
                proc.terminate()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def _resume(self):
        for attempt in range(30):  # the pool may still be opening, the database still starting
            try:
                with self.db.unit_of_work(readonly=True) as uow:
                    waiting = uow.imports.waiting()
                break
            except Exception:
                log.warning("could not list waiting imports (attempt %d)", attempt + 1)
                eventlet.sleep(2)
        else:
            return
        for import_id in waiting:
            self.launch(import_id)

    def launch(self, import_id):
        self.container.spawn_managed_thread(lambda: self._run(import_id), identifier=f"budget-import-{import_id}")

    def _run(self, import_id):
        with self.gate:
            env = dict(os.environ, PSYCOPG_WAIT_FUNC="wait_c", PYTHONUNBUFFERED="1")
            for key in ("AMQP_URI", "DATABASE_URL", "SERVICE_DATABASE_URL", "SERVICE_DB_PASSWORD",
                        "BUDGET_IMPORT_DIR"):
                if self.config.get(key) is not None:
                    env[key] = str(self.config[key])
            proc = subprocess.Popen([sys.executable, "-m", "services.budget.importer", str(import_id)], cwd=ROOT,
                                    env=env)
            self.processes.add(proc)
            try:
                while proc.poll() is None:  # green wait: the hub keeps serving
                    eventlet.sleep(0.2)
            finally:
                self.processes.discard(proc)
            if proc.returncode:
                log.error("budget import %s: worker exited with %s", import_id, proc.returncode)


class BudgetService(PlatformService):
    name = "budget"

    db = Database(REPOSITORIES)
    relay = OutboxRelay()
    imports = ImportRunner()

    @property
    def settings(self):
        return BudgetSettings.from_config(self.config)

    # -- reference and data ----------------------------------------------------------------
    @rpc
    def list_units(self):
        items = handlers.list_units(self.db(readonly=True))
        return {"items": items, "total": len(items)}

    @rpc
    def list_lines(self, actor, query=None):
        return handlers.list_lines(load(LineQuerySchema(), query), actor, self.db(readonly=True))

    @rpc
    def list_payments(self, actor, query=None):
        return handlers.list_payments(load(PaymentQuerySchema(), query), actor, self.db(readonly=True))

    @rpc
    def execution(self, query=None):
        return handlers.execution(load(ExecutionQuerySchema(), query), self.db(readonly=True), self.settings)

    # -- rules and alerts ------------------------------------------------------------------
    @rpc
    def evaluate(self, actor, payload):
        return handlers.evaluate(load(BudgetEvaluationSchema(), payload), actor, self.db(), self.settings)

    @rpc
    def list_alerts(self, actor, query=None):
        return handlers.list_alerts(load(AlertQuerySchema(), query), actor, self.db(readonly=True))

    @rpc
    def get_alert(self, actor, alert_id):
        return handlers.get_alert(_alert_id(alert_id), actor, self.db(readonly=True))

    @rpc
    def act_on_alert(self, actor, alert_id, action, payload=None):
        if action not in ACTIONS:
            from kernel.errors import NotFound
            raise NotFound(f"no action {action}", {"action": action})
        return handlers.act_on_alert(_alert_id(alert_id), action, load(BudgetAlertActionSchema(), payload), actor,
                                     self.db())

    # -- imports ---------------------------------------------------------------------------
    @rpc
    def start_import(self, actor, payload):
        view, created = handlers.start_import(load(ImportStartSchema(), payload), actor, self.db())
        if created:
            self.imports.launch(view["id"])
        else:  # the same file: the upload just written is not needed
            _remove_upload(self.config, payload.get("file_ref"), keep=view)
        return dict(view, created=created)

    @rpc
    def get_import(self, actor, import_id):
        return handlers.get_import(import_id, actor, self.db(readonly=True))

    @rpc
    def import_errors(self, actor, import_id):
        return handlers.import_errors(import_id, actor, self.db(readonly=True))

    @rpc
    def list_imports(self, actor, query=None):
        return handlers.list_imports(load(ImportListQuerySchema(), query), actor, self.db(readonly=True))


def _alert_id(value):
    from kernel.errors import NotFound
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number <= 0 or number > 2 ** 62:
        raise NotFound(f"alert {value} not found", {"id": str(value)})
    return number


def _remove_upload(config, file_ref, keep):
    if not file_ref or file_ref == keep.get("file_ref"):
        return
    try:
        os.remove(os.path.join(import_directory(config), os.path.basename(file_ref)))
    except OSError:
        pass
