"""gateway.errors.ERROR_TABLE: every row, plus what falls outside it; and typed errors
crossing nameko's RPC wire as the same class."""
import json

import pytest
from nameko.exceptions import RemoteError, deserialize, serialize
from nameko.rpc import UnknownService

from gateway.errors import ERROR_TABLE, CsrfRejected, TooManyRequests, response_for, status_of
from kernel import errors

DETAILS = {"field": ["is wrong"], "limit": 3}


def body_of(response):
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def test_table_has_one_row_per_class_and_a_distinct_code_per_status():
    classes = [cls for cls, _ in ERROR_TABLE]
    assert len(classes) == len(set(classes))
    codes = {cls.code for cls in classes}
    assert len(codes) == len(classes)  # every row has its own stable code
    assert all(400 <= status < 600 for _, status in ERROR_TABLE)


@pytest.mark.parametrize("cls, status", ERROR_TABLE, ids=[cls.__name__ for cls, _ in ERROR_TABLE])
def test_every_row_maps_to_its_status_code_and_body(cls, status):
    exc = cls("something is off", DETAILS)
    assert status_of(exc) == (status, cls.code)
    response = response_for(exc, headers={"X-Correlation-ID": "c-1"})
    assert response.status_code == status
    assert response.headers["X-Correlation-ID"] == "c-1"
    assert body_of(response) == {"error": {"code": cls.code, "message": "something is off",
                                           "details": DETAILS}}


@pytest.mark.parametrize("cls, status", ERROR_TABLE, ids=[cls.__name__ for cls, _ in ERROR_TABLE])
def test_every_row_without_details_still_has_the_body_shape(cls, status):
    body = body_of(response_for(cls("no details")))
    assert body == {"error": {"code": cls.code, "message": "no details", "details": {}}}


def test_expected_statuses():
    """The HTTP contract (API.md) for the kernel's errors."""
    table = dict(ERROR_TABLE)
    assert table[errors.ValidationFailed] == 400 and table[errors.Forbidden] == 403
    assert table[errors.NotFound] == 404 and table[errors.Conflict] == 409
    assert table[errors.Unprocessable] == 422 and table[errors.ServiceUnavailable] == 503
    assert table[errors.DeadlineExceeded] == 504


def test_too_many_requests_is_429_with_retry_after():
    response = response_for(TooManyRequests("too many failed sign-ins", {"retry_after_seconds": 30}),
                            headers={"X-Correlation-ID": "c-1"})
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert response.headers["X-Correlation-ID"] == "c-1"
    assert body_of(response)["error"] == {"code": "RATE_LIMITED", "message": "too many failed sign-ins",
                                          "details": {"retry_after_seconds": 30}}


def test_a_write_without_the_csrf_token_is_403_with_its_own_code():
    assert status_of(CsrfRejected("send X-CSRF-Token")) == (403, "CSRF_TOKEN_INVALID")


def test_unknown_service_is_503():
    response = response_for(UnknownService("deputy"))
    assert response.status_code == 503
    body = body_of(response)
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "deputy" in body["error"]["message"]


def _raise_and_catch(exc):
    try:
        raise exc
    except Exception as caught:  # gives the exception a real traceback
        return caught


@pytest.mark.parametrize("exc", [
    KeyError("secret_column_name"),
    ZeroDivisionError("division by zero in /work/main/services/x.py line 42"),
    RemoteError("psycopg.errors.UndefinedTable", 'relation "deputies" does not exist'),
], ids=["KeyError", "ZeroDivisionError", "RemoteError"])
def test_unknown_exception_is_500_without_internals(exc):
    response = response_for(_raise_and_catch(exc))
    assert response.status_code == 500
    body = body_of(response)
    assert body == {"error": {"code": "INTERNAL_ERROR", "message": "internal error", "details": {}}}
    text = response.get_data(as_text=True)
    for leak in ("Traceback", "secret_column_name", ".py", "deputies", "UndefinedTable", "KeyError"):
        assert leak not in text


REGISTERED = [errors.ValidationFailed, errors.NotFound, errors.Conflict, errors.Forbidden,
              errors.Unprocessable, errors.ServiceUnavailable]


@pytest.mark.parametrize("cls", REGISTERED, ids=[cls.__name__ for cls in REGISTERED])
def test_typed_errors_survive_the_rpc_wire(cls):
    sent = cls("deputy D0001 not found", {"id": "D0001", "fields": {"phone": ["taken"]}})
    # nameko serialises the error into the (JSON) reply; the caller deserialises it.
    received = deserialize(json.loads(json.dumps(serialize(sent))))
    assert type(received) is cls
    assert received.message == "deputy D0001 not found"
    assert received.details == {"id": "D0001", "fields": {"phone": ["taken"]}}
    assert status_of(received) == status_of(sent)


def test_an_unregistered_error_arrives_as_remote_error_and_maps_to_500():
    class Surprise(Exception):
        pass
    received = deserialize(json.loads(json.dumps(serialize(Surprise("boom")))))
    assert isinstance(received, RemoteError)
    assert status_of(received) == (500, "INTERNAL_ERROR")


def test_validation_error_keeps_per_field_messages():
    from marshmallow import Schema, ValidationError, fields

    class S(Schema):
        name = fields.String(required=True)
        age = fields.Integer()
    try:
        S().load({"age": "x"})
    except ValidationError as exc:
        converted = errors.validation_error(exc)
    assert isinstance(converted, errors.ValidationFailed)
    assert set(converted.details) == {"name", "age"}
