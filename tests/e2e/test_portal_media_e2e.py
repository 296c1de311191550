"""Portal media through the gateway: editors upload, the type is sniffed, the file is served
immutable with the sniffed type, refused and oversized uploads are 400/413 naming the field."""
import io

from PIL import Image

from tests.e2e.conftest import assert_json_error


def png(size=(1600, 800)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_an_editor_uploads_an_image_and_anyone_gets_it_cached_for_good(client):
    data = png()
    # the browser's claimed type and the name say nothing: the content does
    response = client.post("/api/v1/media", as_user="editor",
                           files={"file": ("照片.txt", data, "application/octet-stream")})
    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["kind"], answer["content_type"], answer["width"], answer["height"]) == \
        ("image", "image/png", 1600, 800)
    assert answer["url"].endswith(".png") and answer["resized_url"].endswith("-w960.jpg")
    served = client.get(answer["url"])
    assert served.status_code == 200 and served.content == data
    assert served.headers["Content-Type"] == "image/png"
    assert "immutable" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff" and "Set-Cookie" not in served.headers
    again = client.get(answer["url"], headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304 and not again.content
    resized = client.get(answer["resized_url"])
    assert resized.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(resized.content)).size == (960, 480)


def test_a_pdf_attachment_downloads(client):
    response = client.post("/api/v1/media", as_user="staff",
                           files={"file": ("通知.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", "application/pdf")})
    assert response.status_code == 201, response.text
    served = client.get(response.json()["url"])
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"] == "attachment"


def test_a_renamed_executable_or_page_is_refused_naming_the_field(client):
    for name, data in (("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100),
                       ("photo.png", b"<html><script>alert(1)</script></html>")):
        error = assert_json_error(client.post("/api/v1/media", as_user="editor",
                                              files={"file": (name, data, "image/jpeg")}), 400, "VALIDATION_ERROR")
        assert "file" in error["details"]
    error = assert_json_error(client.post("/api/v1/media", as_user="editor", files={"other": ("a.png", png())}),
                              400, "VALIDATION_ERROR")
    assert "file" in error["details"]


def test_an_upload_over_the_limit_is_413_naming_the_field(client, config):
    limit = int(config["MEDIA_MAX_BYTES"])
    error = assert_json_error(client.post("/api/v1/media", as_user="editor",
                                          files={"file": ("big.pdf", b"%PDF-" + b"0" * limit)}), 413)
    assert "file" in error["details"] and error["details"]["limit_bytes"] == limit


def test_only_editors_and_staff_upload_and_unknown_names_are_404(client):
    assert_json_error(client.post("/api/v1/media", files={"file": ("a.png", png((10, 10)))}), 401)
    assert_json_error(client.post("/api/v1/media", as_user="D0001", files={"file": ("a.png", png((10, 10)))}), 403)
    assert client.get("/media/" + "0" * 64 + ".png").status_code == 404
    assert client.get("/media/..%2Fconfig.yaml").status_code == 404
