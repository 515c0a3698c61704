"""Personal and financial data encrypted at rest: one key, one mechanism, for every app.

Fernet (AES-128-CBC + HMAC-SHA256) for values that must be read back (a complainant's phone, a
special account's number), and a keyed HMAC-SHA256 hash beside them where staff must find rows
by the value without decrypting every row. Each use names its `purpose`, from which its own key
is derived, so one leaked derived key opens one kind of data only.

The master key is settings.FIELD_ENCRYPTION_KEY (environment variable of that name, any long
random string; production refuses to start without one). In development and tests, without it,
a key derived from SECRET_KEY. Every function takes an explicit `master` for the key rotation
(`manage.py rotate_field_key`), which must read with the old key and write with the new one.

Each app registers its encrypted columns (`register_encrypted_field`, from its AppConfig.ready)
so that the rotation finds them all without this module knowing the apps."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _master() -> str:
    return settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY


@lru_cache(maxsize=16)
def _derive(master: str, purpose: str, use: str) -> bytes:
    return hashlib.sha256(f"{purpose}|{use}|{master}".encode()).digest()


def _fernet(purpose: str, master: str | None) -> Fernet:
    return _fernet_for(master or _master(), purpose)


@lru_cache(maxsize=16)
def _fernet_for(master: str, purpose: str) -> Fernet:
    """One Fernet per key (an import encrypts tens of thousands of numbers with it)."""
    return Fernet(base64.urlsafe_b64encode(_derive(master, purpose, "encrypt")))


def encrypt(plain: str, *, purpose: str, master: str | None = None) -> str:
    if not plain:
        return ""
    return _fernet(purpose, master).encrypt(plain.encode()).decode()


def decrypt(token: str, *, purpose: str, master: str | None = None) -> str:
    """The plain text, or "" when the token cannot be read with this key. A non-empty token
    always holds a non-empty text (encrypt("") is ""), so "" for one means the key is wrong."""
    if not token:
        return ""
    try:
        return _fernet(purpose, master).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def keyed_hash(value: str, *, purpose: str, master: str | None = None) -> str:
    if not value:
        return ""
    return hmac.new(_derive(master or _master(), purpose, "hash"), value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class EncryptedField:
    """One encrypted column: `model` as "app_label.ModelName", the column of the Fernet token,
    its purpose, and the column of its keyed hash when the value is also looked up."""

    model: str
    field: str
    purpose: str
    hash_field: str = ""


ENCRYPTED_FIELDS: list[EncryptedField] = []


def register_encrypted_field(*, model: str, field: str, purpose: str, hash_field: str = "") -> None:
    entry = EncryptedField(model=model, field=field, purpose=purpose, hash_field=hash_field)
    if entry not in ENCRYPTED_FIELDS:
        ENCRYPTED_FIELDS.append(entry)
