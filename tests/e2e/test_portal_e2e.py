"""The portal end to end through the gateway (real RabbitMQ and PostgreSQL, all processes):
the editorial workflow and who may do what, sanitising on the way in, versions (the public
keeps the published one while the next is written), scheduled publishing on time and once,
withdrawal, Chinese search, server-rendered pages with conditional GETs (ETag / 304) and no
cookies, Atom feeds and the sitemap, towns' information pieces and the quarterly scores."""
import csv
import datetime
import io
import uuid
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from services.news import seed as portal_seed
from tests.e2e.conftest import assert_json_error
from tests.support.platform import EventProbe, eventually

ATOM = "{http://www.w3.org/2005/Atom}"


def write(client, as_user="editor", **fields):
    body = {"column": "news", "title": "测试文章" + uuid.uuid4().hex[:6], "body": "<p>正文内容</p>", **fields}
    response = client.post("/api/v1/articles", as_user=as_user, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def step(client, article_id, action, as_user="staff", **body):
    response = client.post(f"/api/v1/articles/{article_id}/{action}", as_user=as_user, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def published(client, **fields):
    article = write(client, **fields)
    step(client, article["id"], "submit", as_user="editor")
    step(client, article["id"], "approve")
    return step(client, article["id"], "publish")


# -- workflow ---------------------------------------------------------------------------------------
def test_an_article_goes_from_draft_to_the_portal_with_every_step_recorded(client):
    article = write(client, title="县人大常委会召开测试会议")
    assert article["status"] == "draft" and article["live_version"] is None
    assert client.get(f"/api/v1/articles/{article['slug']}").status_code == 404     # not public yet
    step(client, article["id"], "submit", as_user="editor")
    step(client, article["id"], "approve")
    done = step(client, article["id"], "publish")
    assert done["status"] == "published" and done["live_version"] == 1
    assert [(s["action"], s["actor"]) for s in done["steps"]] == [
        ("create", "editor"), ("submit", "editor"), ("approve", "staff"), ("publish", "staff")]
    assert all(s["at"] for s in done["steps"])
    public = client.get(f"/api/v1/articles/{article['slug']}").json()
    assert public["title"] == "县人大常委会召开测试会议" and "steps" not in public


def test_roles_editor_writes_staff_approves_others_neither(client):
    article = write(client)
    assert_json_error(client.post(f"/api/v1/articles/{article['id']}/approve", as_user="editor", json={}), 403)
    assert_json_error(client.post("/api/v1/articles", as_user="D0001",
                                  json={"column": "news", "title": "代表写稿", "body": "<p>x</p>"}), 403)
    assert_json_error(client.post("/api/v1/articles", json={"column": "news", "title": "匿名", "body": "x"}), 401)
    error = assert_json_error(client.post(f"/api/v1/articles/{article['id']}/approve", as_user="staff", json={}),
                              409)
    assert error["details"]["status"] == "draft"


def test_validation_errors_name_the_fields(client):
    error = assert_json_error(client.post("/api/v1/articles", as_user="editor",
                                          json={"column": "News!", "title": "x", "cover": "javascript:alert(1)"}),
                              400, "VALIDATION_ERROR")
    assert {"column", "title", "body", "cover"} <= set(error["details"])
    error = assert_json_error(client.post("/api/v1/articles/1/publish", as_user="staff",
                                          json={"publish_at": "tomorrow"}), 400)
    assert "publish_at" in error["details"]
    error = assert_json_error(client.post("/api/v1/articles/1/withdraw", as_user="staff", json={}), 400)
    assert "reason" in error["details"]
    error = assert_json_error(client.post("/api/v1/articles", as_user="editor",
                                          json={"column": "news", "title": "只有脚本",
                                                "body": "<script>alert(1)</script>"}), 400)
    assert "body" in error["details"]


def test_bodies_are_sanitised_on_the_server(client):
    article = write(client, body='<p onclick="steal()">正文<script>alert(1)</script>'
                                 '<a href="javascript:alert(2)">链接</a><img src="/x.png" onerror="alert(3)"></p>'
                                 '<p style="display:none">隐藏</p>')
    body = article["body"]
    for bad in ("onclick", "<script", "alert", "javascript:", "onerror", "style="):
        assert bad not in body, body
    assert "正文" in body and "链接" in body


def test_an_edit_after_publication_is_a_new_version_the_public_sees_once_published(client):
    article = published(client, title="第一版标题")
    response = client.request("PUT", f"/api/v1/articles/{article['id']}", as_user="editor",
                              json={"column": "news", "title": "第二版标题", "body": "<p>新的正文</p>"})
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["status"] == "draft" and edited["version"] == 2 and edited["live_version"] == 1
    assert client.get(f"/api/v1/articles/{article['slug']}").json()["title"] == "第一版标题"
    step(client, article["id"], "submit", as_user="editor")
    step(client, article["id"], "approve")
    step(client, article["id"], "publish")
    public = client.get(f"/api/v1/articles/{article['slug']}").json()
    assert public["title"] == "第二版标题" and public["version"] == 2
    history = client.get(f"/api/v1/articles/{article['id']}", as_user="staff").json()
    assert [v["title"] for v in history["versions"]] == ["第一版标题", "第二版标题"]


def test_withdrawal_takes_the_article_off_the_portal_with_its_reason(client, platform):
    article = published(client, title="将被撤下的文章")
    assert client.get(f"/portal/articles/{article['slug']}").status_code == 200
    done = step(client, article["id"], "withdraw", reason="内容有误，需核实")
    assert done["status"] == "withdrawn" and done["withdrawn_reason"] == "内容有误，需核实"
    assert done["steps"][-1]["note"] == "内容有误，需核实"
    assert_json_error(client.get(f"/api/v1/articles/{article['slug']}"), 404)
    assert client.get(f"/portal/articles/{article['slug']}").status_code == 404


def test_the_public_list_shows_only_published_articles(client):
    draft = write(client, title="草稿不公开" + uuid.uuid4().hex[:4])
    live = published(client, title="已发布公开" + uuid.uuid4().hex[:4])
    ids = {a["id"] for a in client.get("/api/v1/articles?column=news&limit=100").json()["items"]}
    assert live["id"] in ids and draft["id"] not in ids
    queue = client.get("/api/v1/articles?status=submitted", as_user="staff").json()
    assert all(a["status"] == "submitted" for a in queue["items"])


# -- scheduling -------------------------------------------------------------------------------------
def test_a_scheduled_article_appears_when_due_and_is_published_once(client, config):
    article = write(client, title="定时发布的文章")
    step(client, article["id"], "submit", as_user="editor")
    step(client, article["id"], "approve")
    due = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    probe = EventProbe(config["AMQP_URI"], "news", "article_published")
    try:
        scheduled = step(client, article["id"], "publish", publish_at=due.isoformat())
        assert scheduled["status"] == "scheduled"
        assert client.get(f"/api/v1/articles/{article['slug']}").status_code == 404

        def on_portal():
            response = client.get(f"/api/v1/articles/{article['slug']}")
            return response.json() if response.status_code == 200 else None
        public = eventually(on_portal, timeout=30, what="the scheduled article on the portal")
        # published at the scheduled moment, not whenever the timer happened to run
        assert datetime.datetime.fromisoformat(public["published_at"]) == due
        event = probe.wait_for(lambda e: e["data"]["article_id"] == article["id"], timeout=15)
        assert event["data"]["scheduled"] is True
    finally:
        probe.close()
    steps = client.get(f"/api/v1/articles/{article['id']}", as_user="staff").json()["steps"]
    assert [s["action"] for s in steps].count("auto_publish") == 1


# -- search -----------------------------------------------------------------------------------------
def test_a_two_character_word_inside_a_body_is_found_and_ranked(client):
    marker = "翠" + uuid.uuid4().hex[:0] + "峦"        # a word no demo article holds
    title_hit = published(client, title=f"{marker}工作座谈会召开", body="<p>会议听取汇报。</p>")
    body_hit = published(client, title="县人大常委会开展调研",
                         body=f"<p>调研组来到乡村，察看了{marker}生态保护和{marker}林场建设情况。</p>")
    apart = published(client, title="无关文章", body="<p>翠绿的山峦连绵不断。</p>")   # 翠 and 峦 apart
    answer = client.get("/api/v1/articles", params={"q": marker}).json()
    ids = [a["id"] for a in answer["items"]]
    assert title_hit["id"] in ids and body_hit["id"] in ids and apart["id"] not in ids
    assert ids.index(title_hit["id"]) < ids.index(body_hit["id"])      # the title weighs more
    assert answer["total"] == 2
    page = client.get("/portal/search", params={"q": marker})
    assert page.status_code == 200 and "共找到 2 篇" in page.text and "县人大常委会开展调研" in page.text


# -- pages, caching, feeds --------------------------------------------------------------------------
def test_portal_pages_render_without_cookies_and_answer_304_when_unchanged(client):
    client.token("staff")
    for path in ("/portal/", "/portal/columns/news", "/portal/search?q=人大", "/feed.xml", "/sitemap.xml"):
        response = client.get(path, cookies={"renda_session": "x"})
        assert response.status_code == 200, (path, response.text[:300])
        assert "Set-Cookie" not in response.headers, path
        assert response.headers["Cache-Control"].startswith("public"), path
        etag = response.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", path
    home = client.get("/portal/")
    assert "陕ICP备" in home.text and "适老化" in home.text and "新闻动态" in home.text


def test_an_article_page_changes_its_etag_when_republished_and_has_a_canonical_url(client):
    article = published(client, title="缓存测试文章")
    first = client.get(f"/portal/articles/{article['slug']}")
    assert first.status_code == 200 and "缓存测试文章" in first.text
    assert f'<link rel="canonical" href="' in first.text and f"/portal/articles/{article['slug']}" in first.text
    assert "Last-Modified" in first.headers
    by_id = client.get(f"/portal/articles/{article['id']}", allow_redirects=False)
    assert by_id.status_code == 301 and by_id.headers["Location"].endswith(f"/portal/articles/{article['slug']}")
    assert client.get(f"/portal/articles/{article['slug']}",
                      headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    client.request("PUT", f"/api/v1/articles/{article['id']}", as_user="editor",
                   json={"column": "news", "title": "缓存测试文章（更新）", "body": "<p>新</p>"})
    step(client, article["id"], "submit", as_user="editor")
    step(client, article["id"], "approve")
    step(client, article["id"], "publish")
    changed = client.get(f"/portal/articles/{article['slug']}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "缓存测试文章（更新）" in changed.text


def test_atom_feeds_site_wide_and_per_column_and_the_sitemap(client):
    article = published(client, column="notices", title="通知：订阅测试")
    feed = client.get("/feed.xml?column=notices")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert "通知：订阅测试" in titles
    assert all(e.find(f"{ATOM}category").get("term") == "notices" for e in root.findall(f"{ATOM}entry"))
    site = ET.fromstring(client.get("/feed.xml").content)
    assert "通知：订阅测试" in [e.find(f"{ATOM}title").text for e in site.findall(f"{ATOM}entry")]
    sitemap = client.get("/sitemap.xml")
    assert f"/portal/articles/{article['slug']}</loc>" in sitemap.text
    assert client.get("/feed.xml?column=no-such-column").status_code == 404


def test_paging_and_unknown_pages(client):
    assert client.get("/portal/columns/no-such-column").status_code == 404
    assert client.get("/portal/columns/news?page=abc").status_code == 400
    assert client.get("/portal/articles/no-such-article").status_code == 404


# -- columns, towns, submissions, scores --------------------------------------------------------------
def test_columns_are_a_tree_of_the_demo_columns_and_staff_edit_them(client):
    tree = client.get("/api/v1/columns").json()

    def slugs(nodes):
        return [slug for node in nodes for slug in [node["slug"], *slugs(node.get("children", []))]]
    # every demo column is in the tree (other tests of this run may have added columns of their own)
    assert set(slugs(tree["items"])) >= {slug for slug, _, _ in portal_seed.COLUMNS}
    assert tree["total"] == len(slugs(tree["items"]))
    news = next(c for c in tree["items"] if c["slug"] == "news")
    assert {c["slug"] for c in news["children"]} == {"headlines", "standing-committee", "council"}
    slug = "col-" + uuid.uuid4().hex[:6]
    created = client.post("/api/v1/columns", as_user="staff", json={"slug": slug, "name": "测试栏目", "parent": "topics"})
    assert created.status_code == 201, created.text
    assert_json_error(client.post("/api/v1/columns", as_user="editor", json={"slug": "x", "name": "x"}), 403)
    moved = client.patch(f"/api/v1/columns/{slug}", as_user="staff", json={"parent": None, "position": 99})
    assert moved.json()["parent_id"] is None
    assert_json_error(client.patch("/api/v1/columns/news", as_user="staff", json={"parent": "headlines"}), 422)


def test_towns_submit_staff_adopt_and_the_quarter_is_scored(client):
    towns = client.get("/api/v1/towns").json()
    assert towns["total"] == 10 and towns["items"][0]["account"].startswith("town-")
    code = portal_seed.TOWNS[0][0]
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    year, quarter = now.year, (now.month - 1) // 3 + 1
    before = {r["town"]: r for r in client.get(f"/api/v1/submissions/scores?year={year}&quarter={quarter}",
                                               as_user="staff").json()["items"]}
    piece = client.post("/api/v1/submissions", as_user=f"town-{code}",
                        json={"title": "镇人大开展视察", "body": "视察了民生项目。", "kind": "research"})
    assert piece.status_code == 201, piece.text
    piece = piece.json()
    assert piece["town"] == code
    assert_json_error(client.post(f"/api/v1/submissions/{piece['id']}/adoptions", as_user=f"town-{code}",
                                  json={"level": "city", "channel": "市人大网", "adopted_on": "2026-12-01"}), 403)
    error = assert_json_error(client.post(f"/api/v1/submissions/{piece['id']}/adoptions", as_user="staff",
                                          json={"level": "planet", "adopted_on": "soon"}), 400)
    assert {"level", "channel", "adopted_on"} <= set(error["details"])
    adopted = client.post(f"/api/v1/submissions/{piece['id']}/adoptions", as_user="staff",
                          json={"level": "province", "channel": "陕西人大网", "adopted_on": now.date().isoformat(),
                                "leader_comment": "city"})
    assert adopted.status_code == 201, adopted.text
    after = client.get(f"/api/v1/submissions/scores?year={year}&quarter={quarter}", as_user=f"town-{code}").json()
    row = next(r for r in after["items"] if r["town"] == code)
    assert row["points"] - before[code]["points"] == 50 + 20        # research at province + city comment
    assert row["pieces"] == before[code]["pieces"] + 1
    assert [r["rank"] for r in after["items"]] == sorted(r["rank"] for r in after["items"])
    as_csv = client.get(f"/api/v1/submissions/scores?year={year}&quarter={quarter}&format=csv", as_user="staff")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert records[0][:3] == ["名次", "镇编码", "镇"] and len(records) == 11
    as_xlsx = client.get(f"/api/v1/submissions/scores?year={year}&quarter={quarter}&format=xlsx", as_user="staff")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    cells = [cell for line in sheet.iter_rows(values_only=True) for cell in line]
    assert "得分" in cells and row["name"] in cells
    assert_json_error(client.get(f"/api/v1/submissions/scores?year={year}&quarter=5", as_user="staff"), 400)
    assert_json_error(client.get(f"/api/v1/submissions/scores?year={year}&quarter=1"), 401)


def test_a_years_scoring_rules_score_that_year_only(client):
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    year, quarter = now.year, (now.month - 1) // 3 + 1
    scheme = client.get(f"/api/v1/submissions/scoring-scheme?year={year - 5}", as_user="staff").json()
    assert scheme["default"] is True and scheme["rules"]["quarterly_quota"] == 6
    before = client.get(f"/api/v1/submissions/scores?year={year}&quarter={quarter}", as_user="staff").json()
    rules = {**scheme["rules"], "quarterly_quota": 0, "points": {"news": {"county": 1000, "city": 1000,
                                                                         "province": 1000, "national": 1000},
                                                                "research": scheme["rules"]["points"]["research"]}}
    changed = client.request("PUT", f"/api/v1/submissions/scoring-scheme?year={year + 1}", as_user="staff",
                             json={"rules": rules})
    assert changed.status_code == 200, changed.text
    assert client.get(f"/api/v1/submissions/scores?year={year}&quarter={quarter}", as_user="staff").json() == before
    error = assert_json_error(client.request("PUT", f"/api/v1/submissions/scoring-scheme?year={year + 1}",
                                             as_user="staff", json={"rules": {**rules, "multi_level": "max"}}), 400)
    assert "multi_level" in error["details"]
    assert_json_error(client.request("PUT", f"/api/v1/submissions/scoring-scheme?year={year + 1}",
                                     as_user="editor", json={"rules": rules}), 403)
    assert client.get(f"/api/v1/submissions/scoring-scheme?year={year + 1}", as_user="editor").json()["rules"] == rules


def test_the_quarterly_report_is_drafted_once_for_editors(client):
    response = client.post("/api/v1/submissions/report?year=2025&quarter=3", as_user="staff")
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["status"] == "draft" and draft["column"] == "towns" and draft["live_version"] is None
    assert "2025年第3季度" in draft["title"] and "<table>" in draft["body"] and "未完成季度报送任务" in draft["body"]
    assert_json_error(client.post("/api/v1/submissions/report?year=2025&quarter=3", as_user="staff"), 409)
    assert_json_error(client.post("/api/v1/submissions/report?year=2025&quarter=3", as_user="editor"), 403)
