"""Use cases of the voting service: functions of (command, uow)."""
import logging
import secrets

from contracts.events import voting as events
from kernel.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, Unprocessable
from services.voting import domain
from services.voting.domain import Item, RuleViolation

log = logging.getLogger(__name__)
_ERRORS = {"conflict": Conflict, "forbidden": Forbidden, "unprocessable": Unprocessable}


def _raise(violation):
    raise _ERRORS[violation.kind](violation.message, violation.details) from violation


def _is_staff(actor):
    return (actor or {}).get("role") in ("staff", "admin")


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _meeting_or_404(uow, meeting_id, for_update=False):
    meeting = uow.meetings.get(meeting_id, for_update=for_update)
    if meeting is None:
        raise NotFound(f"meeting {meeting_id} not found", {"id": meeting_id})
    return meeting


def _item_or_404(uow, meeting_id, item_id, for_update=False):
    row = uow.items.get(meeting_id, item_id, for_update=for_update)
    if row is None:
        raise NotFound(f"item {item_id} of meeting {meeting_id} not found", {"item_id": item_id})
    return row


def _spec(row):
    return Item(**{k: row[k] for k in ("id", "meeting_id", "kind", "title", "mode", "candidates", "merged",
                                        "amends", "status", "position")})


# -- meetings -----------------------------------------------------------------------------------
def create_meeting(command, actor, uow, idempotency_key=None):
    """A repeated ``idempotency_key`` returns the meeting the first request created."""
    members = list(dict.fromkeys(command["members"]))
    observers = list(dict.fromkeys(command.get("observers") or []))
    with uow:
        if idempotency_key:
            earlier = uow.recall("create_meeting", idempotency_key)
            if earlier is not None:
                return earlier["meeting_id"]
        known = uow.meetings.directory(members + observers)
        unknown = [c for c in members if c not in known]
        inactive = [c for c in members if c in known and known[c]["status"] != "active"]
        problems = []
        if unknown:
            problems.append("unknown deputies: " + ", ".join(unknown))
        if inactive:
            problems.append("not active: " + ", ".join(inactive))
        both = sorted(set(members) & set(observers))
        if both:
            problems.append("both member and observer: " + ", ".join(both))
        chair = command.get("chair")
        if chair and chair not in members:
            problems.append(f"the chair {chair} is not a member")
        if problems:
            raise Unprocessable("invalid members", {"members": problems, "unknown": unknown, "inactive": inactive})
        meeting = uow.meetings.add(command["kind"], command["title"], command["starts_at"], chair,
                                   (actor or {}).get("username"))
        rows = [(c, known[c]["name"], "member") for c in members]
        rows += [(o, known[o]["name"] if o in known else o, "observer") for o in observers]
        uow.meetings.add_members(meeting["id"], rows)
        uow.emit(events.MEETING_CREATED, {
            "meeting_id": meeting["id"], "kind": meeting["kind"], "title": meeting["title"],
            "starts_at": _iso(meeting["starts_at"]), "expected": len(members), "members": members,
            "observers": observers}, aggregate_id=meeting["id"])
        if idempotency_key:
            uow.remember("create_meeting", idempotency_key, {"meeting_id": meeting["id"]})
        uow.commit()
    return meeting["id"]


def add_members(meeting_id, command, actor, uow):
    """Add members (and observers) to a meeting already created. Who is already in the meeting in
    the same role is left as is (a repeated request changes nothing); someone in the other role
    is a 409 (an observer does not silently become a voter). A member added while an item is open
    votes from the next item on: the open item's electorate was fixed when it opened."""
    members = list(dict.fromkeys(command.get("members") or []))
    observers = list(dict.fromkeys(command.get("observers") or []))
    with uow:
        _meeting_or_404(uow, meeting_id, for_update=True)
        current = {m["deputy_id"]: m["role"] for m in uow.meetings.members(meeting_id)}
        wanted = [(c, "member") for c in members] + [(o, "observer") for o in observers]
        clashes = [{"deputy_id": c, "role": current[c], "wanted": role} for c, role in wanted
                   if c in current and current[c] != role]
        both = sorted(set(members) & set(observers))
        known = uow.meetings.directory(members + observers)
        unknown = [c for c in members if c not in known]
        inactive = [c for c in members if c in known and known[c]["status"] != "active"]
        problems = []
        if unknown:
            problems.append("unknown deputies: " + ", ".join(unknown))
        if inactive:
            problems.append("not active: " + ", ".join(inactive))
        if both:
            problems.append("both member and observer: " + ", ".join(both))
        if problems:
            raise Unprocessable("invalid members", {"members": problems, "unknown": unknown, "inactive": inactive})
        if clashes:
            raise Conflict("already in the meeting in another role", {"role_conflicts": clashes})
        rows = [(c, known[c]["name"], "member") for c in members if c not in current]
        rows += [(o, known[o]["name"] if o in known else o, "observer") for o in observers if o not in current]
        expected = uow.meetings.add_more_members(meeting_id, rows)
        if rows:
            uow.emit(events.MEMBERS_ADDED, {
                "meeting_id": meeting_id, "members": [r[0] for r in rows if r[2] == "member"],
                "observers": [r[0] for r in rows if r[2] == "observer"], "expected": expected,
                "by": (actor or {}).get("username")}, aggregate_id=meeting_id)
        uow.commit()
    return meeting_id


def _public_item(row):
    item = {k: row[k] for k in ("id", "meeting_id", "position", "kind", "title", "mode", "candidates", "merged",
                                 "amends", "status", "expected", "present_at_open", "threshold", "digest")}
    item["opened_at"], item["closed_at"] = _iso(row["opened_at"]), _iso(row["closed_at"])
    item["result"] = row["result"]
    return item


def get_meeting(meeting_id, uow):
    with uow:
        meeting = _meeting_or_404(uow, meeting_id)
        expected, present = uow.meetings.counts(meeting_id)
        members = uow.meetings.members(meeting_id)
        items = uow.items.list(meeting_id)
    return {**_meeting_view(meeting), "expected": expected, "present": present,
            "members": [m["deputy_id"] for m in members if m["role"] == "member"],
            "observers": [{"id": m["deputy_id"], "name": m["name"]} for m in members if m["role"] == "observer"],
            "items": [_public_item(i) for i in items]}


def _meeting_view(meeting):
    return {"id": meeting["id"], "kind": meeting["kind"], "title": meeting["title"],
            "starts_at": _iso(meeting["starts_at"]), "chair": meeting["chair"],
            "ended_at": _iso(meeting.get("ended_at"))}


def list_meetings(query, uow):
    with uow:
        rows, total = uow.meetings.list(query.get("limit", 50), query.get("offset", 0), query.get("member"))
    return {"items": [{**_meeting_view(r), "expected": r["expected"], "present": r["present"]} for r in rows],
            "total": total}


# -- attendance ---------------------------------------------------------------------------------
def _whom(actor, deputy_id):
    """The member signing in/out and ``by`` (staff username when on behalf, else None)."""
    actor = actor or {}
    if actor.get("role") == "deputy":
        if deputy_id and deputy_id != actor.get("subject"):
            raise Forbidden("a deputy signs in only themselves", {"deputy_id": deputy_id})
        return actor["subject"], None
    if _is_staff(actor):
        if not deputy_id:
            raise Unprocessable("staff sign in on a member's behalf: give deputy_id",
                                {"deputy_id": ["required when staff sign in for a member"]})
        return deputy_id, actor.get("username")
    raise Forbidden("only members and staff sign in", {"role": actor.get("role")})


def set_presence(meeting_id, deputy_id, present, actor, uow):
    deputy_id, by = _whom(actor, deputy_id)
    with uow:
        meeting = _meeting_or_404(uow, meeting_id)
        if meeting.get("ended_at") is not None:
            raise Conflict("the meeting has ended: attendance is settled", {"ended_at": _iso(meeting["ended_at"])})
        member = uow.meetings.member(meeting_id, deputy_id)
        if member is None:
            raise Forbidden(f"{deputy_id} is not a member or observer of this meeting", {"deputy_id": deputy_id})
        changed = uow.meetings.set_presence(meeting_id, deputy_id, present, by)
        if changed and member["role"] == "member":
            expected, present_count = uow.meetings.count_presence(meeting_id, 1 if present else -1)
        else:
            expected, present_count = uow.meetings.live_counts(meeting_id)
        if changed:
            uow.emit(events.MEMBER_SIGNED_IN if present else events.MEMBER_SIGNED_OUT, {
                "meeting_id": meeting_id, "deputy_id": deputy_id, "name": member["name"], "role": member["role"],
                "by": by, "present": present_count, "expected": expected}, aggregate_id=meeting_id)
        uow.commit()
    return {"meeting_id": meeting_id, "deputy_id": deputy_id, "name": member["name"], "role": member["role"],
            "signed_in": present, "changed": changed, "by": by, "present": present_count, "expected": expected}


def attendance(meeting_id, uow):
    with uow:
        _meeting_or_404(uow, meeting_id)
        members = uow.meetings.members(meeting_id)
    listed = [{"deputy_id": m["deputy_id"], "name": m["name"], "role": m["role"], "present": m["present"],
               "signed_in_at": _iso(m["signed_in_at"]), "by": m["signed_in_by"]} for m in members]
    voting = [m for m in listed if m["role"] == "member"]
    return {"meeting_id": meeting_id, "expected": len(voting), "present": sum(m["present"] for m in voting),
            "absent": sum(not m["present"] for m in voting),
            "members": voting, "observers": [m for m in listed if m["role"] == "observer"]}


def attendance_summary(deputy_id, uow):
    with uow:
        row = uow.meetings.attendance_of(deputy_id)
    return {"deputy_id": deputy_id, "meetings": row["meetings"], "attended": row["attended"],
            "absent": row["absent"], "votes_cast": row["votes_cast"]}


# -- items --------------------------------------------------------------------------------------
def add_item(meeting_id, command, uow):
    try:
        mode = domain.validate_item(command["kind"], command.get("mode"), command.get("candidates") or [],
                                    command.get("merged", False))
    except RuleViolation as violation:
        _raise(violation)
    with uow:
        _meeting_or_404(uow, meeting_id, for_update=True)
        amends = command.get("amends")
        if amends is not None:
            target = uow.items.get(meeting_id, amends)
            if target is None:
                raise Unprocessable("amends an unknown item", {"amends": [f"no item {amends} in this meeting"]})
            if target["status"] != "pending":
                raise Conflict("the motion is already being voted", {"amends": amends, "status": target["status"]})
        row = uow.items.add(meeting_id, command["kind"], command["title"], mode, command.get("candidates") or [],
                            command.get("merged", False), amends)
        uow.commit()
    return _public_item(row)


def get_item(meeting_id, item_id, uow):
    with uow:
        return _public_item(_item_or_404(uow, meeting_id, item_id))


def _electorate(item, members):
    """(member, token) per member: the member code on named items; on secret items a fresh
    random pseudonym per member and item (no key that could recompute it exists anywhere)."""
    if item.secret:
        return [(d, domain.new_pseudonym(secrets.token_hex(16))) for d in members]
    return [(d, d) for d in members]


def open_item(meeting_id, item_id, uow):
    with uow:
        _meeting_or_404(uow, meeting_id, for_update=True)   # one opening at a time per meeting
        row = _item_or_404(uow, meeting_id, item_id, for_update=True)
        item = _spec(row)
        siblings = [_spec(r) for r in uow.items.list(meeting_id)]
        expected, present = uow.meetings.counts(meeting_id)
        try:
            threshold = domain.check_can_open(item, siblings, expected, present)
        except RuleViolation as violation:
            _raise(violation)
        members = [m["deputy_id"] for m in uow.meetings.members(meeting_id) if m["role"] == "member"]
        expected, present = uow.items.open(item_id, meeting_id, threshold, _electorate(item, members))
        data = {"meeting_id": meeting_id, "item_id": item_id, "title": item.title, "kind": item.kind,
                "mode": item.mode, "merged": item.merged, "expected": expected, "present": present,
                "threshold": threshold, "candidates": item.candidates}
        uow.emit(events.ITEM_OPENED, data, aggregate_id=meeting_id)
        uow.commit()
    return {**data, "status": "open"}


def cast_ballot(meeting_id, item_id, actor, command, uow, spec_cache=None):
    """One short transaction: shared lock on the item's ballot box (not a row), then ONE
    statement that checks open/member/present and appends the ballot + upserts the choice."""
    actor = actor or {}
    if actor.get("role") != "deputy":
        raise Forbidden("only members vote, with their own account", {"role": actor.get("role")})
    deputy_id = actor["subject"]
    item = (spec_cache or {}).get(item_id)
    if item is None:
        with uow:
            item = uow.items.spec(item_id)
        if item is None or item.meeting_id != meeting_id:
            raise NotFound(f"item {item_id} of meeting {meeting_id} not found", {"item_id": item_id})
        if spec_cache is not None:
            spec_cache[item_id] = item
    if item.mode not in domain.ELECTRONIC_MODES:
        raise Conflict(f"{item.mode} items are counted by staff, not by ballots", {"mode": item.mode})
    try:
        choice = domain.canonical_choice(item, command.get("choice"), command.get("choices"))
    except RuleViolation as violation:
        _raise(violation)
    nonce = secrets.token_hex(16)
    with uow:
        uow.ballots.share_box(item_id)
        row = uow.ballots.cast(meeting_id, item_id, deputy_id, choice, nonce)
        if row is None:
            raise NotFound(f"item {item_id} of meeting {meeting_id} not found", {"item_id": item_id})
        if row["ballot_id"] is None:
            if row["role"] != "member":
                why = "observers (列席) do not vote" if row["role"] == "observer" else "not a member of the meeting"
                raise Forbidden(f"{deputy_id} may not vote on this item: {why}", {"deputy_id": deputy_id})
            if row["status"] != "open":
                raise Conflict(f"voting on this item is not open (it is {row['status']})", {"status": row["status"]})
            if not row["entitled"]:
                raise Forbidden(f"{deputy_id} was not a member when the item opened", {"deputy_id": deputy_id})
            raise Conflict("sign in to the meeting before voting", {"reason": "not_signed_in"})
        uow.commit()
    answer = {"meeting_id": meeting_id, "item_id": item_id, "receipt": row["leaf_hash"], "token": row["token"],
              "choice": domain.parse_choice(choice), "nonce": nonce, "stored_choice": choice}
    if not item.secret:
        answer["ballot_id"] = row["ballot_id"]     # a secret ballot's arrival number is never shown
    return answer


def enter_tally(meeting_id, item_id, counts, actor, uow):
    with uow:
        row = _item_or_404(uow, meeting_id, item_id, for_update=True)
        item = _spec(row)
        if item.mode not in domain.MANUAL_MODES:
            raise Conflict("counts are entered only for show of hands and paper ballots", {"mode": item.mode})
        if item.status != "open":
            raise Conflict(f"the item is {item.status}: open it first", {"status": item.status})
        present, _ = uow.items.presence(item_id)
        try:
            domain.validate_manual_tally(item, present, counts)
        except RuleViolation as violation:
            _raise(violation)
        record = {**counts, "present": present, "entered_by": (actor or {}).get("username")}
        uow.items.set_manual_tally(item_id, record)
        uow.commit()
    return {"meeting_id": meeting_id, "item_id": item_id, "status": "open",
            "provisional": domain.manual_result(item, row["expected"], present, counts)}


def close_item(meeting_id, item_id, uow):
    with uow:
        uow.ballots.lock_box(item_id)   # waits for ballots in flight; later ones see 'closed'
        row = _item_or_404(uow, meeting_id, item_id, for_update=True)
        item = _spec(row)
        if item.status != "open":
            raise Conflict(f"the item is {item.status}, not open", {"status": item.status})
        expected = row["expected"]
        if item.mode in domain.MANUAL_MODES:
            manual = row["manual_tally"]
            if not manual:
                raise Conflict("enter the counted tally before closing", {"manual_tally": None})
            result = domain.manual_result(item, expected, manual["present"], manual)
            leaves = []
        else:
            present_tokens = uow.items.present_tokens(item_id)
            if item.secret:
                counted = uow.ballots.counted(item_id)
                latest = {b["token"]: b["choice"] for b in counted}
                leaves = [b["leaf_hash"] for b in counted]      # one per pseudonym, in token order
            else:
                log = uow.ballots.log(item_id)
                latest = domain.latest_per_token(log)
                leaves = [b["leaf_hash"] for b in log]
            result = domain.result(item, expected, len(present_tokens), latest, present_tokens)
        digest = domain.merkle_root(item_id, leaves)
        result["ballots"] = len(leaves)
        uow.items.close(item_id, result, digest, sealed=item.secret)
        if item.secret:
            uow.ballots.seal(item_id)
        uow.emit(events.VOTE_CLOSED, {"meeting_id": meeting_id, "item_id": item_id, "title": item.title,
                                      "kind": item.kind, "mode": item.mode, "result": result, "digest": digest,
                                      "hash_algorithm": domain.HASH_ALGORITHM}, aggregate_id=meeting_id)
        uow.commit()
    return _result_view(item, "closed", result, digest)


def purge_erased_ballots(autocommit_uow):
    """After sealing: have PostgreSQL drop the erased rows from the table files too. Best
    effort — the rows are already gone from every query and dump; a failure is only logged."""
    try:
        with autocommit_uow:
            autocommit_uow.ballots.purge_dead_rows()
    except Exception:   # noqa: BLE001 — the close has committed; this is housekeeping
        log.warning("could not vacuum the voting tables after sealing", exc_info=True)


def _result_view(item, status, result, digest):
    return {"meeting_id": item.meeting_id, "item_id": item.id, "title": item.title, "kind": item.kind,
            "mode": item.mode, "status": status, "final": status == "closed", "digest": digest, **result}


def running_tally(item, expected, threshold, present, not_voted, grouped, voters=None):
    counts = domain.tally(item, grouped)
    data = {"expected": expected, "present": present, "yes": counts["yes"], "no": counts["no"],
            "abstain": counts["abstain"], "voted": counts["voted"], "not_voted": not_voted,
            "threshold": threshold, "candidates": counts["candidates"]}
    if item.secret:
        return domain.conceal_choices(data)
    if voters is not None:
        data["voters"] = voters
    return data


def _live_tally(uow, row):
    item = _spec(row)
    present, not_voted = uow.items.presence(item.id)
    voters = None
    if item.mode == "named":
        voters = [{"deputy_id": t, "choice": domain.parse_choice(c)} for t, c in uow.items.current_choices(item.id)]
    return running_tally(item, row["expected"], row["threshold"], present, not_voted,
                         uow.items.grouped_choices(item.id), voters)


def get_result(meeting_id, item_id, uow):
    with uow:
        row = _item_or_404(uow, meeting_id, item_id)
        item = _spec(row)
        if row["status"] == "closed":
            return _result_view(item, "closed", row["result"], row["digest"])
        if row["status"] == "pending":
            raise Conflict("the item has not been opened", {"status": "pending"})
        if item.mode in domain.MANUAL_MODES:
            manual = row["manual_tally"]
            live = domain.manual_result(item, row["expected"], manual["present"], manual) if manual else {
                "expected": row["expected"], "threshold": row["threshold"]}
        else:
            live = _live_tally(uow, row)    # a secret item's has no per-choice counts
            live.pop("voters", None)
            live["passed"] = None
    return _result_view(item, "open", live, None)


def checkpoint(item_id, uow, every_seconds=1.0):
    """Take an interim Merkle root of an open item's ballot log if the last one is older than
    ``every_seconds`` and ballots arrived since. The log is read under the box lock (no
    ballot in flight, so every id up to the last is final); the root is computed after.
    Returns the latest checkpoint {ballots, last_seq, root} or None."""
    with uow:
        last = uow.ballots.last_checkpoint(item_id)
        newest = uow.ballots.last_seq(item_id)
    if newest is None or (last is not None and (last["age"] < every_seconds or newest == last["last_seq"])):
        return _checkpoint_view(last) if last else None
    with uow:
        uow.ballots.lock_box(item_id)
        leaves = uow.ballots.leaves(item_id)
        uow.commit()
    if not leaves or (last is not None and len(leaves) == last["ballots"]):
        return _checkpoint_view(last) if last else None
    taken = {"ballots": len(leaves), "last_seq": leaves[-1][0],
             "root": domain.merkle_root(item_id, [h for _, h in leaves])}
    with uow:
        uow.ballots.add_checkpoint(item_id, taken["ballots"], taken["last_seq"], taken["root"])
        uow.commit()
    return taken


def _checkpoint_view(row):
    return {"ballots": row["ballots"], "last_seq": row["last_seq"], "root": row["root"]}


def tick(uow, checkpoint_every=1.0):
    """The ticker: for each open electronic item, emit ``tally_updated`` if its counts
    changed since the last one (seq increments), with the latest ballot-log checkpoint.
    One item that fails is logged and skipped, so it cannot freeze every other open item's
    tally; a database outage still ends the tick (every item would fail the same way).
    Returns the events emitted."""
    emitted = []
    with uow:
        open_ids = uow.items.open_items()
    for item_id in open_ids:
        try:
            event = _tick_item(uow, item_id, checkpoint_every)
        except ServiceUnavailable:
            raise
        except Exception:   # noqa: BLE001 — this item's fault; the others still tick
            log.exception("tally of item %s failed; the other open items still tick", item_id)
            continue
        if event is not None:
            emitted.append(event)
    return emitted


def _tick_item(uow, item_id, checkpoint_every):
    with uow:
        row = uow.items.spec(item_id)
    if row is None or row.mode not in domain.ELECTRONIC_MODES:
        return None
    # Interim roots of a secret item's log would tell, with the chair's who-has-not-voted
    # list, which pseudonym voted when: only named items get checkpoints.
    latest = None if row.secret else checkpoint(item_id, uow, checkpoint_every)
    with uow:
        full = uow.items.get(row.meeting_id, item_id)
        if full["status"] != "open":
            return None
        data = {**_live_tally(uow, full), "checkpoint": latest}   # a new checkpoint is a change too
        if row.secret:
            data.pop("checkpoint")
        seq = uow.items.record_tally(item_id, data)
        if seq is None:
            return None
        event = {"meeting_id": row.meeting_id, "item_id": item_id, "seq": seq, **data}
        uow.emit(events.TALLY_UPDATED, event, aggregate_id=row.meeting_id)
        uow.commit()
    return event


def pending_voters(meeting_id, item_id, actor, uow):
    with uow:
        meeting = _meeting_or_404(uow, meeting_id)
        actor = actor or {}
        chair = actor.get("role") == "deputy" and actor.get("subject") == meeting["chair"]
        if not (_is_staff(actor) or chair):
            raise Forbidden("only the chair and staff see who has not voted", {"role": actor.get("role")})
        row = _item_or_404(uow, meeting_id, item_id)
        if row["status"] != "open":
            raise Conflict(f"the item is {row['status']}, not open", {"status": row["status"]})
        pending = uow.items.pending_voters(item_id)
    return {"meeting_id": meeting_id, "item_id": item_id, "count": len(pending),
            "pending": [{"deputy_id": p["deputy_id"], "name": p["name"]} for p in pending]}


# -- the ballot box ---------------------------------------------------------------------------------
def audit(meeting_id, item_id, uow):
    with uow:
        row = _item_or_404(uow, meeting_id, item_id)
        if row["status"] != "closed":
            raise Conflict("the ballot box is published when the item closes", {"status": row["status"]})
        if row["sealed"]:
            box = uow.ballots.sealed(item_id)
            checkpoints = []
        else:
            box = uow.ballots.log(item_id)
            checkpoints = uow.ballots.checkpoints(item_id)
    item = _spec(row)
    document = {
        "meeting_id": meeting_id, "item_id": item_id, "title": item.title, "kind": item.kind, "mode": item.mode,
        "merged": item.merged, "per_candidate": item.per_candidate, "candidates": item.candidates,
        "expected": row["expected"], "threshold": row["threshold"], "digest": row["digest"],
        "hash_algorithm": domain.HASH_ALGORITHM,
        "node_format": domain.NODE_PREFIX + "|{left}|{right} (an odd last node is carried up unchanged)",
        "empty_format": domain.EMPTY_PREFIX + "|{item_id}",
        "checkpoints": checkpoints,
        "manual_tally": ({k: v for k, v in row["manual_tally"].items() if k != "entered_by"}
                         if row["manual_tally"] else None),
        "result": row["result"],
    }
    if row["sealed"]:
        document.update(
            sealed=True, leaf_format=domain.SEALED_LEAF_PREFIX + "|{item_id}|{token}|{choice}|{nonce}",
            ballots=[{"token": b["token"], "choice": b["choice"], "nonce": b["nonce"], "leaf_hash": b["leaf_hash"]}
                     for b in box])
    else:
        document.update(
            sealed=False, leaf_format=domain.LEAF_PREFIX + "|{item_id}|{seq}|{token}|{choice}|{nonce}",
            ballots=[{"seq": b["id"], "token": b["token"], "choice": b["choice"], "nonce": b["nonce"],
                      "leaf_hash": b["leaf_hash"]} for b in box])
    return document


def receipt(meeting_id, item_id, leaf, uow):
    """Whether the ballot with this receipt is in the box. Before close: in the log (not
    yet counted); after close: counted, with the inclusion proof. A sealed box keeps only
    the last ballot of each voter, so an earlier, superseded receipt is then not found."""
    with uow:
        row = _item_or_404(uow, meeting_id, item_id)
        if row["sealed"]:
            hashes = [b["leaf_hash"] for b in uow.ballots.sealed(item_id)]
            seqs = None
        else:
            leaves = uow.ballots.leaves(item_id)
            hashes, seqs = [h for _, h in leaves], [seq for seq, _ in leaves]
    if leaf not in hashes:
        raise NotFound("no counted ballot with this receipt in the item's ballot box", {"receipt": leaf})
    index = hashes.index(leaf)
    answer = {"meeting_id": meeting_id, "item_id": item_id, "receipt": leaf, "included": True,
              "status": row["status"]}
    if seqs is not None and row["mode"] != "secret":
        answer["ballot_id"] = seqs[index]
    if row["status"] == "closed":
        proof = domain.merkle_proof(hashes, index)
        answer.update(digest=row["digest"], proof=proof, index=index, leaves=len(hashes),
                      verified=domain.verify_proof(leaf, proof, row["digest"]))
    return answer
