"""A department clerk works in the console: finds new work in the inbox (role, due date, days
left, overdue highlighted; filtered and sorted on the server, the filter in the URL), signs for
it, asks for more time, replies A/B/C; returns work that is not theirs with a reason; and a
refusal of the server (409) is explained in Chinese."""
import datetime
import re

from playwright.sync_api import expect

from tests.browser.console import assigned, menu, post, sign_in


def inbox_row(page, title):
    return page.get_by_role("row").filter(has_text=title)


def sort_newest_first(page):
    page.get_by_label("排序").click(force=True)      # Element Plus lays the shown value over its input
    page.get_by_role("option", name="最新交办的在前").click()
    expect(page).to_have_url(re.compile(r"sort=-assigned_at"))


def test_a_clerk_signs_for_new_work_asks_for_time_and_replies(page, gateway, client):
    due = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    s = assigned(client, "edu", due_date=due)
    sign_in(page, gateway, "dept-edu")
    menu(page, "待办建议")
    sort_newest_first(page)
    row = inbox_row(page, s["title"])
    expect(row).to_contain_text("主办")
    expect(row).to_contain_text("待签收")
    expect(row).to_contain_text("新")
    expect(row).to_contain_text(due)
    expect(row).to_contain_text(re.compile(r"剩余 (39|40|41) 天"))

    page.get_by_text(s["title"]).click()
    expect(page.get_by_role("heading", name=s["title"])).to_be_visible()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("办理中")

    page.get_by_role("button", name="申请延期").click()
    dialog = page.get_by_role("dialog", name="申请延期")
    dialog.get_by_role("button", name="提交申请").click()
    expect(dialog.get_by_text("请写明延期理由")).to_be_visible()        # next to the field
    dialog.get_by_label("延期理由").fill("需要会同财政部门测算改造资金")
    dialog.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text(re.compile("延期申请待审批"))).to_be_visible()
    expect(page.get_by_test_id("assignment-status")).to_have_text("延期待批")

    post(client, f"/api/v1/suggestions/{s['id']}/extension/decision", "staff",
         {"department": "edu", "approved": True})
    page.reload()
    expect(page.get_by_text(re.compile("延期申请已批准"))).to_be_visible()   # the decision, seen by the clerk

    reply = page.get_by_role("form", name="答复代表")
    reply.get_by_role("button", name="提交答复").click()
    expect(reply.get_by_text("请选择答复类别")).to_be_visible()
    reply.get_by_text("B类（正在解决或列入计划）").click()
    reply.get_by_label("答复内容").fill("已将村小校舍改造列入明年教育专项计划，分两批实施。")
    reply.get_by_role("button", name="提交答复").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("已答复")
    expect(page.get_by_text("已将村小校舍改造列入明年教育专项计划，分两批实施。")).to_be_visible()


def test_a_clerk_returns_work_that_is_not_theirs_with_a_reason(page, gateway, client):
    s = assigned(client, "edu", role="co")
    sign_in(page, gateway, "dept-edu")
    page.goto(f"{gateway}/console/inbox?sort=-assigned_at")
    expect(inbox_row(page, s["title"])).to_contain_text("协办")
    expect(inbox_row(page, s["title"])).to_contain_text("剩余")
    page.get_by_text(s["title"]).click()
    page.get_by_role("button", name="退回").click()
    dialog = page.get_by_role("dialog", name="退回交办")
    dialog.get_by_label("退回理由").fill("校舍维修资金由镇政府统筹，不属于本单位职责")
    dialog.get_by_role("button", name="确认退回").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("已退回")
    expect(page.get_by_role("button", name="签收")).to_have_count(0)


def test_a_refusal_says_what_state_the_suggestion_is_in(page, gateway, client):
    s = assigned(client, "edu")
    sign_in(page, gateway, "dept-edu")
    page.goto(f"{gateway}/console/inbox/{s['id']}")
    expect(page.get_by_test_id("assignment-status")).to_have_text("待签收")
    post(client, f"/api/v1/suggestions/{s['id']}/acknowledge", "dept-edu")    # a colleague signed meanwhile
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_role("alert")).to_contain_text("本单位的交办件当前为「办理中」，不能签收")
    expect(page.get_by_test_id("assignment-status")).to_have_text("办理中")   # the page shows the new state
    expect(page.get_by_role("button", name="签收")).to_have_count(0)


def test_the_overdue_filter_is_kept_in_the_link(page, gateway, client):
    sign_in(page, gateway, "dept-edu")
    menu(page, "待办建议")
    page.get_by_text("只看逾期").click()
    expect(page).to_have_url(re.compile(r"overdue=1"))
    total = client.get("/api/v1/departments/edu/inbox", as_user="staff", params={"overdue": "true"}).json()["total"]
    expect(page.get_by_text(f"共 {total} 条")).to_be_visible()
    page.reload()
    expect(page.get_by_text(f"共 {total} 条")).to_be_visible()
    expect(page.get_by_role("checkbox", name="只看逾期")).to_be_checked()
    rows = page.locator(".overdue-row")
    expect(rows).to_have_count(min(total, 20))
    if total:
        expect(rows.first).to_contain_text("逾期")


def test_a_reply_lost_on_the_network_is_kept_and_sent_again(page, gateway, client):
    s = assigned(client, "edu")
    text = "已安排专项资金完成村小校舍改造，取暖设备已于本月配齐。"
    sign_in(page, gateway, "dept-edu")
    page.goto(f"{gateway}/console/inbox/{s['id']}")
    reply = page.get_by_role("form", name="答复代表")
    reply.get_by_text("A类（已解决或采纳）").click()
    reply.get_by_label("答复内容").fill(text)
    page.route("**/reply", lambda route: route.abort())             # the network drops the request
    reply.get_by_role("button", name="提交答复").click()
    expect(page.get_by_role("alert")).to_contain_text("网络连接失败，您填写的内容已保留")
    expect(reply.get_by_label("答复内容")).to_have_value(text)
    page.unroute("**/reply")
    page.get_by_role("button", name="重试").click()
    expect(page.get_by_test_id("assignment-status")).to_have_text("已答复")
    expect(page.get_by_text(text)).to_be_visible()
