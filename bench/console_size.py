"""The console's first load, gzip (issue 10: "Console first load (gzip JS)"), from the Vite manifest.

    python -m bench.console_size            # after `cd web && npm run build`

``web/dist/.vite/manifest.json`` lists every chunk with its static ``imports`` and its
``dynamicImports``. What a browser loads before the console can show anything is the entry
(``console.html``) and, recursively, its static imports; each page is a dynamic import loaded
when its route is first visited. Each file is gzipped here (level 9, what a gzip-serving proxy
would send at most; the figure is bytes on the wire, not parse time). Reported: the entry's
first load (JS and CSS), then per route chunk what it adds on top of that (its own file and the
static imports not already loaded). ``make bench`` adds it to its report (bench/run.py).
"""
import sys

from bench.web_build import DIST, gzip_size, read_manifest, static_keys
ENTRY = "console.html"


def files_of(manifest, keys, field="file"):
    files = set()
    for key in keys:
        chunk = manifest[key]
        if field == "file":
            files.add(chunk["file"])
        else:
            files.update(chunk.get(field, []))
    return files


def measure(dist=DIST):
    try:
        manifest = read_manifest(dist)
    except RuntimeError as exc:
        return {"error": str(exc)}
    first = set(static_keys(manifest, [ENTRY]))
    js = files_of(manifest, first)
    css = files_of(manifest, first, "css")
    figure = {
        "entry": ENTRY,
        "first_load_js_files": len(js),
        "first_load_js_gzip_bytes": sum(gzip_size(dist / f) for f in js),
        "first_load_js_raw_bytes": sum((dist / f).stat().st_size for f in js),
        "first_load_css_gzip_bytes": sum(gzip_size(dist / f) for f in css),
        "routes": {},
    }
    for route in manifest[ENTRY].get("dynamicImports", []):
        added = set(static_keys(manifest, [route])) - first
        figure["routes"][route] = sum(gzip_size(dist / f) for f in files_of(manifest, added))
    return figure


def report(figure):
    if "error" in figure:
        return f"console first load: {figure['error']}"
    lines = [f"console first load ({figure['entry']}): {figure['first_load_js_gzip_bytes'] / 1024:.1f} KiB gzip JS "
             f"in {figure['first_load_js_files']} files ({figure['first_load_js_raw_bytes'] / 1024:.1f} KiB raw), "
             f"{figure['first_load_css_gzip_bytes'] / 1024:.1f} KiB gzip CSS",
             "  each page adds on its first visit (gzip JS):"]
    for route, size in sorted(figure["routes"].items(), key=lambda pair: pair[0]):
        lines.append(f"    {route}: {size / 1024:.1f} KiB")
    return "\n".join(lines)


def main():
    figure = measure()
    print(report(figure))
    return 1 if "error" in figure else 0


if __name__ == "__main__":
    sys.exit(main())
