"""The web build as the browser loads it, read from Vite's manifest (web/dist/.vite/manifest.json):
which chunks an entry or a route loads, and their size on the wire (gzip level 9: what a
gzip-serving server sends at most). Used by bench/keypad.py and bench/console_size.py."""
import gzip
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"


def manifest_path(dist=DIST):
    return dist / ".vite" / "manifest.json"


def read_manifest(dist=DIST):
    """The manifest, or RuntimeError saying how to build it."""
    path = manifest_path(dist)
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: build the web clients first (cd web && npm run build)")
    return json.loads(path.read_text(encoding="utf-8"))


def static_keys(manifest, keys):
    """The manifest keys of ``keys`` and everything they import statically (not dynamic
    imports: those load only when their route is visited), each once, in load order."""
    seen, order = set(), []

    def visit(key):
        if key in seen or key not in manifest:
            return
        seen.add(key)
        for imported in manifest[key].get("imports", []):
            visit(imported)
        order.append(key)

    for key in keys:
        visit(key)
    return order


def route_chunks(manifest, keys):
    return [manifest[key] for key in static_keys(manifest, keys)]


def gzip_size(path):
    return len(gzip.compress(path.read_bytes(), compresslevel=9))
