"""Use cases of the budget service: functions of (command, actor, uow[, settings]).

Who sees what: staff (and admin) everything; a budget unit (role ``unit``, subject = its
code) its own lines, payments and alerts — another unit's alert is as unknown as a missing
one (404); the public only the execution summaries."""
import datetime
import logging
import uuid

from contracts.events import budget as events
from kernel.errors import Forbidden, NotFound, ValidationFailed
from services.budget import domain
from services.budget.domain import RULE_NAMES, money_str, ratio

log = logging.getLogger(__name__)


def is_staff(actor):
    return (actor or {}).get("role") in ("staff", "admin")


def own_unit(actor):
    """The unit code a unit account stands for, or None for staff."""
    actor = actor or {}
    if is_staff(actor):
        return None
    if actor.get("role") == "unit" and actor.get("subject"):
        return actor["subject"]
    raise Forbidden("only staff and budget units may see this", {"role": actor.get("role")})


def _scope_unit(actor, requested):
    unit = own_unit(actor)
    if unit is None:
        return requested
    if requested and requested != unit:
        raise Forbidden("a budget unit sees only its own data", {"unit": requested})
    return unit


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def default_as_of(year, today=None):
    today = today or datetime.date.today()
    return min(max(today, datetime.date(year, 1, 1)), datetime.date(year, 12, 31))


# -- reference, lines, payments ---------------------------------------------------------------
def list_units(uow):
    with uow:
        return uow.budget.units()


def list_lines(query, actor, uow):
    unit = _scope_unit(actor, query.get("unit"))
    with uow:
        rows, total = uow.budget.lines(query["year"], unit, query.get("func"), query.get("econ"),
                                       query.get("limit", 100), query.get("offset", 0))
        adjustments = uow.budget.adjustments([r["id"] for r in rows]) if rows else []
    by_line = {}
    for a in adjustments:
        by_line.setdefault(a["line_id"], []).append(
            {"amount": money_str(a["amount"]), "adjusted_on": _iso(a["adjusted_on"]), "document_no": a["document_no"],
             "reason": a["reason"]})
    items = []
    for r in rows:
        items.append({
            "line_ref": r["line_ref"], "year": r["year"], "unit_code": r["unit_code"], "unit_name": r["unit_name"],
            "budget_kind": r["budget_kind"], "func_code": r["func_code"], "econ_code": r["econ_code"],
            "project_code": r["project_code"], "project_name": r["project_name"], "issued_on": _iso(r["issued_on"]),
            "amount": money_str(r["approved"]), "adjustments": by_line.get(r["id"], []),
            "budget": money_str(r["budget"]), "paid": money_str(r["paid"]), "payments": r["payments"],
            "rate": ratio(domain.rate(r["paid"], r["budget"]))})
    return {"items": items, "total": total}


def list_payments(query, actor, uow):
    unit = _scope_unit(actor, query.get("unit"))
    with uow:
        rows, total = uow.budget.payments(query["year"], unit, query.get("line"), query.get("limit", 100),
                                          query.get("offset", 0))
    for r in rows:
        r["amount"] = money_str(r["amount"])
        r["pay_date"] = _iso(r["pay_date"])
    return {"items": rows, "total": total}


# -- execution -------------------------------------------------------------------------------
def execution(query, uow, settings):
    """Rows of budget, paid, rate, 序时进度 (target_rate) and lag (target_rate - rate, so a
    positive lag is behind the pace) by unit, department, class or month, as of a date."""
    year = query["year"]
    as_of = query.get("as_of") or default_as_of(year)
    group_by = query.get("group_by", "unit")
    target = domain.target_rate(as_of, settings.target_basis, year)
    with uow:
        rows = uow.budget.execution(year, as_of, group_by, query.get("unit"), query.get("department"),
                                    query.get("sangong", False))
        extras = uow.budget.unit_extras() if group_by == "unit" else {}
    items = []
    if group_by == "month":
        cumulative = domain.ZERO
        for r in rows:
            month = int(r["key"])
            month_end = datetime.date(year, month, 1) + datetime.timedelta(days=31)
            month_end = month_end.replace(day=1) - datetime.timedelta(days=1)
            if datetime.date(year, month, 1) > as_of:
                break
            cumulative += r["paid"]
            point = min(month_end, as_of)
            month_target = domain.target_rate(point, settings.target_basis, year)
            executed = domain.rate(cumulative, r["budget"])
            items.append({"key": f"{month:02d}", "name": f"{month}月", "budget": money_str(r["budget"]),
                          "paid": money_str(r["paid"]), "cumulative_paid": money_str(cumulative),
                          "rate": ratio(executed), "target_rate": ratio(month_target),
                          "lag": ratio(month_target - executed), "as_of": point.isoformat()})
    else:
        for r in rows:
            executed = domain.rate(r["paid"], r["budget"])
            item = {"key": r["key"], "name": r["name"], "budget": money_str(r["budget"]), "paid": money_str(r["paid"]),
                    "rate": ratio(executed), "target_rate": ratio(target), "lag": ratio(target - executed)}
            if group_by == "unit" and r["key"] in extras:
                item["department_code"] = extras[r["key"]]["department_code"]
                item["department_name"] = extras[r["key"]]["department_name"]
            items.append(item)
    budget = sum((domain.money(i["budget"]) for i in items), domain.ZERO) if group_by != "month" else (
        domain.money(rows[0]["budget"]) if rows else domain.ZERO)
    paid = sum((domain.money(i["paid"]) for i in items), domain.ZERO)
    executed = domain.rate(paid, budget)
    return {"year": year, "as_of": as_of.isoformat(), "group_by": group_by, "target_rate": ratio(target),
            "sangong": bool(query.get("sangong")),
            "totals": {"budget": money_str(budget), "paid": money_str(paid), "rate": ratio(executed),
                       "target_rate": ratio(target), "lag": ratio(target - executed)},
            "items": items}


# -- rules -----------------------------------------------------------------------------------
def _alert_event_data(alert, unit_name=None):
    return {"alert_id": alert["id"], "rule": alert["rule"], "rule_name": RULE_NAMES.get(alert["rule"]),
            "year": alert["year"], "unit_code": alert["unit_code"], "unit_name": unit_name,
            "subject": alert["subject"], "severity": alert["severity"], "status": alert["status"],
            "message": alert["message"], "figures": alert["figures"], "evidence": alert["evidence"],
            "as_of": _iso(alert["as_of"])}


def evaluate(command, actor, uow, settings):
    """Run every rule for a year as of a date: new findings raise alerts (once per rule,
    subject and year), known ones get fresh evidence, alerts whose condition no longer holds
    are resolved by data (never deleted). Returns counts."""
    year = command["year"]
    as_of = command.get("as_of") or default_as_of(year)
    if as_of.year != year:
        raise ValidationFailed("invalid input", {"as_of": [f"must be a date of {year}"]})
    by = (actor or {}).get("username") or "system"
    counts = {"raised": 0, "updated": 0, "resolved": 0, "reopened": 0}
    with uow:
        facts = uow.budget.facts(year, as_of, settings)
        findings = domain.evaluate(facts, settings, as_of, year)
        existing = uow.alerts.of_year(year)
        evaluated_rules = set(domain.RULES)
        if as_of < datetime.date(year, *settings.pace_lag_from):
            evaluated_rules.discard("pace_lag")
        units = {u["code"]: u["name"] for u in uow.budget.units()}
        for key, finding in findings.items():
            alert = existing.get(key)
            if alert is None:
                alert = uow.alerts.add(year, finding, as_of)
                uow.alerts.add_timeline(alert["id"], "raised", by, finding.message, "raised")
                uow.emit(events.ALERT_RAISED, _alert_event_data(alert, units.get(alert["unit_code"])),
                         aggregate_id=alert["id"])
                counts["raised"] += 1
                continue
            status, action = domain.after_evaluation(alert["status"], True)
            uow.alerts.refresh(alert["id"], finding, as_of, status)
            counts["updated"] += 1
            if action:
                uow.alerts.add_timeline(alert["id"], action, by, finding.message, status)
                counts["reopened"] += 1
        for key, alert in existing.items():
            if key in findings or alert["rule"] not in evaluated_rules or not alert["holds"]:
                continue
            status, action = domain.after_evaluation(alert["status"], False)
            uow.alerts.no_longer_holds(alert["id"], as_of, status)
            uow.alerts.add_timeline(alert["id"], action or "condition_no_longer_holds", by,
                                    f"截至 {as_of.isoformat()} 该情形已不存在", status)
            counts["resolved"] += 1
        open_count = sum(1 for a in uow.alerts.of_year(year).values() if a["status"] in domain.OPEN_STATUSES)
        uow.commit()
    return {"year": year, "as_of": as_of.isoformat(), "payments_evaluated": facts["payments_evaluated"],
            "findings": len(findings), "open": open_count, **counts}


# -- alerts ----------------------------------------------------------------------------------
def _alert_view(alert, timeline=None, unit_name=None):
    view = {k: alert[k] for k in ("id", "rule", "year", "subject", "unit_code", "severity", "status", "holds",
                                  "message", "figures", "evidence")}
    view.update(rule_name=RULE_NAMES.get(alert["rule"]), as_of=_iso(alert["as_of"]),
                raised_at=_iso(alert["raised_at"]), updated_at=_iso(alert["updated_at"]), unit_name=unit_name)
    if timeline is not None:
        view["timeline"] = [{"at": _iso(t["at"]), "action": t["action"], "actor": t["actor"], "note": t["note"],
                             "status": t["status"]} for t in timeline]
    return view


def list_alerts(query, actor, uow):
    unit = _scope_unit(actor, query.get("unit"))
    with uow:
        rows, total = uow.alerts.list(query.get("year"), query.get("rule"), unit, query.get("status"),
                                      query.get("limit", 100), query.get("offset", 0))
        names = {u["code"]: u["name"] for u in uow.budget.units()}
    return {"items": [_alert_view(r, unit_name=names.get(r["unit_code"])) for r in rows], "total": total}


def _alert_for(uow, alert_id, actor, for_update=False):
    alert = uow.alerts.get(alert_id, for_update=for_update)
    unit = own_unit(actor)
    if alert is None or (unit is not None and alert["unit_code"] != unit):
        raise NotFound(f"alert {alert_id} not found", {"id": alert_id})
    return alert


def get_alert(alert_id, actor, uow):
    with uow:
        alert = _alert_for(uow, alert_id, actor)
        unit = uow.budget.unit(alert["unit_code"])
        return _alert_view(alert, uow.alerts.timeline(alert_id), unit["name"] if unit else None)


def act_on_alert(alert_id, action, payload, actor, uow):
    """One step of the handling flow (domain.ACTIONS): staff send, accept, require
    rectification, close; the unit explains and reports rectification (its own alerts)."""
    who = domain.ACTIONS[action][0]
    note = (payload or {}).get("note")
    if who == "unit" and (actor or {}).get("role") != "unit":
        raise Forbidden(f"only the budget unit may {action}", {"required_roles": ["unit"]})
    if who == "staff" and not is_staff(actor):
        raise Forbidden(f"only staff may {action}", {"required_roles": ["staff"]})
    if action in ("explain", "rectify") and not note:
        raise ValidationFailed("invalid input", {"note": ["required: the unit's written explanation"]})
    with uow:
        alert = _alert_for(uow, alert_id, actor, for_update=True)
        status = domain.transition(alert["status"], action)
        uow.alerts.set_status(alert_id, status)
        uow.alerts.add_timeline(alert_id, action, (actor or {}).get("username"), note, status)
        event = domain.ACTIONS[action][3]
        if event:
            alert = dict(alert, status=status)
            data = _alert_event_data(alert)
            data.update(action=action, note=note, actor={"username": (actor or {}).get("username"),
                                                         "role": (actor or {}).get("role")})
            uow.emit(event, data, aggregate_id=alert_id)
        uow.commit()
    return get_alert(alert_id, actor, uow)


# -- imports ---------------------------------------------------------------------------------
def _import_view(row, errors=None):
    view = {k: row[k] for k in ("kind", "year", "filename", "content_hash", "size_bytes", "encoding", "status",
                                "rows_total", "rows_done", "rows_applied", "rows_skipped", "error_count", "message",
                                "created_by")}
    view.update(id=str(row["id"]), created_at=_iso(row["created_at"]), started_at=_iso(row["started_at"]),
                finished_at=_iso(row["finished_at"]))
    if errors is not None:
        view["errors"] = errors
    return view


def start_import(command, actor, uow):
    """Register an uploaded file; (import view, created). The same file (by content hash,
    kind and year) again is the same import: nothing is applied twice."""
    if not is_staff(actor):
        raise Forbidden("only staff import treasury files", {"required_roles": ["staff"]})
    with uow:
        row = uow.imports.add(uuid.uuid4(), command["kind"], command["year"], command["filename"],
                              command["content_hash"], command["size_bytes"], command["file_ref"],
                              command.get("encoding", "auto"), (actor or {}).get("username"))
        created = row is not None
        if not created:
            row = uow.imports.by_hash(command["content_hash"], command["kind"], command["year"])
        uow.commit()
    return _import_view(row), created


def get_import(import_id, actor, uow, error_limit=200):
    if not is_staff(actor):
        raise Forbidden("only staff see imports", {"required_roles": ["staff"]})
    with uow:
        row = uow.imports.get(_uuid(import_id))
        if row is None:
            raise NotFound(f"import {import_id} not found", {"id": import_id})
        errors = uow.imports.errors(row["id"], error_limit) if row["status"] == "rejected" else []
    return _import_view(row, errors)


def import_errors(import_id, actor, uow):
    if not is_staff(actor):
        raise Forbidden("only staff see imports", {"required_roles": ["staff"]})
    with uow:
        row = uow.imports.get(_uuid(import_id))
        if row is None:
            raise NotFound(f"import {import_id} not found", {"id": import_id})
        return uow.imports.errors(row["id"])


def list_imports(query, actor, uow):
    if not is_staff(actor):
        raise Forbidden("only staff see imports", {"required_roles": ["staff"]})
    with uow:
        rows, total = uow.imports.list(query.get("limit", 50), query.get("offset", 0))
    return {"items": [_import_view(r) for r in rows], "total": total}


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"import {value} not found", {"id": str(value)})
