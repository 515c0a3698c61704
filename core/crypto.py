"""Personal and financial data encrypted at rest: one key, one mechanism, for every app.

Fernet (AES-128-CBC + HMAC-SHA256) for values that must be read back (a complainant's phone, a
special account's number), and a keyed HMAC-SHA256 hash beside them where staff must find rows
by the value without decrypting every row. Each use names its `purpose`, from which its own key
is derived, so one leaked derived key opens one kind of data only.

The master key is settings.FIELD_ENCRYPTION_KEY (environment variable of that name, any long
random string); without it, a key derived from SECRET_KEY, so development and tests work. Set it
in production: rotating SECRET_KEY would otherwise make the stored values unreadable."""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _master() -> str:
    return settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY


@lru_cache(maxsize=16)
def _derive(master: str, purpose: str, use: str) -> bytes:
    return hashlib.sha256(f"{purpose}|{use}|{master}".encode()).digest()


def _fernet(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(_master(), purpose, "encrypt")))


def encrypt(plain: str, *, purpose: str) -> str:
    if not plain:
        return ""
    return _fernet(purpose).encrypt(plain.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str:
    """The plain text, or "" when the token cannot be read with the current key."""
    if not token:
        return ""
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def keyed_hash(value: str, *, purpose: str) -> str:
    if not value:
        return ""
    return hmac.new(_derive(_master(), purpose, "hash"), value.encode(), hashlib.sha256).hexdigest()
