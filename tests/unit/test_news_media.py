"""Portal media: the type comes from the bytes (never the name), refused kinds are refused,
wide images get a resized copy, files are kept by content hash (gateway/media_store.py)."""
import io
import os
import zipfile

import pytest
from PIL import Image

from gateway import media_store as media


def image_bytes(fmt="PNG", size=(40, 30), mode="RGB"):
    out = io.BytesIO()
    color = {"RGB": (200, 30, 30), "RGBA": (200, 30, 30, 120), "L": 200}[mode]
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def office_bytes(main_part):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         f'<Types><Override PartName="/x" ContentType="application/{main_part}+xml"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize("fmt, ext, mime", [("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"),
                                            ("GIF", "gif", "image/gif"), ("WEBP", "webp", "image/webp")])
def test_images_are_known_by_their_content(fmt, ext, mime):
    kind, found_ext, found_mime, image = media.sniff(image_bytes(fmt))
    assert (kind, found_ext, found_mime) == ("image", ext, mime) and image.size == (40, 30)


def test_attachments_pdf_and_office_documents():
    assert media.sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")[:3] == ("attachment", "pdf", "application/pdf")
    docx = media.sniff(office_bytes("vnd.openxmlformats-officedocument.wordprocessingml.document.main"))
    assert docx[1] == "docx"
    xlsx = media.sniff(office_bytes("vnd.openxmlformats-officedocument.spreadsheetml.sheet.main"))
    assert xlsx[1] == "xlsx"


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,        # a Windows executable
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,                                     # a Linux executable
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",                      # a page
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',                # SVG carries script
    b"\x89PNG\r\n\x1a\n<script>alert(1)</script>",                                 # a PNG header, no image
])
def test_what_is_not_an_accepted_file_is_refused_whatever_its_name(data, tmp_path):
    with pytest.raises(media.MediaRefused):
        media.store(data, str(tmp_path), filename="photo.jpg")
    assert not any(tmp_path.rglob("*.*")), "nothing refused is kept"


def test_a_truncated_image_and_a_plain_zip_are_refused():
    with pytest.raises(media.MediaRefused, match="damaged"):
        media.sniff(image_bytes("PNG", size=(400, 300))[:200])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("run.exe", b"MZ")
    with pytest.raises(media.MediaRefused, match="zip"):
        media.sniff(out.getvalue())


def test_an_image_too_many_pixels_is_refused_before_it_is_decoded():
    with pytest.raises(media.MediaRefused):
        media.sniff(image_bytes("PNG", size=(8000, 6000), mode="L"))


def test_a_wide_image_gets_a_resized_copy_and_a_small_one_does_not(tmp_path):
    wide = media.store(image_bytes("JPEG", size=(2000, 1000)), str(tmp_path), filename="会议.jpg")
    assert (wide["kind"], wide["content_type"], wide["width"], wide["height"]) == ("image", "image/jpeg", 2000, 1000)
    assert wide["resized_url"] == f"/media/{wide['sha256']}-w960.jpg"
    path, mime = media.locate(str(tmp_path), wide["resized_url"].rsplit("/", 1)[1])
    assert Image.open(path).size == (960, 480) and mime == "image/jpeg"
    transparent = media.store(image_bytes("PNG", size=(1200, 600), mode="RGBA"), str(tmp_path))
    assert transparent["resized_url"].endswith("-w960.png")
    small = media.store(image_bytes("PNG"), str(tmp_path))
    assert small["resized_url"] is None


def test_files_are_kept_by_content_hash_once(tmp_path):
    data = image_bytes("PNG")
    first = media.store(data, str(tmp_path), filename="a.png")
    again = media.store(data, str(tmp_path), filename="other-name.png")
    assert first["url"] == again["url"] == f"/media/{first['sha256']}.png"
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    path, mime = media.locate(str(tmp_path), f"{first['sha256']}.png")
    assert open(path, "rb").read() == data and mime == "image/png"


@pytest.mark.parametrize("name", ["../etc/passwd", "ab.png", "0" * 64 + ".html", "0" * 64 + ".png/../x"])
def test_only_our_own_names_are_served(name, tmp_path):
    assert media.locate(str(tmp_path), name) is None


def test_the_directory_is_made_at_start(tmp_path):
    directory = media.media_directory({"MEDIA_DIR": str(tmp_path / "media")})
    assert os.path.isdir(directory)
