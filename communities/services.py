"""Writes of the communities app."""

from datetime import date

from django.db import transaction

from core.audit import not_audited
from core.errors import InvalidInput

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


@not_audited("called by votes.services when a renewal passes; the vote's VoteEvent records it")
def estate_contract_renew(*, estate_id: int, contract_end: date) -> Estate:
    """Extends the estate's service contract to `contract_end` (续聘, 民法典 第九百四十七条): the caller
    has the owners' decision. A date before the current end is refused: a renewal never shortens."""
    with transaction.atomic():
        estate = Estate.objects.select_for_update().get(pk=estate_id)
        if estate.contract_end and contract_end < estate.contract_end:
            raise InvalidInput("续聘后的合同期限不能早于原合同结束日期。")
        estate.contract_end = contract_end
        estate.save(update_fields=["contract_end"])
    return estate
