"""OpenAPI 3 document generated from the routes' marshmallow schemas (apispec), and
Swagger UI served from the pinned swagger-ui-bundle package (no CDN needed)."""
import functools
import inspect
import mimetypes
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from gateway.api import IDEMPOTENCY_KEY_MAX, ApiEndpoint
from gateway.errors import ERROR_TABLE
from gateway.schemas import ErrorSchema, HealthSchema
from gateway.sessions import CSRF_HEADER, SESSION_COOKIE, WRITE_METHODS

_PATH_VALUE = re.compile(r"<(?:([a-z]+):)?([a-zA-Z_]+)>")
SPEC_VERSION = "1.0.0"


def routes(service_cls):
    for _, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, ApiEndpoint):
                yield method, entrypoint


def _schema_name(schema):
    cls = schema if inspect.isclass(schema) else type(schema)
    return cls.__name__.removesuffix("Schema")


def error_statuses(entrypoint):
    """The error statuses a route answers, from what every route of its kind does
    (ApiEndpoint.handle_request and the error table) plus the route's own ``errors``."""
    statuses = {400,  # path, query and header checks run on every route
                401,  # a bad or expired token is refused on every route, public ones too
                503, 504}  # a service (or the gateway's database) down or late
    if entrypoint.roles:
        statuses.add(403)
    if "<" in entrypoint.url:
        statuses.add(404)
    if entrypoint.method in WRITE_METHODS:
        statuses |= {409, 413, 422}
    if entrypoint.body_schema is not None:
        statuses.add(415)
    return sorted(statuses | set(entrypoint.errors))


def _error_responses(entrypoint):
    codes = {status: [cls.code for cls, s in ERROR_TABLE if s == status] for status in error_statuses(entrypoint)}
    responses = {str(status): {"description": " / ".join(codes[status]) or "error",
                               "content": {"application/json": {"schema": "Error"}}}
                 for status in codes}
    if "429" in responses:   # the sign-in throttling answer
        responses["429"]["description"] = ("RATE_LIMITED: too many failed sign-ins for this account or from this "
                                           "client; details.retry_after_seconds says how long to wait")
        responses["429"]["headers"] = {"Retry-After": {"description": "seconds to wait before trying again",
                                                       "schema": {"type": "integer"}}}
    return responses


def _success_response(entrypoint):
    content = {}
    if entrypoint.response_schema is not None:
        content["application/json"] = {"schema": entrypoint.response_schema}
    for media_type, description in entrypoint.media_types.items():
        content[media_type] = {"schema": {"type": "string", "description": description}}
    response = {"description": {200: "OK", 202: "Accepted"}.get(entrypoint.status, "Created")}
    if content:
        response["content"] = content
    return response


@functools.lru_cache(maxsize=4)
def document(service_cls):
    spec = APISpec(title="智慧人大 platform API", version=SPEC_VERSION, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "HTTP contract of the gateway (see API.md). Errors are "
                                        "{\"error\": {\"code\", \"message\", \"details\"}}."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.security_scheme("session", {
        "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
        "description": "Browser session: set (httpOnly, SameSite=Strict, Secure in production) by "
                       "POST /api/v1/auth/session, ended by DELETE /api/v1/auth/session. A write (POST, PUT, "
                       f"PATCH, DELETE) authenticated by it must send the session's csrf_token as {CSRF_HEADER}, "
                       "else 403 CSRF_TOKEN_INVALID."})
    spec.components.schema("Error", schema=ErrorSchema)
    for method, entrypoint in sorted(routes(service_cls), key=lambda r: r[1].url):
        operation = {
            "operationId": method.__name__,
            "summary": entrypoint.summary or (method.__doc__ or "").strip().split("\n")[0],
            "tags": [entrypoint.tag] if entrypoint.tag else [],
            "responses": _error_responses(entrypoint),
            "parameters": [{"in": "path", "name": name, "required": True, "schema": _path_schema(converter)}
                           for converter, name in _PATH_VALUE.findall(entrypoint.url)],
        }
        if entrypoint.roles:
            operation["security"] = [{"bearer": []}, {"session": []}]
            operation["description"] = "Roles: " + ", ".join(entrypoint.roles)
            if entrypoint.method in WRITE_METHODS:
                operation["parameters"].append({
                    "in": "header", "name": CSRF_HEADER, "required": False, "schema": {"type": "string"},
                    "description": "required when signed in by the session cookie (not with a bearer token)"})
        else:  # public; a token, when sent, may show more (and must be valid)
            operation["security"] = [{}, {"bearer": []}]
        if entrypoint.query_schema is not None:
            operation["parameters"].append({"in": "query", "schema": entrypoint.query_schema})
        if entrypoint.body_schema is not None:
            operation["requestBody"] = {"required": True,
                                        "content": {"application/json": {"schema": entrypoint.body_schema}}}
        if getattr(entrypoint, "upload", None):  # multipart upload (e.g. budget imports)
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": dict(entrypoint.upload)}}}}
        operation["responses"][str(entrypoint.status)] = _success_response(entrypoint)
        if entrypoint.method == "POST" and "Idempotency-Key" in (entrypoint.summary or ""):
            operation["parameters"].append({"in": "header", "name": "Idempotency-Key", "required": False,
                                            "schema": {"type": "string", "minLength": 1,
                                                       "maxLength": IDEMPOTENCY_KEY_MAX}})
        path = _PATH_VALUE.sub(r"{\2}", entrypoint.url)
        spec.path(path=path, operations={entrypoint.method.lower(): operation})
    health = {"content": {"application/json": {"schema": HealthSchema}}}
    spec.path(path="/health", operations={"get": {
        "summary": "Liveness of the gateway and readiness of every service", "tags": ["operations"],
        "responses": {"200": {"description": "all ready", **health},
                      "503": {"description": "some service not ready (named in 'unavailable')", **health}}}})
    spec.path(path="/metrics", operations={"get": {
        "summary": "Prometheus metrics of the gateway process", "tags": ["operations"],
        "responses": {"200": {"description": "text exposition format",
                              "content": {"text/plain": {"schema": {"type": "string"}}}}}}})
    return spec.to_dict()


def _path_schema(converter):
    return {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}


SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>智慧人大 API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/static/renda-swagger-init.js"></script>
</body></html>"""
# In a file, not inline: the pages' Content-Security-Policy runs no inline script.
SWAGGER_INIT = 'window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui"});\n'


def swagger_page():
    return Response(SWAGGER_PAGE, mimetype="text/html")


def swagger_asset(filename):
    if filename == "renda-swagger-init.js":
        return Response(SWAGGER_INIT, mimetype="text/javascript", headers={"Cache-Control": "max-age=86400"})
    path = (swagger_ui_path / filename)
    if "/" in filename or "\\" in filename or not path.is_file():
        raise NotFound()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Response(path.read_bytes(), mimetype=mimetype, headers={"Cache-Control": "max-age=86400"})
