"""The portal's deputies and stations end to end (all processes, real RabbitMQ and
PostgreSQL): a reception day announced through the API appears on the stations page and the
station's page with its date, time and the deputies on duty; a deputy's public profile shows
the published parts of the duty record (meetings attended, a suggestion with its public
result, published activities) and never contact data, absences or leave reasons; every page
is public, cookie-free and answers 304 when unchanged."""
import datetime
import re
import uuid

import pytest

from tests.e2e.conftest import post
from tests.support.platform import eventually

SITTER, ON_LEAVE = "D0221", "D0222"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.datetime.now(BEIJING).date()
YEAR = TODAY.year
LEAVE_REASON = "家中老人住院需陪护" + uuid.uuid4().hex[:4]


@pytest.fixture(scope="module")
def ready(client, cluster_rpc):
    for code in (SITTER, ON_LEAVE):
        eventually(lambda: cluster_rpc.voting.directory_entry(code), timeout=30, what=f"voting directory {code}")
        eventually(lambda: cluster_rpc.suggestion.directory_entry(code), timeout=30,
                   what=f"suggestion directory {code}")
    return client


def public_page(client, path):
    """A portal page: HTML, public, cacheable, no cookie; the same request with its ETag → 304."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"].startswith("public")
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.content == b"", path
    return response.text


def deputy(client, code):
    return client.get(f"/api/v1/deputies/{code}", as_user="staff").json()


def test_a_reception_day_appears_on_the_stations_pages_with_the_deputies_on_duty(ready):
    client = ready
    sitter, other = deputy(client, SITTER), deputy(client, ON_LEAVE)
    station = sitter["station_code"]
    day = TODAY + datetime.timedelta(days=4)
    before = client.get("/portal/stations")
    announced = post(client, f"/api/v1/stations/{station}/receptions", "staff",
                     {"date": day.isoformat(), "starts_at": "14:30", "ends_at": "17:15",
                      "deputies": [SITTER, ON_LEAVE], "note": "内部备注不公开"}, 201)
    # the page changed, so the old ETag no longer matches
    assert client.get("/portal/stations", headers={"If-None-Match": before.headers["ETag"]}).status_code == 200

    page = public_page(client, "/portal/stations")
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    ours = [r for r in rows if day.isoformat() in r and "14:30—17:15" in r and sitter["name"] in r]
    assert ours, page[:2000]
    assert other["name"] in ours[0] and f"/portal/deputies/{SITTER}" in ours[0]
    assert f"/portal/stations/{station}" in ours[0]
    assert "内部备注不公开" not in page
    for marker in ("县级人大代表之家 1 个", "镇级代表中心联络站 10 个", "村（社区）代表联络站 40 个"):
        assert marker in page
    tree = page[page.index('class="station-tree"'):]
    assert len(set(re.findall(r'href="/portal/stations/([^"]+)"', tree))) == 51      # every station, nested

    own = public_page(client, f"/portal/stations/{station}")
    assert day.isoformat() in own and "14:30—17:15" in own and sitter["name"] in own
    assert f"/portal/deputies/{SITTER}" in own and announced["station_name"] in own
    assert "内部备注不公开" not in own

    missing = client.get("/portal/stations/NO-SUCH-STATION")
    assert missing.status_code == 404 and "页面不存在" in missing.text


def test_a_deputy_profile_shows_the_public_record_only(ready):
    client = ready
    sitter = deputy(client, SITTER)
    assert sitter["phone"]          # there is contact data to leak
    published = f"视察县城供水工程{uuid.uuid4().hex[:4]}"
    hidden = f"内部座谈会{uuid.uuid4().hex[:4]}"
    post(client, "/api/v1/activities", "staff", {"kind": "inspection", "title": published,
                                                 "date": TODAY.isoformat(), "participants": [SITTER]}, 201)
    post(client, "/api/v1/activities", "staff", {"kind": "group", "title": hidden, "date": TODAY.isoformat(),
                                                 "participants": [SITTER], "published": False}, 201)
    title = f"县人大常委会第{uuid.uuid4().hex[:4]}次会议"
    meeting = post(client, "/api/v1/meetings", "staff", {"title": title, "kind": "standing_committee",
                                                         "starts_at": f"{TODAY}T09:00:00+08:00",
                                                         "members": [SITTER, ON_LEAVE]}, 201)["id"]
    post(client, f"/api/v1/meetings/{meeting}/checkin", SITTER)
    post(client, f"/api/v1/meetings/{meeting}/leave", ON_LEAVE, {"reason": LEAVE_REASON}, 201)
    post(client, f"/api/v1/meetings/{meeting}/leave/{ON_LEAVE}/decision", "staff", {"decision": "approve"})
    post(client, f"/api/v1/meetings/{meeting}/end", "staff")

    suggestion = post(client, "/api/v1/suggestions", SITTER, {
        "title": f"关于改善城区供水的建议{uuid.uuid4().hex[:4]}", "category": "城乡建设",
        "content": "城区部分小区水压不足，建议改造供水管网。"}, 201)
    sid = suggestion["id"]
    post(client, f"/api/v1/suggestions/{sid}/review", "staff", {"decision": "accept"})
    post(client, f"/api/v1/suggestions/{sid}/assign", "staff",
         {"assignments": [{"department": "housing", "role": "lead"}]})
    post(client, f"/api/v1/suggestions/{sid}/acknowledge", "dept-housing")
    post(client, f"/api/v1/suggestions/{sid}/reply", "dept-housing", {"category": "B", "content": "已列入改造计划。"})

    def profile_complete():
        text = client.get(f"/portal/deputies/{SITTER}").text
        return text if title in text and suggestion["number"] in text and "已答复" in text else None
    page = eventually(profile_complete, timeout=30, what="the meeting and the replied suggestion on the profile")
    assert sitter["name"] in page and published in page and "B类" in page
    assert hidden not in page
    assert sitter["phone"] not in page and (not sitter.get("email") or sitter["email"] not in page)
    public_page(client, f"/portal/deputies/{SITTER}")

    absent = eventually(lambda: (lambda r: r if any(e["rule"] == "meeting_leave" for e in r["parts"]["meetings"])
                                 else None)(client.get(f"/api/v1/deputies/{ON_LEAVE}/duty-record?year={YEAR}",
                                                       as_user="staff").json()),
                        timeout=20, what="the leave in the record")
    assert absent["parts"]["meetings"]
    other = client.get(f"/portal/deputies/{ON_LEAVE}").text
    assert LEAVE_REASON not in other and title not in other and "请假" not in other

    assert client.get("/portal/deputies/D9999999").status_code == 404
    assert client.get(f"/portal/deputies/{SITTER}?year=nineteen").status_code == 400


def test_the_deputy_list_filters_and_links_profiles(ready):
    client = ready
    sitter = deputy(client, SITTER)
    page = public_page(client, "/portal/deputies?" + f"town={sitter['town']}&q={sitter['name']}")
    assert f'href="/portal/deputies/{SITTER}"' in page and sitter["phone"] not in page
    everyone = public_page(client, "/portal/deputies")
    assert re.search(r"共 \d+ 名代表", everyone) and "代表风采" in everyone
    assert client.get("/portal/deputies?level=mayor").status_code == 400
    assert client.get("/portal/deputies?page=999").status_code == 404
    nav = client.get("/portal/").text
    assert 'href="/portal/stations"' in nav and 'href="/portal/deputies"' in nav


def test_the_sitemap_lists_every_station_and_active_deputy(ready):
    client = ready
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.headers["Content-Type"].startswith("application/xml")
    locs = set(re.findall(r"<loc>[^<]*?(/portal/[^<]*)</loc>", sitemap.text))
    def codes(nodes):
        return [code for node in nodes for code in [node["code"], *codes(node.get("children", []))]]
    stations = codes(client.get("/api/v1/stations", as_user="staff").json())
    assert len(stations) == 51 and {f"/portal/stations/{code}" for code in stations} <= locs
    assert f"/portal/deputies/{SITTER}" in locs
    active = client.get("/api/v1/deputies?status=active&limit=1", as_user="staff").json()["total"]
    assert sum(1 for loc in locs if loc.startswith("/portal/deputies/")) == active
    assert {"/portal/stations", "/portal/deputies", "/portal/suggestions"} <= locs
