"""Complainants' personal data: phone numbers encrypted at rest (Fernet), a keyed hash beside them
for lookup (HMAC-SHA256), and masking for every viewer who does not handle the complaint."""

import re

from accounts.models import Role
from core.crypto import decrypt, encrypt, keyed_hash
from core.errors import DomainError

#: roles that handle complaints and so see the complainant's name and number in full
HANDLING_ROLES = frozenset({Role.COUNTY_GROUP, Role.COUNTY_OFFICE, Role.TOWN, Role.COMMUNITY, Role.SYSADMIN})

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{9,11}$|^\d{7,8}$")


class InvalidPhone(DomainError):
    status_code = 400
    default_message = "请填写正确的中国大陆手机号码（11 位，以 1 开头）。"


def normalise_phone(raw: str, *, mobile_only: bool = True) -> str:
    """Digits only, without +86 / 0086 / separators. Raises InvalidPhone. Staff channels also
    accept landlines (a 12345 caller may ring from one)."""
    digits = re.sub(r"[\s\-()（）]", "", str(raw or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if MOBILE_RE.match(digits):
        return digits
    if not mobile_only and LANDLINE_RE.match(digits):
        return digits
    raise InvalidPhone() if mobile_only else InvalidPhone(f"联系电话“{raw}”格式不正确。")


PURPOSE = "complaints.phone"


def phone_hash(phone: str) -> str:
    return keyed_hash(phone, purpose=PURPOSE)


def phone_encrypt(phone: str) -> str:
    return encrypt(phone, purpose=PURPOSE)


def phone_decrypt(token: str) -> str:
    return decrypt(token, purpose=PURPOSE)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"{'*' * max(len(phone) - 4, 0)}{phone[-4:]}"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def can_see_pii(user, *, purpose: str = "page") -> bool:
    """Who sees a complainant in full: the roles that handle complaints everywhere; the city
    bureau in its exports and the API; nobody else (an enterprise never sees who complained)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.role in HANDLING_ROLES:
        return True
    return purpose in ("export", "api") and user.role == Role.CITY


def complainant_display(complaint, user, *, purpose: str = "page") -> dict:
    """Name and phone of a complaint as this user may see them."""
    if complaint.is_anonymous:
        return {"name": "匿名", "phone": ""}
    phone = phone_decrypt(complaint.phone_encrypted)
    if complaint.anonymised_at:
        return {"name": "（已匿名化）", "phone": ""}
    if can_see_pii(user, purpose=purpose):
        return {"name": complaint.complainant_name, "phone": phone}
    return {"name": mask_name(complaint.complainant_name), "phone": mask_phone(phone)}
