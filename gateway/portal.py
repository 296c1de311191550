"""The public portal (门户网站): server-rendered HTML (Jinja2), Atom feeds and the sitemap.

Rendered in the gateway, not in the news service: the gateway is the platform's only HTTP
entry (auth-free public pages included), the news service stays a data owner answering RPC
(one call per page), and templates, static files and HTTP caching live in one place beside
the other pages the gateway serves.

Every page is public and cacheable by a CDN: no cookies are read or set (``@portal_page``,
a plain ``@http`` route, not ``@api``), ``Cache-Control: public``, an ``ETag`` computed from the data the page
shows (plus the templates' own digest) and ``Last-Modified`` from the newest article on it;
a conditional request that matches is answered ``304`` before anything is rendered. Each
gateway process also keeps a rendered page for PORTAL_CACHE_SECONDS (a micro-cache, default
2 s), answered before a worker is even spawned: a burst of readers costs one RPC per page. The gateway's own editorial
writes (publish, withdraw, columns) empty it at once; a scheduled publication or another
replica's write shows within that time (the public caches allow 60 s anyway). Readable
without JavaScript; the 适老化 switch (larger text, high contrast) is a checkbox that works
with CSS alone, and a 20-line script remembers it across pages. Times in Beijing time.
"""
import collections
import datetime
import functools
import hashlib
import json
import math
import pathlib
import time
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import NotFound as HttpNotFound
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from kernel.errors import DeadlineExceeded, NotFound, ServiceUnavailable, ValidationFailed
from kernel.web import JsonHttpEntrypoint, http

HERE = pathlib.Path(__file__).resolve().parent
TEMPLATES = HERE / "templates" / "portal"
STATIC = HERE / "static" / "portal"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))
PAGE_SIZE = 20
FEED_SIZE = 30
MAX_AGE = 60
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(("html", "xml")),
                  trim_blocks=True, lstrip_blocks=True)


def _parse(value):
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


def beijing(value, fmt="%Y-%m-%d %H:%M"):
    moment = _parse(value)
    return moment.astimezone(BEIJING).strftime(fmt) if moment else ""


def rfc3339(value):
    moment = _parse(value)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


ENV.filters["beijing"] = beijing
ENV.filters["rfc3339"] = rfc3339
# Part of every ETag: a change of templates or styles changes every page's tag.
TEMPLATE_DIGEST = hashlib.sha1(b"".join(p.read_bytes() for p in sorted(TEMPLATES.glob("*"))
                                        + sorted(STATIC.glob("*")))).hexdigest()[:12]


class PageCache:
    """Rendered portal pages by (host, path and query) for a few seconds, at most ``size``."""

    Entry = collections.namedtuple("Entry", "at body etag modified headers mimetype")

    def __init__(self, size=1000):
        self.size = size
        self.entries = collections.OrderedDict()
        self.rebuilding = set()

    def get(self, key, ttl):
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry.at >= ttl:
            return None
        return entry

    def get_or_claim(self, key, ttl):
        """The page to answer with, or None when the caller must build it. Once a page
        expires, ONE request rebuilds it while the others get the expired copy for those
        few milliseconds (no stampede of renders and RPCs every TTL)."""
        entry = self.entries.get(key)
        if entry is not None and (time.monotonic() - entry.at < ttl or key in self.rebuilding):
            return entry
        self.rebuilding.add(key)
        return None

    def release(self, key):
        self.rebuilding.discard(key)

    def put(self, key, entry):
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def clear(self):
        self.entries.clear()


PAGES = PageCache()


def cached_answer(request, entry):
    """The cached page, or a 304 when the client's copy is current."""
    if client_is_current(request, entry.etag, entry.modified):
        return Response(status=304, headers=entry.headers)
    return Response(entry.body, mimetype=entry.mimetype, headers=entry.headers)


def client_is_current(request, etag, modified):
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    return modified is not None and request.if_modified_since is not None and modified <= request.if_modified_since


def cache_seconds(config):
    return float(config.get("PORTAL_CACHE_SECONDS", 2) or 0)


class PortalPageEntrypoint(JsonHttpEntrypoint):
    """``@portal_page``: a cached page is answered here, before a worker is spawned (no
    dependency injection, no RPC): what makes a read as cheap as a static file; a miss runs
    the handler, which renders and caches it (PortalRoutes._page). Cache hits are not in the
    worker metrics."""

    def handle_request(self, request):
        ttl = cache_seconds(self.container.config)
        if ttl <= 0:
            return super().handle_request(request)
        key = (request.host_url, request.full_path)
        entry = PAGES.get_or_claim(key, ttl)
        if entry is not None:
            return cached_answer(request, entry)
        try:
            return super().handle_request(request)
        finally:
            PAGES.release(key)


portal_page = PortalPageEntrypoint.decorator


def forget_portal_pages():
    """After a write that changes what the public sees (called by the editorial routes)."""
    PAGES.clear()


def changes_portal_pages(route):
    """A gateway route whose write the portal shows (a reception day, an activity, a deputy):
    the cached pages go when it answers — also after a failure or a time-out, since the write
    may have happened. Writes other gateways make, or that arrive by events, show within
    PORTAL_CACHE_SECONDS."""
    @functools.wraps(route)
    def forgetting(*args, **kwargs):
        try:
            return route(*args, **kwargs)
        finally:
            forget_portal_pages()
    return forgetting


def newest(*lists):
    times = [_parse(item["updated_at"]) for items in lists for item in items if item.get("updated_at")]
    return max(times) if times else None


class PortalRoutes:
    # -- pages -------------------------------------------------------------------------------------
    @portal_page("GET", "/portal/")
    def portal_home(self, request):
        def page():
            data = self.rpc.call("news", "portal_home")
            modified = newest(data["latest"], *[s["items"] for s in data["sections"]])
            return data, modified, lambda: self._render("home.html", data, columns=data["columns"])
        return self._page(request, page)

    @portal_page("GET", "/portal/columns/<slug>")
    def portal_column(self, request, slug):
        def page():
            number = self._page_number(request)
            data = self.rpc.call("news", "portal_articles", query={"column": slug, "limit": PAGE_SIZE,
                                                                   "offset": (number - 1) * PAGE_SIZE})
            columns = self.rpc.call("news", "list_columns")["items"]
            pages = max(1, math.ceil(data["total"] / PAGE_SIZE))
            if number > pages:
                raise NotFound("no such page", {"page": number})
            return data, newest(data["items"]), lambda: self._render(
                "column.html", data, columns=columns, column=data["column"], page=number, pages=pages,
                page_url=lambda n: f"/portal/columns/{slug}" + (f"?page={n}" if n > 1 else ""))
        return self._page(request, page)

    @portal_page("GET", "/portal/articles/<key>")
    def portal_article(self, request, key):
        def page():
            data = self.rpc.call("news", "portal_article", key=key)
            if key != data["slug"]:
                raise Redirect(f"/portal/articles/{data['slug']}")
            return data, _parse(data["updated_at"]), lambda: self._render(
                "article.html", data, columns=data["columns"], article=data,
                canonical=self._base(request) + f"/portal/articles/{data['slug']}")
        return self._page(request, page)

    @portal_page("GET", "/portal/search")
    def portal_search(self, request):
        def page():
            q = (request.args.get("q") or "").strip()[:100]
            number = self._page_number(request)
            data = {"items": [], "total": 0}
            if q:
                data = self.rpc.call("news", "portal_articles", query={"q": q, "limit": PAGE_SIZE,
                                                                       "offset": (number - 1) * PAGE_SIZE})
            columns = self.rpc.call("news", "list_columns")["items"]
            pages = max(1, math.ceil(data["total"] / PAGE_SIZE))
            return {**data, "q": q, "page": number}, newest(data["items"]), lambda: self._render(
                "search.html", data, columns=columns, q=q, page=number, pages=pages,
                page_url=lambda n: "/portal/search?" + urlencode({"q": q, "page": n}))
        return self._page(request, page)

    # -- feeds ---------------------------------------------------------------------------------------
    @portal_page("GET", "/feed.xml")
    def portal_feed(self, request):
        def page():
            slug = request.args.get("column") or None
            data = self.rpc.call("news", "portal_feed", column=slug, limit=FEED_SIZE)
            articles = data["items"]
            base = self._base(request)
            self_url = base + "/feed.xml" + (f"?column={slug}" if slug else "")
            return {"articles": articles}, newest(articles), lambda: self._render(
                "feed.xml", {}, articles=articles, column=data["column"], base=base, self_url=self_url,
                updated=newest(articles) or datetime.datetime.now(datetime.timezone.utc))
        return self._page(request, page, mimetype="application/atom+xml")

    @portal_page("GET", "/sitemap.xml")
    def portal_sitemap(self, request):
        def page():
            # The people's pages come from the deputy service; without it the sitemap still
            # lists the news pages (a crawler comes back), without news it is a 503.
            results, unavailable = self.rpc.gather({"news": ("news", "portal_sitemap", {}),
                                                    "people": ("deputy", "portal_sitemap_entries", {})})
            if "news" in unavailable:
                raise ServiceUnavailable("the news service did not answer", {"service": "news"})
            data = {**results["news"], **results.get("people", {"stations": [], "deputies": []})}
            return data, newest(data["articles"]), lambda: self._render("sitemap.xml", {}, base=self._base(request),
                                                                        **data)
        return self._page(request, page, mimetype="application/xml")

    @http("GET", "/portal/static/<filename>")
    def portal_static(self, request, filename):
        path = (STATIC / filename).resolve()
        if path.parent != STATIC or not path.is_file() or path.suffix not in STATIC_TYPES:
            raise HttpNotFound()
        body = path.read_bytes()
        etag = hashlib.sha1(body).hexdigest()[:16]
        if request.if_none_match.contains(etag):
            return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": "public, max-age=3600"})
        return Response(body, mimetype=STATIC_TYPES[path.suffix],
                        headers={"ETag": f'"{etag}"', "Cache-Control": "public, max-age=3600"})

    # -- plumbing ------------------------------------------------------------------------------------
    def _settings(self):
        return {"site_name": self.config.get("PORTAL_SITE_NAME") or "宁陕县人大常委会",
                "icp": self.config.get("PORTAL_ICP") or "陕ICP备00000000号"}

    def _base(self, request):
        return (self.config.get("PORTAL_BASE_URL") or request.host_url).rstrip("/")

    def _page_number(self, request):
        raw = request.args.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 100000:
            raise ValidationFailed("invalid input", {"page": ["a page number from 1"]})
        return int(raw)

    def _render(self, template, data, **context):
        return ENV.get_template(template).render(**{**data, **context, "settings": self._settings()})

    def _page(self, request, build, mimetype="text/html"):
        """Conditional GET: ETag from the data (+ templates + settings), Last-Modified from the
        newest article shown; 304 when the client's copy is current — from the micro-cache
        without an RPC, or else before rendering."""
        ttl = cache_seconds(self.config)
        key = (request.host_url, request.full_path)
        cached = PAGES.get(key, ttl) if ttl > 0 else None
        if cached is not None:
            return cached_answer(request, cached)
        try:
            data, modified, render = build()
        except Redirect as redirect:
            return Response(status=301, headers={"Location": redirect.location, "Cache-Control": f"public, max-age={MAX_AGE}"})
        except NotFound:
            return self._error_page(404, "页面不存在", "您要找的页面不存在或已撤下。")
        except ValidationFailed:
            return self._error_page(400, "请求有误", "请检查页码或搜索词。")
        except (ServiceUnavailable, DeadlineExceeded):
            return self._error_page(503, "暂时无法访问", "网站正在维护，请稍后再试。")
        stamp = json.dumps([TEMPLATE_DIGEST, self._settings(), data], sort_keys=True, ensure_ascii=False, default=str)
        etag = hashlib.sha1(stamp.encode()).hexdigest()[:24]
        headers = {"ETag": f'"{etag}"', "Cache-Control": f"public, max-age={MAX_AGE}", "Vary": "Accept-Encoding"}
        if modified is not None:
            modified = modified.replace(microsecond=0)
            headers["Last-Modified"] = http_date(modified)
        if ttl > 0:
            body = render()
            PAGES.put(key, PageCache.Entry(time.monotonic(), body, etag, modified, headers, mimetype))
        if client_is_current(request, etag, modified):
            return Response(status=304, headers=headers)
        return Response(body if ttl > 0 else render(), mimetype=mimetype, headers=headers)

    def _error_page(self, status, title, message):
        try:
            columns = self.rpc.call("news", "list_columns")["items"]
        except Exception:   # noqa: BLE001 — the error page must render even when news is down
            columns = []
        body = ENV.get_template("error.html").render(settings=self._settings(), columns=columns, title=title,
                                                     message=message, status=status)
        return Response(body, status=status, mimetype="text/html", headers={"Cache-Control": "public, max-age=10"})


class Redirect(Exception):
    def __init__(self, location):
        super().__init__(location)
        self.location = location
