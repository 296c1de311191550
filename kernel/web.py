"""HTTP for every process: nameko's web server, but every error is JSON.

nameko answers an unknown route or a wrong method with werkzeug's HTML page and a failed
handler with a plain-text traceback summary. ``JsonWebServer`` and ``JsonHttpEntrypoint``
answer ``{"error": {"code", "message", "details"}}`` instead; the gateway extends the
entrypoint with auth and its error table. All entrypoints of one process share one server.
"""
import json
import logging
import socket

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

log = logging.getLogger(__name__)

# Sent with every answer of every process (pages, JSON, static files, errors), set in one
# place (JsonWsgiApp). Pages run only their own scripts and styles from this origin: no
# inline script, no framing by another site, no Referer to other sites. Fonts may also be
# data: URLs (Vant's icon font is embedded in its stylesheet).
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    csp = PAGE_CSP if response.mimetype == "text/html" else DATA_CSP
    response.headers.setdefault("Content-Security-Policy", csp)
    return response


HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
              405: "METHOD_NOT_ALLOWED", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE",
              415: "UNSUPPORTED_MEDIA_TYPE", 422: "UNPROCESSABLE", 500: "INTERNAL_ERROR",
              503: "SERVICE_UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def json_response(body, status=200, headers=None):
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


def error_response(status, code, message, details=None, headers=None):
    return json_response({"error": {"code": code, "message": message, "details": details or {}}},
                         status, headers)


class JsonWsgiApp(WsgiApp):
    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except HTTPException as exc:
            headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None
            response = error_response(exc.code, HTTP_CODES.get(exc.code, "HTTP_ERROR"),
                                      exc.description or exc.name, {"path": request.path}, headers)
        return add_security_headers(response)(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def get_wsgi_server(self, sock, wsgi_app, *args, **kwargs):
        # No Nagle delay (accepted sockets inherit it from the listening one): eventlet writes
        # an answer over 16 KiB (its write buffer) in two sends, and the second waited for the
        # client's delayed ACK — 40 ms on every such page (a portal home page of 17 KiB).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().get_wsgi_server(sock, wsgi_app, *args, **kwargs)


class JsonHttpEntrypoint(HttpRequestHandler):
    server = JsonWebServer()

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, headers = 200, None
        if isinstance(result, tuple):
            if len(result) == 3:
                status, headers, result = result
            else:
                status, result = result
        return json_response(result, status, headers)

    def response_from_exception(self, exc):
        if isinstance(exc, HTTPException) and exc.code is not None and exc.code < 500:
            # a handler's own werkzeug 4xx (e.g. NotFound for a missing static file)
            return error_response(exc.code, HTTP_CODES.get(exc.code, "HTTP_ERROR"), exc.description or exc.name)
        log.exception("unhandled error in %s", self.method_name)
        return error_response(500, "INTERNAL_ERROR", "internal error")


http = JsonHttpEntrypoint.decorator
