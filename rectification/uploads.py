"""Evidence uploads: images and PDF only, recognised by their magic bytes (not by the name or
the browser's content type), and limited in size."""

from core.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_ACTION = 9

_SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]


class InvalidUpload(DomainError):
    status_code = 400
    default_message = "上传的文件不符合要求。"


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def validate_upload(upload) -> str:
    """Returns the detected content type or raises InvalidUpload with a Chinese message."""
    name = getattr(upload, "name", "文件")
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidUpload(f"文件“{name}”超过 {MAX_UPLOAD_BYTES // (1024 * 1024)}MB，请压缩后再上传。")
    if upload.size == 0:
        raise InvalidUpload(f"文件“{name}”是空文件。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise InvalidUpload(f"文件“{name}”不是允许的类型（仅支持 JPG、PNG、GIF、WEBP 图片和 PDF 文件）。")
    return content_type


def validate_uploads(files) -> list[tuple[object, str]]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES_PER_ACTION:
        raise InvalidUpload(f"一次最多上传 {MAX_FILES_PER_ACTION} 个文件。")
    return [(f, validate_upload(f)) for f in files]
