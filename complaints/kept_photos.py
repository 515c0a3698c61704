"""Photos of the public complaint form kept across a form error, so a resident whose answer to the
question was wrong (or who forgot the phone number) does not choose the photos again.

The choice, against checking photos in the browser first: most errors of this form (the question,
the phone number, the rate limit) are known only to the server, and a phone that uploaded 5
photos on a slow connection should not upload them again. So each photo of a refused post that is
a valid image is cleaned (core.files: Pillow rebuilds it, as for every stored upload), stored in
the private store under `complaints_pending/` with a random name, and named in the page by a
signed token (the stored name, the user's file name and the type; it cannot be forged to point at
another file). The page shows the kept photos as thumbnails (served only with a valid token),
each with a box to drop it; the next post sends the tokens back and the photos join the new
uploads as if chosen again. Tokens expire after KEEP_SECONDS; a kept file is deleted once the
complaint is saved (and the nightly cleanup, `kept_photos_purge`, removes the abandoned ones)."""

import logging
import os
from datetime import timedelta

from django.core import signing
from django.utils import timezone

from core.files import CheckedUpload, InvalidUpload, private_storage, random_name, validate_upload

logger = logging.getLogger(__name__)

SALT = "complaints.kept-photo"
KEEP_SECONDS = 2 * 60 * 60
FOLDER = "complaints_pending"


def photos_keep(uploads) -> tuple[list[str], list[str]]:
    """Stores the valid images among `uploads`; returns their tokens and the refusals of the
    others (what the resident must choose again, and why)."""
    tokens, refused = [], []
    for upload in uploads or []:
        if not upload:
            continue
        try:
            checked = validate_upload(upload)
        except InvalidUpload as exc:
            refused.append(exc.message)
            continue
        if not checked.content_type.startswith("image/"):
            refused.append(f"文件“{checked.name}”不是图片，未保留。")
            continue
        stored = private_storage.save(random_name(FOLDER, checked.name), checked)
        tokens.append(signing.dumps({"f": stored, "n": checked.name, "t": checked.content_type}, salt=SALT))
    return tokens, refused


def _load(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    name = str(data.get("f", ""))
    if not name.startswith(FOLDER + "/") or ".." in name or not private_storage.exists(name):
        return None
    return data


def kept_photo(token: str) -> tuple[bytes, str] | None:
    """A kept photo's bytes and type (for its thumbnail), or None for a bad or expired token."""
    data = _load(token)
    if data is None:
        return None
    with private_storage.open(data["f"], "rb") as handle:
        return handle.read(), data["t"]


def photos_from_tokens(tokens) -> tuple[list[CheckedUpload], list[str]]:
    """The kept photos the resident left ticked, as uploads for complaints.services, and the
    tokens that still hold (expired or forged ones are dropped)."""
    uploads, valid = [], []
    for token in dict.fromkeys(tokens or []):  # each once, in order
        data = _load(token)
        if data is None:
            continue
        with private_storage.open(data["f"], "rb") as handle:
            uploads.append(CheckedUpload(handle.read(), name=data["n"], content_type=data["t"]))
        valid.append(token)
    return uploads, valid


def photos_discard(tokens) -> None:
    """Deletes the kept files once their complaint is saved (its own copies are stored by then)."""
    for token in tokens or []:
        data = _load(token)
        if data is not None:
            private_storage.delete(data["f"])


def kept_photos_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Deletes kept photos nobody came back for. Safe to run twice."""
    cutoff = timezone.now() - older_than
    removed = 0
    try:
        months, _files = private_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    for month in months:
        _dirs, names = private_storage.listdir(f"{FOLDER}/{month}")
        for name in names:
            path = f"{FOLDER}/{month}/{name}"
            if private_storage.get_modified_time(path) < cutoff:
                private_storage.delete(path)
                removed += 1
    logger.info("kept complaint photos purged: %d", removed)
    return removed


def token_label(token: str) -> str:
    data = _load(token)
    return os.path.basename(data["n"]) if data else ""
