"""Data-key rotation over every store of encrypted values.

Apps register their encrypted stores (model, how to build the associated data) in AppConfig.ready(),
so this lower layer re-encrypts them without importing the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction

from opennrm.core import crypto
from opennrm.core.models import DataKey


@dataclass(frozen=True)
class EncryptedStore:
    label: str  # "app_label.ModelName"
    aad: Callable[[Any], str]
    select_related: tuple[str, ...] = ()


STORES: list[EncryptedStore] = []


def register_store(store: EncryptedStore) -> None:
    if all(s.label != store.label for s in STORES):
        STORES.append(store)


def rotate_data_key(
    *, batch_size: int = 500, progress: Callable[[str, int, int], None] | None = None
) -> tuple[DataKey, dict[str, int]]:
    from opennrm.audit.services import audit_record

    new_key = crypto.new_active_key()
    counts: dict[str, int] = {}
    for store in STORES:
        model = apps.get_model(store.label)
        pending = model.objects.exclude(data_key=new_key)
        total = pending.count()
        done = 0
        while True:
            with transaction.atomic():
                batch = list(pending.select_related(*store.select_related).select_for_update()[:batch_size])
                if not batch:
                    break
                for row in batch:
                    aad = store.aad(row)
                    value = crypto.decrypt(row.data_key_id, row.ciphertext, aad=aad)
                    row.data_key_id, row.ciphertext = crypto.encrypt(value, aad=aad, key=new_key)
                model.objects.bulk_update(batch, ["data_key", "ciphertext"])
            done += len(batch)
            if progress:
                progress(store.label, done, total)
        counts[store.label] = done
    audit_record(
        actor=None,
        action="key_rotation",
        object_type="data_key",
        object_id=new_key.pk,
        actor_username="system",
        detail={"re_encrypted": counts},
    )
    return new_key, counts
