"""The gateway's HTTP entrypoint: correlation id, body limit, input checks, authentication
(bearer token or browser session cookie + CSRF header for writes; every token checked against
its account), role check, error table — and route metadata the OpenAPI document is generated from."""
import logging
import time
import uuid
from functools import partial
from urllib.parse import parse_qsl

import jwt
from eventlet.event import Event
from prometheus_client import Counter, Histogram
from werkzeug.exceptions import RequestEntityTooLarge

from gateway.auth import PUBLIC, read_token
from gateway.errors import (CsrfRejected, MalformedJson, PayloadTooLarge, Unauthenticated, UnsupportedMediaType,
                            response_for)
from gateway.sessions import CSRF_HEADER, SESSION_COOKIE, WRITE_METHODS, cleared_session_cookie, csrf_matches
from gateway.token_check import TokenCheck
from kernel.config import is_production
from kernel.errors import DomainError, Forbidden, ValidationFailed, load_payload
from kernel.logs import correlation_id_var
from kernel.metrics import LATENCY_BUCKETS
from kernel.inputs import (SURROGATE_MESSAGE, JsonInputError, field_details, parse_json, printable, text_problem,
                           unsafe_text)
from kernel.web import JsonHttpEntrypoint

CORRELATION_HEADER = "X-Correlation-ID"
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 200
access_log = logging.getLogger("gateway.access")
# By route template (never the raw path: ids would make a series per suggestion) and status,
# for the error-ratio and latency alerts (deploy/prometheus/rules.yml).
HTTP_REQUESTS = Counter("gateway_http_requests_total", "API requests by method, route template and status",
                        ["method", "route", "status"])
HTTP_SECONDS = Histogram("gateway_http_request_duration_seconds", "API request duration by method and route template",
                         ["method", "route"], buckets=LATENCY_BUCKETS)


class ApiEndpoint(JsonHttpEntrypoint):
    """``@api("GET", "/api/v1/deputies/<id>", roles=None, ...)``; roles=None means public.

    ``query`` (a marshmallow schema) is checked here, before the handler runs: a bad query
    parameter is a 400 naming it on every route that declares one.

    The handler is called as ``handler(request, principal, **path_values)``.
    """

    def __init__(self, method, url, roles=None, summary=None, tag=None, body=None, query=None,
                 response=None, status=200, media_types=None, errors=(), upload=None, max_bytes_key=None,
                 **kwargs):
        # Domain errors are answers (4xx), not faults: nameko logs them as warnings.
        kwargs.setdefault("expected_exceptions", DomainError)
        super().__init__(method, url, **kwargs)
        self.roles = roles
        self.summary = summary
        self.tag = tag
        self.body_schema = body
        self.query_schema = query
        self.response_schema = response
        self.status = status
        # for the OpenAPI document: answers other than JSON ({media type: description}; a
        # route without a response schema answers only these), and error statuses the
        # route answers beyond those every route of its kind does (gateway/openapi.py)
        self.media_types = dict(media_types or {})
        self.errors = tuple(errors)
        # a multipart upload route: {form field: OpenAPI schema} for the document, and the
        # config key of its own body limit (instead of MAX_REQUEST_BYTES)
        self.upload = upload
        self.max_bytes_key = max_bytes_key

    def setup(self):
        super().setup()
        config = self.container.config
        self.jwt_secret = config["JWT_SECRET"]
        self.max_request_bytes = int(config.get("MAX_REQUEST_BYTES", 1 << 20))
        if self.max_bytes_key:
            self.max_request_bytes = int(config.get(self.max_bytes_key) or self.max_request_bytes)
        self.secure_cookies = is_production(config)
        self.token_check = next((dep for dep in self.container.dependencies if isinstance(dep, TokenCheck)), None)
        if self.token_check is None:
            raise RuntimeError("a service with @api routes needs a TokenCheck dependency")

    def authenticate(self, request):
        header = request.headers.get("Authorization")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise Unauthenticated("expected 'Authorization: Bearer <token>'")
            principal = self.principal_of(token.strip())
            self.token_check.verify(principal)
            return principal
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return self.session_principal(request, cookie)
        return PUBLIC

    def principal_of(self, token):
        try:
            return read_token(token, self.jwt_secret)
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired")
        except jwt.InvalidTokenError:
            raise Unauthenticated("invalid token")

    def session_principal(self, request, cookie):
        """The browser session's principal. A cookie that no longer stands (expired, signed
        out, account changed) makes the request anonymous and is cleared, so public pages
        keep working; a cookie-authenticated write needs the session's CSRF token."""
        try:
            principal = self.principal_of(cookie)
            if principal.session_id is None:
                raise Unauthenticated("not a session")
            self.token_check.verify(principal)
        except Unauthenticated:
            request.clear_session_cookie = True
            return PUBLIC
        if request.method in WRITE_METHODS and not csrf_matches(self.jwt_secret, principal.session_id,
                                                                request.headers.get(CSRF_HEADER)):
            if self.roles is None:
                return PUBLIC  # a public route: the cookie, unproven, grants nothing
            raise CsrfRejected(f"a write signed in by the session cookie needs the {CSRF_HEADER} header "
                               "(csrf_token of the sign-in answer or of GET /api/v1/me)", {"header": CSRF_HEADER})
        return principal

    def authorize(self, principal):
        if self.roles is None or principal.has_any(self.roles):
            return
        if principal.role == "public":
            raise Unauthenticated("sign in first: this needs one of the roles " + ", ".join(self.roles))
        raise Forbidden(f"role {principal.role} may not do this", {"required_roles": list(self.roles)})

    def handle_request(self, request):
        request.shallow = False
        request.max_content_length = self.max_request_bytes
        started = time.perf_counter()
        correlation_id = request.headers.get(CORRELATION_HEADER) or uuid.uuid4().hex
        correlation_id_var.set(correlation_id)  # an unhandled error's log line (errors.response_for) names it
        headers = {CORRELATION_HEADER: correlation_id}
        try:
            if (request.content_length or 0) > self.max_request_bytes:
                raise PayloadTooLarge(f"request body over {self.max_request_bytes} bytes", self.too_large_details())
            if request.content_length is None and \
                    request.headers.get("Transfer-Encoding", "").lower() == "chunked":
                self.read_chunked_body(request)
            principal = self.authenticate(request)
            self.authorize(principal)
            check_request_inputs(request, self.query_schema)
            args, kwargs = (request,), dict(request.path_values, principal=principal)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data={"correlation_id": correlation_id},
                                        handle_result=partial(self.handle_result, event))
            response = self.response_from_result(event.wait())
        except Exception as exc:
            response = response_for(exc)
        response.headers.update(headers)
        if getattr(request, "clear_session_cookie", False) and "Set-Cookie" not in response.headers:
            response.headers.add("Set-Cookie", cleared_session_cookie(self.secure_cookies))
        elapsed = time.perf_counter() - started
        HTTP_REQUESTS.labels(self.method, self.url, str(response.status_code)).inc()
        HTTP_SECONDS.labels(self.method, self.url).observe(elapsed)
        access_log.info("%s %s %d", request.method, request.path, response.status_code, extra={
            "correlation_id": correlation_id, "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 2), "route": self.method_name})
        return response

    def read_chunked_body(self, request):
        """A chunked body has no Content-Length. eventlet's server ends it, but does not say
        so (``wsgi.input_terminated``), and werkzeug then reads it as EMPTY; with the flag
        werkzeug stops at the limit without an error. So: flag it, read one byte past the
        limit, and refuse what is over it. json_body() then uses the cached body."""
        request.environ["wsgi.input_terminated"] = True
        request.max_content_length = self.max_request_bytes + 1
        try:
            size = len(request.get_data(cache=True))
        finally:
            request.max_content_length = self.max_request_bytes
        if size > self.max_request_bytes:
            raise PayloadTooLarge(f"request body over {self.max_request_bytes} bytes", self.too_large_details())

    def too_large_details(self):
        """The limit, and on an upload route the file field it is about (the client shows it there)."""
        details = {"limit_bytes": self.max_request_bytes}
        if self.upload:
            details[next(iter(self.upload))] = [f"over {self.max_request_bytes} bytes"]
        return details

    def response_from_result(self, result):
        if not isinstance(result, tuple) and self.status != 200:
            result = (self.status, result)
        return super().response_from_result(result)


api = ApiEndpoint.decorator


def json_body(request):
    """The request's JSON object, or a 400/413/415 that says what is wrong with it: not
    JSON (or not UTF-8, NaN, nested deeper than MAX_JSON_DEPTH) is MALFORMED_JSON;
    duplicate keys and text PostgreSQL cannot store (NUL, lone surrogates) are
    VALIDATION_ERROR naming each field."""
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge("request body too large", {"limit_bytes": request.max_content_length})
    if not raw:
        return {}
    if request.mimetype and request.mimetype != "application/json":
        raise UnsupportedMediaType("send JSON with Content-Type: application/json",
                                   {"content_type": request.mimetype})
    try:
        body, problems = parse_json(raw)
    except JsonInputError as exc:
        raise MalformedJson(f"request body refused: {exc}", exc.details)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJson("request body is not valid JSON", {"position": getattr(exc, "pos", None)})
    if problems:
        raise ValidationFailed("invalid input", field_details(problems))
    if not isinstance(body, dict):
        raise ValidationFailed("request body must be a JSON object", {"_body": ["expected a JSON object"]})
    return body


def query_args(request):
    """The query string as ``{name: first value}`` (checked by ``check_request_inputs``)."""
    return {key: value for key, value in request.args.items()}


def check_request_inputs(request, query_schema=None):
    """Path values, query parameters and the Idempotency-Key header: no text PostgreSQL
    cannot store (NUL, invalid UTF-8 or lone surrogates), a key of sane length, and the
    query valid for the route's schema; else a 400 naming each field. werkzeug decodes
    invalid UTF-8 in the URL to U+FFFD, so the raw path and query are decoded again here
    with surrogateescape to see it."""
    environ = request.environ
    problems = unsafe_text(dict(request.path_values))
    raw_path = environ.get("PATH_INFO", "").encode("latin-1", "replace").decode("utf-8", "surrogateescape")
    if text_problem(raw_path) and not problems:
        problems = [((name,), SURROGATE_MESSAGE) for name, value in request.path_values.items()
                    if isinstance(value, str) and "\ufffd" in value] or [(("_path",), SURROGATE_MESSAGE)]
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True, errors="surrogateescape")
    problems += [((printable(name),), message) for name, value in query
                 for message in [text_problem(name) or text_problem(value)] if message]
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not (0 < len(key) <= IDEMPOTENCY_KEY_MAX and key.isprintable()):
        problems.append(((IDEMPOTENCY_HEADER,), f"1 to {IDEMPOTENCY_KEY_MAX} printable characters"))
    if problems:
        raise ValidationFailed("invalid input", field_details(problems))
    if query_schema is not None:
        schema = query_schema() if isinstance(query_schema, type) else query_schema
        load_payload(schema, query_args(request))
