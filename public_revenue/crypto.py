"""Encryption of account numbers at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key is derived (SHA-256) from settings.FIELD_ENCRYPTION_KEY (environment variable of that
name, any long random string), falling back to SECRET_KEY so that development and tests work. In
production set FIELD_ENCRYPTION_KEY: rotating SECRET_KEY would otherwise make stored numbers
unreadable."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    master = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    return _fernet_for(master)


@lru_cache(maxsize=4)
def _fernet_for(master: str) -> Fernet:
    digest = hashlib.sha256(f"public_revenue.account_number|{master}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Returns the plain text, or "" when the token cannot be read with the current key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
