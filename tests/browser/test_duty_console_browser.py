"""Congress staff at the console (1440×900): record an inspection for a deputy, found by
name, and see the year's ranking by town, where the deputy's points show."""
import datetime
import re
import uuid

from playwright.sync_api import expect

from tests.browser.console import menu, sign_in
from tests.support.platform import eventually, new_deputy_payload

TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()


def test_staff_record_an_activity_and_read_the_rankings(page, gateway, client):
    name = "履职" + uuid.uuid4().hex[:4].upper()
    payload, key = new_deputy_payload(name=name, town="城关镇", level="town"), uuid.uuid4().hex

    def register():   # a loaded machine may answer 504 while the platform warms up; the key makes a retry safe
        response = client.post("/api/v1/deputies", as_user="staff", json=payload, headers={"Idempotency-Key": key})
        assert response.status_code in (201, 504), response.text
        return response.json() if response.status_code == 201 else None
    code = eventually(register, timeout=60, what="deputy registered")["id"]
    title = f"调研城关镇养老服务（{uuid.uuid4().hex[:4]}）"

    sign_in(page, gateway, "staff")
    menu(page, "履职活动登记")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".el-form-item__error").first).to_be_visible()      # nothing filled: fields named
    page.get_by_label("活动类型").click(force=True)
    page.get_by_role("option", name="调研").click()
    page.get_by_label("活动名称").fill(title)
    page.get_by_role("combobox", name="日期").fill(TODAY.isoformat())
    page.get_by_role("combobox", name="日期").press("Enter")
    page.get_by_label("参加代表").fill(name)
    page.get_by_role("option", name=re.compile(name)).click()
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_text(f"已登记：{title}（1 名代表）")).to_be_visible()
    recent = page.locator("[aria-label=最近登记的履职活动]")
    expect(recent.get_by_role("row").filter(has_text=title)).to_contain_text("调研")

    menu(page, "履职积分排名")
    page.get_by_label("乡镇").click(force=True)
    page.get_by_role("option", name="城关镇").click()
    expect(page).to_have_url(re.compile("town="))
    row = page.get_by_role("row").filter(has_text=code)     # 63 points: near the top of the town
    expect(row).to_contain_text("63")                                       # 60 + research 3
    expect(row).to_contain_text("合格")
    expect(row).to_contain_text("不足2次")
    page.screenshot(path="test-results/console-duty-rankings.png", full_page=True)
