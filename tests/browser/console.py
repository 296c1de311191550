"""Shared steps of the console's browser stories: data made through the API (each test its own
suggestions, so tests in one run never see each other's changes) and signing in by typing."""
import uuid

from playwright.sync_api import expect

from tests.support.platform import eventually

DESK = {"width": 1440, "height": 900}
DEPUTY = "D0611"     # files the console tests' suggestions; no other test uses this deputy


def sign_in(page, gateway, username, password="demo"):
    page.set_viewport_size(DESK)
    page.goto(f"{gateway}/console/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # signing in hashes the password (bcrypt): slow on a loaded machine, so a longer wait
    expect(page.get_by_role("heading", name=f"欢迎，{username}")).to_be_visible(timeout=20_000)


def menu(page, title):
    page.get_by_role("menubar", name="主菜单").get_by_text(title).click()


def post(client, path, as_user, json=None, status=200):
    response = client.post(path, as_user=as_user, json=json or {})
    assert response.status_code == status, (path, response.status_code, response.text)
    return response.json()


def filed(client, title=None, content=None, category="教育", deputy=DEPUTY):
    """A new suggestion filed by a deputy (waits until the suggestion service knows the deputy)."""
    payload = {"title": title or f"关于改善乡村学校校舍条件的建议{uuid.uuid4().hex[:6]}",
               "content": content or "部分村小校舍年久失修，冬季取暖设施不足，建议教育局安排专项资金改造校舍、配齐取暖设备。",
               "category": category}

    def file_once():
        response = client.post("/api/v1/suggestions", as_user=deputy, json=payload)
        return response.json() if response.status_code == 201 else None

    return eventually(file_once, timeout=30, what=f"filing as {deputy}")


def assigned(client, department="edu", role="lead", due_date=None, lead="transport", **overrides):
    """Filed, accepted and assigned to ``department`` as ``role`` (a co-handler with ``lead``)."""
    s = filed(client, **overrides)
    post(client, f"/api/v1/suggestions/{s['id']}/review", "staff", {"decision": "accept"})
    body = {"assignments": [{"department": department, "role": role}]}
    if role == "co":
        body["assignments"].insert(0, {"department": lead, "role": "lead"})
    if due_date:
        body["due_date"] = due_date
    return post(client, f"/api/v1/suggestions/{s['id']}/assign", "staff", body)
