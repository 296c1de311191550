"""End to end through the gateway: sign-in, who am I, roles, and who may see a phone number."""
import pytest

from tests.e2e.conftest import assert_json_error
from tests.support.platform import new_deputy_payload


def test_token_for_good_password(client):
    response = client.post("/api/v1/auth/token", json={"username": "staff", "password": "demo"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["role"] == "staff" and body["subject"] is None
    assert body["access_token"].count(".") == 2 and body["expires_in"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json() == {"username": "staff", "role": "staff", "subject": None,
                                                   "must_change_password": False}


@pytest.mark.parametrize("credentials", [
    {"username": "staff", "password": "wrong"},
    {"username": "nobody-by-this-name", "password": "demo"},
], ids=["bad-password", "unknown-user"])
def test_token_refused_for_bad_credentials(client, credentials):
    response = client.post("/api/v1/auth/token", json=credentials)
    error = assert_json_error(response, 401, "UNAUTHENTICATED")
    assert "access_token" not in response.text
    # The same answer whether the user exists or not: no account enumeration.
    assert error["message"] == "invalid username or password"


def test_token_request_missing_fields_is_a_validation_error(client):
    error = assert_json_error(client.post("/api/v1/auth/token", json={}), 400, "VALIDATION_ERROR")
    assert {"username", "password"} <= set(error["details"])


@pytest.mark.parametrize("username, role, subject", [
    ("staff", "staff", None),
    ("admin", "admin", None),
    ("D0001", "deputy", "D0001"),
    ("dept-edu", "department", "edu"),
])
def test_me_per_role(client, username, role, subject):
    response = client.get("/api/v1/me", as_user=username)
    assert response.status_code == 200, response.text
    assert response.json() == {"username": username, "role": role, "subject": subject, "must_change_password": False}


def test_me_needs_a_token(client):
    assert_json_error(client.get("/api/v1/me"), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("header", ["Bearer not.a.jwt", "Basic c3RhZmY6ZGVtbw==", "Bearer "])
def test_bad_authorization_header_is_401(client, header):
    assert_json_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "UNAUTHENTICATED")


def test_token_signed_with_another_secret_is_401(client):
    import jwt
    forged = jwt.encode({"sub": "staff", "role": "staff", "exp": 4102444800}, "not-the-secret", algorithm="HS256")
    assert_json_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}),
                      401, "UNAUTHENTICATED")


STAFF_ONLY = [
    ("POST", "/api/v1/deputies", new_deputy_payload),
    ("PATCH", "/api/v1/deputies/D0002", lambda: {"occupation": "不应改变"}),
]


@pytest.mark.parametrize("method, path, body", STAFF_ONLY, ids=["create", "update"])
def test_staff_only_routes_refuse_anonymous_with_401(client, method, path, body):
    error = assert_json_error(client.request(method, path, json=body()), 401, "UNAUTHENTICATED")
    assert "staff" in error["message"]


@pytest.mark.parametrize("as_user", ["D0001", "dept-edu"])
@pytest.mark.parametrize("method, path, body", STAFF_ONLY, ids=["create", "update"])
def test_staff_only_routes_refuse_other_roles_with_403(client, method, path, body, as_user):
    error = assert_json_error(client.request(method, path, as_user=as_user, json=body()), 403, "FORBIDDEN")
    assert error["details"] == {"required_roles": ["staff"]}


def test_refused_update_changed_nothing(client):
    before = client.get("/api/v1/deputies/D0002").json()
    client.patch("/api/v1/deputies/D0002", as_user="D0002", json={"occupation": "不应改变"})
    after = client.get("/api/v1/deputies/D0002").json()
    assert after == before and after["occupation"] != "不应改变"


def test_admin_may_use_staff_routes(client):
    response = client.post("/api/v1/deputies", as_user="admin", json=new_deputy_payload())
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("as_user, sees_contact", [
    ("staff", True),
    ("admin", True),
    ("D0001", True),      # the deputy themself
    (None, False),        # the public
    ("D0002", False),     # another deputy
    ("dept-edu", False),  # a department
])
def test_phone_visible_to_staff_and_the_deputy_only(client, as_user, sees_contact):
    response = client.get("/api/v1/deputies/D0001", as_user=as_user)
    assert response.status_code == 200, response.text
    deputy = response.json()
    assert deputy["id"] == "D0001" and deputy["name"]
    if sees_contact:
        assert deputy["phone"] and deputy["phone"].startswith("1") and len(deputy["phone"]) == 11
    else:
        assert "phone" not in deputy and "email" not in deputy


@pytest.mark.parametrize("as_user, sees_contact", [("staff", True), ("D0001", False), (None, False)])
def test_phone_in_lists_for_staff_only(client, as_user, sees_contact):
    page = client.get("/api/v1/deputies", as_user=as_user, params={"limit": 5}).json()
    assert len(page["items"]) == 5
    assert all(("phone" in d) == sees_contact for d in page["items"])
