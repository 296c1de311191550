"""Gateway routes: online budget supervision (预算联网监督).

A mixin of GatewayService (gateway/service.py): methods use self.rpc, self.config.
The public reads execution summaries and the list of units; staff see everything; a budget
unit (role ``unit``) its own lines, payments and alerts, and explains its own alerts.

Uploads: the gateway streams the multipart file (werkzeug spools it to disk) into
BUDGET_IMPORT_DIR under a random name, hashing it on the way, and hands the budget service
only that name and the hash over RPC — never the file's bytes (a 100 MB treasury export
does not belong in a RabbitMQ message). See docs/architecture.md, "Budget imports"."""
import csv
import hashlib
import io
import os
import uuid

import eventlet
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from contracts.budget import (AlertPageSchema, AlertQuerySchema, BudgetAlertActionSchema, BudgetAlertSchema,
                              BudgetEvaluationResultSchema, BudgetEvaluationSchema, BudgetExecutionSchema,
                              BudgetImportSchema, ExecutionQuerySchema, ImportFormSchema, ImportListQuerySchema,
                              ImportPageSchema, LinePageSchema, LineQuerySchema, PaymentPageSchema, PaymentQuerySchema,
                              UnitPageSchema, import_directory)
from gateway.api import api, json_body, query_args
from gateway.errors import PayloadTooLarge, UnsupportedMediaType
from kernel.errors import ValidationFailed, load_payload

TAG = "budget"
STAFF = ("staff",)
UNIT = ("unit",)
STAFF_OR_UNIT = ("staff", "unit")
CHUNK = 1 << 20
UPLOAD_FORM = {
    "file": {"type": "string", "format": "binary",
             "description": "CSV (UTF-8 or GBK) or XLSX; Chinese treasury headers or the English names"},
    "kind": {"type": "string", "enum": ["payments", "lines"], "default": "payments"},
    "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
    "encoding": {"type": "string", "enum": ["auto", "utf-8", "gbk"], "default": "auto"},
}


def save_upload(stream, directory, suffix):
    """Copy an uploaded stream to ``directory`` in chunks, yielding to the hub between
    chunks; (file name, sha256 hex, size)."""
    name = f"{uuid.uuid4().hex}.{suffix}"
    digest, size = hashlib.sha256(), 0
    path = os.path.join(directory, name)
    with open(path + ".part", "wb") as out:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
            eventlet.sleep(0)
    os.replace(path + ".part", path)
    return name, digest.hexdigest(), size


def errors_csv(import_id, errors):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["行号", "列", "错误原因"])
    for error in errors:
        writer.writerow([error["row"] if error["row"] is not None else "", error["column"] or "", error["message"]])
    return Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), status=200,
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'})


class BudgetRoutes:
    @api("GET", "/api/v1/budget/units", tag=TAG, response=UnitPageSchema,
         summary="The budget units under online supervision (预算单位), with their 主管部门. Public")
    def list_budget_units(self, request, principal):
        return self.rpc.call("budget", "list_units")

    @api("GET", "/api/v1/budget/lines", roles=STAFF_OR_UNIT, tag=TAG, query=LineQuerySchema, response=LinePageSchema,
         summary="Budget lines (指标) of a year with adjustments and what was paid: staff all, a unit its own")
    def list_budget_lines(self, request, principal):
        return self.rpc.call("budget", "list_lines", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/budget/payments", roles=STAFF_OR_UNIT, tag=TAG, query=PaymentQuerySchema,
         response=PaymentPageSchema,
         summary="Treasury payments of a year (filter by unit, 指标文号): staff all, a unit its own")
    def list_budget_payments(self, request, principal):
        return self.rpc.call("budget", "list_payments", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/budget/execution", tag=TAG, query=ExecutionQuerySchema, response=BudgetExecutionSchema,
         summary="Budget execution by unit, department, functional or economic class (类) or month, as of a date: "
                 "budget, paid, rate, target_rate (序时进度) and lag (target_rate - rate). Public")
    def budget_execution(self, request, principal):
        return self.rpc.call("budget", "execution", query=query_args(request))

    # -- imports -----------------------------------------------------------------------------
    @api("POST", "/api/v1/budget/imports", roles=STAFF, tag=TAG, response=BudgetImportSchema, status=202,
         upload=UPLOAD_FORM, max_bytes_key="BUDGET_IMPORT_MAX_BYTES", errors=(415,),
         summary="Upload a treasury file (multipart: file, kind=payments|lines, year, encoding). 202 with the "
                 "import's id; it runs in the background (GET it for rows_done of rows_total). All or nothing: a "
                 "file with a bad row is rejected whole with a row-level report. The same file again answers the "
                 "same import (created=false) and applies nothing twice")
    def create_budget_import(self, request, principal):
        if request.mimetype != "multipart/form-data":
            raise UnsupportedMediaType("send the file as multipart/form-data", {"content_type": request.mimetype})
        try:
            form = load_payload(ImportFormSchema(), dict(request.form.items()))
            upload = request.files.get("file")
        except RequestEntityTooLarge:
            raise PayloadTooLarge("file too large", {"limit_bytes": request.max_content_length})
        if upload is None or not upload.filename:
            raise ValidationFailed("invalid input", {"file": ["required: the CSV or XLSX file"]})
        head = upload.stream.read(4)
        upload.stream.seek(0)
        suffix = "xlsx" if head == b"PK\x03\x04" else "csv"
        file_ref, digest, size = save_upload(upload.stream, import_directory(self.config), suffix)
        if size == 0:
            os.remove(os.path.join(import_directory(self.config), file_ref))
            raise ValidationFailed("invalid input", {"file": ["the file is empty"]})
        return self.rpc.call("budget", "start_import", actor=principal.as_actor(), payload={
            "kind": form["kind"], "year": form["year"], "filename": upload.filename[:255], "content_hash": digest,
            "size_bytes": size, "file_ref": file_ref, "encoding": form["encoding"]})

    @api("GET", "/api/v1/budget/imports", roles=STAFF, tag=TAG, query=ImportListQuerySchema,
         response=ImportPageSchema, summary="Imports, newest first")
    def list_budget_imports(self, request, principal):
        return self.rpc.call("budget", "list_imports", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/budget/imports/<import_id>", roles=STAFF, tag=TAG, response=BudgetImportSchema,
         summary="One import: status (queued, running, committed, rejected), rows_done of rows_total while it "
                 "runs, and for a rejected file its first errors (row as a spreadsheet shows it, column, reason)")
    def get_budget_import(self, request, principal, import_id):
        return self.rpc.call("budget", "get_import", actor=principal.as_actor(), import_id=import_id)

    @api("GET", "/api/v1/budget/imports/<import_id>/errors.csv", roles=STAFF, tag=TAG,
         media_types={"text/csv": "the whole error report: 行号 (header = row 1), 列, 错误原因; UTF-8 with BOM"},
         summary="The error report of a rejected import as CSV (opens in Excel)")
    def budget_import_errors(self, request, principal, import_id):
        errors = self.rpc.call("budget", "import_errors", actor=principal.as_actor(), import_id=import_id)
        return errors_csv(import_id, errors)

    # -- rules and alerts ------------------------------------------------------------------------
    @api("POST", "/api/v1/budget/evaluations", roles=STAFF, tag=TAG, body=BudgetEvaluationSchema,
         response=BudgetEvaluationResultSchema,
         summary="Run the alert rules now for a year as of a date (they also run after every committed import)")
    def run_budget_evaluation(self, request, principal):
        return self.rpc.call("budget", "evaluate", actor=principal.as_actor(), payload=json_body(request),
                             deadline=max(float(self.config.get("RPC_DEADLINE_SECONDS", 3.0)), 30.0))

    @api("GET", "/api/v1/budget/alerts", roles=STAFF_OR_UNIT, tag=TAG, query=AlertQuerySchema,
         response=AlertPageSchema, summary="Budget alerts (filter by year, rule, unit, status): staff all, a unit its own")
    def list_budget_alerts(self, request, principal):
        return self.rpc.call("budget", "list_alerts", actor=principal.as_actor(), query=query_args(request))

    @api("GET", "/api/v1/budget/alerts/<alert_id>", roles=STAFF_OR_UNIT, tag=TAG, response=BudgetAlertSchema,
         summary="One alert with its evidence and timeline (a unit: its own only, else 404)")
    def get_budget_alert(self, request, principal, alert_id):
        return self.rpc.call("budget", "get_alert", actor=principal.as_actor(), alert_id=alert_id)

    def _alert_action(self, request, principal, alert_id, action):
        return self.rpc.call("budget", "act_on_alert", actor=principal.as_actor(), alert_id=alert_id, action=action,
                             payload=json_body(request))

    @api("POST", "/api/v1/budget/alerts/<alert_id>/send", roles=STAFF, tag=TAG, body=BudgetAlertActionSchema,
         response=BudgetAlertSchema, summary="Send the alert to its unit for a written explanation")
    def send_budget_alert(self, request, principal, alert_id):
        return self._alert_action(request, principal, alert_id, "send")

    @api("POST", "/api/v1/budget/alerts/<alert_id>/explain", roles=UNIT, tag=TAG, body=BudgetAlertActionSchema,
         response=BudgetAlertSchema, summary="The unit explains its alert in writing (note required; its own alerts only)")
    def explain_budget_alert(self, request, principal, alert_id):
        return self._alert_action(request, principal, alert_id, "explain")

    @api("POST", "/api/v1/budget/alerts/<alert_id>/accept", roles=STAFF, tag=TAG, body=BudgetAlertActionSchema,
         response=BudgetAlertSchema, summary="Accept the unit's explanation: the alert is closed")
    def accept_budget_alert(self, request, principal, alert_id):
        return self._alert_action(request, principal, alert_id, "accept")

    @api("POST", "/api/v1/budget/alerts/<alert_id>/require-rectification", roles=STAFF, tag=TAG,
         body=BudgetAlertActionSchema, response=BudgetAlertSchema,
         summary="Do not accept the explanation: the unit must rectify")
    def require_budget_rectification(self, request, principal, alert_id):
        return self._alert_action(request, principal, alert_id, "require_rectification")

    @api("POST", "/api/v1/budget/alerts/<alert_id>/rectify", roles=UNIT, tag=TAG, body=BudgetAlertActionSchema,
         response=BudgetAlertSchema, summary="The unit reports its rectification (note required)")
    def rectify_budget_alert(self, request, principal, alert_id):
        return self._alert_action(request, principal, alert_id, "rectify")

    @api("POST", "/api/v1/budget/alerts/<alert_id>/close", roles=STAFF, tag=TAG, body=BudgetAlertActionSchema,
         response=BudgetAlertSchema, summary="Close the alert (after rectification, or one resolved by data)")
    def close_budget_alert(self, request, principal, alert_id):
        return self._alert_action(request, principal, alert_id, "close")
