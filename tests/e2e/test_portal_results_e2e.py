"""The portal's 建议办理结果 pages through the gateway: only what the suggestion service's
public view shows (replied/closed/rehandling, with the replies), paged, cacheable (ETag, 304,
no cookies)."""
import uuid

import pytest

from tests.e2e.conftest import post
from tests.support.platform import eventually

LEAD = "D0111"


@pytest.fixture(scope="module")
def ready(client, cluster_rpc):
    eventually(lambda: cluster_rpc.suggestion.directory_entry(LEAD), timeout=30, what=f"directory {LEAD}")
    return client


def filed(client, title):
    response = client.post("/api/v1/suggestions", as_user=LEAD, json={
        "title": title, "content": "建议在县城新建一处公共停车场，缓解老城区停车难问题，方便群众出行。",
        "category": "城乡建设", "session": 3})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_replied_suggestion_is_listed_with_its_reply_and_one_in_review_is_not(ready):
    client = ready
    title = f"关于新建公共停车场的建议{uuid.uuid4().hex[:6]}"
    replied = filed(client, title)
    sid = replied["id"]
    post(client, f"/api/v1/suggestions/{sid}/review", "staff", {"decision": "accept"})
    post(client, f"/api/v1/suggestions/{sid}/assign", "staff",
         {"assignments": [{"department": "transport", "role": "lead"}]})
    post(client, f"/api/v1/suggestions/{sid}/acknowledge", "dept-transport")
    post(client, f"/api/v1/suggestions/{sid}/reply", "dept-transport",
         {"category": "A", "content": "停车场已选址并列入今年城建计划。"})
    hidden_title = f"关于尚在审查的建议{uuid.uuid4().hex[:6]}"
    hidden = filed(client, hidden_title)

    listing = client.get("/portal/suggestions")
    assert listing.status_code == 200 and listing.headers["Content-Type"].startswith("text/html")
    assert title in listing.text and f"/portal/suggestions/{sid}" in listing.text
    assert hidden_title not in listing.text
    assert "Set-Cookie" not in listing.headers and "public" in listing.headers["Cache-Control"]
    assert 'href="/portal/suggestions"' in listing.text          # the nav link on every portal page
    again = client.get("/portal/suggestions", headers={"If-None-Match": listing.headers["ETag"]})
    assert again.status_code == 304 and not again.content

    page = client.get(f"/portal/suggestions/{sid}")
    assert page.status_code == 200
    assert "停车场已选址并列入今年城建计划。" in page.text and "A类（已解决或采纳）" in page.text
    assert "Last-Modified" in page.headers
    assert LEAD not in page.text                                   # no deputy data on the public page
    assert client.get(f"/portal/suggestions/{hidden['id']}").status_code == 404

    by_category = client.get("/portal/suggestions", params={"category": "城乡建设"})
    assert title in by_category.text
    assert title not in client.get("/portal/suggestions", params={"category": "教育"}).text


def test_paging_and_bad_input(ready):
    client = ready
    first = client.get("/portal/suggestions")
    total = int(first.text.split("共 ")[1].split(" 件")[0])
    assert total > 20, "the demo has more public results than one page"
    second = client.get("/portal/suggestions?page=2")
    assert second.status_code == 200 and 'aria-current="page">第2页' in second.text
    assert client.get("/portal/suggestions?page=9999").status_code == 404
    assert client.get("/portal/suggestions?page=x").status_code == 400
    assert client.get("/portal/suggestions?category=nonsense").status_code == 400
