"""Scheduled publishing on real PostgreSQL (schema ``news``, the service's own role): a due
article is published exactly once even when several claimers (news processes) run at the
same moment, at its scheduled time even when the claim comes late (after a restart), with
one ``article_published`` outbox row each; and the bigram search ranks on the real index."""
import concurrent.futures
import datetime
import uuid

import pytest

from kernel.db import PostgresUnitOfWork
from kernel.errors import Conflict
from services.news import handlers
from services.news.repository import REPOSITORIES
from tests.integration.helpers import service_pool

EDITOR = {"username": "editor", "role": "editor", "subject": None}
STAFF = {"username": "staff", "role": "staff", "subject": None}
UTC = datetime.timezone.utc


@pytest.fixture(scope="module")
def pool(demo_loaded):
    # the demo's columns first: a draft's column made here without its demo parent would stay so
    # (the demo seed keeps columns that exist), and the portal's column tree test reads that tree
    with service_pool(demo_loaded, "news", 6) as pool:
        yield pool


def uow_of(pool):
    return lambda: PostgresUnitOfWork(pool, "news", REPOSITORIES)


@pytest.fixture(scope="module")
def column(pool):
    slug = "sched-" + uuid.uuid4().hex[:6]
    handlers.create_column({"slug": slug, "name": "定时测试"}, uow_of(pool)())
    return slug


def scheduled(pool, column, count, title="定时"):
    """``count`` approved articles scheduled an hour ahead; returns their ids."""
    uow = uow_of(pool)
    later = datetime.datetime.now(UTC) + datetime.timedelta(hours=1)
    ids = []
    for n in range(count):
        article_id = handlers.create_article({"column": column, "title": f"{title}{n}", "body": "<p>正文</p>"},
                                             EDITOR, uow())
        handlers.act(article_id, "submit", {}, EDITOR, uow())
        handlers.act(article_id, "approve", {}, STAFF, uow())
        handlers.act(article_id, "publish", {"publish_at": later}, STAFF, uow())
        ids.append(article_id)
    return ids


def make_due(admin_db, ids, moment):
    admin_db.execute("UPDATE news.articles SET publish_at = %s WHERE id = ANY(%s)", (moment, ids))


def published_events(admin_db, ids):
    rows = admin_db.execute("SELECT aggregate_id FROM news.outbox WHERE event_type = 'article_published' "
                            "AND aggregate_id = ANY(%s)", ([str(i) for i in ids],)).fetchall()
    return sorted(int(r[0]) for r in rows)


def test_a_second_claimer_skips_the_rows_the_first_is_publishing(pool, column, admin_db):
    ids = scheduled(pool, column, 5)
    moment = datetime.datetime.now(UTC) - datetime.timedelta(minutes=3)   # due while "the service was down"
    make_due(admin_db, ids, moment)
    second = []

    def while_holding_the_rows(claimed):
        assert sorted(a["id"] for a in claimed if a["id"] in ids) == ids
        # another news process ticks now: the rows are locked, it must not wait nor publish them
        second.append(handlers.publish_due(uow_of(pool)()))

    first = handlers.publish_due(uow_of(pool)(), on_claimed=while_holding_the_rows)
    assert second == [0] and first >= 5
    assert published_events(admin_db, ids) == ids
    rows = admin_db.execute("SELECT status, live_version, publish_at FROM news.articles WHERE id = ANY(%s)",
                            (ids,)).fetchall()
    assert all(r[0] == "published" and r[1] == 1 and r[2] is None for r in rows)
    times = admin_db.execute("SELECT published_at FROM news.published WHERE article_id = ANY(%s)", (ids,)).fetchall()
    assert {t[0] for t in times} == {moment}        # the scheduled moment, not the late claim's
    assert handlers.publish_due(uow_of(pool)()) == 0   # nothing left, nothing twice


def test_concurrent_claimers_publish_each_due_article_exactly_once(pool, column, admin_db):
    ids = scheduled(pool, column, 24, title="并发")
    make_due(admin_db, ids, datetime.datetime.now(UTC) - datetime.timedelta(seconds=1))

    def claimer():
        total = 0
        while True:
            done = handlers.publish_due(uow_of(pool)(), limit=3)
            if not done:
                return total
            total += done

    with concurrent.futures.ThreadPoolExecutor(4) as executor:
        counts = list(executor.map(lambda _: claimer(), range(4)))
    assert sum(counts) == 24
    assert published_events(admin_db, ids) == ids        # one event per article, none twice
    steps = admin_db.execute("SELECT count(*) FROM news.article_steps WHERE action = 'auto_publish' "
                             "AND article_id = ANY(%s)", (ids,)).fetchone()[0]
    assert steps == 24


def test_an_article_not_yet_due_stays_scheduled(pool, column, admin_db):
    ids = scheduled(pool, column, 1, title="未到时间")
    handlers.publish_due(uow_of(pool)())
    assert admin_db.execute("SELECT status FROM news.articles WHERE id = %s", (ids[0],)).fetchone()[0] == "scheduled"


def test_search_finds_a_two_character_word_in_a_body_and_ranks_title_hits_first(pool, column):
    uow = uow_of(pool)
    docs = {
        "title": ("调研报告：民宿产业发展", "<p>本文讨论乡村旅游。</p>"),
        "body_twice": ("乡村旅游观察", "<p>近年来民宿兴起，民宿经营户增收明显。</p>"),
        "body_once": ("山区见闻", "<p>沿途看到几家民宿和农家乐。</p>"),
        "apart": ("无关", "<p>居民的住宿条件改善。</p>"),      # 民 and 宿 apart: not the word
        "other": ("预算执行情况", "<p>预算监督工作。</p>"),
    }
    ids = {}
    for key, (title, body) in docs.items():
        article_id = handlers.create_article({"column": column, "title": title, "body": body}, EDITOR, uow())
        handlers.act(article_id, "submit", {}, EDITOR, uow())
        handlers.act(article_id, "approve", {}, STAFF, uow())
        handlers.act(article_id, "publish", {}, STAFF, uow())
        ids[article_id] = key
    found = handlers.public_articles({"q": "民宿", "column": column, "limit": 20}, uow())
    order = [ids[item["id"]] for item in found["items"]]
    assert order == ["title", "body_twice", "body_once"], order
    phrase = handlers.public_articles({"q": "预算监督", "column": column}, uow())
    assert [ids[i["id"]] for i in phrase["items"]] == ["other"]
    single = handlers.public_articles({"q": "宿", "column": column}, uow())
    assert {ids[i["id"]] for i in single["items"]} == {"title", "body_twice", "body_once", "apart"}


def ensure_column(admin_db, uow, slug, name):
    if admin_db.execute("SELECT 1 FROM news.columns WHERE slug = %s", (slug,)).fetchone() is None:
        handlers.create_column({"slug": slug, "name": name}, uow())


def drafted_once(draft, envelope, consumer, uow):
    """The draft's id; made once: not again for the redelivered event (the consumer's claim)
    nor for a new envelope about the same thing (the article's origin)."""
    article_id = draft(envelope, uow(), consumer)
    assert article_id is not None
    assert draft(envelope, uow(), consumer) is None
    assert draft({**envelope, "event_id": uuid.uuid4().hex}, uow(), consumer) is None
    return article_id


def test_a_closed_vote_drafts_one_article_for_editors_never_published(pool, admin_db):
    uow = uow_of(pool)
    ensure_column(admin_db, uow, "standing-committee", "常委会会议")
    item = uuid.uuid4().int % 1_000_000
    envelope = {"event_id": uuid.uuid4().hex, "type": "vote_closed", "data": {
        "meeting_id": 7, "item_id": item, "title": "关于批准2025年县级财政决算的决议",
        "result": {"expected": 25, "present": 22, "yes": 20, "no": 1, "abstain": 1, "not_voted": 0,
                   "threshold": 13, "passed": True}}}
    article_id = drafted_once(handlers.draft_from_vote, envelope, "news.vote_closed", uow)
    view = handlers.article_view(article_id, uow())
    assert view["status"] == "draft" and view["live_version"] is None and view["column"] == "standing-committee"
    assert "获得通过" in view["title"] and "<th scope=\"row\">赞成</th><td>20</td>" in view["body"]
    handlers.publish_due(uow())
    assert handlers.article_view(article_id, uow())["status"] == "draft"


def test_a_meeting_held_drafts_one_article_in_its_kinds_column(pool, admin_db):
    uow = uow_of(pool)
    ensure_column(admin_db, uow, "standing-committee", "常委会会议")
    ensure_column(admin_db, uow, "council", "主任会议")
    meeting_id = uuid.uuid4().int % 1_000_000
    envelope = {"event_id": uuid.uuid4().hex, "type": "meeting_ended", "data": {
        "meeting_id": meeting_id, "kind": "standing_committee", "title": "宁陕县第十九届人大常委会第二十五次会议",
        "starts_at": "2026-11-30T01:30:00+00:00", "ended_at": "2026-11-30T04:00:00+00:00", "expected": 25,
        "counts": {"present": 22, "leave": 2, "absent": 1}, "attendance": []}}
    article_id = drafted_once(handlers.draft_from_meeting, envelope, "news.meeting_ended", uow)
    view = handlers.article_view(article_id, uow())
    assert view["title"] == "宁陕县第十九届人大常委会第二十五次会议召开"
    assert view["status"] == "draft" and view["column"] == "standing-committee" and view["author"] == "system"
    assert "2026年11月30日" in view["body"] and "应出席25人，实到22人，请假2人，缺席1人" in view["body"]
    council = {**envelope, "event_id": uuid.uuid4().hex,
               "data": {**envelope["data"], "meeting_id": meeting_id + 1, "kind": "chairpersons",
                        "title": "县人大常委会第四十二次主任会议"}}
    assert handlers.article_view(handlers.draft_from_meeting(council, uow(), "news.meeting_ended"),
                                 uow())["column"] == "council"
    handlers.publish_due(uow())
    assert handlers.article_view(article_id, uow())["status"] == "draft"


def quarter_statistics():
    row = {"label": "县交通运输局", "assigned": 12, "replied": 9, "closed": 6, "overdue": 1, "reply_rate": 0.75,
           "close_rate": 0.5, "satisfaction_rate": 0.8333}
    return {"today": "2026-12-02", "rows": [row], "totals": row}


def test_the_quarters_suggestion_figures_draft_once(pool, admin_db):
    uow = uow_of(pool)
    ensure_column(admin_db, uow, "suggestions", "建议办理")
    statistics = quarter_statistics()
    year = 2000 + uuid.uuid4().int % 100
    view = handlers.suggestion_report_draft(year, 4, statistics, STAFF, uow)
    assert view["title"] == f"{year}年第4季度代表建议办理情况" and view["status"] == "draft"
    assert view["column"] == "suggestions" and "截至2026年12月2日" in view["body"]
    assert "<td>县交通运输局</td><td>12</td><td>9</td><td>75.0%</td><td>6</td><td>83.3%</td><td>1</td>" in view["body"]
    with pytest.raises(Conflict):
        handlers.suggestion_report_draft(year, 4, statistics, STAFF, uow)


def quarter_closed(year, quarter, statistics):
    return {"event_id": uuid.uuid4().hex, "type": "suggestion_quarter_closed",
            "data": {"year": year, "quarter": quarter, "statistics": statistics}}


def test_the_quarters_event_makes_the_staff_actions_draft_and_only_one(pool, admin_db):
    uow = uow_of(pool)
    ensure_column(admin_db, uow, "suggestions", "建议办理")
    statistics = quarter_statistics()
    year = 2200 + uuid.uuid4().int % 100  # years no other test drafts (they use 2000-2100)
    consumer = "news.suggestion_quarter_closed"

    envelope = quarter_closed(year, 3, statistics)
    article_id = drafted_once(handlers.draft_from_suggestion_quarter, envelope, consumer, uow)
    view = handlers.article_view(article_id, uow())
    assert view["title"] == f"{year}年第3季度代表建议办理情况" and view["author"] == "system"
    assert view["status"] == "draft" and view["live_version"] is None and view["column"] == "suggestions"
    assert "<td>县交通运输局</td><td>12</td><td>9</td><td>75.0%</td><td>6</td><td>83.3%</td><td>1</td>" in view["body"]
    with pytest.raises(Conflict):  # the event made the quarter's draft: the staff action makes no second one
        handlers.suggestion_report_draft(year, 3, statistics, STAFF, uow)

    staff_view = handlers.suggestion_report_draft(year, 2, statistics, STAFF, uow)
    assert handlers.draft_from_suggestion_quarter(quarter_closed(year, 2, statistics), uow(), consumer) is None
    origins = admin_db.execute("SELECT origin FROM news.articles WHERE origin LIKE %s ORDER BY origin",
                               (f"suggestion-report:{year}-Q%",)).fetchall()
    assert origins == [(f"suggestion-report:{year}-Q2",), (f"suggestion-report:{year}-Q3",)]
    assert staff_view["body"] == view["body"]  # the same draft whichever made it
    handlers.publish_due(uow())
    assert handlers.article_view(article_id, uow())["status"] == "draft"


def test_search_ranks_only_the_top_candidates_yet_keeps_title_hits_and_counts_every_match(pool):
    """With 3 candidates: the OLDEST article, whose title matches, still comes first (title
    hits are candidates before recency); the count is of every match; a page past the
    candidates widens them (no page is empty while matches remain)."""
    uow = uow_of(pool)
    column = "cand-" + uuid.uuid4().hex[:6]
    handlers.create_column({"slug": column, "name": "候选测试"}, uow())
    titles = ["林下经济调研"] + [f"山区见闻{n}" for n in range(6)]
    published_ids = []
    for n, title in enumerate(titles):   # published oldest first: the title hit is the oldest
        article_id = handlers.create_article({"column": column, "title": title, "body": "<p>发展林下经济。</p>"},
                                             EDITOR, uow())
        handlers.act(article_id, "submit", {}, EDITOR, uow())
        handlers.act(article_id, "approve", {}, STAFF, uow())
        handlers.act(article_id, "publish", {}, STAFF, uow(),
                     now=datetime.datetime(2026, 1, 1, tzinfo=UTC) + datetime.timedelta(hours=n))
        published_ids.append(article_id)
    with uow() as work:
        column_id = work.columns.get(slug=column)["id"]
        first, total = work.public.search("(林下 <-> 下经 <-> 经济)", [column_id], limit=2, offset=0, candidates=3)
        later, _ = work.public.search("(林下 <-> 下经 <-> 经济)", [column_id], limit=2, offset=4, candidates=3)
    assert total == 7
    assert [r["article_id"] for r in first] == [published_ids[0], published_ids[6]]
    assert [r["article_id"] for r in later] == [published_ids[3], published_ids[2]]
