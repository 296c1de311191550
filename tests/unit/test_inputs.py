"""Input refused at the edges (kernel/inputs.py, gateway/api.py): NUL and lone surrogates,
duplicate keys, deep nesting, NaN; path, query and header checks; query schemas."""
import json

import pytest
from marshmallow import EXCLUDE, Schema, fields, validate
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.api import check_request_inputs, json_body
from gateway.errors import MalformedJson
from kernel.errors import ValidationFailed
from kernel.inputs import (DUPLICATE_MESSAGE, MAX_JSON_DEPTH, NUL_MESSAGE, SURROGATE_MESSAGE, JsonInputError,
                           field_details, json_depth, parse_json, text_problem, unsafe_text)


@pytest.mark.parametrize("text, problem", [
    ("plain 文本 😀", None),
    ("a\x00b", NUL_MESSAGE),
    ("a\ud800b", SURROGATE_MESSAGE),
    ("\udfff", SURROGATE_MESSAGE),
    ("\ufffd", None),  # the replacement character itself is fine
])
def test_text_problem(text, problem):
    assert text_problem(text) == problem


def test_unsafe_text_names_every_bad_string_by_its_path():
    value = {"title": "ok", "assignments": [{"department": "e\x00du"}], "keywords": ["a", "\ud83d"]}
    assert field_details(unsafe_text(value)) == {"assignments.0.department": [NUL_MESSAGE],
                                                 "keywords.1": [SURROGATE_MESSAGE]}


def test_unsafe_text_escapes_a_bad_key():
    assert field_details(unsafe_text({"a\x00": 1})) == {"a\\x00": [NUL_MESSAGE]}


def test_unsafe_text_is_iterative():
    deep = "x\x00"
    for _ in range(5000):  # far past the recursion limit
        deep = [deep]
    assert len(unsafe_text(deep)) == 1


def test_parse_json_reports_duplicate_keys_at_any_depth():
    value, problems = parse_json(b'{"a": 1, "a": 2, "b": {"c": [{"d": 1, "d": 2}]}}')
    assert value == {"a": 2, "b": {"c": [{"d": 2}]}}
    assert field_details(problems) == {"a": [DUPLICATE_MESSAGE], "b.c.0.d": [DUPLICATE_MESSAGE]}


def test_parse_json_escaped_nul_and_surrogates():
    _, problems = parse_json(b'{"t": "\\u0000", "s": "\\ud800", "pair": "\\ud83d\\ude00"}')
    assert field_details(problems) == {"t": [NUL_MESSAGE], "s": [SURROGATE_MESSAGE]}


@pytest.mark.parametrize("raw", ["[" * 3000 + "]" * 3000, '{"a":' * 65 + "1" + "}" * 65])
def test_parse_json_refuses_deep_nesting_before_parsing(raw):
    with pytest.raises(JsonInputError) as refused:
        parse_json(raw.encode())
    assert refused.value.details["max_depth"] == MAX_JSON_DEPTH


def test_parse_json_accepts_nesting_up_to_the_limit():
    raw = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(raw.encode())[1] == []


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth(json.dumps({"a": "[" * 200 + '\\"' + "{" * 200})) == 1
    assert json_depth(json.dumps({"a": "[[" * 100, "b": [[[]]]})) == 4


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_parse_json_refuses_non_json_numbers(constant):
    with pytest.raises(JsonInputError):
        parse_json(f'{{"w": {constant}}}'.encode())


# -- the gateway's edge ---------------------------------------------------------------------------
def request(path="/", query_string=None, data=None, headers=None, path_values=None, method="GET"):
    environ = EnvironBuilder(path=path, query_string=query_string, data=data, headers=headers, method=method,
                             content_type="application/json" if data is not None else None).get_environ()
    req = Request(environ)
    req.path_values = path_values or {}
    return req


def refused(call):
    with pytest.raises(ValidationFailed) as error:
        call()
    return error.value.details


def test_json_body_refuses_duplicates_nul_and_surrogates_naming_the_field():
    details = refused(lambda: json_body(request(data=b'{"username": "a", "username": "b", "x": "\\u0000"}',
                                                method="POST")))
    assert details == {"username": [DUPLICATE_MESSAGE], "x": [NUL_MESSAGE]}


def test_json_body_deep_nesting_is_malformed_json():
    with pytest.raises(MalformedJson):
        json_body(request(data=b"[" * 3000 + b"]" * 3000, method="POST"))


def test_json_body_that_is_not_utf8_is_malformed_json():
    with pytest.raises(MalformedJson):
        json_body(request(data='{"a": "é"}'.encode("latin-1"), method="POST"))


def test_path_values_with_nul_are_refused():
    req = request(path="/api/v1/deputies/D0001%00", path_values={"deputy_id": "D0001\x00"})
    assert refused(lambda: check_request_inputs(req)) == {"deputy_id": [NUL_MESSAGE]}


def test_path_with_invalid_utf8_names_the_value_werkzeug_replaced():
    req = request(path_values={"deputy_id": "D\ufffd\ufffd\ufffd"})
    # as the WSGI server hands it over: the percent-decoded bytes, as latin-1
    req.environ["PATH_INFO"] = b"/api/v1/deputies/D\xed\xa0\x80".decode("latin-1")
    assert refused(lambda: check_request_inputs(req)) == {"deputy_id": [SURROGATE_MESSAGE]}


@pytest.mark.parametrize("query, field, message", [
    ("q=%00", "q", NUL_MESSAGE),
    ("town=a%00b&q=x", "town", NUL_MESSAGE),
    ("q=%ED%A0%80", "q", SURROGATE_MESSAGE),
    ("q=%FF", "q", SURROGATE_MESSAGE),
    ("q=ok&q=%00", "q", NUL_MESSAGE),  # a repeated name: every value is checked
])
def test_query_values_with_nul_or_bad_unicode_are_refused(query, field, message):
    assert refused(lambda: check_request_inputs(request(query_string=query))) == {field: [message]}


def test_clean_inputs_pass():
    check_request_inputs(request(path="/api/v1/deputies/D0001", query_string="q=%E5%BC%A0&town=%E5%9F%8E",
                                 path_values={"deputy_id": "D0001"}))


class LimitQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


@pytest.mark.parametrize("limit", ["abc", "-1", "51"])
def test_the_route_query_schema_is_applied(limit):
    details = refused(lambda: check_request_inputs(request(query_string=f"limit={limit}"), LimitQuery))
    assert set(details) == {"limit"}


@pytest.mark.parametrize("key", ["", "k" * 201, "a\tb"])
def test_a_bad_idempotency_key_is_refused(key):
    details = refused(lambda: check_request_inputs(request(headers={"Idempotency-Key": key})))
    assert set(details) == {"Idempotency-Key"}
