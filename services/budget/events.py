"""Event types the budget service emits on ``budget.events`` (routing key = type).

Fields (``data``):
- payments_imported / budget_lines_imported: import_id, kind, year, rows_total, rows_applied, rows_skipped,
  latest_pay_date (payments; ISO date or null)
- budget_alert_raised: alert_id, rule, rule_name, year, unit_code, unit_name, subject, severity, status,
  message, figures (money as decimal strings), evidence (voucher numbers, line refs), as_of
- budget_alert_sent / budget_alert_explained / budget_alert_closed: the same fields, plus action, note and
  actor {username, role}
"""
PAYMENTS_IMPORTED = "payments_imported"
LINES_IMPORTED = "budget_lines_imported"
ALERT_RAISED = "budget_alert_raised"
ALERT_SENT = "budget_alert_sent"
ALERT_EXPLAINED = "budget_alert_explained"
ALERT_CLOSED = "budget_alert_closed"
