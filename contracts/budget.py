"""marshmallow schemas of the budget RPC surface (also the gateway's OpenAPI source).
Money is a decimal string in yuan ("1234.50"); rates are fractions (0.9205 = 92.05%)."""
import datetime
import os

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from kernel.schemas import offset_field, page_of

# Vocabulary (the service's domain module imports it from here)
RULES = ("pace_lag", "over_line", "no_line", "large_payment", "personal_payee", "sangong_over",
         "year_end_rush", "idle_project")
STATUSES = ("raised", "sent", "explained", "rectification_required", "rectified", "closed", "resolved")

UNIT_CODE = validate.Regexp(r"^[0-9]{3,12}$", error="a budget unit code like 105001")
CLASS_CODE = validate.Regexp(r"^[0-9]{3,7}$", error="3 to 7 digits")
MONEY = {"description": "yuan, exact decimal string", "example": "1234.50"}


def _this_year():
    return datetime.date.today().year


def year_field(required=False):
    kwargs = {"required": True} if required else {"load_default": _this_year}
    return fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"example": 2026}, **kwargs)


class BudgetUnitSchema(Schema):
    code = fields.String()
    name = fields.String()
    department_code = fields.String()
    department_name = fields.String()
    kind = fields.String(metadata={"description": "administrative | institution | town"})


UnitPageSchema = page_of(BudgetUnitSchema, "BudgetUnitPage")


class LineQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = year_field()
    unit = fields.String(validate=UNIT_CODE)
    func = fields.String(validate=CLASS_CODE, metadata={"description": "functional class code or its prefix"})
    econ = fields.String(validate=CLASS_CODE, metadata={"description": "economic class code or its prefix"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = offset_field()


class BudgetAdjustmentSchema(Schema):
    amount = fields.String(metadata=MONEY)
    adjusted_on = fields.String(metadata={"format": "date"})
    document_no = fields.String()
    reason = fields.String(allow_none=True)


class BudgetLineSchema(Schema):
    line_ref = fields.String(metadata={"description": "指标文号"})
    year = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    budget_kind = fields.String()
    func_code = fields.String()
    econ_code = fields.String()
    project_code = fields.String(allow_none=True)
    project_name = fields.String(allow_none=True)
    issued_on = fields.String(allow_none=True, metadata={"format": "date"})
    amount = fields.String(metadata=MONEY)
    adjustments = fields.List(fields.Nested(BudgetAdjustmentSchema))
    budget = fields.String(metadata={**MONEY, "description": "approved amount plus adjustments"})
    paid = fields.String(metadata=MONEY)
    payments = fields.Integer()
    rate = fields.Float()


LinePageSchema = page_of(BudgetLineSchema, "BudgetLinePage")


class PaymentQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = year_field()
    unit = fields.String(validate=UNIT_CODE)
    line = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "指标文号"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = offset_field()


class BudgetPaymentSchema(Schema):
    voucher_no = fields.String()
    pay_date = fields.String(metadata={"format": "date"})
    unit_code = fields.String()
    func_code = fields.String()
    econ_code = fields.String()
    project_code = fields.String(allow_none=True)
    line_ref = fields.String(allow_none=True)
    payee_name = fields.String()
    payee_account = fields.String()
    payee_type = fields.String(metadata={"description": "unit | person"})
    amount = fields.String(metadata=MONEY)
    memo = fields.String(allow_none=True)


PaymentPageSchema = page_of(BudgetPaymentSchema, "BudgetPaymentPage")

GROUPS = ("unit", "department", "func", "econ", "month")


class ExecutionQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = year_field()
    as_of = fields.Date(metadata={"description": "default: today (within the year)"})
    group_by = fields.String(load_default="unit", validate=validate.OneOf(GROUPS))
    unit = fields.String(validate=UNIT_CODE)
    department = fields.String(validate=validate.Regexp(r"^[0-9]{3}$", error="a department code like 105"))
    sangong = fields.Boolean(load_default=False,
                             metadata={"description": "only 三公经费 (economic classes 30212, 30217, 30231, 31013)"})


class BudgetExecutionTotalsSchema(Schema):
    budget = fields.String(metadata=MONEY)
    paid = fields.String(metadata=MONEY)
    rate = fields.Float()
    target_rate = fields.Float(metadata={"description": "序时进度"})
    lag = fields.Float(metadata={"description": "target_rate - rate: positive = behind the pace"})


class BudgetExecutionRowSchema(BudgetExecutionTotalsSchema):
    key = fields.String()
    name = fields.String()
    cumulative_paid = fields.String(metadata={**MONEY, "description": "group_by=month: paid up to the month's end"})
    as_of = fields.String(metadata={"format": "date", "description": "group_by=month: the month's end (or as_of)"})
    department_code = fields.String()
    department_name = fields.String()


class BudgetExecutionSchema(Schema):
    year = fields.Integer()
    as_of = fields.String(metadata={"format": "date"})
    group_by = fields.String()
    sangong = fields.Boolean()
    target_rate = fields.Float()
    totals = fields.Nested(BudgetExecutionTotalsSchema)
    items = fields.List(fields.Nested(BudgetExecutionRowSchema))


class BudgetEvaluationSchema(Schema):
    class Meta:
        unknown = RAISE

    year = year_field(required=True)
    as_of = fields.Date(metadata={"description": "default: today (within the year)"})


class BudgetEvaluationResultSchema(Schema):
    year = fields.Integer()
    as_of = fields.String(metadata={"format": "date"})
    payments_evaluated = fields.Integer()
    findings = fields.Integer()
    open = fields.Integer()
    raised = fields.Integer()
    updated = fields.Integer()
    resolved = fields.Integer()
    reopened = fields.Integer()


class AlertQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    rule = fields.String(validate=validate.OneOf(RULES))
    unit = fields.String(validate=UNIT_CODE)
    status = fields.String(validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = offset_field()


class AlertTimelineEntrySchema(Schema):
    at = fields.String(metadata={"format": "date-time"})
    action = fields.String()
    actor = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String()


class BudgetAlertSchema(Schema):
    id = fields.Integer()
    rule = fields.String(metadata={"description": ", ".join(RULES)})
    rule_name = fields.String(allow_none=True)
    year = fields.Integer()
    subject = fields.String(metadata={"description": "unit code, line ref, voucher or unit:func:econ"})
    unit_code = fields.String()
    unit_name = fields.String(allow_none=True)
    severity = fields.String()
    status = fields.String(metadata={"description": ", ".join(STATUSES)})
    holds = fields.Boolean(metadata={"description": "the condition held at the last evaluation"})
    message = fields.String()
    figures = fields.Dict(metadata={"description": "money as decimal strings, rates as fractions"})
    evidence = fields.Dict(metadata={"description": "voucher numbers, line refs"})
    as_of = fields.String(metadata={"format": "date"})
    raised_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})
    timeline = fields.List(fields.Nested(AlertTimelineEntrySchema))


AlertPageSchema = page_of(BudgetAlertSchema, "BudgetAlertPage")


class BudgetAlertActionSchema(Schema):
    class Meta:
        unknown = RAISE

    note = fields.String(validate=validate.Length(min=1, max=4000),
                         metadata={"description": "explanation (required for explain and rectify) or remark"})


class ImportStartSchema(Schema):
    """What the gateway passes after writing the upload to the import directory."""
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(("payments", "lines")))
    year = year_field(required=True)
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_hash = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size_bytes = fields.Integer(required=True, validate=validate.Range(min=0))
    file_ref = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{32}\.(csv|xlsx)$"))
    encoding = fields.String(load_default="auto", validate=validate.OneOf(("auto", "utf-8", "gbk")))


class ImportFormSchema(Schema):
    """The multipart form of POST /budget/imports (besides ``file``)."""
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(load_default="payments", validate=validate.OneOf(("payments", "lines")))
    year = year_field()
    encoding = fields.String(load_default="auto", validate=validate.OneOf(("auto", "utf-8", "gbk")),
                             metadata={"description": "CSV encoding; auto: UTF-8 if the file is valid UTF-8, else GBK"})


class BudgetImportErrorSchema(Schema):
    row = fields.Integer(allow_none=True, metadata={"description": "spreadsheet row: the header is row 1"})
    column = fields.String(allow_none=True)
    message = fields.String()


class BudgetImportSchema(Schema):
    id = fields.String(metadata={"format": "uuid"})
    kind = fields.String()
    year = fields.Integer()
    filename = fields.String()
    content_hash = fields.String()
    size_bytes = fields.Integer()
    encoding = fields.String()
    status = fields.String(metadata={"description": "queued | running | committed | rejected"})
    rows_total = fields.Integer()
    rows_done = fields.Integer()
    rows_applied = fields.Integer()
    rows_skipped = fields.Integer(metadata={"description": "vouchers already stored with the same content"})
    error_count = fields.Integer()
    message = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    errors = fields.List(fields.Nested(BudgetImportErrorSchema), metadata={"description": "the first 200; all in errors.csv"})
    created = fields.Boolean(metadata={"description": "POST: false when this file was imported before"})


ImportPageSchema = page_of(BudgetImportSchema, "BudgetImportPage")


class ImportListQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = offset_field()


def import_directory(config):
    """Where the gateway keeps an uploaded budget file and the importer worker reads it (one
    directory both see: ``BUDGET_IMPORT_DIR``, default ``var/budget-imports`` in the checkout)."""
    path = config.get("BUDGET_IMPORT_DIR") or os.path.join(os.path.dirname(__file__), "..", "var", "budget-imports")
    os.makedirs(path, exist_ok=True)
    return os.path.abspath(path)
