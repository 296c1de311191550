"""Secret ballots stay secret (issue 8, finding 1), end to end through the gateway.

The review linked every ballot of every past secret item to a named member: the pseudonyms
were HMAC(sha256("voting-token|" + JWT_SECRET), "item|deputy"), a table kept member →
pseudonym forever, running per-choice counts of an open secret item could be read before
and after one member voted, and the audit listed each pseudonym's history in arrival order.
These tests are the attack, repeated: after close, with a superuser's view of EVERY table
of EVERY schema (a database dump), every published event, every process log and the public
audit, nothing joins a member to a ballot."""
import glob
import hashlib
import hmac
import json
import os

import psycopg
import pytest

from tests.e2e.test_voting_e2e import COMMITTEE, Voting, _recount
from tests.support.platform import EventProbe

MEMBERS = COMMITTEE[:9]
# values that appear in ballot rows but identify nothing (kept out of the join search)
INERT = {"yes", "no", "abstain", "secret", "named", "closed", "open", True, False, None}


@pytest.fixture(scope="module")
def voting(client):
    return Voting(client)


def test_open_secret_item_shows_how_many_voted_never_how(voting, client):
    """Reading the public result and the chair's pending list before and after one member
    votes must not tell that member's choice."""
    meeting = voting.meeting(MEMBERS)
    voting.checkin(meeting, MEMBERS)
    item = voting.item(meeting, title="无记名表决：读数攻击")
    assert voting.open(meeting, item).status_code == 200
    result_url = f"/api/v1/meetings/{meeting}/items/{item}/result"
    pending_url = f"/api/v1/meetings/{meeting}/items/{item}/pending"
    before = client.get(result_url).json()
    pending_before = client.get(pending_url, as_user="staff").json()
    assert voting.vote(meeting, item, MEMBERS[0], "no").status_code == 201
    after = client.get(result_url).json()
    pending_after = client.get(pending_url, as_user="staff").json()

    assert pending_before["count"] - pending_after["count"] == 1      # the chair's list stays
    assert MEMBERS[0] not in {p["deputy_id"] for p in pending_after["pending"]}
    assert (before["voted"], after["voted"]) == (0, 1)
    for shown in (before, after):
        assert (shown["yes"], shown["no"], shown["abstain"], shown["passed"]) == (None, None, None, None), shown
    assert {k: v for k, v in before.items() if k not in ("voted", "not_voted")} == \
           {k: v for k, v in after.items() if k not in ("voted", "not_voted")}
    voting.close(meeting, item)
    assert client.get(result_url).json()["no"] == 1                    # counts appear at close


def test_after_close_nothing_anywhere_joins_a_member_to_a_ballot(voting, client, config, platform):
    probe = EventProbe(config["AMQP_URI"], "voting", "#")
    try:
        meeting = voting.meeting(MEMBERS)
        voting.checkin(meeting, MEMBERS)
        item = voting.item(meeting, title="无记名表决：数据库全检")
        assert voting.open(meeting, item).status_code == 200
        receipts = {}
        for index, code in enumerate(MEMBERS[:8]):
            receipts[code] = voting.vote(meeting, item, code, ("yes", "no", "abstain")[index % 3]).json()
        changed = voting.vote(meeting, item, MEMBERS[1], "yes").json()     # a changed vote: the last counts
        superseded = receipts[MEMBERS[1]]
        receipts[MEMBERS[1]] = changed
        closed = voting.close(meeting, item)
        events = []     # every event published from the start up to this item's vote_closed

        def seen(envelope):
            events.append(envelope)
            return envelope["type"] == "vote_closed" and envelope["data"]["item_id"] == item
        probe.wait_for(seen)
    finally:
        probe.close()
    assert (closed["yes"], closed["no"], closed["abstain"], closed["voted"]) == (4, 2, 2, 8)

    audit = client.get(f"/api/v1/meetings/{meeting}/items/{item}/audit").json()
    tokens = [b["token"] for b in audit["ballots"]]
    # one counted ballot per pseudonym, ordered by pseudonym, no arrival number, no checkpoints
    assert audit["sealed"] is True and len(tokens) == len(set(tokens)) == 8
    assert tokens == sorted(tokens) and all(set(b) == {"token", "choice", "nonce", "leaf_hash"}
                                            for b in audit["ballots"])
    assert audit["checkpoints"] == []
    assert _recount(f"{client.base_url}/api/v1/meetings/{meeting}/items/{item}/audit").returncode == 0
    # each voter's receipt still proves their (last) ballot is counted; a superseded one is gone
    for answer in receipts.values():
        checked = client.get(f"/api/v1/meetings/{meeting}/items/{item}/receipts/{answer['receipt']}").json()
        assert checked["verified"] is True and "ballot_id" not in checked
    assert client.get(f"/api/v1/meetings/{meeting}/items/{item}/receipts/{superseded['receipt']}").status_code \
        == 404

    # the old derivation from the JWT secret no longer maps anyone to a ballot
    old_key = hashlib.sha256(("voting-token|" + str(config["JWT_SECRET"])).encode()).hexdigest()
    derived = {"t-" + hmac.new(old_key.encode(), f"{item}|{code}".encode(), hashlib.sha256).hexdigest()[:24]
               for code in MEMBERS}
    assert not derived & set(tokens)

    ballot_values = {v for b in audit["ballots"] for k, v in b.items() if k != "choice"}
    ballot_values |= {a["receipt"] for a in receipts.values()} | {superseded["receipt"], superseded["nonce"]}
    ballot_values |= {a["token"] for a in receipts.values()} | {a["nonce"] for a in receipts.values()}

    # 1. a database dump: every row of every table of every schema, as the superuser sees it
    rows = dump_every_row(os.environ["DATABASE_URL"])
    assert any(table == "voting.sealed_ballots" for table, _ in rows)            # the dump did see the box
    ballot_rows = [(table, values) for table, values in rows if values & ballot_values]
    assert ballot_rows, "the sealed ballots must be in the dump"
    for table, values in ballot_rows:
        assert not values & set(MEMBERS), f"{table} joins a member to a ballot: {values}"
    # nothing that sits next to a ballot (ids, times, sequence numbers) sits next to a member
    companions = {v for _, values in ballot_rows for v in values
                  if v not in INERT and v not in ballot_values and v not in (item, meeting, str(item), str(meeting))}
    for table, values in rows:
        if values & set(MEMBERS):
            shared = values & companions
            assert not shared, f"{table} shares {shared} with a ballot row"
    # the counted ballots carry no time and no arrival number
    assert {table for table, _ in ballot_rows} <= {"voting.sealed_ballots"}, {table for table, _ in ballot_rows}
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        columns = {name for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'voting' "
            "AND table_name = 'sealed_ballots'")}
        electorate = conn.execute("SELECT count(*) FILTER (WHERE token IS NOT NULL), count(*) FILTER (WHERE voted) "
                                  "FROM voting.item_electorate WHERE item_id = %s", (item,)).fetchone()
    assert columns == {"item_id", "token", "choice", "nonce", "leaf_hash"}
    assert electorate == (0, 8)       # who voted is kept (attendance), which ballot is not

    # 2. every event the voting service published meanwhile, and the outbox rows above
    for envelope in events:
        text = json.dumps(envelope, ensure_ascii=False)
        if any(value in text for value in ballot_values):
            assert not [code for code in MEMBERS if code in text], envelope
        if envelope["type"] == "tally_updated" and envelope["data"]["item_id"] == item:
            assert envelope["data"]["yes"] is None and "voters" not in envelope["data"]

    # 3. every process's log
    for path in glob.glob(os.path.join(platform.log_dir, "*.log")):
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if any(value in line for value in ballot_values):
                    assert not [code for code in MEMBERS if code in line], (path, line)


def dump_every_row(database_url):
    """[(schema.table, {scalar values of the row})] for every base table outside the system
    schemas, read as the superuser (jsonb and arrays flattened)."""
    found = []
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')").fetchall()
        assert len(tables) > 10
        for schema, table in tables:
            for (row,) in conn.execute(f'SELECT row_to_json(t) FROM "{schema}"."{table}" t'):
                found.append((f"{schema}.{table}", set(_scalars(row))))
    return found


def _scalars(value):
    if isinstance(value, dict):
        for inner in value.values():
            yield from _scalars(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _scalars(inner)
    elif isinstance(value, str) and value[:1] in "{[":
        try:
            yield from _scalars(json.loads(value))
        except ValueError:
            yield value
    else:
        yield value
