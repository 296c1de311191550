"""Story 8 of the deputies' phone app (390×844): my profile as the public sees it, my contact
data that only I see, and changing my password from there."""
import uuid

import requests
from playwright.sync_api import expect

from tests.browser.mobile_deputies import OWN_PASSWORD, bearer, new_deputy, screenshot, sign_in, with_own_password

NEW_PASSWORD = "profile-story-new-passphrase"


def test_a_deputy_sees_the_public_profile_and_private_contact_and_changes_the_password(phone, gateway, client):
    email = f"daibiao{uuid.uuid4().hex[:6]}@example.cn"
    deputy = with_own_password(client, new_deputy(client, email=email, occupation="小学教师", ethnicity="回族"))
    own = requests.get(f"{gateway}/api/v1/deputies/{deputy['id']}", timeout=10,
                       headers=bearer(client, deputy["id"], deputy["password"])).json()
    phone_number = own["phone"]
    public = client.get(f"/api/v1/deputies/{deputy['id']}").json()    # what the public gets
    assert "phone" not in public and "email" not in public

    sign_in(phone, gateway, deputy)
    phone.get_by_role("tab", name="我的").click()
    shown = phone.locator("[aria-label=公开资料]")
    expect(shown.locator(".van-cell", has_text="姓名")).to_contain_text(deputy["name"])
    expect(shown.locator(".van-cell", has_text="职业")).to_contain_text("小学教师")
    expect(shown.locator(".van-cell", has_text="民族")).to_contain_text("回族")
    expect(shown.locator(".van-cell", has_text="代表层级")).to_contain_text("乡镇人大代表")
    expect(shown.locator(".van-cell", has_text="届次")).to_contain_text("第19届")
    expect(shown.locator(".van-cell", has_text="联络站")).not_to_contain_text("ST-000")   # the station's name
    # exactly the public's fields, and nothing of my contact data among them
    expect(shown.locator(".van-cell")).to_have_count(len([k for k in public if k not in ("id", "version")]))
    expect(shown).not_to_contain_text(phone_number)
    expect(shown).not_to_contain_text(email)

    contact = phone.locator("[aria-label=联系方式]")
    expect(contact.locator(".van-cell", has_text="手机")).to_contain_text(phone_number)
    expect(contact.locator(".van-cell", has_text="电子邮箱")).to_contain_text(email)
    expect(phone.get_by_text("只有您本人和人大工作人员能看到")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "mobile-profile.png")

    phone.get_by_text("修改密码").click()
    phone.get_by_label("当前密码").fill(OWN_PASSWORD)
    phone.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("确认新密码").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="保存新密码").click()
    # the server checks the current password and hashes the new one (bcrypt: slow by design)
    expect(phone.get_by_text("新密码已保存")).to_be_visible(timeout=20_000)
    expect(phone.locator("[aria-label=公开资料]")).to_be_visible()          # back on my profile
    old = requests.post(f"{gateway}/api/v1/auth/token", timeout=10,
                        json={"username": deputy["id"], "password": OWN_PASSWORD})
    assert old.status_code == 401
    assert bearer(client, deputy["id"], NEW_PASSWORD)                     # the new one signs in


def test_a_wrong_current_password_is_said_next_to_the_field(phone, gateway, client):
    deputy = with_own_password(client, new_deputy(client))
    sign_in(phone, gateway, deputy)
    phone.get_by_role("tab", name="我的").click()
    phone.get_by_text("修改密码").click()
    phone.get_by_label("当前密码").fill("not-my-password-at-all")
    phone.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    phone.get_by_label("确认新密码").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="保存新密码").click()
    field = phone.locator(".van-field", has=phone.get_by_label("当前密码"))
    expect(field.locator(".van-field__error-message")).to_be_visible(timeout=20_000)
    expect(phone.get_by_role("heading", name="公开资料")).to_have_count(0)   # still on the password page
    assert bearer(client, deputy["id"], OWN_PASSWORD)                     # unchanged
