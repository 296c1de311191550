"""Gateway routes: portal media (issue 12) — ``POST /api/v1/media`` for editors and staff,
``GET /media/<name>`` for everyone.

The bytes stay in the gateway: it is the HTTP entry and the files are static once written, so
they are not sent over RabbitMQ to the news service (as budget imports are not). What a file
is comes from its content (gateway/media_store.py); it is kept under MEDIA_DIR by its SHA-256,
so every answer can be ``immutable`` for a year. An S3-compatible store later replaces
``MediaStore`` and keeps the names."""
import os

from eventlet import tpool
from nameko.extensions import DependencyProvider
from werkzeug.exceptions import NotFound as HttpNotFound
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from gateway.api import api
from gateway.errors import PayloadTooLarge, UnsupportedMediaType
from kernel.errors import ValidationFailed
from kernel.web import http
from gateway import media_store as media
from contracts.news import MediaSchema

MEDIA_ROLES = ("editor", "staff")
IMMUTABLE = "public, max-age=31536000, immutable"
UPLOAD_FIELDS = {"file": {"type": "string", "format": "binary",
                          "description": "JPEG, PNG, GIF or WebP image; PDF, DOCX, XLSX or PPTX attachment "
                                         "(judged from the content, not the name)"}}


class MediaStore(DependencyProvider):
    """The media directory (MEDIA_DIR; development: var/media in the checkout), made at start."""

    def setup(self):
        self.directory = media.media_directory(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.directory


class MediaRoutes:
    @api("POST", "/api/v1/media", roles=MEDIA_ROLES, tag="portal", response=MediaSchema, status=201,
         upload=UPLOAD_FIELDS, max_bytes_key="MEDIA_MAX_BYTES", errors=(415,),
         summary="Upload an image or attachment for an article (multipart: file). The type is sniffed from the "
                 "content; an image wider than 960 px also gets a resized copy (resized_url). Stored by content "
                 "hash: the same file twice is the same url. 413 over MEDIA_MAX_BYTES")
    def upload_media(self, request, principal):
        if request.mimetype != "multipart/form-data":
            raise UnsupportedMediaType("send the file as multipart/form-data", {"content_type": request.mimetype})
        try:
            upload = request.files.get("file")
        except RequestEntityTooLarge:
            raise PayloadTooLarge("file too large", {"file": [f"over {request.max_content_length} bytes"],
                                                     "limit_bytes": request.max_content_length})
        if upload is None:
            raise ValidationFailed("invalid input", {"file": ["required: the image or attachment"]})
        data = upload.stream.read()
        try:
            # Pillow decodes and resizes in a native thread: the gateway's other requests go on
            return tpool.execute(media.store, data, self.media, upload.filename or "")
        except media.MediaRefused as refused:
            raise ValidationFailed("invalid input", {"file": [str(refused)]})

    @http("GET", "/media/<name>")
    def serve_media(self, request, name):
        found = media.locate(self.media, name)
        if found is None:
            raise HttpNotFound()
        path, content_type = found
        etag = name.split(".")[0]
        headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{etag}"'}
        if not content_type.startswith("image/"):
            headers["Content-Disposition"] = "attachment"    # documents download; never shown as a page
        if request.if_none_match.contains(etag):
            return Response(status=304, headers=headers)
        with open(path, "rb") as stream:
            body = stream.read()
        headers["Content-Length"] = str(len(body))
        return Response(body, content_type=content_type, headers=headers)
