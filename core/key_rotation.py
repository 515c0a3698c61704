"""Re-encrypting every registered encrypted column (core.crypto.ENCRYPTED_FIELDS) from an old
master key to a new one, with the keyed hashes beside them recomputed."""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from . import crypto


@dataclass
class RotationCount:
    label: str
    rotated: int = 0
    already_new: int = 0
    unreadable: int = 0


def field_key_rotate(*, old_master: str, new_master: str, batch_size: int = 500) -> list[RotationCount]:
    """Rewrites each encrypted value readable with `old_master` under `new_master`, and sets its
    hash to the new key's. Works in batches by primary key, each batch locked and written in its
    own transaction, so a long table never holds one huge transaction. Safe to repeat: a value
    the new key already reads is kept (only a stale hash beside it is fixed), so a run
    interrupted halfway, or one that missed rows written meanwhile, is finished by running
    again. A value neither key reads is left untouched and counted."""
    if not old_master or not new_master:
        raise ValueError("both master keys are required")
    return [_rotate_field(spec, old_master=old_master, new_master=new_master, batch_size=batch_size)
            for spec in crypto.ENCRYPTED_FIELDS]


def _rotate_field(spec: crypto.EncryptedField, *, old_master: str, new_master: str, batch_size: int) -> RotationCount:
    model = apps.get_model(spec.model)
    columns = [spec.field, *([spec.hash_field] if spec.hash_field else [])]
    count = RotationCount(label=f"{model._meta.verbose_name}·{model._meta.get_field(spec.field).verbose_name}")
    last_pk = None
    while True:
        with transaction.atomic():
            batch = model._base_manager.select_for_update().exclude(**{spec.field: ""}).order_by("pk").only(*columns)
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(batch[:batch_size])
            if not rows:
                return count
            changed = []
            for row in rows:
                token = getattr(row, spec.field)
                plain = crypto.decrypt(token, purpose=spec.purpose, master=new_master)
                if plain:
                    count.already_new += 1
                    dirty = False
                else:
                    plain = crypto.decrypt(token, purpose=spec.purpose, master=old_master)
                    if not plain:
                        count.unreadable += 1
                        continue
                    setattr(row, spec.field, crypto.encrypt(plain, purpose=spec.purpose, master=new_master))
                    count.rotated += 1
                    dirty = True
                if spec.hash_field:
                    digest = crypto.keyed_hash(plain, purpose=spec.purpose, master=new_master)
                    if getattr(row, spec.hash_field) != digest:
                        setattr(row, spec.hash_field, digest)
                        dirty = True
                if dirty:
                    changed.append(row)
            model._base_manager.bulk_update(changed, columns)
            last_pk = rows[-1].pk
