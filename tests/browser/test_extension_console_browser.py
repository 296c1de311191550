"""Extension decisions and co-handlers' views: congress staff approve a department's extension
request with a new due date, or deny one, and each department sees the decision on its
assignment; a co-handler sends its views and the lead department reads them there."""
import datetime
import re

from playwright.sync_api import expect

from tests.browser.console import assigned, menu, post, sign_in


def asks_for_time(client, department, days, reason):
    s = assigned(client, department)
    due = datetime.date.fromisoformat(s["assignments"][0]["due_date"])
    wanted = (due + datetime.timedelta(days=days)).isoformat()
    post(client, f"/api/v1/suggestions/{s['id']}/extension", f"dept-{department}", {"reason": reason,
                                                                                     "due_date": wanted})
    return s, due, wanted


def test_staff_approve_one_extension_with_a_new_date_and_deny_another(page, gateway, client):
    approved, due, wanted = asks_for_time(client, "forestry", 40, "需要会同自然资源部门实地勘界")
    denied, denied_due, _ = asks_for_time(client, "forestry", 30, "人手紧张")
    granted = (due + datetime.timedelta(days=25)).isoformat()          # less than asked for

    sign_in(page, gateway, "staff")
    menu(page, "延期审批")
    page.get_by_label("承办单位").click(force=True)
    page.get_by_role("option", name="宁陕县林业局", exact=True).click()
    expect(page).to_have_url(re.compile("department=forestry"))
    row = page.get_by_role("row").filter(has_text=approved["number"])
    expect(row).to_contain_text(wanted)                                # what was asked, and why
    expect(row).to_contain_text("需要会同自然资源部门实地勘界")
    expect(row).to_contain_text(due.isoformat())
    row.get_by_role("button", name="批准", exact=True).click()
    dialog = page.get_by_role("dialog", name="批准延期")
    date_field = dialog.get_by_label("新的办理期限")
    expect(date_field).to_have_value(wanted)                           # the wanted date, to be changed
    date_field.fill(granted)
    date_field.press("Enter")
    expect(date_field).to_have_value(granted)
    dialog.get_by_role("button", name="确认批准").click()
    expect(page.get_by_text(f"已批准 林业局 延期至 {granted}（{approved['number']}）")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=approved["number"])).to_have_count(0)   # decided: gone

    other = page.get_by_role("row").filter(has_text=denied["number"])
    other.get_by_role("button", name="不批准", exact=True).click()
    page.get_by_role("dialog", name="不予批准").get_by_role("button", name="不予批准").click()
    expect(page.get_by_text(f"已不予批准 林业局 的延期申请（{denied['number']}）")).to_be_visible()
    expect(other).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, gateway, "dept-forestry")
    page.goto(f"{gateway}/console/inbox/{approved['id']}")
    expect(page.get_by_test_id("extension-decision")).to_contain_text(f"延期申请已批准：办理期限延至 {granted}")
    page.goto(f"{gateway}/console/inbox/{denied['id']}")
    expect(page.get_by_test_id("extension-decision")).to_contain_text(
        f"延期申请未获批准：办理期限仍为 {denied_due.isoformat()}")
    lead = [a for a in client.get(f"/api/v1/suggestions/{approved['id']}", as_user="staff").json()["assignments"]]
    assert lead[0]["due_date"] == granted and lead[0]["extension_status"] == "approved"


def test_the_lead_department_reads_the_co_handlers_views(page, gateway, client):
    s = assigned(client, "veterans", role="co", lead="civil")
    sign_in(page, gateway, "dept-veterans")
    page.goto(f"{gateway}/console/inbox/{s['id']}")
    page.get_by_label("协办意见").fill("退役军人服务站可提供场地，建议民政局牵头统筹。")
    page.get_by_role("button", name="提交协办意见").click()
    expect(page.get_by_text("本单位协办意见：退役军人服务站可提供场地，建议民政局牵头统筹。")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, gateway, "dept-civil")
    page.goto(f"{gateway}/console/inbox/{s['id']}")
    views = page.get_by_role("region", name="退役军人事务局的协办意见")
    expect(views).to_contain_text("退役军人服务站可提供场地，建议民政局牵头统筹。")
    expect(views).to_contain_text("协办")
    expect(page.get_by_role("form", name="答复代表")).to_be_visible()     # the lead answers with them in mind
