"""Use cases of reception days and voters' opinions: functions of (command, uow)."""
from datetime import datetime, timezone

from contracts.events import deputy as events
from kernel.errors import Conflict, Forbidden, NotFound, Unprocessable
from services.deputy import duty_handlers, voters

_ERRORS = {"conflict": Conflict, "unprocessable": Unprocessable, "forbidden": Forbidden}


def _raise(rule):
    raise _ERRORS[rule.kind](rule.message, rule.details) from rule


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _today(today=None):
    return today or voters.today_in_beijing(datetime.now(timezone.utc))


def _by(actor):
    actor = actor or {}
    return actor.get("username") or actor.get("subject")


# -- receptions -------------------------------------------------------------------------------------
def _reception_view(row, station=None):
    view = {"id": row["id"], "station_code": row["station_code"], "date": _iso(row["held_on"]),
            "starts_at": row["starts_at"], "ends_at": row["ends_at"], "deputies": list(row["deputies"]),
            "note": row["note"], "status": row["status"], "sat": list(row["sat"]), "created_at": _iso(row["created_at"])}
    if station is not None:
        view["station_name"] = station.name
    return view


def _station_or_404(uow, code):
    station = uow.stations.get(code)
    if station is None:
        raise NotFound(f"station {code} not found", {"code": code})
    return station


def _held(uow, row, station):
    """Emit reception_held and write each sitting deputy's duty entry (same transaction)."""
    envelope = uow.emit(events.RECEPTION_HELD, {"id": row["id"], "station_code": row["station_code"],
                                                "station_name": station.name, "held_on": _iso(row["held_on"]),
                                                "deputies": list(row["sat"])}, aggregate_id=row["id"])
    uow.claim_event(duty_handlers.CONSUMER, envelope["event_id"])
    duty_handlers._apply(envelope, uow)


def schedule_reception(station_code, command, actor, uow, today=None):
    """Announce a reception day (≥ 3 days ahead), or record one that took place (held: true)."""
    today = _today(today)
    deputies = list(dict.fromkeys(command["deputies"]))
    try:
        if command.get("held"):
            voters.check_record_held(command["date"], today)
        else:
            voters.check_announcement(command["date"], today)
        voters.check_times(command["starts_at"], command["ends_at"])
    except voters.VoterRule as rule:
        _raise(rule)
    with uow:
        station = _station_or_404(uow, station_code)
        unknown = sorted(set(deputies) - uow.duty.known_deputies(deputies))
        if unknown:
            raise Unprocessable("unknown deputies", {"deputies": [f"no deputy {c}" for c in unknown]})
        row = uow.voters.add_reception(station_code, command["date"], command["starts_at"], command["ends_at"],
                                       deputies, command.get("note") or "", "held" if command.get("held") else
                                       "scheduled", _by(actor))
        if command.get("held"):
            _held(uow, row, station)
        else:
            envelope = uow.emit(events.RECEPTION_SCHEDULED, {
                "id": row["id"], "station_code": station_code, "station_name": station.name,
                "date": _iso(row["held_on"]), "starts_at": row["starts_at"], "ends_at": row["ends_at"],
                "deputies": deputies}, aggregate_id=row["id"])
            _notify_rota(uow, envelope, station, row)
        uow.commit()
    return _reception_view(row, station)


def _notify_rota(uow, envelope, station, row):
    """Each deputy on the rota finds the reception day in their inbox (same transaction)."""
    from services.deputy.notifications import Notification
    day = _iso(row["held_on"])
    rows = [Notification(deputy_code=code, event_id=envelope["event_id"], event_type=envelope["type"],
                         suggestion_id=None, suggestion_number=None, subject="接待选民安排",
                         body=f"您被安排于 {day} {row['starts_at']}—{row['ends_at']} 在{station.name}接待选民。",
                         occurred_at=envelope["occurred_at"])
            for code in row["deputies"]]
    if rows:
        uow.notifications.add_many(rows)


def mark_reception_held(reception_id, command, actor, uow, today=None):
    today = _today(today)
    with uow:
        row = uow.voters.reception(reception_id, for_update=True)
        if row is None:
            raise NotFound(f"reception {reception_id} not found", {"id": reception_id})
        if row["status"] == "held":
            raise Conflict("the reception is already recorded as held", {"status": "held"})
        if row["held_on"] > today:
            raise Conflict("the reception day has not come yet", {"date": _iso(row["held_on"])})
        sat = list(dict.fromkeys(command.get("deputies") or row["deputies"]))
        strangers = sorted(set(sat) - set(row["deputies"]))
        if strangers:
            raise Unprocessable("not on duty that day", {"deputies": [f"{c} was not on the rota" for c in strangers]})
        station = uow.stations.get(row["station_code"])
        row = uow.voters.mark_held(reception_id, sat)
        _held(uow, row, station)
        uow.commit()
    return _reception_view(row, station)


def list_receptions(station_code, query, uow):
    with uow:
        station = _station_or_404(uow, station_code)
        rows, total = uow.voters.receptions(station_code, query.get("year"), query.get("limit", 50),
                                            query.get("offset", 0))
    return {"items": [_reception_view(r, station) for r in rows], "total": total}


# -- opinions ---------------------------------------------------------------------------------------
def _entry(action, actor, **extra):
    return {"action": action, "by": _by(actor), "role": (actor or {}).get("role"),
            "at": datetime.now(timezone.utc).isoformat(), **extra}


def officer_view(row, actor):
    view = {k: row[k] for k in ("tracking_code", "station_code", "content", "category", "status", "assigned_deputy",
                                "answer", "forwarded_to", "department", "decline_reason", "suggestion_id",
                                "suggestion_number")}
    view["voter_status"] = voters.VOTER_STATUS[row["status"]][0]
    view["created_at"], view["updated_at"] = _iso(row["created_at"]), _iso(row["updated_at"])
    view["history"] = [{k: v for k, v in h.items() if k != "by" or voters.sees_contact(actor, row)}
                       for h in row["history"]]
    if voters.sees_contact(actor, row):
        view["name"], view["contact"] = row["name"], row["contact"]
    return view


def submit_opinion(command, uow, tracking_code=None):
    """``tracking_code``: the demo data's fixed codes; otherwise a random one."""
    with uow:
        if uow.stations.get(command["station"]) is None:
            raise Unprocessable("unknown station", {"station": [f"no station {command['station']}"]})
        row = None
        while row is None:   # a clash of random codes is next to impossible; then draw again
            row = uow.voters.add_opinion(tracking_code or voters.new_tracking_code(), command["station"],
                                         command["content"], command.get("category"), command.get("name"),
                                         command.get("contact"), _entry("received", {"role": "public"}))
            if row is None and tracking_code:
                raise Conflict("tracking code taken", {"tracking_code": [f"{tracking_code} exists"]})
        uow.emit(events.OPINION_RECEIVED, {"tracking_code": row["tracking_code"], "station_code": row["station_code"],
                                           "category": row["category"]}, aggregate_id=row["tracking_code"])
        uow.commit()
    return {**voters.voter_view({**row, "updated_at": _iso(row["updated_at"])}), "station": row["station_code"]}


def track(tracking_code, uow):
    with uow:
        row = uow.voters.opinion(tracking_code)
    if row is None:
        raise NotFound("no opinion with this tracking code", {"tracking_code": tracking_code})
    return voters.voter_view({**row, "updated_at": _iso(row["updated_at"])})


def _opinion_for(uow, tracking_code, actor, action):
    row = uow.voters.opinion(tracking_code, for_update=True)
    if row is None:
        raise NotFound("no opinion with this tracking code", {"tracking_code": tracking_code})
    if not voters.may_handle(actor, row, uow.voters.station_deputies(row["station_code"])):
        raise Forbidden("staff, the station's deputies and the assigned deputy handle an opinion",
                        {"role": (actor or {}).get("role")})
    try:
        return row, voters.check_action(row["status"], action)
    except voters.VoterRule as rule:
        _raise(rule)


def act(tracking_code, action, command, actor, uow):
    """classify, answer, forward, decline or close an opinion."""
    with uow:
        row, status = _opinion_for(uow, tracking_code, actor, action)
        changes = {"status": status}
        if action == "classify":
            changes["category"] = command["category"]
            if command.get("deputy"):
                if not uow.duty.known_deputies([command["deputy"]]):
                    raise Unprocessable("unknown deputy", {"deputy": [f"no deputy {command['deputy']}"]})
                changes["assigned_deputy"] = command["deputy"]
        elif action == "answer":
            changes["answer"] = command["answer"]
        elif action == "forward":
            if command["to"] == "department":
                department = uow.department_directory.get(command.get("department") or "")
                if department is None or not department["active"]:
                    raise Unprocessable("unknown department",
                                        {"department": [f"no active department {command.get('department')}"]})
                target = department["name"]
                changes["department"] = command["department"]
            else:
                station = uow.stations.get(row["station_code"])
                target = f"{station.town or '县'}人民政府" if station else "镇人民政府"
            changes["forwarded_to"] = command["to"]
            changes["answer"] = f"您的意见已转交{target}办理。" + (command.get("note") or "")
        elif action == "decline":
            changes["decline_reason"] = command["reason"]
            changes["answer"] = voters.DECLINE_REASONS[command["reason"]] + (
                f"（{command['note']}）" if command.get("note") else "")
        elif action == "close" and command.get("note"):
            changes["answer"] = row["answer"] or command["note"]
        row = uow.voters.update_opinion(tracking_code, changes, _entry(action, actor, status=status))
        uow.emit(events.opinion_step(status), {"tracking_code": tracking_code, "station_code": row["station_code"],
                                       "status": status}, aggregate_id=tracking_code)
        uow.commit()
    return officer_view(row, actor)


def prepare_conversion(tracking_code, actor, uow):
    """Before a deputy files the suggestion: may they convert this opinion (no change yet)?"""
    if (actor or {}).get("role") != "deputy":
        raise Forbidden("a deputy converts an opinion into their suggestion", {"role": (actor or {}).get("role")})
    with uow:
        row = uow.voters.opinion(tracking_code)
        if row is not None and row["status"] == "converted" and row["assigned_deputy"] == actor["subject"]:
            return {"tracking_code": tracking_code, "station_code": row["station_code"], "content": row["content"],
                    "category": row["category"], "already": True}
        row, _ = _opinion_for(uow, tracking_code, actor, "convert")
    return {"tracking_code": tracking_code, "station_code": row["station_code"], "content": row["content"],
            "category": row["category"], "already": False}


def link_conversion(tracking_code, suggestion, actor, uow):
    """The deputy's suggestion was filed: the opinion links to it (once)."""
    with uow:
        row = uow.voters.opinion(tracking_code, for_update=True)
        if row is None:
            raise NotFound("no opinion with this tracking code", {"tracking_code": tracking_code})
        if row["suggestion_id"] == str(suggestion["id"]):
            return officer_view(row, actor)
        row, status = _opinion_for(uow, tracking_code, actor, "convert")
        row = uow.voters.update_opinion(tracking_code, {
            "status": status, "assigned_deputy": actor["subject"], "suggestion_id": str(suggestion["id"]),
            "suggestion_number": suggestion.get("number")},
            _entry("convert", actor, status=status, suggestion=suggestion.get("number")))
        uow.emit(events.OPINION_CONVERTED, {"tracking_code": tracking_code, "station_code": row["station_code"],
                                            "suggestion_id": str(suggestion["id"]),
                                            "number": suggestion.get("number"), "deputy": actor["subject"]},
                 aggregate_id=tracking_code)
        uow.commit()
    return officer_view(row, actor)


def follow_suggestion(envelope, uow):
    """Inside the duty consumer's transaction: opinions converted into this suggestion follow it."""
    data = envelope.get("data") or {}
    if not data.get("suggestion_id"):
        return 0
    changed = 0
    for row in uow.voters.opinions_of_suggestion(data["suggestion_id"]):
        status = voters.follow_suggestion(row["status"], envelope["type"])
        if status is None:
            continue
        changes = {"status": status}
        answer = voters.reply_answer(envelope["type"], data)
        if answer:
            changes["answer"] = answer
        uow.voters.update_opinion(row["tracking_code"], changes,
                                  {"action": envelope["type"], "by": "system", "role": "system",
                                   "at": envelope.get("occurred_at"), "status": status})
        changed += 1
    return changed


def list_opinions(query, actor, uow):
    actor = actor or {}
    if actor.get("role") not in ("staff", "admin", "deputy"):
        raise Forbidden("staff and deputies see opinions", {"role": actor.get("role")})
    deputy = actor.get("subject") if actor.get("role") == "deputy" else None
    with uow:
        rows, total = uow.voters.opinions(query.get("station"), query.get("status"), deputy,
                                          query.get("limit", 50), query.get("offset", 0))
    return {"items": [officer_view(r, actor) for r in rows], "total": total}
