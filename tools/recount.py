"""Independent recount of a closed voting item from its published audit.

    python -m tools.recount --url http://127.0.0.1:8080/api/v1/meetings/1/items/3/audit
    python -m tools.recount --json audit.json

Deliberately written apart from the voting service (it imports nothing from ``services``):
from the audit document alone it recomputes every ballot's leaf hash, the Merkle root
(the published digest) and the interim roots published while voting (checkpoints), takes the last ballot per token, recounts yes/no/abstain (per
candidate for appointment lists voted per person), recomputes the threshold
floor(N/2)+1 from N and whether the item passed, and compares all of it with the declared
result. Two kinds of box: a named item's full log in arrival order (``seq``, leaf v1), and a
secret item's sealed box (``"sealed": true``): one counted ballot per pseudonym, in strictly
increasing token order, leaf v2 without any arrival number. Prints OK, or each mismatch (naming the ballot by its seq); exit status 0 when
everything matches, 1 when anything does not, 2 when the audit cannot be read.
"""
import argparse
import hashlib
import json
import sys
import urllib.request

CHOICES = ("yes", "no", "abstain")


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf_of(item_id, ballot):
    if "seq" not in ballot:     # a sealed box: no arrival number in the leaf
        return sha256_hex(f"renda-ballot-v2|{item_id}|{ballot['token']}|{ballot['choice']}|{ballot['nonce']}")
    return sha256_hex(f"renda-ballot-v1|{item_id}|{ballot['seq']}|{ballot['token']}|{ballot['choice']}|"
                      f"{ballot['nonce']}")


def name_of(ballot):
    return f"ballot seq {ballot['seq']}" if "seq" in ballot else f"ballot {ballot['token']}"


def root_of(item_id, leaves):
    if not leaves:
        return sha256_hex(f"renda-empty-v1|{item_id}")
    level = list(leaves)
    while len(level) > 1:
        paired = []
        for i in range(0, len(level), 2):
            if i + 1 < len(level):
                paired.append(sha256_hex(f"renda-node-v1|{level[i]}|{level[i + 1]}"))
            else:
                paired.append(level[i])
        level = paired
    return level[0]


def decode_choice(text):
    if text.startswith("{"):
        return json.loads(text)
    return text


def recount(audit):
    """Returns (problems, recounted): a list of human-readable mismatches (empty = OK)
    and the recomputed figures."""
    problems = []
    item_id = audit["item_id"]
    ballots = audit.get("ballots") or []
    declared = audit.get("result") or {}
    expected = audit["expected"]

    # 1. the structure: seq (a sealed box: token) strictly increasing, each leaf hash
    #    recomputed, the root.
    order_key = "token" if audit.get("sealed") else "seq"
    last = None
    for ballot in ballots:
        if order_key not in ballot or (audit.get("sealed") and "seq" in ballot):
            problems.append(f"{name_of(ballot)}: a {'sealed' if audit.get('sealed') else 'logged'} box lists "
                            f"ballots {'by token, without seq' if audit.get('sealed') else 'with their seq'}")
            continue
        if last is not None and ballot[order_key] <= last:
            problems.append(f"{name_of(ballot)}: out of order (after {order_key} {last})")
        last = ballot[order_key]
        recomputed = leaf_of(item_id, ballot)
        if recomputed != ballot["leaf_hash"]:
            problems.append(f"{name_of(ballot)}: leaf hash {ballot['leaf_hash'][:16]}… does not match its "
                            f"contents (token {ballot['token']}, choice {ballot['choice']!r}; recomputed "
                            f"{recomputed[:16]}…)")
    listed_root = root_of(item_id, [b["leaf_hash"] for b in ballots])
    if listed_root != audit.get("digest"):
        problems.append(f"digest: published {audit.get('digest')} but the listed leaf hashes give {listed_root}")
    content_root = root_of(item_id, [leaf_of(item_id, b) for b in ballots])
    if content_root != audit.get("digest") and listed_root == audit.get("digest"):
        problems.append("digest: the ballots' contents do not hash to the published digest")

    # checkpoints published while the item was open: each is the root of the ballots up to its seq
    previous = 0
    if audit.get("sealed") and audit.get("checkpoints"):
        problems.append("a sealed box has checkpoints (they would reveal the order of arrival)")
    for checkpoint in ([] if audit.get("sealed") else audit.get("checkpoints") or []):
        prefix = [b for b in ballots if b["seq"] <= checkpoint["last_seq"]]
        if len(prefix) != checkpoint["ballots"]:
            problems.append(f"checkpoint at seq {checkpoint['last_seq']}: published {checkpoint['ballots']} ballots, "
                            f"the log has {len(prefix)} up to that seq")
        elif root_of(item_id, [leaf_of(item_id, b) for b in prefix]) != checkpoint["root"]:
            problems.append(f"checkpoint at seq {checkpoint['last_seq']}: the ballots up to it do not hash to "
                            f"its published root {checkpoint['root']}")
        if checkpoint["ballots"] < previous:
            problems.append(f"checkpoint at seq {checkpoint['last_seq']}: fewer ballots than the one before")
        previous = checkpoint["ballots"]

    # 2. the count: last ballot per token.
    latest = {}
    for ballot in ballots:
        latest[ballot["token"]] = decode_choice(ballot["choice"])
    threshold = expected // 2 + 1
    recounted = {"expected": expected, "threshold": threshold, "voted": len(latest), "ballots": len(ballots)}
    if declared.get("threshold") != threshold:
        problems.append(f"threshold: declared {declared.get('threshold')}, floor({expected}/2)+1 = {threshold}")

    manual = audit.get("manual_tally")
    candidates = [c["name"] for c in audit.get("candidates") or []]
    if manual:
        if ballots:
            problems.append("a manually counted item has electronic ballots")
        rows = manual.get("candidates") or [{"name": None, **{k: manual.get(k) for k in CHOICES}}]
        for row in rows:
            counts = {k: row.get(k) or 0 for k in CHOICES}
            if sum(counts.values()) > manual.get("present", 0):
                problems.append(f"manual tally {row['name'] or ''}: more votes than members present")
        figures = {row["name"]: {k: row.get(k) or 0 for k in CHOICES} for row in rows}
    elif audit.get("per_candidate"):
        figures = {name: {k: sum(1 for c in latest.values() if isinstance(c, dict) and c.get(name) == k)
                          for k in CHOICES} for name in candidates}
        stray = [t for t, c in latest.items() if not isinstance(c, dict)]
        if stray:
            problems.append(f"tokens with a non-per-candidate choice on a per-candidate list: {', '.join(stray)}")
    else:
        counts = {k: sum(1 for c in latest.values() if c == k) for k in CHOICES}
        invalid = [t for t, c in latest.items() if c not in CHOICES]
        if invalid:
            problems.append(f"tokens whose last choice is not yes/no/abstain: {', '.join(invalid)}")
        figures = {None: counts}

    per_name = {}
    for name, counts in figures.items():
        per_name[name] = {**counts, "passed": counts["yes"] >= threshold}
    recounted["figures"] = per_name

    if None in per_name:
        mine = per_name[None]
        for key in CHOICES + ("passed",):
            if declared.get(key) != mine[key]:
                problems.append(f"{key}: declared {declared.get(key)}, recounted {mine[key]}")
        if not manual and declared.get("voted") != len(latest):
            problems.append(f"voted: declared {declared.get('voted')}, recounted {len(latest)}")
        for cand in declared.get("candidates") or []:   # a merged list: every candidate shares the vote
            for key in CHOICES + ("passed",):
                if cand.get(key) != mine[key]:
                    problems.append(f"candidate {cand['name']} {key}: declared {cand.get(key)}, recounted {mine[key]}")
    else:
        declared_c = {c["name"]: c for c in declared.get("candidates") or []}
        for name, mine in per_name.items():
            theirs = declared_c.get(name)
            if theirs is None:
                problems.append(f"candidate {name}: missing from the declared result")
                continue
            for key in CHOICES + ("passed",):
                if theirs.get(key) != mine[key]:
                    problems.append(f"candidate {name} {key}: declared {theirs.get(key)}, recounted {mine[key]}")
        overall = all(m["passed"] for m in per_name.values())
        if declared.get("passed") != overall:
            problems.append(f"passed: declared {declared.get('passed')}, recounted {overall}")
    if declared.get("expected") != expected:
        problems.append(f"expected: result says {declared.get('expected')}, audit says {expected}")
    present = declared.get("present")
    if isinstance(present, int) and present > expected:
        problems.append(f"present {present} is more than N = {expected}")
    return problems, recounted


def load_audit(url=None, path=None, token=None, timeout=30):
    if path:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.recount", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="the item's audit URL (…/meetings/<id>/items/<item>/audit)")
    source.add_argument("--json", dest="path", help="an audit document saved as a file")
    parser.add_argument("--token", help="bearer token, if the audit needs one")
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    args = parser.parse_args(argv)
    try:
        audit = load_audit(args.url, args.path, args.token)
    except Exception as exc:   # noqa: BLE001 — any failure to read is reported, exit 2
        print(f"cannot read the audit: {exc}", file=sys.stderr)
        return 2
    problems, recounted = recount(audit)
    title = f"item {audit.get('item_id')} {audit.get('title', '')}".strip()
    if problems:
        print(f"MISMATCH {title}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    if not args.quiet:
        figures = recounted["figures"]
        shown = "; ".join(f"{name + ': ' if name else ''}yes {f['yes']} no {f['no']} abstain {f['abstain']} "
                          f"{'passed' if f['passed'] else 'failed'}" for name, f in figures.items())
        print(f"OK {title}: {recounted['ballots']} ballots, {recounted['voted']} voters, N = "
              f"{recounted['expected']}, threshold {recounted['threshold']}; {shown}; digest {audit.get('digest')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
