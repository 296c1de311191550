"""Story 7 of the deputies' phone app: the meeting keypad at 390×844. The current item arrives
over the live stream (SSE) when the chair opens it; one tap, then confirm; the receipt; on a
secret item no per-choice count before close; then the result."""
import datetime
import json
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import new_deputy, screenshot, sign_in, with_own_password
from tests.support.platform import eventually


def meeting_with_one_item(client, deputy, title, item=None):
    """A meeting of the new deputy alone (quorum once they sign in), with one item: a secret
    resolution unless ``item`` says otherwise."""
    starts = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(hours=1)

    def create_meeting():
        answer = client.post("/api/v1/meetings", as_user="staff", json={
            "title": title, "kind": "standing_committee", "starts_at": starts.isoformat(), "members": [deputy["id"]]})
        assert answer.status_code in (201, 422), answer.text
        return answer.json() if answer.status_code == 201 else None
    meeting = eventually(create_meeting, 30, "the voting service knows the new deputy")
    item = client.post(f"/api/v1/meetings/{meeting['id']}/items", as_user="staff",
                       json=item or {"kind": "resolution", "title": "关于批准县级预算调整方案的决议", "mode": "secret"})
    assert item.status_code == 201, item.text
    return meeting, item.json()["id"]


def test_a_deputy_checks_in_and_votes_on_the_keypad(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    title = f"县人大常委会第十一次会议（{uuid.uuid4().hex[:6]}）"
    meeting, item_id = meeting_with_one_item(client, deputy, title)

    sign_in(phone, gateway, deputy)
    phone.locator("[aria-label=近期会议]").get_by_text(title).click()
    expect(phone.get_by_role("heading", name=title)).to_be_visible()
    expect(phone.get_by_text("等待主持人开始表决")).to_be_visible()
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_role("status").filter(has_text="已签到")).to_be_visible()
    expect(phone.get_by_text("正在连接会场…")).to_have_count(0)

    opened = client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/open", as_user="staff")
    assert opened.status_code == 200, opened.text
    current = phone.locator("[aria-label=当前事项]")
    expect(current.get_by_role("heading", name="关于批准县级预算调整方案的决议")).to_be_visible()   # pushed
    expect(current.get_by_text("无记名表决 · 表决中")).to_be_visible()

    keys = phone.get_by_role("group", name="表决")
    keys.get_by_role("button", name="反对").click()                 # one tap…
    keys.get_by_role("button", name="赞成").click()                 # …changed before confirming
    expect(phone.get_by_role("button", name="确认：赞成")).to_be_visible()
    ballots = f"**/api/v1/meetings/{meeting['id']}/items/{item_id}/ballots"

    def counted_but_answer_lost(route):
        route.fetch()                                               # the server counts it…
        route.abort("connectionreset")                              # …the network drops the answer
    phone.route(ballots, counted_but_answer_lost)
    phone.get_by_role("button", name="确认：赞成").click()           # …then confirm
    expect(phone.get_by_role("alert")).to_contain_text("网络中断，选择未确认送达")
    phone.unroute(ballots)
    phone.get_by_role("alert").get_by_role("button", name="重试").click()
    receipt = phone.get_by_role("status").filter(has_text="已投票")
    expect(receipt).to_contain_text("已投票：赞成（表决结束前可以更改）")
    expect(receipt).to_contain_text("回执码")
    expect(phone.locator("[aria-label=表决结果]")).to_have_count(0)     # secret: no counts while open
    screenshot(phone, "mobile-keypad.png")

    closed = client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/close", as_user="staff")
    assert closed.status_code == 200, closed.text
    result = phone.locator("[aria-label=表决结果]")
    expect(result).to_be_visible()                                      # pushed, not polled
    expect(result.locator("div", has_text="赞成").locator("dd")).to_have_text("1")     # counted once
    expect(result.locator("div", has_text="应到").locator("dd")).to_have_text("1")
    expect(result.get_by_text("通过", exact=True)).to_be_visible()
    expect(phone.get_by_role("group", name="表决")).to_have_count(0)
    phone.get_by_role("button", name="核对回执").click()              # the receipt, checked after close
    expect(phone.get_by_text("您的选票已计入票箱")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_ballot_on_a_closed_item_is_refused_with_a_clear_message(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    title = f"县人大常委会第十二次会议（{uuid.uuid4().hex[:6]}）"
    meeting, item_id = meeting_with_one_item(client, deputy, title)
    sign_in(phone, gateway, deputy)
    phone.goto(f"{gateway}/m/meetings/{meeting['id']}")
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_role("status").filter(has_text="已签到")).to_be_visible()
    assert client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/open", as_user="staff").status_code == 200
    phone.get_by_role("group", name="表决").get_by_role("button", name="弃权").click()
    # The chair closes the vote between the tap and the confirmation: the gateway's answer then.
    closed = {"error": {"code": "CONFLICT", "message": "voting on this item is not open (it is closed)",
                        "details": {"status": "closed"}}}
    phone.route(f"**/items/{item_id}/ballots", lambda route: route.fulfill(
        status=409, headers={"Content-Type": "application/json"}, body=json.dumps(closed)))
    phone.get_by_role("button", name="确认：弃权").click()
    expect(phone.get_by_role("alert")).to_have_text("表决已结束，不能再投票")
    expect(phone.get_by_role("alert").get_by_role("button", name="重试")).to_have_count(0)
