"""Departments are owned by the suggestion service at run time (issue 14 §4): staff add one
through the gateway and it can be subscribed to at once (queue and AMQP user provisioned
before it is saved); the deputy and webhooks services learn it, and every later change, from
``department_saved``; a department that no longer takes assignments is refused them."""
import secrets

import pika

from tests.e2e.conftest import assert_json_error
from tests.support.platform import eventually


def new_code():
    return "t" + secrets.token_hex(4)


def put(client, code, body, as_user="staff"):
    return client.request("PUT", f"/api/v1/departments/{code}", as_user=as_user, json=body)


def known_to(cluster_rpc, service, code):
    rows = getattr(cluster_rpc, service).department_directory()
    return next((row for row in rows if row["code"] == code), None)


def test_a_department_added_by_staff_can_be_subscribed_to_at_once(client):
    code = new_code()
    answer = put(client, code, {"name": "宁陕县粮食和物资储备局", "short_name": "粮储局"})
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"keywords": []} == {"code": code, "name": "宁陕县粮食和物资储备局", "short_name": "粮储局",
                                               "keywords": [], "active": True, "version": 1, "created": True}
    listed = client.get("/api/v1/departments").json()["items"]
    assert code in [d["code"] for d in listed]
    handover = client.get(f"/api/v1/departments/{code}/amqp", as_user="staff")
    assert handover.status_code == 200, handover.text
    connection = pika.BlockingConnection(pika.URLParameters(handover.json()["amqp_uri"]))
    try:
        method, _, _ = connection.channel().basic_get(f"department.{code}", auto_ack=False)
        assert method is None          # its own queue exists and is empty
    finally:
        connection.close()


def test_the_other_services_learn_every_change_from_its_event(client, cluster_rpc):
    code = new_code()
    assert put(client, code, {"name": "宁陕县测试局"}).status_code == 200
    for service in ("deputy", "webhooks"):
        row = eventually(lambda: known_to(cluster_rpc, service, code), 30, f"{service} knows {code}")
        assert (row["name"], row["version"], row["active"]) == ("宁陕县测试局", 1, True)
    # webhooks now manages the new department's webhooks (404 for a department it never heard of)
    assert client.get(f"/api/v1/departments/{code}/webhooks", as_user="staff").status_code == 200
    assert_json_error(client.get(f"/api/v1/departments/{new_code()}/webhooks", as_user="staff"), 404)

    changed = put(client, code, {"name": "宁陕县测试局", "short_name": "测试局", "active": False})
    assert changed.status_code == 200 and changed.json()["version"] == 2 and not changed.json()["created"]
    for service in ("deputy", "webhooks"):
        eventually(lambda: (known_to(cluster_rpc, service, code) or {}).get("version") == 2, 30,
                   f"{service} has version 2 of {code}")
        assert known_to(cluster_rpc, service, code)["active"] is False
    again = put(client, code, {"name": "宁陕县测试局", "short_name": "测试局", "active": False})
    assert again.json()["version"] == 2          # nothing changed: no new version, no event


def test_a_department_that_no_longer_takes_assignments_is_refused_them(client, cluster_rpc):
    code, lead = new_code(), "D0104"
    put(client, code, {"name": "宁陕县停用局", "active": False})
    eventually(lambda: cluster_rpc.suggestion.directory_entry(lead), 30, f"directory {lead}")
    filed = client.post("/api/v1/suggestions", as_user=lead, json={
        "title": f"关于完善村级道路养护机制的建议{code}", "content": "建议建立村级道路日常养护制度，明确责任主体和经费来源。",
        "category": "交通建设", "co_signers": [], "session": 3})
    assert filed.status_code == 201, filed.text
    suggestion_id = filed.json()["id"]
    accepted = client.post(f"/api/v1/suggestions/{suggestion_id}/review", as_user="staff",
                           json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    error = assert_json_error(client.post(f"/api/v1/suggestions/{suggestion_id}/assign", as_user="staff",
                                          json={"assignments": [{"department": code, "role": "lead"}]}), 422)
    assert error["details"] == {"department": [f"{code} no longer takes assignments"]}


def test_bad_department_input_is_refused_by_field_and_only_staff_may_change_the_list(client):
    assert assert_json_error(put(client, "Bad Code", {"name": "x"}), 422)["details"].keys() == {"code"}
    # the body's shape is checked by its schema (400), the code by the service (422); both name the field
    assert assert_json_error(put(client, new_code(), {"name": ""}), 400)["details"].keys() == {"name"}
    assert assert_json_error(put(client, new_code(), {"name": "x", "colour": "red"}), 400)["details"].keys() \
        == {"colour"}
    assert_json_error(put(client, new_code(), {"name": "x"}, as_user="dept-edu"), 403)
    assert_json_error(put(client, new_code(), {"name": "x"}, as_user=None), 401)


def test_staff_give_a_new_department_a_sign_in_and_it_sees_its_own_inbox(client):
    code = new_code()
    put(client, code, {"name": "宁陕县新设局"})
    issued = client.post(f"/api/v1/departments/{code}/account", as_user="staff")
    assert issued.status_code == 200, issued.text
    account = issued.json()
    assert account["username"] == f"dept-{code}" and account["role"] == "department"
    token = client.session.post(f"{client.base_url}/api/v1/auth/token", timeout=10,
                                json={"username": account["username"], "password": account["initial_password"]})
    assert token.status_code == 200 and token.json()["subject"] == code, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    inbox = client.session.get(f"{client.base_url}/api/v1/departments/{code}/inbox", headers=headers, timeout=10)
    assert inbox.status_code == 200 and inbox.json()["total"] == 0, inbox.text
    other = client.session.get(f"{client.base_url}/api/v1/departments/edu/inbox", headers=headers, timeout=10)
    assert_json_error(other, 403)
    assert_json_error(client.post(f"/api/v1/departments/{new_code()}/account", as_user="staff"), 404)
    assert_json_error(client.post(f"/api/v1/departments/{code}/account", as_user="dept-edu"), 403)


def test_a_department_made_inactive_loses_its_sign_in_and_its_tokens(client):
    code = new_code()
    put(client, code, {"name": "宁陕县撤并局"})
    account = client.post(f"/api/v1/departments/{code}/account", as_user="staff").json()
    credentials = {"username": account["username"], "password": account["initial_password"]}
    token = client.session.post(f"{client.base_url}/api/v1/auth/token", json=credentials, timeout=10).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    inbox_url = f"{client.base_url}/api/v1/departments/{code}/inbox"
    assert client.session.get(inbox_url, headers=headers, timeout=10).status_code == 200

    put(client, code, {"name": "宁陕县撤并局", "active": False})
    # the gateway hears department_saved; its token cache forgets within AUTH_CACHE_SECONDS
    eventually(lambda: client.session.get(inbox_url, headers=headers, timeout=10).status_code == 401, 20,
               "the inactive department's token refused")
    # the token fell because the account is inactive (the event is applied): so is the password
    refused = client.session.post(f"{client.base_url}/api/v1/auth/token", json=credentials, timeout=10)
    assert_json_error(refused, 401)
    assert_json_error(client.post(f"/api/v1/departments/{code}/account", as_user="staff"), 409)
    # (made active again, the account is usable with old tokens still revoked:
    # tests/integration/test_gateway_accounts.py)

