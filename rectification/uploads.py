"""Evidence uploads are checked by the one file store (core.files); these names stay importable
for the modules that check uploads through here."""

from core.files import (  # noqa: F401
    MAX_FILES_PER_ACTION,
    MAX_UPLOAD_BYTES,
    InvalidUpload,
    sniff_content_type,
    validate_upload,
    validate_uploads,
)
