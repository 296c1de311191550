"""Congress staff keep the deputies' roster: search by name, filter by level and town, edit a
deputy while someone else changes the same deputy (the conflict shown, the typed values kept),
and give a deputy a sign-in whose initial password is shown once."""
import re
import uuid

import requests
from playwright.sync_api import expect

from tests.browser.console import menu, sign_in
from tests.support.platform import new_deputy_payload


def test_staff_find_edit_and_give_a_deputy_a_sign_in(page, gateway, client):
    name = "名册" + uuid.uuid4().hex[:6]
    created = client.post("/api/v1/deputies", as_user="staff",
                          json=new_deputy_payload(name=name, town="城关镇", occupation="教师")).json()
    code = created["code"]
    sign_in(page, gateway, "staff")
    menu(page, "代表名册")
    page.get_by_label("姓名").fill(name)
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile("q="))
    row = page.get_by_role("row").filter(has_text=code)
    expect(row).to_contain_text("镇人大代表")
    expect(row).to_contain_text("城关镇")
    page.get_by_label("层级").click(force=True)
    page.get_by_role("option", name="县人大代表").click()
    expect(page).to_have_url(re.compile("level=county"))
    expect(page.get_by_text("没有符合条件的代表")).to_be_visible()         # a town deputy is not a county one
    page.goto(f"{gateway}/console/deputies?q={name}&level=town&town=城关镇")
    expect(row).to_be_visible()

    row.get_by_role("button", name="编辑").click()
    dialog = page.get_by_role("dialog", name=f"编辑代表 {code}")
    dialog.get_by_label("职业").fill("小学校长")
    client.patch(f"/api/v1/deputies/{code}", as_user="staff", json={"occupation": "退休教师"})   # someone else, meanwhile
    dialog.get_by_role("button", name="保存").click()
    expect(dialog.get_by_role("alert")).to_contain_text("其他人已修改")
    expect(dialog.get_by_role("status")).to_contain_text("职业 退休教师")
    expect(dialog.get_by_label("职业")).to_have_value("小学校长")          # what was typed is kept
    dialog.get_by_role("button", name="保存").click()
    expect(row).to_contain_text("小学校长")

    row.get_by_role("button", name="开通登录").click()
    page.get_by_role("button", name="开通", exact=True).click()
    shown = page.get_by_role("dialog", name="登录已开通")
    expect(shown).to_contain_text(code)
    password = shown.get_by_test_id("initial-password").inner_text().strip()
    assert len(password) >= 10
    answer = requests.post(f"{gateway}/api/v1/auth/token", json={"username": code, "password": password}, timeout=15)
    assert answer.status_code == 200, answer.text                      # the shown password signs in
    shown.get_by_role("button", name="我已记下，关闭").click()
    expect(shown).to_be_hidden()
    expect(page.get_by_text(password)).to_have_count(0)                # shown once


def test_staff_register_a_deputy_and_record_them_as_left_office(page, gateway, client):
    name = "新登" + uuid.uuid4().hex[:4]
    phone = "137" + str(uuid.uuid4().int % 10**8).zfill(8)
    sign_in(page, gateway, "staff")
    menu(page, "代表名册")
    page.get_by_role("button", name="登记新代表").click()
    dialog = page.get_by_role("dialog", name="登记新代表")
    dialog.get_by_role("button", name="登记").click()
    expect(dialog.get_by_text("请填写姓名")).to_be_visible()               # next to the field, nothing sent
    dialog.get_by_label("姓名").fill(name)
    dialog.get_by_role("radio", name="女").check(force=True)
    dialog.get_by_label("出生年份").fill("1986")
    dialog.get_by_role("combobox", name="乡镇").click(force=True)
    page.get_by_role("option", name="城关镇", exact=True).filter(visible=True).click()
    dialog.get_by_label("职业").fill("乡村医生")
    dialog.get_by_label("电话").fill(phone)
    dialog.get_by_role("button", name="登记").click()
    expect(page.get_by_text(re.compile(f"已登记代表 {name}（[A-Z][0-9]+）"))).to_be_visible()
    expect(page).to_have_url(re.compile("q="))
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("乡村医生")
    expect(row).to_contain_text(phone)
    code = client.get("/api/v1/deputies", as_user="staff", params={"q": name}).json()["items"][0]["code"]

    row.get_by_role("button", name="离任").click()
    confirm = page.get_by_role("dialog", name="登记离任")
    expect(confirm).to_be_visible()
    # someone else saves while the confirmation is open (the page acts on the row it showed)
    client.patch(f"/api/v1/deputies/{code}", as_user="staff", json={"occupation": "村医"})
    confirm.get_by_role("button", name="确认离任").click()
    expect(page.get_by_role("alert").filter(has_text="其他人已修改")).to_be_visible()  # explained, roster reloaded
    expect(row).to_contain_text("村医")
    expect(row).to_contain_text("在任")
    row.get_by_role("button", name="离任").click()
    page.get_by_role("dialog", name="登记离任").get_by_role("button", name="确认离任").click()
    expect(row).to_contain_text("已离任")
    expect(row.get_by_role("button", name="开通登录")).to_be_disabled()
    assert client.get(f"/api/v1/deputies/{code}", as_user="staff").json()["status"] == "inactive"
