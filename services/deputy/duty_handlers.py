"""Use cases of duty records: applying events (idempotently), activities staff record, the
record of one deputy, rankings and the scoring scheme. Functions of (command, uow)."""
from datetime import datetime

from contracts.events import deputy as events
from contracts.events import suggestion as suggestion_events
from contracts.events import voting as voting_events
from kernel.errors import Forbidden, NotFound, Unprocessable, ValidationFailed
from services.deputy import duty

CONSUMER = "deputy.duty"

SUGGESTION_STATUS_EVENTS = {
    suggestion_events.ACCEPTED: "accepted", suggestion_events.MERGED: "merged", suggestion_events.ASSIGNED: "assigned",
    suggestion_events.REPLIED: "replied", suggestion_events.FOLLOWED_UP: "replied",
    suggestion_events.REHANDLING_OPENED: "rehandling", suggestion_events.CLOSED: "closed",
}
SUGGESTION_VOID_EVENTS = (suggestion_events.WITHDRAWN, suggestion_events.REJECTED)


def this_year():
    return datetime.now(duty.BEIJING).year


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _is_staff(actor):
    return (actor or {}).get("role") in ("staff", "admin")


def sees_everything(actor, deputy_id):
    actor = actor or {}
    return _is_staff(actor) or (actor.get("role") == "deputy" and actor.get("subject") == deputy_id)


# -- applying events ------------------------------------------------------------------------------
def _apply(envelope, uow):
    """Write what one event means for the records (inside the caller's transaction)."""
    kind, data = envelope["type"], envelope.get("data") or {}
    event_id, occurred_at = envelope["event_id"], envelope.get("occurred_at")
    repo = uow.duty
    if kind == voting_events.MEETING_CREATED:
        repo.remember_meeting(data["meeting_id"], data["kind"], data["title"], data["starts_at"])
        return 0
    if kind == voting_events.MEMBER_SIGNED_IN:
        entry = duty.sign_in_entry(data, repo.meeting(data["meeting_id"]), occurred_at)
        return repo.upsert([entry], event_id, overwrite=False) if entry else 0
    if kind == voting_events.MEETING_ENDED:
        repo.remember_meeting(data["meeting_id"], data["kind"], data["title"], data["starts_at"])
        return repo.upsert(duty.meeting_entries(data), event_id, overwrite=True)
    if kind == suggestion_events.SUBMITTED:
        return repo.settle_suggestion(duty.suggestion_entries(data, occurred_at), event_id)
    if kind in SUGGESTION_VOID_EVENTS:
        _follow_opinions(envelope, uow)
        return repo.upsert(duty.suggestion_entries(data, occurred_at), event_id, void=True)
    if kind in SUGGESTION_STATUS_EVENTS:
        _follow_opinions(envelope, uow)
        status = SUGGESTION_STATUS_EVENTS[kind]
        extra = {"reply_category": data["reply_category"]} if data.get("reply_category") else {}
        return repo.suggestion_status(data.get("suggestion_id"), status,
                                      status in duty.PUBLIC_SUGGESTION_STATUSES, extra)
    if kind == events.ACTIVITY_RECORDED:
        return repo.upsert(duty.activity_entries(data), event_id, overwrite=True)
    if kind == events.RECEPTION_HELD:
        return repo.upsert(duty.reception_entries(data), event_id, overwrite=True)
    return 0


def _follow_opinions(envelope, uow):
    """Voters' opinions converted into this suggestion follow it (same transaction, same claim)."""
    if getattr(uow, "voters", None) is None:
        return 0
    from services.deputy.voters_handlers import follow_suggestion
    return follow_suggestion(envelope, uow)


def apply_event(envelope, uow, consumer=CONSUMER):
    """Apply one event to the duty records; 0 (nothing) when it was applied before."""
    with uow:
        if not uow.claim_event(consumer, envelope["event_id"]):
            return 0
        changed = _apply(envelope, uow)
        uow.commit()
    return changed


def rebuild(envelopes, uow, year=None, batch=500):
    """Rebuild the records from an event history (in order), e.g. after changing what events
    mean: forget the year's entries, then apply every event again (without claims: this is
    a replay, not a delivery). Returns the number of events applied."""
    applied = 0
    with uow:
        if year is not None:
            uow.duty.clear_year(year)
        for envelope in envelopes:
            _apply(envelope, uow)
            applied += 1
            if applied % batch == 0:
                uow.commit()
        uow.commit()
    return applied


# -- activities --------------------------------------------------------------------------------------
def _activity_view(row):
    return {"id": row["id"], "kind": row["kind"], "label": duty.RULES[row["kind"]].label, "title": row["title"],
            "date": _iso(row["held_on"]), "description": row["description"], "participants": list(row["participants"]),
            "published": row["published"], "recorded_by": row["recorded_by"], "created_at": _iso(row["created_at"])}


def record_activity(command, actor, uow, idempotency_key=None):
    """Staff record an activity no system saw; each participant's record gets its entry in
    the same transaction (the ``activity_recorded`` event is claimed, so a replay of it adds
    nothing)."""
    participants = list(dict.fromkeys(command["participants"]))
    with uow:
        if idempotency_key:
            earlier = uow.recall("record_activity", idempotency_key)
            if earlier is not None:
                return _activity_view(uow.duty.activity(earlier["id"]))
        unknown = sorted(set(participants) - uow.duty.known_deputies(participants))
        if unknown:
            raise Unprocessable("unknown deputies", {"participants": [f"no deputy {c}" for c in unknown]})
        row = uow.duty.add_activity(command["kind"], command["title"], command["date"],
                                    command.get("description") or "", participants, command.get("published", True),
                                    (actor or {}).get("username"))
        view = _activity_view(row)
        envelope = uow.emit(events.ACTIVITY_RECORDED, {"id": row["id"], "kind": row["kind"], "title": row["title"],
                                                        "held_on": view["date"], "participants": participants,
                                                        "published": row["published"]}, aggregate_id=row["id"])
        uow.claim_event(CONSUMER, envelope["event_id"])
        _apply(envelope, uow)
        if idempotency_key:
            uow.remember("record_activity", idempotency_key, {"id": row["id"]})
        uow.commit()
    return view


def list_activities(query, actor, uow):
    with uow:
        rows, total = uow.duty.activities(published_only=not _is_staff(actor), **query)
    return {"items": [_activity_view(r) for r in rows], "total": total}


# -- schemes ---------------------------------------------------------------------------------------------
def _scheme_view(year, row):
    if row is None:
        return {"year": year, "version": 0, "default": True, "updated_by": None, "updated_at": None,
                **duty.default_scheme(), "rules": _rule_table()}
    return {"year": year, "version": row["version"], "default": False, "updated_by": row["updated_by"],
            "updated_at": _iso(row["updated_at"]), **duty.complete_scheme(row["scheme"]), "rules": _rule_table()}


def _rule_table():
    return [{"rule": r.name, "part": r.part, "label": r.label, "default_points": r.points}
            for r in duty.RULES.values()]


def get_scheme(year, uow):
    with uow:
        return _scheme_view(year, uow.duty.scheme(year))


def put_scheme(year, command, actor, uow):
    """A new version of the year's scheme (the year's scores follow at once; other years
    keep theirs). What the command leaves out keeps its current value."""
    with uow:
        current = uow.duty.scheme(year)
        scheme = duty.complete_scheme(current["scheme"]) if current else duty.default_scheme()
        scheme["base"] = command.get("base", scheme["base"])
        scheme["cap"] = command.get("cap", scheme["cap"])
        scheme["points"].update(command.get("points") or {})
        scheme["bands"].update(command.get("bands") or {})
        problems = duty.validate_scheme({**scheme, "points": command.get("points") or {}})
        if problems:
            raise ValidationFailed("invalid scheme", problems)
        row = uow.duty.save_scheme(year, scheme, (actor or {}).get("username"))
        uow.emit(events.DUTY_SCHEME_CHANGED, {"year": year, "version": row["version"], "scheme": scheme},
                 aggregate_id=year)
        uow.commit()
    return _scheme_view(year, row)


def _scheme(uow, year):
    row = uow.duty.scheme(year)
    return duty.complete_scheme(row["scheme"]) if row else duty.default_scheme(), (row or {}).get("version", 0)


# -- the record ----------------------------------------------------------------------------------------
def _entry_view(entry, scheme, full):
    rule = duty.RULES[entry["rule"]]
    view = {"evidence": {"kind": entry["evidence_kind"], "id": entry["evidence_id"], "ref": entry["evidence_ref"]},
            "rule": entry["rule"], "label": rule.label, "title": entry["title"],
            "date": _iso(entry["occurred_on"]), "detail": _public_detail(entry["detail"] or {})}
    if full:
        view["points"] = scheme["points"].get(entry["rule"], rule.points)
    return view


def _public_detail(detail):
    return {k: v for k, v in detail.items() if k in ("kind", "status", "number", "reply_category")}


def duty_record(deputy_id, year, actor, uow):
    full = sees_everything(actor, deputy_id)
    with uow:
        deputy = uow.deputies.get(deputy_id)
        if deputy is None:
            raise NotFound(f"deputy {deputy_id} not found", {"id": deputy_id})
        entries = [e for e in uow.duty.entries(deputy_id, year) if not e["void"]]
        scheme, version = _scheme(uow, year)
        absences = uow.duty.congress_absences(deputy_id) if full else []
    parts = {part: [] for part in duty.PARTS}
    parts["basic"] = [deputy.as_dict(include_contact=full)]
    shown = entries if full else [e for e in entries if e["public"]]
    for entry in shown:
        parts[entry["part"]].append(_entry_view(entry, scheme, full))
    record = {"deputy": deputy_id, "name": deputy.name, "year": year, "visibility": "full" if full else "public",
              "parts": parts, "score": None, "band": None, "band_label": None, "scheme_version": None,
              "breakdown": [], "flags": []}
    if not full:
        return record
    counts = {}
    for entry in entries:
        counts[entry["rule"]] = counts.get(entry["rule"], 0) + 1
    total, rows = duty.score(counts, scheme)
    for row in rows:
        row["evidence"] = [{"kind": e["evidence_kind"], "id": e["evidence_id"], "ref": e["evidence_ref"],
                            "title": e["title"], "date": _iso(e["occurred_on"])}
                           for e in entries if e["rule"] == row["rule"]]
    flag = duty.congress_flag(absences)
    record.update(score=total, band=duty.band(total, scheme), band_label=duty.BAND_LABELS[duty.band(total, scheme)],
                  scheme_version=version, base=scheme["base"], cap=scheme["cap"], breakdown=rows,
                  flags=[flag] if flag else [])
    return record


def duty_summary(deputy_id, year, actor, uow):
    """The dashboard's duty part: score and band (deputy and staff), counts per part."""
    record = duty_record(deputy_id, year, actor, uow)
    return {"year": year, "score": record["score"], "band": record["band"], "band_label": record["band_label"],
            "parts": {part: len(items) for part, items in record["parts"].items() if part != "basic"},
            "flagged": bool(record["flags"])}


def rankings(query, actor, uow):
    if not _is_staff(actor):
        raise Forbidden("rankings are for staff", {"role": (actor or {}).get("role")})
    year = query.get("year") or this_year()
    with uow:
        scheme, version = _scheme(uow, year)
        rows = uow.duty.counts(year, query.get("level"), query.get("town"))
        flagged = uow.duty.flagged([r[0] for r in rows]) if rows else {}
    ranked = []
    for code, name, level, town, counts in rows:
        total, _ = duty.score(counts, scheme)
        band = duty.band(total, scheme)
        ranked.append({"deputy_id": code, "name": name, "level": level, "town": town, "score": total,
                       "band": band, "band_label": duty.BAND_LABELS[band],
                       "receptions": counts.get("reception", 0),
                       "receptions_short": counts.get("reception", 0) < 2, "flagged": code in flagged})
    ranked.sort(key=lambda r: (-r["score"], r["deputy_id"]))
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    bands = {name: 0 for name, _, _ in duty.BANDS}
    for row in ranked:
        bands[row["band"]] += 1
    limit, offset = query.get("limit", 50), query.get("offset", 0)
    return {"year": year, "scheme_version": version, "level": query.get("level"), "town": query.get("town"),
            "bands": bands, "flagged": sum(1 for r in ranked if r["flagged"]),
            "items": ranked[offset:offset + limit], "total": len(ranked)}
