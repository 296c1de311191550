"""Story 1 of the deputies' phone app: the first sign-in with the initial password staff
issued asks for a new one; throttling says when to try again."""
import json

from playwright.sync_api import expect

from tests.browser.mobile_deputies import new_deputy


def test_first_sign_in_with_the_initial_password_asks_for_a_new_one(phone, gateway, client):
    deputy = new_deputy(client)
    phone.goto(f"{gateway}/m/")
    phone.get_by_label("代表编号").fill(deputy["id"])
    phone.get_by_label("密码").fill(deputy["initial_password"])
    phone.get_by_role("button", name="登录").click()

    expect(phone.get_by_text("您正在使用工作人员发放的初始密码，请先设置自己的新密码。")).to_be_visible()
    phone.goto(f"{gateway}/m/")                                   # no way round it
    expect(phone.get_by_text("设置新密码").first).to_be_visible()

    phone.get_by_label("初始密码").fill(deputy["initial_password"])
    phone.get_by_label("新密码", exact=True).fill("short")
    phone.get_by_label("确认新密码").fill("short")
    phone.get_by_role("button", name="保存新密码").click()
    expect(phone.get_by_text("至少 10 个字节（一个汉字 3 个字节）")).to_be_visible()   # next to the field

    phone.get_by_label("新密码", exact=True).fill("my-phone-passphrase")
    phone.get_by_label("确认新密码").fill("my-phone-passphrase-x")
    phone.get_by_role("button", name="保存新密码").click()
    expect(phone.get_by_text("两次输入的新密码不一致")).to_be_visible()

    phone.get_by_label("确认新密码").fill("my-phone-passphrase")
    phone.get_by_role("button", name="保存新密码").click()
    # changed (every session of the account ends), then signed in again with the new one: two bcrypt checks
    expect(phone.get_by_role("heading", name="我的建议")).to_be_visible(timeout=20_000)
    expect(phone.get_by_text(deputy["name"])).to_be_visible()

    phone.reload()
    expect(phone.get_by_role("heading", name="我的建议")).to_be_visible()   # no longer asked
    phone.get_by_role("button", name="退出登录").click()
    phone.get_by_label("代表编号").fill(deputy["id"])
    phone.get_by_label("密码").fill("my-phone-passphrase")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("heading", name="我的建议")).to_be_visible()


def test_throttled_sign_in_says_when_to_try_again(phone, gateway):
    # The gateway's real throttling (5 failures per account, 20 per address) is covered by the
    # e2e tests; a real one here would spend the run's per-address budget. The page gets the
    # gateway's exact 429 answer instead.
    answer = {"error": {"code": "RATE_LIMITED", "message": "too many failed sign-ins: try again later",
                        "details": {"retry_after_seconds": 90}}}
    phone.route("**/api/v1/auth/session", lambda route: route.fulfill(
        status=429, headers={"Retry-After": "90", "Content-Type": "application/json"}, body=json.dumps(answer)))
    phone.goto(f"{gateway}/m/")
    phone.get_by_label("代表编号").fill("D0003")
    phone.get_by_label("密码").fill("whatever")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_contain_text("登录失败次数过多，请 90 秒后（北京时间")
    expect(phone.get_by_role("button", name="登录（")).to_be_disabled()
