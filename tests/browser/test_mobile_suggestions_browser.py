"""Stories 2–6 of the deputies' phone app (390×844): home, filing a suggestion, following it,
evaluating the reply or withdrawing it, notifications. Each test uses its own new deputies."""
import datetime
import uuid

from playwright.sync_api import expect

from tests.browser.mobile_deputies import (as_staff_accept_and_assign, department_name, file_suggestion, new_deputy,
                                           screenshot, sign_in, unread_notifications, with_own_password)
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

    # this deputy's own next meetings only (other stories' meetings of this run are not theirs),
    # in Beijing time
    meetings = phone.locator("[aria-label=近期会议]")
    expect(meetings.locator(".van-cell")).to_have_count(1)
    expect(meetings.get_by_text(meeting_title)).to_be_visible()
    expect(meetings.get_by_text(starts.strftime("%Y/%m/%d 09:00"))).to_be_visible()

    tab = phone.locator(".van-tabbar-item", has_text="消息")
    expect(tab.locator(".van-badge")).to_have_text("2")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "mobile-home.png")


def test_home_lists_the_newest_ten_suggestions_and_shows_the_rest_on_request(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    titles = [file_suggestion(client, deputy, unique(f"关于第{n}件事的建议"))["title"] for n in range(12)]
    sign_in(phone, gateway, deputy)
    mine = phone.locator("[aria-label=我的建议]")
    expect(mine.locator(".van-cell")).to_have_count(10)
    expect(mine.get_by_text(titles[-1])).to_be_visible()          # newest first
    expect(mine.get_by_text(titles[0])).to_have_count(0)
    figures = phone.locator("[aria-label=履职概况]")
    expect(figures.locator(".van-grid-item", has_text="提出建议").locator(".figure")).to_have_text("12")
    phone.get_by_role("button", name="显示全部 12 件").click()
    expect(mine.locator(".van-cell")).to_have_count(12)
    expect(mine.get_by_text(titles[0])).to_be_visible()
    expect(phone.get_by_role("button", name="显示全部 12 件")).to_have_count(0)


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


def test_follow_a_suggestion_and_evaluate_the_reply_unsatisfied(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    suggestion = file_suggestion(client, deputy, unique("关于改造城关镇老旧小区供水管网的建议"))
    as_staff_accept_and_assign(client, suggestion["id"], department="edu", due_date="2027-03-01")
    acknowledged = client.post(f"/api/v1/suggestions/{suggestion['id']}/acknowledge", as_user="dept-edu")
    assert acknowledged.status_code == 200, acknowledged.text
    replied = client.post(f"/api/v1/suggestions/{suggestion['id']}/reply", as_user="dept-edu",
                          json={"category": "B", "content": "已列入明年改造计划，资金正在落实。"})
    assert replied.status_code == 200, replied.text
    edu = department_name(client, "edu")

    sign_in(phone, gateway, deputy)
    phone.locator("[aria-label=我的建议]").get_by_text(suggestion["title"]).click()
    expect(phone.get_by_role("heading", name=suggestion["title"])).to_be_visible()
    timeline = phone.locator("[aria-label=办理进程]")
    for step in ("提出建议", "立案", "交办", f"{edu}签收", f"{edu}答复"):
        expect(timeline.get_by_text(step, exact=True)).to_be_visible()
    expect(timeline.get_by_text(f"{edu}（主办，办理期限 2027/03/01）")).to_be_visible()
    expect(timeline.get_by_text("B类（正在解决或列入计划）：已列入明年改造计划，资金正在落实。")).to_be_visible()
    expect(timeline.get_by_text("人大工作人员 staff").first).to_be_visible()        # who, and when
    expect(timeline.get_by_text(f"代表 {deputy['name']}").first).to_be_visible()

    phone.get_by_role("radio", name="不满意").click()
    expect(phone.get_by_text("选择“不满意”后，建议将退回承办单位重新办理")).to_be_visible()
    phone.get_by_label("意见").fill("资金落实没有时间表。")
    phone.get_by_role("button", name="提交评价").click()
    expect(timeline.get_by_text("评价：不满意")).to_be_visible()
    expect(timeline.get_by_text("重新办理", exact=True)).to_be_visible()
    expect(timeline.get_by_text("新的办理期限")).to_be_visible()
    expect(phone.locator(".van-tag", has_text="重新办理")).to_be_visible()
    expect(phone.get_by_role("button", name="提交评价")).to_have_count(0)
    screenshot(phone, "mobile-suggestion-timeline.png")


def test_withdraw_a_suggestion_before_a_reply(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    suggestion = file_suggestion(client, deputy, unique("关于调整集市日期的建议"))

    sign_in(phone, gateway, deputy)
    phone.locator("[aria-label=我的建议]").get_by_text(suggestion["title"]).click()
    phone.get_by_role("button", name="撤回建议").click()
    dialog = phone.get_by_role("dialog").filter(has_text="撤回理由")
    dialog.get_by_role("button", name="确认撤回").click()
    expect(dialog.get_by_text("请填写撤回理由")).to_be_visible()
    dialog.get_by_label("撤回理由").fill("问题已由镇政府解决。")
    dialog.get_by_role("button", name="确认撤回").click()
    expect(phone.locator(".van-tag", has_text="已撤回")).to_be_visible()
    expect(phone.locator("[aria-label=办理进程]").get_by_text("理由：问题已由镇政府解决。")).to_be_visible()
    expect(phone.get_by_role("button", name="撤回建议")).to_have_count(0)
    assert client.get(f"/api/v1/suggestions/{suggestion['id']}", as_user="staff").json()["status"] == "withdrawn"


def test_notifications_open_the_suggestion_mark_read_and_mark_all_read(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    suggestion = file_suggestion(client, deputy, unique("关于加强农村饮水安全的建议"))
    as_staff_accept_and_assign(client, suggestion["id"])
    eventually(lambda: unread_notifications(client, deputy) == 2, 30, "accepted and assigned notifications")

    sign_in(phone, gateway, deputy)
    tab = phone.locator(".van-tabbar-item", has_text="消息")
    expect(tab.locator(".van-badge")).to_have_text("2")
    phone.get_by_role("tab", name="消息").click()
    items = phone.locator("[aria-label=消息列表] .van-cell")
    expect(items).to_have_count(2)
    expect(items.get_by_text("（未读）")).to_have_count(2)
    items.first.click()                                         # opens the suggestion it is about
    expect(phone.get_by_role("heading", name=suggestion["title"])).to_be_visible()
    expect(tab).to_have_count(0)                                # no tab bar on the detail page
    phone.go_back()
    expect(phone.locator(".van-tabbar-item", has_text="消息").locator(".van-badge")).to_have_text("1")
    expect(items.get_by_text("（未读）")).to_have_count(1)
    phone.get_by_role("button", name="全部已读").click()
    expect(items.get_by_text("（未读）")).to_have_count(0)
    expect(phone.locator(".van-tabbar-item", has_text="消息").locator(".van-badge")).to_have_count(0)
    assert unread_notifications(client, deputy) == 0
