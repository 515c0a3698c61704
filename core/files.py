"""The one file store. Every uploaded or generated file of the product lives under
PRIVATE_MEDIA_ROOT (never under MEDIA_ROOT, which a web server may publish), under a random name
`<app>/<yyyymm>/<32 hex><extension of the detected type>`, and is delivered only by
`serve_private`, which fetches the row through `visible_to(user)`. A file with its own row is a
`StoredFile`; a file that is one field of another row is a `private_file_field`. Every FileField
names its storage; none is public (a disclosure's notice photo, shown on the public pages, is
stored here too and served by `serve_private(..., public=True)`).

Uploads go through `validate_uploads`: the type is recognised from the content (not the name or
the browser's content type), images are decoded by Pillow and rebuilt without metadata or appended
bytes (core.images), refused above 40 megapixels before anything is decompressed, and stored with
the extension of the type Pillow recognised; PDFs must start with `%PDF-` and end with `%%EOF`."""

import logging
import os
import re
import secrets
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header

from . import images
from .errors import DomainError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_ACTION = 9

#: content type → the extension a stored file of that type gets; nothing else is ever stored
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/json": ".json",
    # generated documents only (rectification.documents); uploads of this type are not accepted
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
CONTENT_TYPES = {ext: content_type for content_type, ext in EXTENSIONS.items()} | {".jpeg": "image/jpeg"}
UNKNOWN_EXTENSION = ".bin"

_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]


# ---------------------------------------------------------------------------------------------
# Storage and names


_s3_backends: dict = {}


def _s3_backend():
    """The S3-compatible store (django-storages, requirements-s3.txt) when PRIVATE_MEDIA_S3 names
    a bucket, else None. One per configuration (tests change the settings)."""
    options = getattr(settings, "PRIVATE_MEDIA_S3", None) or {}
    if not options.get("bucket_name"):
        return None
    key = tuple(sorted(options.items()))
    if key not in _s3_backends:
        from storages.backends.s3 import S3Storage  # here: optional, installed only where S3 is used

        _s3_backends[key] = S3Storage(**options)
    return _s3_backends[key]


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files outside MEDIA_ROOT, with no URL: only a scope-checked view delivers them. On several
    web machines PRIVATE_MEDIA_ROOT is a shared NFS path, or PRIVATE_MEDIA_S3 names a bucket of
    S3-compatible object storage: then every operation goes there (objects private, no URL)."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(str(settings.PRIVATE_MEDIA_ROOT))

    @cached_property
    def base_url(self):
        return None

    def _open(self, name, mode="rb"):
        s3 = _s3_backend()
        return s3._open(name, mode) if s3 else super()._open(name, mode)

    def _save(self, name, content):
        s3 = _s3_backend()
        return s3._save(name, content) if s3 else super()._save(name, content)

    def delete(self, name):
        s3 = _s3_backend()
        return s3.delete(name) if s3 else super().delete(name)

    def exists(self, name):
        s3 = _s3_backend()
        return s3.exists(name) if s3 else super().exists(name)

    def size(self, name):
        s3 = _s3_backend()
        return s3.size(name) if s3 else super().size(name)

    def listdir(self, path):
        s3 = _s3_backend()
        return s3.listdir(path) if s3 else super().listdir(path)

    def get_modified_time(self, name):
        s3 = _s3_backend()
        return s3.get_modified_time(name) if s3 else super().get_modified_time(name)

    def path(self, name):
        if _s3_backend():
            raise NotImplementedError("对象存储中的文件没有本地路径")
        return super().path(name)


private_storage = PrivateStorage()


def extension_for(filename: str) -> str:
    """The stored extension: one of EXTENSIONS (set by validation from the detected type), never
    whatever else the name carries."""
    ext = os.path.splitext(filename)[1].lower()
    return ext if ext in CONTENT_TYPES else UNKNOWN_EXTENSION


def random_name(app: str, filename: str) -> str:
    return f"{app}/{timezone.now():%Y%m}/{secrets.token_hex(16)}{extension_for(filename)}"


@deconstructible
class RandomName:
    """`upload_to` of every FileField: `<app>/<yyyymm>/<random hex><ext>`; the user's file name is
    kept in the row (`original_name`), never in the path. Without `app`, the model's app label."""

    def __init__(self, app: str | None = None):
        self.app = app

    def __call__(self, instance, filename: str) -> str:
        return random_name(self.app or instance._meta.app_label, filename)


def private_file_field(verbose_name: str, *, app: str | None = None, **kwargs) -> models.FileField:
    """A FileField in the private store with random names."""
    return models.FileField(verbose_name, upload_to=RandomName(app), storage=private_storage, max_length=300, **kwargs)


class StoredFile(models.Model):
    """An uploaded file with its own row (evidence, visit photos, complaint photos): the file in
    the private store and what the store knows of it. Subclasses add the row it belongs to, a
    `visible_to(user)` queryset, and their Meta."""

    file = private_file_field("文件")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


# ---------------------------------------------------------------------------------------------
# Validation


class InvalidUpload(DomainError):
    status_code = 400
    default_message = "上传的文件不符合要求。"


class CheckedUpload(ContentFile):
    """A validated upload: the cleaned bytes, the detected `content_type`, and a `name` that is
    the user's file name with the extension of the detected type."""

    def __init__(self, content: bytes, *, name: str, content_type: str):
        super().__init__(content, name=name)
        self.content_type = content_type


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def display_name(name: str, content_type: str) -> str:
    """The user's file name (without folders) with the extension of the detected type."""
    stem = os.path.splitext(os.path.basename(str(name or "").replace("\\", "/")))[0].strip() or "文件"
    ext = EXTENSIONS.get(content_type, UNKNOWN_EXTENSION)
    return stem[: 200 - len(ext)] + ext


def check_content(data: bytes, *, name: str = "文件") -> tuple[bytes, str]:
    """The bytes to store and their type, or InvalidUpload with a Chinese message. The first bytes
    only decide between PDF and image; an image's type is the one its decoder recognised."""
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise InvalidUpload(f"文件“{name}”不是允许的类型（仅支持 JPG、PNG、GIF、WEBP 图片和 PDF 文件）。")
    if content_type == "application/pdf":
        if b"%%EOF" not in data[-1024:]:
            raise InvalidUpload(f"文件“{name}”不是完整的 PDF 文件。")
        return data, content_type
    try:
        return images.image_clean(data)
    except images.ImageTooLarge as exc:
        size = f"（{exc.width}×{exc.height}）" if exc.width else ""
        raise InvalidUpload(
            f"图片“{name}”尺寸过大{size}，最多 {images.MAX_PIXELS // 10_000} 万像素，请缩小后再上传。"
        ) from None
    except images.BadImage:
        raise InvalidUpload(f"文件“{name}”已损坏或不是有效的图片。") from None


def validate_upload(upload) -> CheckedUpload:
    name = os.path.basename(str(getattr(upload, "name", None) or "文件"))
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidUpload(f"文件“{name}”超过 {MAX_UPLOAD_BYTES // (1024 * 1024)}MB，请压缩后再上传。")
    if upload.size == 0:
        raise InvalidUpload(f"文件“{name}”是空文件。")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    content, content_type = check_content(data, name=name)
    return CheckedUpload(content, name=display_name(name, content_type), content_type=content_type)


def validate_uploads(files) -> list[tuple[CheckedUpload, str]]:
    """The checked uploads with their detected content types; store these, never the originals."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES_PER_ACTION:
        raise InvalidUpload(f"一次最多上传 {MAX_FILES_PER_ACTION} 个文件。")
    checked = [validate_upload(f) for f in files]
    return [(f, f.content_type) for f in checked]


# ---------------------------------------------------------------------------------------------
# Delivery


def serve_private(request, rows, *, pk, field: str = "file", name_field: str | None = "original_name",
                  public: bool = False) -> HttpResponse:
    """The one download of a stored file: `field` of row `pk` of `rows.visible_to(request.user)`
    (404 outside the user's scope, without a file, or when the file is missing). `public=True` only
    for files the public pages show (a disclosure notice photo): then `rows` is the public queryset
    itself. The type is the one the store recorded in the file's extension; images are shown
    inline, everything else downloads, under the user's original name (RFC 5987 UTF-8). With
    PRIVATE_MEDIA_ACCEL_REDIRECT set (e.g. "/_private/", an nginx `internal` location aliased to
    PRIVATE_MEDIA_ROOT), the response is empty and nginx sends the bytes."""
    queryset = rows.all() if public else rows.visible_to(request.user)
    obj = queryset.filter(pk=pk).first()
    field_file = getattr(obj, field, None) if obj is not None else None
    if not field_file:
        raise Http404
    ext = extension_for(field_file.name)
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    filename = (getattr(obj, name_field, "") if name_field else "") or f"文件{ext}"
    if not filename.lower().endswith(ext):
        filename = display_name(filename, content_type)
    accel_prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", "")
    if accel_prefix:
        if not field_file.storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        try:
            response = FileResponse(field_file.open("rb"), content_type=content_type)
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
    response["Content-Disposition"] = content_disposition_header(not content_type.startswith("image/"), filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Files stored before the private store

#: the shape of a name given by RandomName; a row whose file has it is already in the store
_STORED_NAME = re.compile(r"^[a-z_]+/\d{6}/[0-9a-f]{32}\.(jpg|png|gif|webp|pdf)$")


def move_into_private_store(model, *, field: str, app: str, name_field: str | None = None) -> int:
    """Moves each row's file into the private store under a random name with the extension of its
    detected type (images rebuilt without metadata where they pass the checks), keeps the user's
    file name in `name_field` when it is empty, and deletes the old copy once the row's update is
    committed. The old copy is looked
    for in the private store, then under MEDIA_ROOT. Safe to run again: rows already in the store
    are skipped, and rows whose file is missing are logged and left as they are. Returns the
    number of files moved."""
    public_storage = FileSystemStorage(location=os.path.abspath(str(settings.MEDIA_ROOT)), base_url=None)
    moved = 0
    rows = model._default_manager.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True}).order_by("pk")
    for obj in rows.iterator(chunk_size=500):
        old_name = getattr(obj, field).name
        if _STORED_NAME.match(old_name) and private_storage.exists(old_name):
            continue
        source = next((s for s in (private_storage, public_storage) if s.exists(old_name)), None)
        if source is None:
            logger.warning("%s %s: file %s not found, left in place", model.__name__, obj.pk, old_name)
            continue
        with source.open(old_name, "rb") as handle:
            data = handle.read()
        try:
            data, content_type = check_content(data)
        except InvalidUpload:
            # kept, but an image that fails the checks is not shown inline: it downloads as .bin
            sniffed = sniff_content_type(data[:16]) or ""
            content_type = "" if sniffed.startswith("image/") else sniffed
        new_name = private_storage.save(random_name(app, "file" + EXTENSIONS.get(content_type, UNKNOWN_EXTENSION)), ContentFile(data))
        updates = {field: new_name}
        if name_field and not getattr(obj, name_field):
            updates[name_field] = display_name(old_name, content_type) if content_type else os.path.basename(old_name)[:200]
        model._default_manager.filter(pk=obj.pk).update(**updates)
        # the old copy goes only once the row names the new one for good
        transaction.on_commit(lambda source=source, old_name=old_name: source.delete(old_name))
        moved += 1
    return moved
