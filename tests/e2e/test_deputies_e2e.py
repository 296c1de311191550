"""End to end through the gateway: registering and changing deputies, their errors, and
the events that carry each change into the suggestion and voting read models."""
import concurrent.futures
import uuid

import pytest

from tests.e2e.conftest import assert_json_error
from tests.support.platform import EventProbe, eventually, new_deputy_payload


@pytest.fixture
def registered_probe(config):
    probe = EventProbe(config["AMQP_URI"], "deputy", "deputy_registered")
    yield probe
    probe.close()


def events_until(probe, code, timeout=10.0):
    """Every envelope the probe receives up to and including the first for deputy ``code``.

    The relay publishes outbox rows in commit order, so an event committed before
    ``code``'s is received before it: this bounds a "no other event" check by an event
    instead of by a guessed quiet period."""
    seen = []

    def collect(envelope):
        seen.append(envelope)
        return envelope["data"]["code"] == code
    probe.wait_for(collect, timeout=timeout)
    return seen


def create(client, payload=None, **kwargs):
    response = client.post("/api/v1/deputies", as_user="staff", json=payload or new_deputy_payload(), **kwargs)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_201_with_id_and_the_deputy(client):
    payload = new_deputy_payload(name="创建测试", occupation="教师", email="t@example.cn")
    deputy = create(client, payload)
    assert deputy["id"].startswith("D") and deputy["id"] == deputy["code"]
    assert deputy["version"] == 1 and deputy["status"] == "active" and deputy["ethnicity"] == "汉族"
    for field in ("name", "gender", "birth_year", "level", "town", "station_code", "term", "phone", "email"):
        assert deputy[field] == payload[field], field
    fetched = client.get(f"/api/v1/deputies/{deputy['id']}", as_user="staff").json()
    assert fetched == deputy


def test_created_deputies_get_distinct_ids(client):
    ids = {create(client)["id"] for _ in range(3)}
    assert len(ids) == 3


def test_validation_errors_name_each_bad_field(client):
    payload = {"name": "王", "gender": "robot", "birth_year": 1800, "level": "galactic", "term": 0,
               "phone": "12345", "email": "not-an-email", "shoe_size": 42}
    error = assert_json_error(client.post("/api/v1/deputies", as_user="staff", json=payload),
                              400, "VALIDATION_ERROR")
    details = error["details"]
    bad = {"name", "gender", "birth_year", "level", "term", "phone", "email"}
    missing = {"town", "station_code"}
    unknown = {"shoe_size"}
    assert set(details) == bad | missing | unknown, details
    for field in bad | missing | unknown:
        assert details[field] and all(isinstance(m, str) for m in details[field]), (field, details[field])
    assert "11-digit" in details["phone"][0]


def test_body_that_is_not_an_object_is_a_validation_error(client):
    error = assert_json_error(client.post("/api/v1/deputies", as_user="staff", json=[1, 2]), 400, "VALIDATION_ERROR")
    assert "_body" in error["details"]


def test_patch_validation_error_names_the_field(client):
    error = assert_json_error(client.patch("/api/v1/deputies/D0003", as_user="staff", json={"gender": "x"}),
                              400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"gender"}


def test_unknown_station_is_422(client):
    error = assert_json_error(
        client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(station_code="ST-NOPE")),
        422, "UNPROCESSABLE")
    assert "station_code" in error["details"]


def test_station_of_another_town_is_422(client):
    # ST-000 is the county home in 城关镇; a town deputy of another town cannot belong to it.
    error = assert_json_error(
        client.post("/api/v1/deputies", as_user="staff", json=new_deputy_payload(town="江口回族镇")),
        422, "UNPROCESSABLE")
    assert "station_code" in error["details"]


def test_duplicate_phone_is_409_and_registers_nothing(client):
    payload = new_deputy_payload()
    first = create(client, payload)
    error = assert_json_error(client.post("/api/v1/deputies", as_user="staff",
                                          json=new_deputy_payload(phone=payload["phone"])), 409, "CONFLICT")
    assert "phone" in error["details"]
    same_phone = [d for d in client.get("/api/v1/deputies", as_user="staff",
                                        params={"q": payload["name"], "limit": 500}).json()["items"]
                  if d["phone"] == payload["phone"]]
    assert [d["id"] for d in same_phone] == [first["id"]]


def test_duplicate_code_is_409(client):
    error = assert_json_error(client.post("/api/v1/deputies", as_user="staff",
                                          json=new_deputy_payload(code="D0001")), 409, "CONFLICT")
    assert "code" in error["details"]


def test_idempotency_key_registers_once_and_emits_one_event(client, registered_probe):
    key = f"e2e-{uuid.uuid4()}"
    payload = new_deputy_payload()
    first = client.post("/api/v1/deputies", as_user="staff", json=payload, headers={"Idempotency-Key": key})
    again = client.post("/api/v1/deputies", as_user="staff", json=payload, headers={"Idempotency-Key": key})
    assert first.status_code == 201 and again.status_code == 201, (first.text, again.text)
    code = first.json()["id"]
    assert again.json()["id"] == code and again.json() == first.json()
    # A later, unrelated registration: every event committed before it arrives before it.
    sentinel = create(client)["id"]
    events = events_until(registered_probe, sentinel)
    assert [e["data"]["code"] for e in events].count(code) == 1, [e["data"]["code"] for e in events]


def test_concurrent_retries_with_one_idempotency_key_register_once(client, registered_probe):
    key = f"e2e-concurrent-{uuid.uuid4()}"
    payload = new_deputy_payload()

    def post(_):
        return client.request("POST", "/api/v1/deputies", as_user="staff", json=payload,
                              headers={"Idempotency-Key": key})
    client.token("staff")  # sign in once, before the threads share the session
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(post, range(6)))
    assert all(r.status_code == 201 for r in responses), [(r.status_code, r.text) for r in responses]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1, ids
    sentinel = create(client)["id"]
    events = events_until(registered_probe, sentinel)
    assert [e["data"]["code"] for e in events].count(ids.pop()) == 1


def test_same_payload_without_key_is_not_deduplicated_but_phone_conflicts(client):
    payload = new_deputy_payload()
    create(client, payload)
    assert_json_error(client.post("/api/v1/deputies", as_user="staff", json=payload), 409, "CONFLICT")


def test_registration_reaches_both_read_models_once(client, cluster_rpc):
    deputy = create(client, new_deputy_payload(name="读模型甲"))
    for service in ("suggestion", "voting"):
        entry = eventually(lambda: getattr(cluster_rpc, service).directory_entry(deputy["id"]),
                           timeout=10, what=f"{deputy['id']} in the {service} read model")
        assert entry["name"] == "读模型甲" and entry["version"] == 1 and entry["applied_count"] == 1
        assert "phone" not in entry


def test_patch_reaches_both_read_models(client, cluster_rpc):
    deputy = create(client)
    code = deputy["id"]
    response = client.patch(f"/api/v1/deputies/{code}", as_user="staff",
                            json={"name": "改名测试", "occupation": "医生", "version": 1})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["version"] == 2 and updated["name"] == "改名测试" and updated["occupation"] == "医生"
    assert client.get(f"/api/v1/deputies/{code}").json()["name"] == "改名测试"
    for service in ("suggestion", "voting"):
        proxy = getattr(cluster_rpc, service)
        entry = eventually(lambda: (e := proxy.directory_entry(code)) and e["version"] == 2 and e,
                           timeout=10, what=f"version 2 of {code} in the {service} read model")
        assert entry["name"] == "改名测试"
        # registered (1) + updated (1): each event applied once
        assert entry["applied_count"] == 2


def test_patch_of_existing_demo_deputy_reaches_read_models(client, cluster_rpc):
    current = client.get("/api/v1/deputies/D0001").json()
    version = current["version"]
    response = client.patch("/api/v1/deputies/D0001", as_user="staff",
                            json={"occupation": f"职业{version + 1}", "version": version})
    assert response.status_code == 200, response.text
    assert response.json()["version"] == version + 1
    for service in ("suggestion", "voting"):
        proxy = getattr(cluster_rpc, service)
        eventually(lambda: proxy.directory_entry("D0001")["version"] == version + 1, timeout=10,
                   what=f"D0001 version {version + 1} in the {service} read model")


def test_patch_without_changes_keeps_the_version(client):
    deputy = create(client)
    response = client.patch(f"/api/v1/deputies/{deputy['id']}", as_user="staff", json={"name": deputy["name"]})
    assert response.status_code == 200 and response.json()["version"] == 1


def test_patch_with_stale_version_is_409_and_changes_nothing(client):
    deputy = create(client)
    code = deputy["id"]
    assert client.patch(f"/api/v1/deputies/{code}", as_user="staff",
                        json={"occupation": "第一次", "version": 1}).status_code == 200
    error = assert_json_error(client.patch(f"/api/v1/deputies/{code}", as_user="staff",
                                           json={"occupation": "过期的修改", "version": 1}), 409, "CONFLICT")
    assert error["details"] == {"version": 2, "expected_version": 1}
    current = client.get(f"/api/v1/deputies/{code}").json()
    assert current["occupation"] == "第一次" and current["version"] == 2


def test_patch_to_a_taken_phone_is_409(client):
    one, other = create(client), create(client)
    error = assert_json_error(client.patch(f"/api/v1/deputies/{other['id']}", as_user="staff",
                                           json={"phone": one["phone"]}), 409, "CONFLICT")
    assert "phone" in error["details"]


@pytest.mark.parametrize("method, json_body", [("GET", None), ("PATCH", {"occupation": "x"})])
def test_unknown_deputy_is_404_json(client, method, json_body):
    error = assert_json_error(client.request(method, "/api/v1/deputies/D9999", as_user="staff", json=json_body),
                              404, "NOT_FOUND")
    assert error["details"] == {"id": "D9999"}


def test_dashboard_of_unknown_deputy_is_404(client):
    assert_json_error(client.get("/api/v1/deputies/D9999/dashboard"), 404, "NOT_FOUND")
