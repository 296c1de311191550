"""Signing in from a browser: the deputies' phone app and the staff console use the
httpOnly session cookie, never a token kept in page storage."""
from playwright.sync_api import expect


def no_token_in_page_storage(page):
    return page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_a_deputy_signs_in_on_the_phone(phone, gateway):
    phone.goto(f"{gateway}/m/")
    expect(phone.get_by_text("代表登录")).to_be_visible()          # not signed in: the sign-in page
    phone.get_by_label("代表编号").fill("D0001")
    phone.get_by_label("密码").fill("not-the-password")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_have_text("用户名或密码不正确")

    phone.get_by_label("密码").fill("demo")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_text("人大代表")).to_be_visible()
    expect(phone.get_by_text("D0001")).to_be_visible()
    session = [c for c in phone.context.cookies() if c["name"].startswith("renda")]
    assert session and all(c["httpOnly"] and c["sameSite"] == "Strict" for c in session), session
    assert no_token_in_page_storage(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")   # no sideways scroll

    phone.reload()                                                  # the session survives a reload
    expect(phone.get_by_text("人大代表")).to_be_visible()
    phone.get_by_role("button", name="退出登录").click()
    expect(phone.get_by_text("代表登录")).to_be_visible()
    phone.goto(f"{gateway}/m/")
    expect(phone.get_by_text("代表登录")).to_be_visible()           # signed out for real


def test_staff_sign_in_to_the_console(page, gateway):
    page.goto(f"{gateway}/console/")
    expect(page.get_by_role("heading", name="智慧人大 · 工作台登录")).to_be_visible()
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="欢迎，staff")).to_be_visible()
    expect(page.get_by_role("menubar", name="主菜单").get_by_text("首页")).to_be_visible()
    assert no_token_in_page_storage(page)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="智慧人大 · 工作台登录")).to_be_visible()


def test_the_landing_page_links_the_apps(page, gateway):
    page.goto(gateway + "/")
    nav = page.get_by_role("navigation", name="入口")
    expect(nav.get_by_role("link", name="代表履职（手机）")).to_have_attribute("href", "/m/")
    expect(nav.get_by_role("link", name="工作台")).to_have_attribute("href", "/console/")
