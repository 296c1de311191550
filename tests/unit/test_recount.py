"""The independent recount tool (tools/recount.py) on audit documents: OK when everything
matches, and each kind of tampering named."""
import copy
import json

import pytest

from services.voting import domain
from tools import recount

ITEM = 42


def audit_of(choices, expected=25, per_candidate=False, candidates=()):
    ballots = []
    for seq, (token, choice) in enumerate(choices, start=10):
        nonce = f"nonce{seq}"
        ballots.append({"seq": seq, "token": token, "choice": choice, "nonce": nonce,
                        "leaf_hash": domain.leaf_hash(ITEM, seq, token, choice, nonce)})
    item = domain.Item(id=ITEM, meeting_id=1, kind="appointment" if candidates else "resolution", title="x",
                       mode="secret", candidates=[{"name": c, "post": ""} for c in candidates],
                       merged=bool(candidates) and not per_candidate)
    latest = domain.latest_per_token(ballots)
    result = domain.result(item, expected, len(latest), latest, list(latest))
    return {"item_id": ITEM, "title": "x", "expected": expected, "threshold": expected // 2 + 1,
            "digest": domain.merkle_root(ITEM, [b["leaf_hash"] for b in ballots]), "ballots": ballots,
            "per_candidate": item.per_candidate, "candidates": item.candidates, "manual_tally": None,
            "result": result}


def test_matching_audit_is_ok_and_counts_the_last_ballot_per_token():
    audit = audit_of([("a", "yes"), ("b", "no"), ("a", "no")] + [(f"t{i}", "yes") for i in range(13)])
    problems, recounted = recount.recount(audit)
    assert problems == []
    assert recounted["figures"][None] == {"yes": 13, "no": 2, "abstain": 0, "passed": True}
    assert recounted["voted"] == 15 and recounted["ballots"] == 16


def test_changed_choice_is_named_by_ballot_seq():
    audit = audit_of([(f"t{i}", "yes") for i in range(13)])
    audit["ballots"][3]["choice"] = "no"
    problems, _ = recount.recount(audit)
    assert any(p.startswith("ballot seq 13:") for p in problems), problems
    assert any(p.startswith("yes: declared 13, recounted 12") for p in problems)
    assert any(p.startswith("passed: declared True, recounted False") for p in problems)


def test_rehashed_ballot_is_caught_by_the_digest():
    audit = audit_of([(f"t{i}", "yes") for i in range(5)])
    forged = audit["ballots"][1]
    forged["choice"] = "no"
    forged["leaf_hash"] = domain.leaf_hash(ITEM, forged["seq"], forged["token"], "no", forged["nonce"])
    problems, _ = recount.recount(audit)
    assert any(p.startswith("digest:") for p in problems), problems


def test_removed_ballot_and_wrong_declared_result_are_reported():
    audit = audit_of([(f"t{i}", "yes") for i in range(14)])
    del audit["ballots"][0]
    problems, _ = recount.recount(audit)
    assert any(p.startswith("digest:") for p in problems)
    other = audit_of([(f"t{i}", "yes") for i in range(12)])
    other["result"]["passed"] = True
    other["result"]["threshold"] = 12
    problems, _ = recount.recount(other)
    assert any(p.startswith("passed:") for p in problems) and any(p.startswith("threshold:") for p in problems)


def test_per_candidate_list_is_recounted_per_candidate():
    choices = [(f"t{i}", json.dumps({"甲": "yes", "乙": "yes" if i < 6 else "no"}, sort_keys=True,
                                    separators=(",", ":"), ensure_ascii=False)) for i in range(14)]
    audit = audit_of(choices, per_candidate=True, candidates=("甲", "乙"))
    problems, recounted = recount.recount(audit)
    assert problems == [], problems
    assert recounted["figures"]["甲"]["passed"] and not recounted["figures"]["乙"]["passed"]
    tampered = copy.deepcopy(audit)
    tampered["result"]["candidates"][1]["passed"] = True
    assert any("candidate 乙 passed" in p for p in recount.recount(tampered)[0])


def test_cli_exit_status(tmp_path, capsys):
    audit = audit_of([(f"t{i}", "yes") for i in range(13)])
    good = tmp_path / "good.json"
    good.write_text(json.dumps(audit), encoding="utf-8")
    assert recount.main(["--json", str(good)]) == 0
    assert capsys.readouterr().out.startswith("OK item 42")
    audit["ballots"][0]["choice"] = "abstain"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(audit), encoding="utf-8")
    assert recount.main(["--json", str(bad)]) == 1
    assert "ballot seq 10" in capsys.readouterr().out
    assert recount.main(["--json", str(tmp_path / "missing.json")]) == 2


def test_recount_does_not_import_the_service():
    source = open(recount.__file__, encoding="utf-8").read()
    assert "services" not in "".join(line for line in source.splitlines() if line.startswith(("import", "from")))


@pytest.mark.parametrize("n", [1, 2, 7])
def test_independent_root_matches_the_service(n):
    leaves = [domain.leaf_hash(ITEM, i, "t", "yes", str(i)) for i in range(n)]
    assert recount.root_of(ITEM, leaves) == domain.merkle_root(ITEM, leaves)
    assert recount.root_of(ITEM, []) == domain.merkle_root(ITEM, [])


def test_checkpoints_are_verified_against_the_log():
    audit = audit_of([(f"t{i}", "yes") for i in range(13)])
    prefix = audit["ballots"][:5]
    audit["checkpoints"] = [{"ballots": 5, "last_seq": prefix[-1]["seq"],
                             "root": domain.merkle_root(ITEM, [b["leaf_hash"] for b in prefix])}]
    assert recount.recount(audit)[0] == []
    audit["checkpoints"][0]["ballots"] = 6
    assert any(p.startswith("checkpoint at seq 14") for p in recount.recount(audit)[0])
    audit["checkpoints"][0].update(ballots=5, root="0" * 64)
    assert any("do not hash to its published root" in p for p in recount.recount(audit)[0])


# -- a secret item's sealed box (issue 8): one counted ballot per pseudonym, by token, no seq ----------
def sealed_audit_of(choices, expected=25):
    ballots = sorted(({"token": token, "choice": choice, "nonce": f"n-{token}",
                       "leaf_hash": domain.sealed_leaf_hash(ITEM, token, choice, f"n-{token}")}
                      for token, choice in choices), key=lambda b: b["token"])
    item = domain.Item(id=ITEM, meeting_id=1, kind="resolution", title="x", mode="secret")
    latest = {b["token"]: b["choice"] for b in ballots}
    return {"item_id": ITEM, "title": "x", "expected": expected, "threshold": expected // 2 + 1, "sealed": True,
            "digest": domain.merkle_root(ITEM, [b["leaf_hash"] for b in ballots]), "ballots": ballots,
            "per_candidate": False, "candidates": [], "manual_tally": None, "checkpoints": [],
            "result": domain.result(item, expected, len(latest), latest, list(latest))}


def test_sealed_box_recounts_ok():
    audit = sealed_audit_of([(f"t-{i:02x}", "yes") for i in range(14)] + [("t-ff", "no")])
    problems, recounted = recount.recount(audit)
    assert problems == [] and recounted["figures"][None]["yes"] == 14


def test_sealed_box_out_of_token_order_or_with_a_repeated_pseudonym_or_seq_is_refused():
    audit = sealed_audit_of([(f"t-{i:02x}", "yes") for i in range(14)])
    shuffled = copy.deepcopy(audit)
    shuffled["ballots"][0], shuffled["ballots"][1] = shuffled["ballots"][1], shuffled["ballots"][0]
    assert any("out of order" in p for p in recount.recount(shuffled)[0])
    repeated = copy.deepcopy(audit)
    repeated["ballots"][1] = dict(repeated["ballots"][0])
    assert any("out of order" in p for p in recount.recount(repeated)[0])
    with_seq = copy.deepcopy(audit)
    with_seq["ballots"][2]["seq"] = 7
    assert any("without seq" in p for p in recount.recount(with_seq)[0])
    with_checkpoints = copy.deepcopy(audit)
    with_checkpoints["checkpoints"] = [{"ballots": 1, "last_seq": 1, "root": "x"}]
    assert any("checkpoints" in p for p in recount.recount(with_checkpoints)[0])


def test_sealed_ballot_changed_is_named_by_its_token():
    audit = sealed_audit_of([(f"t-{i:02x}", "yes") for i in range(13)])
    audit["ballots"][4]["choice"] = "no"
    problems, _ = recount.recount(audit)
    assert any(p.startswith("ballot t-04:") for p in problems), problems
    assert any(p.startswith("yes: declared 13, recounted 12") for p in problems)
