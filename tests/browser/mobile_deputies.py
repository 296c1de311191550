"""Deputies of the mobile-app stories, each created by the test through the API (so that no
other test's data is changed): registered by staff, given a sign-in, and, unless the story is
the first sign-in itself, with a password of their own."""
import os
import pathlib
import uuid

import requests

from tests.support.platform import eventually, new_deputy_payload

OWN_PASSWORD = "phone-story-passphrase"
ROOT = pathlib.Path(__file__).resolve().parents[2]
# A test run keeps its screenshots with the other test output; to refresh the committed ones
# (docs/screenshots, shown in web/README.md): RENDA_SCREENSHOTS_DIR=docs/screenshots make test-browser
SCREENSHOTS = ROOT / os.environ.get("RENDA_SCREENSHOTS_DIR", "test-results/screenshots")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def new_deputy(client, name=None, town="城关镇", level="town", **fields):
    """{id, name, password, initial_password} of a fresh deputy with a sign-in (``fields``:
    more of the deputy's registration, e.g. email, occupation)."""
    name = name or "移动" + uuid.uuid4().hex[:4].upper()
    created = client.post("/api/v1/deputies", as_user="staff",
                          json=new_deputy_payload(name=name, town=town, level=level, **fields))
    assert created.status_code == 201, created.text
    code = created.json()["id"]
    issued = client.post(f"/api/v1/deputies/{code}/account", as_user="staff")
    assert issued.status_code == 200, issued.text
    return {"id": code, "name": name, "password": issued.json()["initial_password"],
            "initial_password": issued.json()["initial_password"]}


def with_own_password(client, deputy):
    """The deputy chose their own password (no first-sign-in page)."""
    token = bearer(client, deputy["id"], deputy["password"])
    changed = requests.post(f"{client.base_url}/api/v1/me/password", timeout=10, headers=token,
                            json={"current_password": deputy["password"], "new_password": OWN_PASSWORD})
    assert changed.status_code == 200, changed.text
    deputy["password"] = OWN_PASSWORD
    return deputy


def bearer(client, username, password):
    answer = requests.post(f"{client.base_url}/api/v1/auth/token", timeout=10,
                           json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def file_suggestion(client, deputy, title, **extra):
    """A suggestion of ``deputy`` filed through the API (retried while the suggestion service
    has not yet heard of the new deputy: 422 naming the deputy)."""
    headers = {**bearer(client, deputy["id"], deputy["password"]), "Idempotency-Key": uuid.uuid4().hex}
    payload = {"title": title, "content": "建议内容：" + title + "，请有关部门研究办理。", "category": "教育", **extra}

    def filed():
        answer = requests.post(f"{client.base_url}/api/v1/suggestions", json=payload, headers=headers, timeout=10)
        assert answer.status_code in (201, 422), answer.text
        return answer.json() if answer.status_code == 201 else None
    return eventually(filed, 30, "the new deputy's suggestion filed")


def sign_in(phone, gateway, deputy):
    from playwright.sync_api import expect
    phone.goto(f"{gateway}/m/")
    phone.get_by_label("代表编号").fill(deputy["id"])
    phone.get_by_label("密码").fill(deputy["password"])
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("heading", name="我的建议")).to_be_visible(timeout=10_000)


def as_staff_accept_and_assign(client, suggestion_id, department="edu", due_date="2027-03-01"):
    accepted = client.post(f"/api/v1/suggestions/{suggestion_id}/review", as_user="staff", json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    assigned = client.post(f"/api/v1/suggestions/{suggestion_id}/assign", as_user="staff",
                           json={"assignments": [{"department": department, "role": "lead"}], "due_date": due_date})
    assert assigned.status_code == 200, assigned.text
    return assigned.json()


def unread_notifications(client, deputy):
    answer = requests.get(f"{client.base_url}/api/v1/me/notifications", timeout=10,
                          headers=bearer(client, deputy["id"], deputy["password"]))
    assert answer.status_code == 200, answer.text
    return answer.json()["unread"]


def department_name(client, code):
    return next(d["name"] for d in client.get("/api/v1/departments").json()["items"] if d["code"] == code)


def settled(call, status, what):
    """The answer of ``call`` once it has ``status`` (a loaded 2-core machine may answer 504
    while the platform warms up; writes carry an Idempotency-Key, so a retry is safe)."""
    def once():
        response = call()
        assert response.status_code in (status, 504), response.text
        return response if response.status_code == status else None
    return eventually(once, timeout=60, what=what).json()
