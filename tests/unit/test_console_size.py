"""bench/console_size.py: the console's first load is the entry and its static imports (each page a
dynamic import, counted apart), gzip sizes of the files the Vite manifest names."""
import gzip
import json

from bench import console_size


def test_first_load_is_the_entry_with_its_static_imports(tmp_path):
    (tmp_path / ".vite").mkdir()
    (tmp_path / "assets").mkdir()
    files = {"assets/entry.js": "a" * 5000, "assets/shared.js": "b" * 3000, "assets/page.js": "c" * 2000,
             "assets/page-only.js": "d" * 1000, "assets/entry.css": "e" * 100}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    manifest = {
        "console.html": {"file": "assets/entry.js", "imports": ["_shared.js"], "dynamicImports": ["src/Page.vue"],
                         "css": ["assets/entry.css"]},
        "_shared.js": {"file": "assets/shared.js"},
        "src/Page.vue": {"file": "assets/page.js", "imports": ["_shared.js", "_page-only.js"]},
        "_page-only.js": {"file": "assets/page-only.js"},
    }
    (tmp_path / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    size = lambda name: len(gzip.compress(files[name].encode(), compresslevel=9))   # noqa: E731
    figure = console_size.measure(tmp_path)
    assert figure["first_load_js_files"] == 2
    assert figure["first_load_js_gzip_bytes"] == size("assets/entry.js") + size("assets/shared.js")
    assert figure["first_load_css_gzip_bytes"] == size("assets/entry.css")
    # the page adds its own file and what only it imports, not the shared chunk already loaded
    assert figure["routes"] == {"src/Page.vue": size("assets/page.js") + size("assets/page-only.js")}
    assert "KiB gzip JS in 2 files" in console_size.report(figure)


def test_without_a_build_it_says_what_to_run(tmp_path):
    figure = console_size.measure(tmp_path)
    assert "npm run build" in figure["error"] and "npm run build" in console_size.report(figure)
