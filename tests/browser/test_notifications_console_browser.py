"""The staff's inbox in the console (1440×900): a treasury file with a large payment raises a
budget alert; staff see the unread badge on 消息, find the alert's notice there, follow its
link to the alert's own page, come back and mark the notice read, and the badge goes down."""
import re
import uuid

from playwright.sync_api import expect

from tests.browser.console import menu, sign_in
from tests.browser.mobile_deputies import screenshot
from tests.support.platform import eventually

# a committed import runs the rules, then the alert's event reaches the deputy service: on a
# loaded two-core machine that is more than Playwright's 5 s default. A bound, not a speed test.
WAIT = 30_000
HEADER = "voucher_no,pay_date,unit_code,func_code,econ_code,project_code,line_ref,payee_name,payee_account," \
         "payee_type,amount,memo\n"


def raised_alert(client):
    """A new large-payment alert (its own voucher), once it is in the staff's inbox: (alert, notice)."""
    voucher = f"N{uuid.uuid4().hex[:8].upper()}"
    text = HEADER + f"{voucher},2026-11-20,108002,2130301,31005,,,陕西秦岭水利建设工程有限公司,6105001,unit," \
                    f"\"830,000.00\",工程款\n"

    def upload():   # a 504 while the platform warms up: the same file again is the same import
        response = client.post("/api/v1/budget/imports", as_user="staff", data={"kind": "payments", "year": "2026"},
                               files={"file": ("notice.csv", text.encode(), "text/csv")})
        assert response.status_code in (202, 504), response.text
        return response.json() if response.status_code == 202 else None
    eventually(upload, 60, "the import accepted")
    alert = eventually(lambda: next((a for a in client.get(
        "/api/v1/budget/alerts", as_user="staff", params={"rule": "large_payment", "unit": "108002"}).json()["items"]
        if a["subject"] == voucher), None), 90, "the large payment's alert")
    # the payment may raise another alert (超指标支付) in the same transaction, and the demo's
    # alerts reach the inbox from the platform's start: wait for the notices of every alert, so
    # that the unread count no longer moves while the story runs
    raised = {str(a["id"]) for a in client.get(
        "/api/v1/budget/alerts", as_user="staff", params={"limit": 1000}).json()["items"]}

    def inbox():
        items = client.get("/api/v1/me/notifications", as_user="staff", params={"limit": 200}).json()["items"]
        assert len(items) < 200, "more notices than one page: the story expects a fresh platform"
        return items if raised <= {n["alert_id"] for n in items} else None
    notice = next(n for n in eventually(inbox, 60, "the alerts in the staff's inbox")
                  if n["alert_id"] == str(alert["id"]))
    return alert, notice


def badge(page):
    return page.get_by_role("menubar", name="主菜单").get_by_label(re.compile(r"^\d+ 条未读$"))


def test_staff_follow_a_budget_alert_from_the_inbox_and_mark_it_read(page, gateway, client):
    alert, notice = raised_alert(client)
    assert notice["read"] is False and notice["subject"].startswith("预算执行预警")
    before = client.get("/api/v1/me/notifications", as_user="staff", params={"unread": "true", "limit": 1}).json()
    before = before["unread"]

    sign_in(page, gateway, "staff")
    expect(badge(page)).to_have_attribute("aria-label", f"{before} 条未读", timeout=WAIT)
    menu(page, "消息")
    expect(page.get_by_role("heading", name="消息")).to_be_visible()
    row = page.get_by_label("消息列表").get_by_role("row").filter(has_text=f"预警编号 {alert['id']}")
    expect(row.locator(".el-tag")).to_have_text("未读", timeout=WAIT)
    expect(row).to_contain_text(notice["subject"])
    screenshot(page, "console-notifications.png")

    row.get_by_role("link", name=f"查看预警 {alert['id']}").click()
    expect(page).to_have_url(re.compile(rf"/console/budget/alerts/{alert['id']}$"))
    expect(page.get_by_role("heading", name=re.compile("大额支付"))).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(alert["message"]).first).to_be_visible(timeout=WAIT)

    page.go_back()
    row.get_by_role("button", name="标为已读").click()
    expect(row.locator(".el-tag")).to_have_text("已读", timeout=WAIT)
    expect(row.get_by_role("button", name="标为已读")).to_have_count(0)
    if before > 1:
        expect(badge(page)).to_have_attribute("aria-label", f"{before - 1} 条未读", timeout=WAIT)
    else:
        expect(badge(page)).to_have_count(0, timeout=WAIT)
    assert next(n for n in client.get("/api/v1/me/notifications", as_user="staff", params={"limit": 200}).json()["items"]
                if n["id"] == notice["id"])["read"] is True
