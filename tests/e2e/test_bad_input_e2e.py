"""No 5xx from bad input (issue 8, sections 3 and 4): each input below was a 500 (or, for
duplicate keys, silently accepted) and is now a 400 whose details name the field.

PostgreSQL stores no NUL character and no lone surrogate; Python's JSON parser recurses;
``int("abc")`` raises. All of these are answered at the gateway's edge (gateway/api.py,
kernel/inputs.py) and again at every RPC entrypoint (kernel/consumer.py)."""
import json

import pytest

from tests.e2e.conftest import assert_json_error

NUL = "must not contain NUL (\\u0000) characters"
BAD_UNICODE = "must be valid Unicode text (no lone surrogates or invalid UTF-8)"
JSON = {"Content-Type": "application/json"}


def field_error(response, field, message=None, code="VALIDATION_ERROR"):
    """The 400, and the messages it gives for ``field``."""
    error = assert_json_error(response, 400, code)
    assert field in error["details"], error
    if message is not None:
        assert message in error["details"][field], error
    return error


@pytest.fixture(scope="module")
def suggestion_id(client):
    answer = client.get("/api/v1/suggestions?limit=1", as_user="staff")
    assert answer.status_code == 200, answer.text
    return answer.json()["items"][0]["id"]


# -- NUL and lone surrogates in the URL -------------------------------------------------------
@pytest.mark.parametrize("path, field, message", [
    ("/api/v1/deputies/D0001%00", "deputy_id", NUL),
    ("/api/v1/deputies/%ED%A0%80", "deputy_id", BAD_UNICODE),   # a UTF-8-encoded lone surrogate
    ("/api/v1/deputies/D%FF", "deputy_id", BAD_UNICODE),        # not UTF-8 at all
    ("/api/v1/deputies?q=%E5%BC%A0%00", "q", NUL),
    ("/api/v1/deputies?town=%00", "town", NUL),
    ("/api/v1/deputies?q=%ED%A0%80", "q", BAD_UNICODE),
    ("/api/v1/suggestions/stats?session=%00", "session", NUL),
    ("/api/v1/meetings/1%00", "meeting_id", NUL),
], ids=["path-nul", "path-surrogate", "path-not-utf8", "q-nul", "town-nul", "q-surrogate", "stats-nul",
        "meeting-nul"])
def test_nul_and_bad_unicode_in_the_url_are_400_naming_the_field(client, path, field, message):
    field_error(client.get(path), field, message)


def test_nul_in_a_path_of_a_signed_in_route_is_400(client):
    field_error(client.get("/api/v1/departments/ed%00u/inbox", as_user="staff"), "code", NUL)


# -- NUL and lone surrogates in JSON bodies ---------------------------------------------------------
def test_nul_in_a_suggestion_title_is_400(client):
    body = {"title": "关于\u0000改善校车", "content": "建议增加校车班次，方便学生上下学。"}
    field_error(client.post("/api/v1/suggestions", as_user="D0001", json=body), "title", NUL)


def test_lone_surrogate_in_a_suggestion_title_is_400(client):
    raw = '{"title": "关于\\ud800改善校车", "content": "建议增加校车班次，方便学生上下学。"}'
    field_error(client.post("/api/v1/suggestions", as_user="D0001", data=raw.encode(), headers=JSON),
                "title", BAD_UNICODE)


@pytest.mark.parametrize("body, field", [
    ({"url": "https://oa.example/\u0000hook", "description": "公文系统"}, "url"),
    ({"url": "https://oa.example/hook", "description": "公文\u0000系统"}, "description"),
], ids=["url", "description"])
def test_nul_in_a_webhook_url_or_description_is_400(client, body, field):
    field_error(client.post("/api/v1/departments/edu/webhooks", as_user="staff", json=body), field, NUL)


def test_nul_in_a_routing_keyword_is_400_naming_the_list_item(client):
    body = {"department": "edu", "keywords": ["学校", "校\u0000车"]}
    field_error(client.post("/api/v1/routing-rules", as_user="staff", json=body), "keywords.1", NUL)


def test_nul_in_a_key_is_400(client):
    raw = b'{"occupation": "x", "bad\\u0000key": 1}'
    field_error(client.patch("/api/v1/deputies/D0001", as_user="staff", data=raw, headers=JSON),
                "bad\\x00key", NUL)


# -- JSON the gateway refuses to parse ---------------------------------------------------------------
@pytest.mark.parametrize("raw", [b"[" * 3000 + b"]" * 3000, b'{"a":' * 3000 + b"1" + b"}" * 3000],
                         ids=["arrays", "objects"])
def test_json_nested_3000_deep_is_400(client, raw):
    # sign-in needs no token: this was a 500 for anyone
    error = assert_json_error(client.post("/api/v1/auth/token", data=raw, headers=JSON), 400, "MALFORMED_JSON")
    assert error["details"]["max_depth"] == 64


def test_json_nested_within_the_limit_is_parsed(client):
    body = {"department": "edu", "keywords": ["学校"], "role": "lead", "x": json.loads("[" * 60 + "]" * 60)}
    # parsed, then refused by the schema for the unknown field: the depth is not the problem
    field_error(client.post("/api/v1/routing-rules", as_user="staff", json=body), "x")


def test_nan_is_not_json(client):
    raw = b'{"department": "edu", "keywords": ["x"], "weight": NaN}'
    assert_json_error(client.post("/api/v1/routing-rules", as_user="staff", data=raw, headers=JSON),
                      400, "MALFORMED_JSON")


# -- duplicate keys (section 3) -------------------------------------------------------------------------
def test_duplicate_keys_at_sign_in_are_400(client):
    """Which value would count was the parser's choice: the last one, here "staff"."""
    raw = b'{"username": "nobody", "username": "staff", "password": "demo"}'
    error = field_error(client.post("/api/v1/auth/token", data=raw, headers=JSON), "username")
    assert "access_token" not in json.dumps(error)


def test_duplicate_keys_deeper_in_a_body_are_400_naming_the_path(client, suggestion_id):
    raw = (b'{"assignments": [{"department": "edu", "role": "lead", "role": "co"}]}')
    field_error(client.post(f"/api/v1/suggestions/{suggestion_id}/assign", as_user="staff", data=raw,
                            headers=JSON), "assignments.0.role", "duplicate key in a JSON object")


# -- numbers in the query string ---------------------------------------------------------------------------
@pytest.mark.parametrize("limit", ["abc", "-1", "0", "1e3", "99999999999999999999"])
def test_similar_limit_is_validated(client, suggestion_id, limit):
    field_error(client.get(f"/api/v1/suggestions/{suggestion_id}/similar?limit={limit}", as_user="staff"), "limit")


def test_similar_within_its_limit_answers(client, suggestion_id):
    answer = client.get(f"/api/v1/suggestions/{suggestion_id}/similar?limit=3", as_user="staff")
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["items"]) <= 3


@pytest.mark.parametrize("path, field", [
    ("/api/v1/deputies?offset=4491073654573047698423808", "offset"),
    ("/api/v1/deputies?limit=abc", "limit"),
    ("/api/v1/meetings?limit=-1", "limit"),
    ("/api/v1/suggestions?term=abc", "term"),
])
def test_query_numbers_are_validated_by_the_route_schema(client, path, field):
    field_error(client.get(path), field)


def test_query_is_validated_before_the_handler_runs(client):
    """The schema is the route's own (DeliveryQuerySchema): checked at the edge, named."""
    field_error(client.get("/api/v1/departments/edu/webhooks/deliveries?status=nope", as_user="staff"), "status")


# -- headers -------------------------------------------------------------------------------------------------
def test_an_oversized_idempotency_key_is_400(client):
    answer = client.post("/api/v1/deputies", as_user="staff", json={"name": "x"},
                         headers={"Idempotency-Key": "k" * 201})
    field_error(answer, "Idempotency-Key")
