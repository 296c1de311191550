"""Gateway routes: the built web clients (web/dist) and the landing page.

A mixin of GatewayService. ``/console/…`` answers the console's HTML shell and ``/m/…`` the
mobile app's (each app routes in the browser, so every path under it is the same shell),
never cached; their hashed assets under ``/app/assets/`` are cached for a year. ``/`` links
the portal, the apps, the statistics and the API docs.
"""
import functools
import gzip
import mimetypes
import pathlib

from werkzeug.exceptions import NotFound as HttpNotFound
from werkzeug.wrappers import Response

from kernel.web import error_response, http

DIST = pathlib.Path(__file__).resolve().parent.parent / "web" / "dist"
STATIC = pathlib.Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600


def shell(name):
    path = DIST / name
    if not path.is_file():
        return error_response(503, "SERVICE_UNAVAILABLE", "the web clients are not built: run `make setup`",
                              {"missing": f"web/dist/{name}"})
    return Response(path.read_bytes(), mimetype="text/html", headers={"Cache-Control": "no-cache"})


COMPRESSIBLE = (".js", ".css", ".svg", ".json", ".html")


@functools.lru_cache(maxsize=256)
def _gzipped(path, mtime):
    """A hashed asset never changes: gzip it once (mtime in the key for a rebuild in place)."""
    return gzip.compress(path.read_bytes(), compresslevel=9)


def asset(filename, accept_encoding=""):
    path = (DIST / "assets" / filename).resolve()
    if path.parent != (DIST / "assets").resolve() or not path.is_file():
        raise HttpNotFound()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    headers = {"Cache-Control": f"public, max-age={YEAR}, immutable"}
    if path.suffix in COMPRESSIBLE:
        # a phone on a slow network: the keypad's JS is ~160 KB, ~64 KB gzipped (bench/keypad.py)
        headers["Vary"] = "Accept-Encoding"
        if "gzip" in (accept_encoding or "").lower():
            headers["Content-Encoding"] = "gzip"
            return Response(_gzipped(path, path.stat().st_mtime_ns), mimetype=mimetype, headers=headers)
    return Response(path.read_bytes(), mimetype=mimetype, headers=headers)


class WebClientRoutes:
    @http("GET", "/")
    def landing_page(self, request):
        return Response((STATIC / "landing.html").read_bytes(), mimetype="text/html",
                        headers={"Cache-Control": "no-cache"})

    @http("GET", "/console/")
    def console_app(self, request):
        return shell("console.html")

    @http("GET", "/console/<path:rest>")
    def console_app_path(self, request, rest):
        return shell("console.html")

    @http("GET", "/m/")
    def mobile_app(self, request):
        return shell("mobile.html")

    @http("GET", "/m/<path:rest>")
    def mobile_app_path(self, request, rest):
        return shell("mobile.html")

    @http("GET", "/app/assets/<filename>")
    def web_asset(self, request, filename):
        return asset(filename, request.headers.get("Accept-Encoding", ""))
