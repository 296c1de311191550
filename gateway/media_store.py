"""Portal media (images and attachments, issue 12): what an upload is, judged from its bytes
— never from its name or the Content-Type the browser sent — and where it is kept.

Plain Python (no nameko): the gateway's ``POST /api/v1/media`` calls ``store`` and
``GET /media/<name>`` calls ``locate`` (gateway/media.py).

- Images are whatever Pillow can open AND is one of JPEG, PNG, GIF, WebP (Pillow reads the
  magic bytes and then decodes the whole image, so a renamed executable or an HTML page with
  a ``.jpg`` name is refused, and so is a truncated image). SVG is not accepted: it can carry
  script. Images wider than ``RESIZED_WIDTH`` get a resized copy (JPEG, or PNG when the image
  has transparency) for article bodies; the original is kept for download.
- Attachments: PDF (``%PDF-`` header) and Office Open XML (a zip whose ``[Content_Types].xml``
  names a Word, Excel or PowerPoint main part). Anything else is refused (400 naming ``file``).
- Stored content-addressed: ``<sha256>.<ext>`` in two-character fan-out folders under the
  configured directory. The name is the content, so a file never changes and can be served
  ``immutable``; the same upload twice is the same file. The extension is the SNIFFED type's,
  and it alone decides the Content-Type it is served with.
"""
import hashlib
import io
import os
import re
import warnings
import zipfile

from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "GIF": ("gif", "image/gif"),
                 "WEBP": ("webp", "image/webp")}
OOXML = (("wordprocessingml.document.main", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
         ("spreadsheetml.sheet.main", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
         ("presentationml.presentation.main", "pptx",
          "application/vnd.openxmlformats-officedocument.presentationml.presentation"))
TYPES = {ext: mime for ext, mime in IMAGE_FORMATS.values()} | {"pdf": "application/pdf"} | \
    {ext: mime for _, ext, mime in OOXML}
RESIZED_WIDTH = 960
MAX_PIXELS = 40_000_000          # a decompression bomb is refused before it is decoded
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
NAME = re.compile(r"^([0-9a-f]{64})(-w\d+)?\.([a-z]{3,4})$")


class MediaRefused(Exception):
    """The upload is not an accepted type (or not a whole file of it): a 400 naming ``file``."""


def sniff(data):
    """(kind, extension, content type, image or None) of the bytes; MediaRefused otherwise."""
    if data[:5] == b"%PDF-":
        return "attachment", "pdf", TYPES["pdf"], None
    if data[:4] == b"PK\x03\x04":
        return ("attachment",) + _office_type(data) + (None,)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise MediaRefused(f"{image.format} images are not accepted (JPEG, PNG, GIF or WebP)")
            image.load()             # decodes it all: a truncated or forged image fails here
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRefused("not an accepted image or attachment (JPEG, PNG, GIF, WebP, PDF, DOCX, XLSX, PPTX)") \
            from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaRefused("the image is damaged or incomplete") from exc
    ext, mime = IMAGE_FORMATS[image.format]
    return "image", ext, mime, image


def _office_type(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise MediaRefused("a zip archive that is not a Word, Excel or PowerPoint document") from exc
    for marker, ext, mime in OOXML:
        if marker in manifest:
            return ext, mime
    raise MediaRefused("a zip archive that is not a Word, Excel or PowerPoint document")


def resized(image, width=RESIZED_WIDTH):
    """(bytes, extension) of a copy ``width`` wide keeping the aspect ratio, or None when the
    image is no wider (it is shown as it is). Transparency keeps PNG; the rest is JPEG."""
    if image.width <= width:
        return None
    height = max(1, round(image.height * width / image.width))
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    copy = image.convert("RGBA" if transparent else "RGB").resize((width, height), Image.LANCZOS)
    out = io.BytesIO()
    if transparent:
        copy.save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    copy.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue(), "jpg"


def _path(directory, name):
    return os.path.join(directory, name[:2], name)


def _write(directory, name, data):
    """Write once: a name that exists already holds these very bytes (its name is their hash)."""
    path = _path(directory, name)
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.part"
    with open(temporary, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def store(data, directory, filename="", width=RESIZED_WIDTH):
    """Sniff, then keep the upload (and an image's resized copy); the answer of POST /media."""
    if not data:
        raise MediaRefused("the file is empty")
    kind, ext, mime, image = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    name = f"{digest}.{ext}"
    _write(directory, name, data)
    answer = {"kind": kind, "content_type": mime, "size": len(data), "sha256": digest, "url": f"/media/{name}",
              "filename": os.path.basename(filename or "")[:255], "width": None, "height": None,
              "resized_url": None}
    if image is not None:
        answer.update(width=image.width, height=image.height)
        copy = resized(image, width)
        if copy is not None:
            copy_name = f"{digest}-w{width}.{copy[1]}"
            _write(directory, copy_name, copy[0])
            answer["resized_url"] = f"/media/{copy_name}"
    return answer


def locate(directory, name):
    """(path, content type) of a stored file, or None for a name that is not one of ours."""
    match = NAME.match(name)
    if match is None or match.group(3) not in TYPES:
        return None
    path = _path(directory, name)
    return (path, TYPES[match.group(3)]) if os.path.isfile(path) else None


def media_directory(config):
    """MEDIA_DIR, or var/media in the checkout for development; created at start."""
    path = config.get("MEDIA_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "var", "media")
    os.makedirs(path, exist_ok=True)
    return os.path.abspath(path)
