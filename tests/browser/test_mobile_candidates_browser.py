"""Story 7, appointment lists: on the keypad (390×844) a deputy votes 赞成 / 反对 / 弃权 for each
candidate of a list voted per person, checks the choices on a summary, confirms, sees the
receipt, changes one choice before close, and after close reads each candidate's result."""
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import new_deputy, screenshot, sign_in, with_own_password
from tests.browser.test_mobile_keypad_browser import meeting_with_one_item

CANDIDATES = [{"name": "甲某某", "post": "县教育局局长"}, {"name": "乙某某", "post": "县卫生健康局局长"},
              {"name": "丙某某", "post": "县交通运输局局长"}]
LIST = "关于任命县人民政府组成人员的决定（草案）"


def test_a_deputy_votes_per_candidate_on_an_appointment_list(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    title = f"县人大常委会第十三次会议（{uuid.uuid4().hex[:6]}）"
    meeting, item_id = meeting_with_one_item(client, deputy, title, item={
        "kind": "appointment", "title": LIST, "mode": "secret", "candidates": CANDIDATES})
    sign_in(phone, gateway, deputy)
    phone.goto(f"{gateway}/m/meetings/{meeting['id']}")
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_role("status").filter(has_text="已签到")).to_be_visible()
    expect(phone.get_by_text("正在连接会场…")).to_have_count(0)
    opened = client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/open", as_user="staff")
    assert opened.status_code == 200, opened.text

    current = phone.locator("[aria-label=当前事项]")
    expect(current.get_by_role("heading", name=LIST)).to_be_visible()                  # pushed
    expect(current.get_by_text("逐人表决：甲某某（县教育局局长）、乙某某（县卫生健康局局长）")).to_be_visible()
    expect(phone.get_by_role("group", name="表决", exact=True)).to_have_count(0)    # no single keys
    phone.get_by_role("group", name="对甲某某的表决").get_by_role("button", name="赞成").click()
    phone.get_by_role("group", name="对乙某某的表决").get_by_role("button", name="反对").click()
    phone.get_by_role("button", name="核对并提交").click()
    review = phone.locator("[aria-label=核对选择]")
    expect(review.locator("div", has_text="甲某某")).to_contain_text("赞成")
    expect(review.locator("div", has_text="乙某某")).to_contain_text("反对")
    expect(review.locator("div", has_text="丙某某")).to_contain_text("未选择（记为未按）")
    review.get_by_role("button", name="确认提交").click()

    receipt = phone.get_by_role("status").filter(has_text="已投票")
    expect(receipt).to_contain_text("已投票（表决结束前可以更改）")
    expect(receipt.get_by_role("listitem")).to_have_text(["甲某某：赞成", "乙某某：反对", "丙某某：未按"])
    expect(receipt).to_contain_text("回执码")
    expect(phone.locator("[aria-label=表决结果]")).to_have_count(0)                   # secret: nothing while open
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # a change of mind before close: the last ballot counts
    phone.get_by_role("group", name="对乙某某的表决").get_by_role("button", name="弃权").click()
    phone.get_by_role("button", name="核对并提交").click()
    expect(phone.locator("[aria-label=核对选择]").locator("div", has_text="乙某某")).to_contain_text("弃权")
    screenshot(phone, "mobile-keypad-candidates.png")
    phone.get_by_role("button", name="确认提交").click()
    expect(receipt.get_by_role("listitem")).to_have_text(["甲某某：赞成", "乙某某：弃权", "丙某某：未按"])

    closed = client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/close", as_user="staff")
    assert closed.status_code == 200, closed.text
    table = phone.get_by_role("table", name="逐人表决结果")
    expect(table).to_be_visible()                                                   # pushed, not polled
    expect(table.get_by_role("row")).to_have_text([
        "候选人赞成反对弃权未按结果", "甲某某1000通过", "乙某某0010未通过", "丙某某0001未通过"])
    expect(phone.locator("[aria-label=表决结果]").locator("div", has_text="应到").locator("dd")).to_have_text("1")
    expect(phone.get_by_role("group", name="对甲某某的表决")).to_have_count(0)
    screenshot(phone, "mobile-keypad-candidates-result.png")
    by_name = {c["name"]: c for c in closed.json()["candidates"]}
    assert (by_name["甲某某"]["yes"], by_name["乙某某"]["abstain"], by_name["丙某某"]["not_voted"]) == (1, 1, 1)
    phone.get_by_role("button", name="核对回执").click()
    expect(phone.get_by_text("您的选票已计入票箱")).to_be_visible()


def test_a_merged_appointment_list_is_one_choice(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    title = f"县人大常委会第十四次会议（{uuid.uuid4().hex[:6]}）"
    meeting, item_id = meeting_with_one_item(client, deputy, title, item={
        "kind": "appointment", "title": LIST, "mode": "secret", "candidates": CANDIDATES[:2], "merged": True})
    sign_in(phone, gateway, deputy)
    phone.goto(f"{gateway}/m/meetings/{meeting['id']}")
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_role("status").filter(has_text="已签到")).to_be_visible()
    assert client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/open", as_user="staff").status_code == 200
    expect(phone.get_by_text("合并表决：甲某某（县教育局局长）、乙某某（县卫生健康局局长）")).to_be_visible()
    expect(phone.get_by_role("group", name="对甲某某的表决")).to_have_count(0)
    phone.get_by_role("group", name="表决", exact=True).get_by_role("button", name="赞成").click()
    phone.get_by_role("button", name="确认：赞成").click()
    expect(phone.get_by_role("status").filter(has_text="已投票")).to_contain_text("已投票：赞成")
    result = client.post(f"/api/v1/meetings/{meeting['id']}/items/{item_id}/close", as_user="staff").json()
    assert result["yes"] == 1 and result["passed"] is True
