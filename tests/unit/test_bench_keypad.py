"""bench/keypad.py counts the JavaScript the keypad route loads from Vite's build manifest:
the entry and the keypad page with their static imports, each chunk once; never the other
pages (dynamic imports, loaded only when visited)."""
import json

from bench.keypad import js_size, route_chunks, spread

MANIFEST = {
    "mobile.html": {"file": "assets/mobile.js", "isEntry": True, "imports": ["_vendor.js"],
                    "dynamicImports": ["src/mobile/pages/Meeting.vue", "src/mobile/pages/Home.vue"],
                    "css": ["assets/mobile.css"]},
    "_vendor.js": {"file": "assets/vendor.js"},
    "_button.js": {"file": "assets/button.js", "imports": ["_vendor.js", "mobile.html"]},
    "src/mobile/pages/Meeting.vue": {"file": "assets/Meeting.js", "imports": ["_button.js", "_vendor.js"],
                                     "css": ["assets/Meeting.css"]},
    "src/mobile/pages/Home.vue": {"file": "assets/Home.js", "imports": ["_chart.js"]},
    "_chart.js": {"file": "assets/chart.js"},
}


def test_the_route_loads_the_entry_and_the_page_with_their_static_imports_once():
    files = [chunk["file"] for chunk in route_chunks(MANIFEST, ["mobile.html", "src/mobile/pages/Meeting.vue"])]
    assert files == ["assets/vendor.js", "assets/mobile.js", "assets/button.js", "assets/Meeting.js"]


def test_sizes_are_gzip_bytes_of_those_files(tmp_path):
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "assets").mkdir()
    for name in ("mobile", "vendor", "button", "Meeting", "Home", "chart"):
        (tmp_path / "assets" / f"{name}.js").write_text(f"console.log('{name}');" * 200)
    for name in ("mobile", "Meeting"):
        (tmp_path / "assets" / f"{name}.css").write_text("a{color:red}" * 100)
    size = js_size(tmp_path)
    assert size["js_files"] == ["vendor.js", "mobile.js", "button.js", "Meeting.js"]
    assert size["js_bytes"] == sum(len(f"console.log('{n}');") * 200 for n in ("vendor", "button", "mobile", "Meeting"))
    assert 0 < size["js_gzip_bytes"] < size["js_bytes"] and size["css_gzip_bytes"] > 0 and size["met"] is True


def test_spread_is_first_and_last_arrival_or_none_when_a_keypad_missed_it():
    assert spread([10.5, 10.2, 10.9], 10.0) == {"first": 0.2, "last": 0.9}
    assert spread([10.5, None], 10.0) is None
