"""Stories 2–6 of the deputies' phone app (390×844): home, filing a suggestion, following it,
evaluating the reply or withdrawing it, notifications. Each test uses its own new deputies."""
import datetime
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import (as_staff_accept_and_assign, department_name, file_suggestion, new_deputy,
                                           sign_in, unread_notifications, with_own_password)
from tests.support.platform import eventually


def unique(text):
    return f"{text}（{uuid.uuid4().hex[:6]}）"


def test_home_shows_my_suggestions_meetings_unread_notifications_and_figures(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    waiting = file_suggestion(client, deputy, unique("关于增设城关镇公交站台的建议"))
    handled = file_suggestion(client, deputy, unique("关于改善乡村学校食堂条件的建议"))
    as_staff_accept_and_assign(client, handled["id"], due_date="2027-03-01")
    meeting_title = unique("县人大常委会第十次会议")
    starts = (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(days=2))
    starts = starts.replace(hour=9, minute=0, second=0, microsecond=0)

    def create_meeting():
        answer = client.post("/api/v1/meetings", as_user="staff", json={
            "title": meeting_title, "kind": "standing_committee", "starts_at": starts.isoformat(),
            "members": [deputy["id"]]})
        assert answer.status_code in (201, 422), answer.text
        return answer if answer.status_code == 201 else None
    eventually(create_meeting, 30, "the voting service knows the new deputy")
    eventually(lambda: unread_notifications(client, deputy) == 2, 30, "accepted and assigned notifications")

    sign_in(phone, gateway, deputy)
    mine = phone.locator("[aria-label=我的建议]")
    expect(mine.get_by_text(waiting["title"])).to_be_visible()
    expect(mine.get_by_text(handled["title"])).to_be_visible()
    row = mine.locator(".van-cell", has_text=handled["title"])
    expect(row.get_by_text("已交办")).to_be_visible()
    expect(row.get_by_text("办理期限 2027/03/01")).to_be_visible()
    expect(mine.locator(".van-cell", has_text=waiting["title"]).get_by_text("待审查")).to_be_visible()

    figures = phone.locator("[aria-label=履职概况]")
    expect(figures.locator(".van-grid-item", has_text="提出建议").locator(".figure")).to_have_text("2")
    expect(figures.locator(".van-grid-item", has_text="出席会议").locator(".figure")).to_have_text("0/1")

    meetings = phone.locator("[aria-label=近期会议]")
    expect(meetings.get_by_text(meeting_title)).to_be_visible()
    expect(meetings.get_by_text(starts.strftime("%Y/%m/%d") + " 09:00")).to_be_visible()   # Beijing time

    tab = phone.locator(".van-tabbar-item", has_text="消息")
    expect(tab.locator(".van-badge")).to_have_text("2")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path="docs/screenshots/mobile-home.png", full_page=True)


def test_file_a_suggestion_that_survives_a_reload_and_a_lost_answer(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    co_signer = with_own_password(client, new_deputy(client, name="联名" + uuid.uuid4().hex[:4].upper(), town="城关镇"))
    file_suggestion(client, deputy, unique("先行一件"))      # both known to the suggestion service by now
    file_suggestion(client, co_signer, unique("先行一件"))
    title = unique("关于在城关镇增设夜间公交线路的建议")

    sign_in(phone, gateway, deputy)
    phone.get_by_role("tab", name="提建议").click()
    phone.get_by_label("标题").fill("路灯")                    # too short: the server says so, next to the field
    phone.get_by_label("内容").fill("城关镇晚上九点以后没有公交车，夜班职工和学生出行困难，建议增设夜间公交线路。")
    phone.get_by_label("类别").click()
    phone.locator(".van-picker-column__item", has_text="交通建设").click()
    phone.get_by_role("button", name="确认").click()
    expect(phone.get_by_label("类别")).to_have_value("交通建设")
    phone.get_by_role("radio", name="大会期间").click()
    phone.get_by_placeholder("输入代表姓名查找").fill(co_signer["name"])
    phone.get_by_role("button", name="查找").click()
    expect(phone.get_by_text("城关镇 · 乡镇人大代表")).to_be_visible()             # town and level shown
    phone.get_by_role("button", name=f"添加联名代表 {co_signer['name']}").click()
    expect(phone.locator("[aria-label=已选联名代表]").get_by_text(co_signer["name"])).to_be_visible()
    phone.get_by_role("button", name="提交建议").click()
    expect(phone.get_by_text("长度应在 4 到")).to_be_visible()

    phone.get_by_label("标题").fill(title)
    phone.reload()                                             # the draft survives a reload
    expect(phone.get_by_label("标题")).to_have_value(title)
    expect(phone.get_by_label("类别")).to_have_value("交通建设")
    expect(phone.locator("[aria-label=已选联名代表]").get_by_text(co_signer["name"])).to_be_visible()
    assert "renda_session" not in phone.evaluate("JSON.stringify(localStorage)")   # only the draft is kept

    phone.context.set_offline(True)                            # no network at all
    phone.get_by_role("button", name="提交建议").click()
    expect(phone.get_by_role("alert")).to_contain_text("网络连接失败，建议已保存在本机草稿中")
    phone.context.set_offline(False)

    keys = []

    def filed_but_answer_lost(route):
        keys.append(route.request.headers.get("idempotency-key"))
        route.fetch()                                          # the server files it…
        route.abort("connectionreset")                         # …and the answer never arrives
    phone.route("**/api/v1/suggestions", filed_but_answer_lost)
    phone.get_by_role("button", name="重试").click()
    expect(phone.get_by_role("alert")).to_contain_text("网络连接失败")
    phone.unroute("**/api/v1/suggestions")

    with phone.expect_request(lambda r: r.url.endswith("/api/v1/suggestions") and r.method == "POST") as retry:
        phone.get_by_role("button", name="重试").click()
    expect(phone.get_by_text("建议已提交")).to_be_visible()
    assert retry.value.headers["idempotency-key"] == keys[0]  # the same key: one suggestion
    expect(phone.get_by_role("heading", name=title)).to_be_visible()

    mine = client.get(f"/api/v1/suggestions?deputy={deputy['id']}&limit=100", as_user="staff").json()["items"]
    filed = [s for s in mine if s["title"] == title]
    assert len(filed) == 1, filed
    assert filed[0]["category"] == "交通建设" and filed[0]["session"] is not None
    assert co_signer["id"] in filed[0]["deputy_codes"]
    assert phone.evaluate("localStorage.length") == 0          # the draft is gone once filed
