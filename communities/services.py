"""Writes of the communities app."""

from django.db import transaction

from core.audit import not_audited

from .models import Estate, EstateAlias
from .names import estate_key


@not_audited("an alias is a matching aid for imports, not a change to the estate; the row keeps who added it")
def estate_alias_remember(*, estate: Estate, name: str, user) -> bool:
    """Keeps `name` as an alias of `estate` (so the next import matches it) unless the name already
    finds that estate. Returns whether an alias was added."""
    name = str(name or "").strip()[:100]
    key = estate_key(name)
    if not key or key == estate_key(estate.name):
        return False
    with transaction.atomic():
        _alias, created = EstateAlias.objects.get_or_create(estate=estate, key=key, defaults={"name": name, "created_by": user})
    return created
