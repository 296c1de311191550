"""The statutory voting rules (地方组织法) as tables, and the ballot box's hashing — pure domain."""
import hashlib

import pytest

from services.voting import domain
from services.voting.domain import Item, RuleViolation


def resolution(**kw):
    return Item(**{"id": 7, "meeting_id": 1, "kind": "resolution", "title": "决议", "mode": "secret", **kw})


def latest(yes=0, no=0, abstain=0):
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    return {f"t{i}": c for i, c in enumerate(choices)}


@pytest.mark.parametrize("expected, present, opens, required", [
    (25, 13, True, 13), (25, 12, False, 13), (25, 25, True, 13),
    (24, 13, True, 13), (24, 12, False, 13),           # N even: more than half of 24 is 13
    (3, 2, True, 2), (3, 1, False, 2), (1, 1, True, 1), (2, 1, False, 2),
    (2977, 1489, True, 1489), (2977, 1488, False, 1489),
])
def test_quorum_is_more_than_half_of_all_members(expected, present, opens, required):
    assert domain.quorum(expected, present) == (opens, required)
    if opens:
        assert domain.check_quorum(expected, present) == required
    else:
        with pytest.raises(RuleViolation) as err:
            domain.check_quorum(expected, present)
        assert err.value.kind == "conflict"
        assert err.value.details == {"present": present, "expected": expected, "required": required}


@pytest.mark.parametrize("expected, threshold", [(25, 13), (24, 13), (26, 14), (1, 1), (2, 2), (3, 2), (2977, 1489)])
def test_threshold_is_floor_half_plus_one(expected, threshold):
    assert domain.majority_threshold(expected) == threshold


@pytest.mark.parametrize("expected, present, yes, no, abstain, passed", [
    (25, 13, 13, 0, 0, True),     # 13 yes passes whatever the attendance
    (25, 25, 13, 12, 0, True),
    (25, 13, 12, 1, 0, False),    # DOMAIN.md: N 25, 13 present, 12 yes → fails
    (25, 20, 12, 0, 8, False),    # 12 yes of 20 present: a majority of those present, not of all
    (25, 20, 0, 0, 20, False),    # all abstain
    (24, 24, 12, 12, 0, False),   # N even: half is not more than half
    (24, 24, 13, 11, 0, True),
    (23, 20, 12, 8, 0, True),     # N odd: floor(23/2)+1 = 12
    (23, 20, 11, 9, 0, False),
])
def test_passage_needs_a_majority_of_all_members(expected, present, yes, no, abstain, passed):
    tokens = [f"t{i}" for i in range(present)]
    res = domain.result(resolution(), expected, present, latest(yes, no, abstain), tokens)
    assert (res["yes"], res["no"], res["abstain"], res["passed"]) == (yes, no, abstain, passed)
    assert res["threshold"] == expected // 2 + 1
    assert res["not_voted"] == present - yes - no - abstain
    assert res["absent"] == expected - present


def test_not_voted_counts_present_members_who_pressed_nothing_and_absent_separately():
    # 20 present at close, 15 voted, one voter left before close; 2 present never pressed... (t15..t19 silent)
    votes = latest(yes=14, no=1)
    present = [f"t{i}" for i in range(1, 20)]          # t0 voted then left
    res = domain.result(resolution(), 25, len(present), votes, present)
    assert res["voted"] == 15 and res["not_voted"] == 5 and res["absent"] == 6 and res["passed"] is True


def test_last_choice_per_token_counts_once():
    log = [{"token": "a", "choice": "yes"}, {"token": "b", "choice": "no"}, {"token": "a", "choice": "no"},
           {"token": "a", "choice": "abstain"}]
    assert domain.latest_per_token(log) == {"a": "abstain", "b": "no"}
    res = domain.result(resolution(), 3, 2, domain.latest_per_token(log), ["a", "b"])
    assert (res["yes"], res["no"], res["abstain"], res["voted"]) == (0, 1, 1, 2)


CANDIDATES = [{"name": "甲", "post": ""}, {"name": "乙", "post": ""}]


def test_appointment_list_per_person_gives_a_result_per_candidate():
    item = resolution(kind="appointment", candidates=CANDIDATES)
    assert item.per_candidate
    votes = {f"t{i}": domain.canonical_choice(item, choices={"甲": "yes", "乙": "yes" if i < 5 else "no"})
             for i in range(15)}
    res = domain.result(item, 25, 20, votes, [f"t{i}" for i in range(20)])
    by_name = {c["name"]: c for c in res["candidates"]}
    assert by_name["甲"]["yes"] == 15 and by_name["甲"]["passed"] is True
    assert by_name["乙"]["yes"] == 5 and by_name["乙"]["no"] == 10 and by_name["乙"]["passed"] is False
    assert res["passed"] is False and res["yes"] is None and res["not_voted"] == 5


def test_merged_appointment_list_is_one_vote_for_all_candidates():
    item = resolution(kind="appointment", candidates=CANDIDATES, merged=True)
    assert not item.per_candidate
    assert domain.canonical_choice(item, "yes") == "yes"
    res = domain.result(item, 25, 20, latest(yes=13, no=7), [f"t{i}" for i in range(20)])
    assert res["passed"] is True and [c["passed"] for c in res["candidates"]] == [True, True]
    assert all(c["yes"] == 13 for c in res["candidates"])


def test_per_candidate_choices_are_validated_and_canonical():
    item = resolution(kind="appointment", candidates=CANDIDATES)
    assert domain.canonical_choice(item, choices={"乙": "no", "甲": "yes"}) == '{"乙":"no","甲":"yes"}' or \
        domain.canonical_choice(item, choices={"乙": "no", "甲": "yes"}) == '{"甲":"yes","乙":"no"}'
    for bad in ({"丙": "yes"}, {"甲": "maybe"}, {}, None):
        with pytest.raises(RuleViolation) as err:
            domain.canonical_choice(item, choices=bad)
        assert err.value.kind == "unprocessable" and "choices" in err.value.details
    with pytest.raises(RuleViolation):
        domain.canonical_choice(resolution(), "maybe")


def test_items_open_one_at_a_time_with_quorum_and_amendments_first():
    motion, amendment = resolution(id=1), resolution(id=2, kind="amendment", amends=1)
    with pytest.raises(RuleViolation) as err:
        domain.check_can_open(motion, [motion, amendment], 25, 20)
    assert err.value.kind == "conflict" and err.value.details == {"amendments_not_voted": [2]}
    assert domain.check_can_open(amendment, [motion, amendment], 25, 13) == 13
    amendment.status = "closed"
    assert domain.check_can_open(motion, [motion, amendment], 25, 13) == 13
    with pytest.raises(RuleViolation) as err:
        domain.check_can_open(motion, [motion, amendment], 25, 12)
    assert err.value.details == {"present": 12, "expected": 25, "required": 13}
    other = resolution(id=3, status="open")
    with pytest.raises(RuleViolation) as err:
        domain.check_can_open(motion, [motion, amendment, other], 25, 20)
    assert err.value.details == {"open_item": 3}
    motion.status = "closed"
    with pytest.raises(RuleViolation):
        domain.check_can_open(motion, [motion], 25, 20)


@pytest.mark.parametrize("kind, mode, candidates, merged, expect", [
    ("resolution", None, [], False, "secret"),
    ("removal", None, [], False, "paper"),
    ("removal", "secret", [], False, None),
    ("appointment", "secret", [], False, None),
    ("resolution", "named", [], True, None),
    ("appointment", "named", CANDIDATES + CANDIDATES[:1], False, None),
    ("appointment", "show_of_hands", CANDIDATES, True, "show_of_hands"),
])
def test_item_definitions(kind, mode, candidates, merged, expect):
    if expect is None:
        with pytest.raises(RuleViolation) as err:
            domain.validate_item(kind, mode, candidates, merged)
        assert err.value.kind == "unprocessable"
    else:
        assert domain.validate_item(kind, mode, candidates, merged) == expect


@pytest.mark.parametrize("counts, present, ok", [
    ({"yes": 13, "no": 5, "abstain": 2}, 20, True),
    ({"yes": 13, "no": 5, "abstain": 3}, 20, False),       # more votes than present
    ({"yes": 13, "no": 5}, 20, False),
    ({"yes": -1, "no": 5, "abstain": 0}, 20, False),
])
def test_manual_tally_validation_and_result(counts, present, ok):
    item = resolution(mode="show_of_hands")
    if not ok:
        with pytest.raises(RuleViolation):
            domain.validate_manual_tally(item, present, counts)
        return
    domain.validate_manual_tally(item, present, counts)
    res = domain.manual_result(item, 25, present, counts)
    assert res["passed"] is True and res["not_voted"] == 0 and res["manual"] is True and res["threshold"] == 13
    assert domain.manual_result(item, 25, present, {"yes": 12, "no": 0, "abstain": 0})["passed"] is False


def test_secret_pseudonyms_are_drawn_at_random_and_not_derived_from_any_key():
    """Issue 8 (ballot secrecy): the old pseudonym HMAC(sha256("voting-token|" + JWT_SECRET),
    "item|deputy") let anyone with the secret re-link ballots. Now the domain has no key at all."""
    assert not hasattr(domain, "voter_token")
    assert domain.new_pseudonym("ab12") == "t-ab12"


def test_sealed_leaves_carry_no_arrival_number():
    leaf = domain.sealed_leaf_hash(9, "t-1", "yes", "n")
    assert leaf == hashlib.sha256("renda-ballot-v2|9|t-1|yes|n".encode()).hexdigest()
    assert leaf != domain.leaf_hash(9, 1, "t-1", "yes", "n")


def test_concealed_secret_tally_shows_how_many_voted_never_how():
    item = resolution()
    counts = domain.tally(item, {"yes": 3, "no": 1})
    hidden = domain.conceal_choices({**counts, "present": 5, "not_voted": 1,
                                     "candidates": [{"name": "甲", "yes": 3, "no": 1, "abstain": 0}]})
    assert (hidden["yes"], hidden["no"], hidden["abstain"], hidden["voted"]) == (None, None, None, 4)
    assert hidden["candidates"] == [{"name": "甲", "yes": None, "no": None, "abstain": None}]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 8, 13])
def test_merkle_proofs_verify_for_every_leaf(n):
    leaves = [domain.leaf_hash(9, i + 1, f"t{i}", "yes", f"n{i}") for i in range(n)]
    root = domain.merkle_root(9, leaves)
    for index, leaf in enumerate(leaves):
        proof = domain.merkle_proof(leaves, index)
        assert domain.verify_proof(leaf, proof, root)
        assert not domain.verify_proof(domain.leaf_hash(9, index + 1, f"t{index}", "no", f"n{index}"), proof, root)
    if n == 0:
        assert root == domain.empty_root(9)


def test_running_tally_never_names_secret_voters():
    item = resolution()
    counts = domain.tally(item, {"yes": 3, "no": 1})
    assert counts == {"voted": 4, "yes": 3, "no": 1, "abstain": 0, "candidates": []}
