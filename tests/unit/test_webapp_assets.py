"""The web clients' hashed assets (gateway/webapp.py) go gzipped to a browser that accepts it
(a phone on a slow network loads the keypad's JS in a third of the bytes), as they are otherwise."""
import gzip

import pytest
from werkzeug.exceptions import NotFound

from gateway import webapp


@pytest.fixture
def dist(tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "Meeting-abc.js").write_text("export const keypad = 1;\n" * 200)
    (tmp_path / "assets" / "logo-abc.png").write_bytes(b"\x89PNG" + bytes(100))
    monkeypatch.setattr(webapp, "DIST", tmp_path)
    return tmp_path


def test_a_script_is_gzipped_when_the_browser_accepts_it(dist):
    response = webapp.asset("Meeting-abc.js", "gzip, deflate, br")
    assert response.headers["Content-Encoding"] == "gzip" and response.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.get_data()) == (dist / "assets" / "Meeting-abc.js").read_bytes()
    assert len(response.get_data()) < (dist / "assets" / "Meeting-abc.js").stat().st_size / 3
    assert "immutable" in response.headers["Cache-Control"]


def test_as_it_is_otherwise_and_images_always(dist):
    plain = webapp.asset("Meeting-abc.js", "")
    assert "Content-Encoding" not in plain.headers and plain.get_data() == (dist / "assets" / "Meeting-abc.js").read_bytes()
    image = webapp.asset("logo-abc.png", "gzip")
    assert "Content-Encoding" not in image.headers


def test_nothing_outside_the_assets(dist):
    with pytest.raises(NotFound):
        webapp.asset("../secret.js", "gzip")
