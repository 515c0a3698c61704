"""Complainants' personal data: phone numbers encrypted at rest (Fernet), a keyed hash beside them
for lookup (HMAC-SHA256), and masking for every viewer who does not handle the complaint, on
pages, in the API and in exports alike (个人信息保护法: only who handles a complaint needs the
number). Search by number is for the same roles only, throttled and logged: otherwise trying
10,000 numbers against the filter would unmask a masked one."""

import logging
import re

from django.utils import timezone

from accounts.capabilities import can
from core.crypto import decrypt, encrypt, keyed_hash
from core.errors import DomainError

from .abuse import rate_limit_hit

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{9,11}$|^\d{7,8}$")


class InvalidPhone(DomainError):
    status_code = 400
    default_message = "请填写正确的中国大陆手机号码（11 位，以 1 开头）。"


_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_phone(raw: str, *, mobile_only: bool = True) -> str:
    """Digits only, without +86 / 0086 / separators. Raises InvalidPhone. Staff channels also
    accept landlines (a 12345 caller may ring from one)."""
    if type(raw) is str and MOBILE_RE.fullmatch(raw):  # the usual number: nothing to take away
        return raw
    digits = _SEPARATORS.sub("", str(raw or ""))
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


def can_see_pii(user) -> bool:
    """Who sees a complainant in full, on pages, in the API and in exports alike: the roles that
    handle complaints. The read-only city bureau, discipline inspection and an enterprise see
    masked names and numbers (they supervise or are complained about; they never call back)."""
    return can(user, "complaint.view_personal")


def complainant_display(complaint, user) -> dict:
    """Name and phone of a complaint as this user may see them."""
    if complaint.is_anonymous:
        return {"name": "匿名", "phone": ""}
    phone = phone_decrypt(complaint.phone_encrypted)
    if complaint.anonymised_at:
        return {"name": "（已匿名化）", "phone": ""}
    if can_see_pii(user):
        return {"name": complaint.complainant_name, "phone": phone}
    return {"name": mask_name(complaint.complainant_name), "phone": mask_phone(phone)}


class PhoneSearchRefused(DomainError):
    status_code = 403
    default_message = "您看到的联系电话为脱敏显示，不能按来电号码查询投诉。"


phone_search_log = logging.getLogger("complaints.phone_search")


def phone_search_check(user, raw: str) -> None:
    """Before a search by number: refuses the roles that see numbers masked (403), counts the
    search against the user's limit (429, COMPLAINTS_RATE_LIMITS["phone_search"]) and logs who
    searched when, with the number's keyed hash (never the number)."""
    if not can_see_pii(user):
        raise PhoneSearchRefused()
    rate_limit_hit("phone_search", str(user.pk))
    try:
        digest = phone_hash(normalise_phone(raw, mobile_only=False))[:16]
    except InvalidPhone:
        digest = "invalid"
    phone_search_log.info(
        "phone search user_id=%s username=%s role=%s at=%s phone_hash=%s",
        user.pk, user.get_username(), user.role, timezone.now().isoformat(timespec="seconds"), digest,
    )
