"""A deputy registered through the API gets a sign-in from staff (username = deputy code, an
initial password shown once) and with it files a suggestion; again = a password reset."""
import uuid

import requests

from tests.e2e.conftest import assert_json_error
from tests.support.platform import eventually, new_deputy_payload


def sign_in(client, username, password):
    return client.session.post(f"{client.base_url}/api/v1/auth/token",
                               json={"username": username, "password": password}, timeout=10)


def test_staff_give_a_new_deputy_a_sign_in_and_the_deputy_files_a_suggestion(client):
    created = client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(name="新任代表"))
    assert created.status_code == 201, created.text
    code = created.json()["id"]
    assert_json_error(sign_in(client, code, "demo"), 401)  # no sign-in until staff give one

    issued = client.post(f"/api/v1/deputies/{code}/account", as_user="staff")
    assert issued.status_code == 200, issued.text
    first = issued.json()
    assert first["username"] == code and first["role"] == "deputy" and len(first["initial_password"]) >= 12
    token = sign_in(client, code, first["initial_password"])
    assert token.status_code == 200 and token.json()["subject"] == code and token.json()["role"] == "deputy"
    me = client.session.get(f"{client.base_url}/api/v1/me", timeout=10,
                            headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["must_change_password"] is True   # the initial password is to be replaced

    # The suggestion service learns of the new deputy by event; the same Idempotency-Key makes
    # the retries while it has not yet (422 naming the deputy) file one suggestion.
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Idempotency-Key": uuid.uuid4().hex}
    payload = {"title": "关于新建村级文化广场的建议", "content": "建议在城关镇新建一处村级文化广场，方便群众开展文体活动。",
               "category": "教育", "session": 3}

    def file_suggestion():
        answer = client.session.post(f"{client.base_url}/api/v1/suggestions", json=payload, headers=headers,
                                     timeout=10)
        assert answer.status_code in (201, 422), answer.text
        return answer if answer.status_code == 201 else None
    filed = eventually(file_suggestion, 30, "the new deputy's suggestion filed").json()
    assert filed["lead_deputy"] == code and filed["status"] == "submitted"

    # Again: a reset. The old password stops working, the new one works.
    second = client.post(f"/api/v1/deputies/{code}/account", as_user="staff").json()
    assert second["initial_password"] != first["initial_password"]
    assert_json_error(sign_in(client, code, first["initial_password"]), 401)
    assert sign_in(client, code, second["initial_password"]).status_code == 200

    # The deputy then chooses their own password.
    own = {"Authorization": f"Bearer {sign_in(client, code, second['initial_password']).json()['access_token']}"}

    def change(current, new):
        return client.session.post(f"{client.base_url}/api/v1/me/password", headers=own, timeout=10,
                                   json={"current_password": current, "new_password": new})
    assert "current_password" in assert_json_error(change("wrong-password", "my-own-passphrase"), 400,
                                                   "VALIDATION_ERROR")["details"]
    assert "new_password" in assert_json_error(change(second["initial_password"], "short"), 400)["details"]
    changed = change(second["initial_password"], "my-own-passphrase")
    assert changed.status_code == 200, changed.text
    assert_json_error(sign_in(client, code, second["initial_password"]), 401)
    assert sign_in(client, code, "my-own-passphrase").status_code == 200
    browser = requests.post(f"{client.base_url}/api/v1/auth/session", timeout=10,   # not the shared session: no cookie kept
                            json={"username": code, "password": "my-own-passphrase"})
    assert browser.status_code == 200 and browser.json()["must_change_password"] is False


def test_only_staff_give_sign_ins(client):
    assert_json_error(client.post("/api/v1/deputies/D0001/account", as_user="D0002"), 403, "FORBIDDEN")
    assert_json_error(client.post("/api/v1/deputies/D0001/account", as_user="dept-edu"), 403, "FORBIDDEN")
    assert_json_error(client.post("/api/v1/deputies/D0001/account"), 401)
    assert_json_error(client.post("/api/v1/deputies/D9999/account", as_user="staff"), 404, "NOT_FOUND")
    assert_json_error(client.post("/api/v1/me/password", json={"current_password": "demo",
                                                               "new_password": "whatever-long"}), 401)
