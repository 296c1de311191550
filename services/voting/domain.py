"""Meetings and voting (电子表决): the statutory rules, tallies and the verifiable ballot box.

Pure Python — no I/O. The rules (地方组织法, DOMAIN.md):
- quorum: an item opens only when MORE THAN HALF of ALL members are present;
- passage: yes >= floor(N/2) + 1 where N is the membership snapshot when the item opens —
  of ALL members, not of those present (N = 25, 13 present, 12 yes → fails);
- 未按 (not_voted): members present at close who pressed nothing; absent members are reported
  separately; a member may change the choice until close and the last ballot counts.

Ballot box. A ballot carries a token: the member code on named items, a random pseudonym
drawn per member when a secret item opens (``new_pseudonym``; never derived from a key).
- named items: every ballot is a leaf ``sha256("renda-ballot-v1|item|ballot id|token|choice|nonce")``;
  the digest is the Merkle root over the whole log in ballot-id (arrival) order, with interim
  checkpoints while voting;
- secret items: a leaf is ``sha256("renda-ballot-v2|item|token|choice|nonce")`` (no arrival
  number); closing SEALS the box: only the counted ballot of each pseudonym is kept, in
  pseudonym order, and the digest is the Merkle root over those; the arrival log, the
  member-to-pseudonym table and anything else that could join a member to a ballot is erased.
  Until close nothing shows per-choice counts, only how many have voted.
A voter's receipt is the leaf hash; its inclusion proof is the list of sibling hashes up to
the root (computed at close, so ballots are never serialised on a shared hash chain).
"""
import hashlib
import json
from dataclasses import dataclass, field

# The vocabulary callers validate against is the contract's (contracts/voting.py).
from contracts.voting import MEETING_KINDS, ITEM_KINDS, MODES, CHOICES  # noqa: F401

ELECTRONIC_MODES = ("secret", "named")
MANUAL_MODES = ("show_of_hands", "paper")
HASH_ALGORITHM = "sha256"
LEAF_PREFIX = "renda-ballot-v1"
SEALED_LEAF_PREFIX = "renda-ballot-v2"
PSEUDONYM_PREFIX = "t-"
NODE_PREFIX = "renda-node-v1"
EMPTY_PREFIX = "renda-empty-v1"


class RuleViolation(Exception):
    """A rule refuses the action; ``kind`` tells the handler which typed error to raise
    (``conflict``, ``forbidden``, ``unprocessable``), ``details`` what the client sees."""

    def __init__(self, kind, message, details=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or {}


# -- statutory rules ------------------------------------------------------------------------
def majority_threshold(expected):
    """floor(N/2) + 1: the yes votes needed, of ALL members (N)."""
    return expected // 2 + 1


def quorum(expected, present):
    """(has quorum, required): more than half of ALL members present."""
    required = expected // 2 + 1
    return present >= required, required


def check_quorum(expected, present):
    ok, required = quorum(expected, present)
    if not ok:
        raise RuleViolation("conflict", "no quorum: more than half of all members must be present",
                            {"present": present, "expected": expected, "required": required})
    return required


def passes(yes, expected):
    return yes >= majority_threshold(expected)


# -- items ------------------------------------------------------------------------------------
@dataclass
class Item:
    id: int
    meeting_id: int
    kind: str
    title: str
    mode: str
    candidates: list = field(default_factory=list)   # [{"name", "post"}]
    merged: bool = False
    amends: int = None
    status: str = "pending"
    position: int = 0

    @property
    def per_candidate(self):
        """An appointment list voted per person: one choice per candidate in one ballot."""
        return self.kind == "appointment" and not self.merged and bool(self.candidates)

    @property
    def candidate_names(self):
        return [c["name"] for c in self.candidates]

    @property
    def electronic(self):
        return self.mode in ELECTRONIC_MODES

    @property
    def secret(self):
        return self.mode == "secret"


def validate_item(kind, mode, candidates, merged):
    """Check a new item's definition; returns the (possibly defaulted) mode."""
    problems = {}
    if kind == "removal" and mode is None:
        mode = "paper"
    mode = mode or "secret"
    if kind == "removal" and mode not in ("paper", "show_of_hands"):
        problems["mode"] = ["removal from office (撤职) is by paper ballot (or show of hands on system failure)"]
    if kind == "appointment" and not candidates:
        problems["candidates"] = ["an appointment list needs at least one candidate"]
    if kind != "appointment" and merged:
        problems["merged"] = ["only appointment lists are merged into one vote"]
    names = [c["name"] for c in candidates or []]
    if len(set(names)) != len(names):
        problems.setdefault("candidates", []).append("candidate names must be unique")
    if problems:
        raise RuleViolation("unprocessable", "invalid item", problems)
    return mode


def check_can_open(item, meeting_items, expected, present):
    """Raise unless ``item`` may open now: pending, no other item of the meeting open, its
    amendments voted first, quorum. Returns the majority threshold."""
    if item.status != "pending":
        raise RuleViolation("conflict", f"item is {item.status}", {"status": item.status})
    others = [i.id for i in meeting_items if i.status == "open" and i.id != item.id]
    if others:
        raise RuleViolation("conflict", "another item of this meeting is open", {"open_item": others[0]})
    unvoted = [i.id for i in meeting_items if i.amends == item.id and i.status != "closed"]
    if unvoted:
        raise RuleViolation("conflict", "amendments are voted before their motion",
                            {"amendments_not_voted": unvoted})
    if expected == 0:
        raise RuleViolation("conflict", "the meeting has no members", {"expected": 0})
    check_quorum(expected, present)
    return majority_threshold(expected)


def canonical_choice(item, choice=None, choices=None):
    """The stored form of a ballot: ``yes``/``no``/``abstain``, or for an appointment list
    voted per person a compact JSON object ``{"candidate": "yes", ...}`` with sorted keys."""
    if item.per_candidate:
        if not isinstance(choices, dict) or not choices:
            raise RuleViolation("unprocessable", "vote per candidate",
                                {"choices": ["give {candidate name: yes|no|abstain} for this appointment list"]})
        unknown = sorted(set(choices) - set(item.candidate_names))
        bad = sorted(name for name, value in choices.items() if value not in CHOICES)
        if unknown or bad:
            details = {}
            if unknown:
                details["choices"] = [f"not a candidate: {', '.join(unknown)}"]
            if bad:
                details.setdefault("choices", []).append(f"choice must be yes, no or abstain: {', '.join(bad)}")
            raise RuleViolation("unprocessable", "invalid choices", details)
        return json.dumps(choices, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if choice not in CHOICES:
        raise RuleViolation("unprocessable", "choose yes, no or abstain",
                            {"choice": ["must be one of: yes, no, abstain"]})
    return choice


def parse_choice(stored):
    return json.loads(stored) if stored.startswith("{") else stored


# -- tallies and results --------------------------------------------------------------------------
def _counts(pairs):
    """(choice, number) pairs → {yes, no, abstain}."""
    counts = {"yes": 0, "no": 0, "abstain": 0}
    for value, number in pairs:
        if value in counts:
            counts[value] += number
    return counts


def tally(item, grouped):
    """Running counts from ``grouped``: {stored choice: number of voters whose last ballot
    it is}."""
    parsed = [(parse_choice(c), n) for c, n in grouped.items()]
    out = {"voted": sum(n for _, n in parsed)}
    if item.per_candidate:
        out.update(yes=None, no=None, abstain=None)
        out["candidates"] = [dict(name=name, **_counts((p.get(name), n) for p, n in parsed))
                             for name in item.candidate_names]
    else:
        out.update(_counts(parsed))
        out["candidates"] = [dict(name=name, **{k: out[k] for k in CHOICES}) for name in item.candidate_names]
    return out


def group_choices(latest):
    grouped = {}
    for choice in latest.values():
        grouped[choice] = grouped.get(choice, 0) + 1
    return grouped


def result(item, expected, present, latest, present_tokens):
    """The declared result at close.

    ``latest``: {token: stored choice} of the last ballot per voter; ``present_tokens``:
    tokens of the members present at close. 未按 = present members with no ballot."""
    counts = tally(item, group_choices(latest))
    threshold = majority_threshold(expected)
    present_tokens = set(present_tokens)
    not_voted = len(present_tokens - set(latest))
    res = {"expected": expected, "present": present, "absent": expected - present, "voted": counts["voted"],
           "yes": counts["yes"], "no": counts["no"], "abstain": counts["abstain"], "not_voted": not_voted,
           "threshold": threshold, "manual": False}
    if item.per_candidate:
        candidates = []
        for entry in counts["candidates"]:
            chose = {t for t, c in latest.items() if entry["name"] in parse_choice(c)}
            candidates.append({**entry, "not_voted": len(present_tokens - chose),
                               "passed": passes(entry["yes"], expected)})
        res["candidates"] = candidates
        res["passed"] = all(c["passed"] for c in candidates)
    else:
        res["passed"] = passes(res["yes"], expected)
        res["candidates"] = [{**c, "not_voted": not_voted, "passed": res["passed"]} for c in counts["candidates"]]
    return res


def validate_manual_tally(item, present, counts):
    """Staff-entered counts (show of hands, paper): non-negative, and no more votes than
    members present. ``counts``: {yes, no, abstain} or {candidates: [{name, yes, no, abstain}]}."""
    problems = {}
    if item.per_candidate:
        given = {c["name"]: c for c in counts.get("candidates") or []}
        missing = [n for n in item.candidate_names if n not in given]
        unknown = [n for n in given if n not in item.candidate_names]
        if missing or unknown:
            problems["candidates"] = [f"give counts for exactly the candidates {', '.join(item.candidate_names)}"]
        rows = [(f"candidates.{n}", given[n]) for n in item.candidate_names if n in given]
    else:
        if any(counts.get(k) is None for k in CHOICES):
            problems["counts"] = ["yes, no and abstain are required"]
        rows = [("counts", counts)]
    for label, row in rows:
        values = [row.get(k) or 0 for k in CHOICES]
        if any(v < 0 for v in values):
            problems.setdefault(label, []).append("counts cannot be negative")
        if sum(values) > present:
            problems.setdefault(label, []).append(
                f"yes + no + abstain = {sum(values)} is more than the {present} members present")
    if problems:
        raise RuleViolation("unprocessable", "invalid tally", problems)


def manual_result(item, expected, present, counts):
    threshold = majority_threshold(expected)
    res = {"expected": expected, "present": present, "absent": expected - present, "threshold": threshold,
           "manual": True}
    if item.per_candidate:
        candidates = []
        for entry in counts["candidates"]:
            c = {k: entry[k] for k in CHOICES}
            candidates.append({"name": entry["name"], **c, "not_voted": present - sum(c.values()),
                               "passed": passes(c["yes"], expected)})
        res.update(yes=None, no=None, abstain=None, voted=None, not_voted=None, candidates=candidates,
                   passed=all(c["passed"] for c in candidates))
    else:
        c = {k: counts[k] for k in CHOICES}
        voted = sum(c.values())
        res.update(c, voted=voted, not_voted=present - voted, passed=passes(c["yes"], expected))
        res["candidates"] = [{"name": n, **c, "not_voted": present - voted, "passed": res["passed"]}
                             for n in item.candidate_names]
    return res


# -- the ballot box --------------------------------------------------------------------------------
def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_pseudonym(random_hex):
    """A secret item's pseudonym for one member, from ``random_hex`` (fresh randomness the
    caller draws per member per item, e.g. ``secrets.token_hex(16)``)."""
    return PSEUDONYM_PREFIX + random_hex


def leaf_hash(item_id, ballot_id, token, choice, nonce):
    # Same formula as the SQL in repository.BallotRepository.cast (the row is hashed on insert).
    return _sha256(f"{LEAF_PREFIX}|{item_id}|{ballot_id}|{token}|{choice}|{nonce}")


def sealed_leaf_hash(item_id, token, choice, nonce):
    """A secret item's leaf: no arrival number, so the sealed box tells nothing of the order."""
    return _sha256(f"{SEALED_LEAF_PREFIX}|{item_id}|{token}|{choice}|{nonce}")


def node_hash(left, right):
    return _sha256(f"{NODE_PREFIX}|{left}|{right}")


def empty_root(item_id):
    return _sha256(f"{EMPTY_PREFIX}|{item_id}")


def merkle_levels(leaves):
    """All levels bottom-up; an odd last node is carried up unchanged."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append([node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                       for i in range(0, len(level), 2)])
    return levels


def merkle_root(item_id, leaves):
    if not leaves:
        return empty_root(item_id)
    return merkle_levels(leaves)[-1][0]


def merkle_proof(leaves, index):
    """Sibling hashes from leaf ``index`` up to the root: [{"side": "left"|"right", "hash"}]."""
    proof = []
    for level in merkle_levels(leaves)[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append({"side": "left" if sibling < index else "right", "hash": level[sibling]})
        index //= 2
    return proof


def verify_proof(leaf, proof, root):
    current = leaf
    for step in proof:
        current = node_hash(step["hash"], current) if step["side"] == "left" else node_hash(current, step["hash"])
    return current == root


def latest_per_token(ballots):
    """{token: choice} of the last ballot (highest id) per token; ``ballots`` in id order."""
    latest = {}
    for ballot in ballots:
        latest[ballot["token"]] = ballot["choice"]
    return latest


def conceal_choices(tally_or_result):
    """A secret item's running figures while it is open: how many have voted, never how.
    (Per-choice counts read before and after one member votes would reveal that member's
    choice to anyone who also sees who has not voted yet.)"""
    hidden = {**tally_or_result, "yes": None, "no": None, "abstain": None}
    hidden["candidates"] = [{**c, "yes": None, "no": None, "abstain": None}
                            for c in tally_or_result.get("candidates") or []]
    return hidden
