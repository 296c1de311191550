"""The portal's micro-cache of rendered pages (gateway/portal.py): entries expire after the
TTL, the oldest go first past the size bound, and a write empties it."""
from gateway import portal


def entry(body):
    return portal.PageCache.Entry(portal.time.monotonic(), body, "etag", None, {}, "text/html")


def test_an_entry_is_reused_within_the_ttl_only(monkeypatch):
    cache = portal.PageCache()
    now = [1000.0]
    monkeypatch.setattr(portal.time, "monotonic", lambda: now[0])
    cache.put(("http://h/", "/portal/?"), entry("home"))
    assert cache.get(("http://h/", "/portal/?"), ttl=2).body == "home"
    assert cache.get(("http://other/", "/portal/?"), ttl=2) is None        # the host is part of the key
    now[0] += 2.0
    assert cache.get(("http://h/", "/portal/?"), ttl=2) is None


def test_the_oldest_go_past_the_bound_and_a_write_empties_it():
    cache = portal.PageCache(size=2)
    for n in range(3):
        cache.put(("h", f"/p{n}"), entry(n))
    assert cache.get(("h", "/p0"), ttl=60) is None and cache.get(("h", "/p2"), ttl=60).body == 2
    portal.PAGES.put(("h", "/x"), entry("x"))
    portal.forget_portal_pages()
    assert portal.PAGES.get(("h", "/x"), ttl=60) is None


def test_one_request_rebuilds_an_expired_page_while_the_others_get_the_expired_copy(monkeypatch):
    cache = portal.PageCache()
    now = [1000.0]
    monkeypatch.setattr(portal.time, "monotonic", lambda: now[0])
    key = ("http://h/", "/portal/?")
    assert cache.get_or_claim(key, ttl=2) is None               # nothing yet: this caller builds
    assert cache.get_or_claim(key, ttl=2) is None               # no copy to give: builds too
    cache.put(key, entry("v1"))
    cache.release(key)
    assert cache.get_or_claim(key, ttl=2).body == "v1"
    now[0] += 5
    assert cache.get_or_claim(key, ttl=2) is None               # expired: the first caller rebuilds
    assert cache.get_or_claim(key, ttl=2).body == "v1"          # the rest meanwhile: the expired copy
    cache.put(key, entry("v2"))
    cache.release(key)
    assert cache.get_or_claim(key, ttl=2).body == "v2"
    cache.clear()                                               # after a write: no expired copy is served
    assert cache.get_or_claim(key, ttl=2) is None
