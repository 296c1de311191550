"""THE error table: every exception a request can end in → HTTP status + stable code.

tests/unit/test_error_table.py covers every row. Bodies are always
``{"error": {"code", "message", "details"}}``; a stack trace never leaves the process.
"""
import logging

from nameko.exceptions import RemoteError
from nameko.rpc import UnknownService

from kernel import errors
from kernel.web import error_response

log = logging.getLogger(__name__)


class GatewayError(errors.DomainError):
    pass


class MalformedJson(GatewayError):
    code = "MALFORMED_JSON"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class PayloadTooLarge(GatewayError):
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(GatewayError):
    code = "UNSUPPORTED_MEDIA_TYPE"


class TooManyRequests(GatewayError):
    """Too many failed sign-ins for this account or from this client: wait
    ``details.retry_after_seconds`` (also sent as ``Retry-After``)."""
    code = "RATE_LIMITED"

    @property
    def headers(self):
        seconds = self.details.get("retry_after_seconds")
        return {"Retry-After": str(seconds)} if isinstance(seconds, int) else {}


class CsrfRejected(GatewayError):
    """A write authenticated by the session cookie without the session's X-CSRF-Token."""
    code = "CSRF_TOKEN_INVALID"


# (exception class, HTTP status). The code is the class's ``code``. First match wins.
ERROR_TABLE = (
    (errors.ValidationFailed, 400),
    (MalformedJson, 400),
    (Unauthenticated, 401),
    (CsrfRejected, 403),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415),
    (errors.Unprocessable, 422),
    (TooManyRequests, 429),
    (errors.ServiceUnavailable, 503),
    (errors.DeadlineExceeded, 504),
)


def status_of(exc):
    for cls, status in ERROR_TABLE:
        if isinstance(exc, cls):
            return status, exc.code
    if isinstance(exc, UnknownService):
        return 503, errors.ServiceUnavailable.code
    return 500, "INTERNAL_ERROR"


def response_for(exc, headers=None):
    status, code = status_of(exc)
    extra = getattr(exc, "headers", None) if isinstance(exc, GatewayError) else None
    if extra:  # e.g. Retry-After of a 429
        headers = {**(headers or {}), **extra}
    if status == 500:
        # Unknown failures are logged in full here and answered without details.
        kind = exc.exc_type if isinstance(exc, RemoteError) else type(exc).__name__
        log.error("unhandled error (%s)", kind, exc_info=exc)
        return error_response(500, code, "internal error", headers=headers)
    if status == 503 and isinstance(exc, UnknownService):
        return error_response(503, code, f"service {exc.args[0]} is not running", headers=headers)
    return error_response(status, code, exc.message, exc.details, headers=headers)
