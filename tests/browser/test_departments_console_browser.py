"""Congress staff keep the county departments suggestions are assigned to (承办单位): add one
(its message queue is opened first), are told a name is missing, and switch the new one off
(停用: no new assignments, no routing proposals), and give its staff a sign-in."""
import uuid

import requests

from playwright.sync_api import expect

from tests.browser.console import menu, sign_in
from tests.browser.mobile_deputies import screenshot

# adding a department declares its queue and AMQP user before the row commits: on a loaded
# two-core machine that is more than Playwright's 5 s default. A bound, not a speed test.
WAIT = 30_000


def department(client, code):
    return next((d for d in client.get("/api/v1/departments").json()["items"] if d["code"] == code), None)


def test_staff_add_a_department_give_it_a_sign_in_and_switch_it_off(page, gateway, client):
    code = "t" + uuid.uuid4().hex[:6]       # a department only this story adds (lower-case hex)
    sign_in(page, gateway, "staff")
    menu(page, "承办单位")
    expect(page.get_by_role("heading", name="承办单位")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="edu").first).to_be_visible()     # the demo's departments

    page.get_by_role("button", name="新增承办单位").click()
    dialog = page.get_by_role("dialog", name="新增承办单位")
    dialog.get_by_label("代码").fill(code)
    dialog.get_by_role("button", name="保存").click()
    name_item = dialog.locator(".el-form-item", has=page.locator("#department-name"))
    expect(name_item).to_contain_text("请填写名称")              # said next to the field, nothing saved
    assert department(client, code) is None

    dialog.get_by_label("名称").fill("测试局")
    dialog.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已新增承办单位，消息队列已开通")).to_be_visible(timeout=WAIT)
    row = page.get_by_role("row").filter(has_text=code)
    expect(row).to_contain_text("测试局")
    expect(row.locator(".el-tag")).to_have_text("启用")
    saved = department(client, code)
    assert saved["name"] == "测试局" and saved["active"] is True

    row.get_by_role("button", name="开通登录").click()          # a sign-in for its staff, shown once
    page.get_by_role("button", name="开通", exact=True).click()
    shown = page.get_by_role("dialog", name="登录已开通")
    expect(shown).to_contain_text(f"dept-{code}")
    password = shown.get_by_test_id("initial-password").inner_text().strip()
    answer = requests.post(f"{gateway}/api/v1/auth/token", json={"username": f"dept-{code}", "password": password},
                           timeout=15)
    assert answer.status_code == 200 and answer.json()["role"] == "department", answer.text
    shown.get_by_role("button", name="我已记下，关闭").click()
    expect(shown).to_be_hidden()

    row.get_by_role("button", name="编辑").click()
    edit = page.get_by_role("dialog", name="编辑承办单位")
    expect(edit.get_by_label("代码")).to_have_value(code)
    expect(edit.get_by_label("代码")).to_be_disabled()              # a code is never changed
    expect(edit.get_by_label("名称")).to_have_value("测试局")
    edit.locator(".el-switch").click()            # the switch (its input is visually hidden)
    expect(edit.get_by_role("switch")).not_to_be_checked()
    edit.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存", exact=True)).to_be_visible(timeout=WAIT)
    expect(row.locator(".el-tag")).to_have_text("停用")
    after = department(client, code)
    assert after["active"] is False and after["version"] > saved["version"]
    expect(row.get_by_role("cell").nth(4)).to_have_text(str(after["version"]))       # 版本
    screenshot(page, "console-departments.png")
