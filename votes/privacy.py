"""Owners' personal data in the register: names (co-owners joined by "、") and phone encrypted at
rest with core.crypto under their own purpose, shown in full only to those who keep the register
("owners.view_personal"), masked like complainants' for everybody else."""

from accounts.capabilities import can
from complaints.privacy import mask_name, mask_phone
from core.crypto import decrypt, encrypt

PURPOSE = "votes.owner"
NAME_SEPARATOR = "、"


def owner_encrypt(value: str) -> str:
    return encrypt(value, purpose=PURPOSE)


def owner_decrypt(token: str) -> str:
    return decrypt(token, purpose=PURPOSE)


def mask_names(names: str) -> str:
    return NAME_SEPARATOR.join(mask_name(n) for n in names.split(NAME_SEPARATOR) if n)


def owner_display(unit, user) -> dict:
    """Names and phone of a unit's owners as this user may see them."""
    names, phone = owner_decrypt(unit.owner_names_encrypted), owner_decrypt(unit.phone_encrypted)
    if can(user, "owners.view_personal"):
        return {"names": names, "phone": phone}
    return {"names": mask_names(names), "phone": mask_phone(phone)}
