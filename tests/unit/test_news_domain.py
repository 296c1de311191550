"""The portal's rules without I/O: the editorial workflow, the HTML allow-list, Chinese
search tokens and queries, and information scoring (信息报送考核)."""
import datetime

import pytest

from services.news import domain, search
from services.news.domain import RuleViolation
from services.news.sanitize import clean_html

UTC = datetime.timezone.utc


# -- workflow ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("action, role, status", [
    ("submit", "editor", "draft"), ("submit", "staff", "draft"), ("approve", "staff", "submitted"),
    ("reject", "staff", "submitted"), ("publish", "staff", "approved"), ("publish", "admin", "scheduled"),
    ("withdraw", "staff", "published"), ("withdraw", "staff", "scheduled"),
])
def test_allowed_transitions(action, role, status):
    domain.check_action(action, role, status, live_version=1)


@pytest.mark.parametrize("action, status", [
    ("approve", "draft"), ("publish", "submitted"), ("publish", "draft"), ("submit", "submitted"),
    ("reject", "approved"), ("withdraw", "withdrawn"), ("submit", "published"),
])
def test_transitions_out_of_order_are_conflicts(action, status):
    with pytest.raises(RuleViolation) as caught:
        domain.check_action(action, "staff", status, live_version=1)
    assert caught.value.kind == "conflict"
    assert caught.value.details["status"] == status


@pytest.mark.parametrize("action", ["approve", "reject", "publish", "withdraw"])
def test_an_editor_writes_but_does_not_approve_or_publish(action):
    with pytest.raises(RuleViolation) as caught:
        domain.check_action(action, "editor", domain.ACTIONS[action][1][0], live_version=1)
    assert caught.value.kind == "forbidden"


@pytest.mark.parametrize("role", ["public", "deputy", "department", "town"])
def test_others_cannot_even_submit(role):
    with pytest.raises(RuleViolation) as caught:
        domain.check_action("submit", role, "draft")
    assert caught.value.kind == "forbidden"


def test_withdrawing_a_draft_that_was_never_public_is_refused():
    with pytest.raises(RuleViolation):
        domain.check_action("withdraw", "staff", "draft", live_version=None)
    domain.check_action("withdraw", "staff", "draft", live_version=2)  # a new version of a live article


def test_editing_a_draft_changes_it_in_place_anything_else_makes_a_new_version():
    assert domain.edit_effect("draft") == "in_place"
    for status in ("submitted", "approved", "scheduled", "published", "withdrawn"):
        assert domain.edit_effect(status) == "new_version"


def test_publish_now_or_at_a_future_moment():
    now = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert domain.publish_target(None, now) == ("published", now)
    assert domain.publish_target(now - datetime.timedelta(minutes=1), now) == ("published", now)
    later = now + datetime.timedelta(minutes=5)
    assert domain.publish_target(later, now) == ("scheduled", later)


def test_default_slug_uses_the_beijing_date():
    late_evening_utc = datetime.datetime(2026, 12, 1, 17, 30, tzinfo=UTC)   # 01:30 on the 2nd in Beijing
    assert domain.default_slug(42, late_evening_utc) == "20261202-42"


# -- sanitiser --------------------------------------------------------------------------------------
@pytest.mark.parametrize("dirty, forbidden", [
    ("<p>hi</p><script>alert(1)</script>", ["<script", "alert"]),
    ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "alert"]),
    ('<p style="display:none">hidden</p>', ["style", "display"]),
    ('<p class="header">fake</p>', ["class="]),
    ('<iframe src="https://evil.example"></iframe>', ["iframe", "evil"]),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', ["data:"]),
    ('<svg onload="alert(1)"><circle/></svg>', ["svg", "onload"]),
    ('<form action="/x"><input name="a"></form>', ["<form", "<input"]),
    ('<p onclick="steal()">x</p>', ["onclick", "steal"]),
    ("<style>body{display:none}</style><p>x</p>", ["<style", "display"]),
])
def test_sanitiser_removes_what_is_not_allowed(dirty, forbidden):
    clean = clean_html(dirty).lower()
    for needle in forbidden:
        assert needle.lower() not in clean, clean


def test_sanitiser_keeps_the_allowed_markup():
    html = ('<h2>标题</h2><p><strong>粗</strong><em>斜</em></p><ul><li>一</li></ul>'
            '<table><tbody><tr><th scope="row">赞成</th><td colspan="2">20</td></tr></tbody></table>'
            '<p><a href="https://www.npc.gov.cn/">人大网</a></p><img src="/media/a.png" alt="图">')
    clean = clean_html(html)
    for kept in ("<h2>标题</h2>", "<strong>粗</strong>", "<em>斜</em>", "<li>一</li>", 'colspan="2"',
                 'href="https://www.npc.gov.cn/"', 'rel="noopener noreferrer"', 'src="/media/a.png"', 'alt="图"'):
        assert kept in clean, (kept, clean)


# -- search -----------------------------------------------------------------------------------------
def test_tokens_are_bigrams_of_chinese_runs_and_words_of_latin():
    assert search.tokens("预算监督") == ["预算", "算监", "监督"]
    assert search.tokens("人，大") == ["人", "大"]
    assert search.tokens("NPC 2026年") == ["npc", "2026", "年"]
    assert search.tokens("<p>代表</p>") == ["p", "代表", "p"]   # markup is stripped before indexing
    assert search.tokens(search.plain_text("<p>代表&amp;建议</p>")) == ["代表", "建议"]


def test_queries_are_phrases_of_bigrams_and_prefixes_for_single_characters():
    assert search.query("预算") == "(预算)"
    assert search.query("预算监督") == "(预算 <-> 算监 <-> 监督)"
    assert search.query("人") == "人:*"
    assert search.query("代表 2026") == "(代表) & 2026:*"
    assert search.query("！？ ,.") is None
    assert search.query("'); DROP TABLE x; --") == "drop:* & table:* & x:*"


# -- scoring ----------------------------------------------------------------------------------------
RULES = domain.DEFAULT_RULES


def test_a_piece_scores_its_highest_level_only_by_default():
    adoptions = [{"level": "county"}, {"level": "province"}, {"level": "city"}]
    assert domain.piece_points("news", adoptions, RULES) == 30
    assert domain.piece_points("research", adoptions, RULES) == 50
    assert domain.piece_points("news", adoptions, {**RULES, "multi_level": "sum"}) == 10 + 30 + 15


def test_research_weighs_more_and_leader_comment_adds_its_bonus_once():
    assert domain.piece_points("news", [{"level": "national"}], RULES) == 50
    assert domain.piece_points("research", [{"level": "national"}], RULES) == 80
    commented = [{"level": "county", "leader_comment": "city"}, {"level": "city", "leader_comment": "county"}]
    assert domain.piece_points("news", commented, RULES) == 15 + 20
    assert domain.piece_points("news", [], RULES) == 0


def test_ranking_flags_quota_and_shares_ranks_on_ties():
    towns = [{"code": "a", "name": "甲镇"}, {"code": "b", "name": "乙镇"}, {"code": "c", "name": "丙镇"}]
    pieces = ([{"town_code": "a", "kind": "news", "adoptions": [{"level": "city"}]}] * 6
              + [{"town_code": "b", "kind": "research", "adoptions": [{"level": "county"}]}] * 2
              + [{"town_code": "b", "kind": "news", "adoptions": []}] * 2
              + [{"town_code": "c", "kind": "news", "adoptions": [{"level": "county"}]}] * 4)
    rows = {r["town"]: r for r in domain.rank_towns(towns, pieces, RULES)}
    assert rows["a"]["points"] == 90 and rows["a"]["rank"] == 1 and rows["a"]["quota_met"] is True
    assert rows["b"]["points"] == 40 and rows["b"]["pieces"] == 4 and rows["b"]["adopted"] == 2
    assert rows["c"]["points"] == 40 and rows["c"]["adopted"] == 4
    assert rows["c"]["rank"] == 2 and rows["b"]["rank"] == 3      # more adopted pieces break the tie
    assert rows["b"]["quota_met"] is False and rows["b"]["research"] == 2


def test_quarters():
    assert domain.quarter_bounds(2026, 4) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    assert domain.quarter_bounds(2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))


def test_a_scheme_with_bad_values_names_them():
    bad = {**RULES, "multi_level": "max", "points": {"news": {**RULES["points"]["news"], "city": -1},
                                                     "research": RULES["points"]["research"]}}
    problems = domain.check_rules(bad)
    assert set(problems) == {"multi_level", "points.news.city"}
    assert domain.check_rules(RULES) == {}
