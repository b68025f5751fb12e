"""Optimistic locking: write only if nobody else wrote since the user loaded the record."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.core.models import TrackedModel
from opennrm.lib.errors import ConflictError


def update_versioned(
    instance: TrackedModel, *, expected_version: int, user: Any, fields: dict[str, Any]
) -> None:
    """Apply ``fields`` to ``instance`` if its stored version is still ``expected_version``.

    Raises ConflictError (HTTP 409) otherwise. Must run inside the caller's transaction.
    """
    model = type(instance)
    values = dict(fields)
    values["version"] = models.F("version") + 1
    values["updated_by"] = user
    values["updated_at"] = timezone.now()
    changed = model._default_manager.filter(pk=instance.pk, version=expected_version).update(**values)
    if changed != 1:
        raise ConflictError(
            _("Someone else changed this record since you opened it. Reload it and apply your change again."),
            field="version",
            extra={
                "current_version": model._default_manager.filter(pk=instance.pk)
                .values_list("version", flat=True)
                .first()
            },
        )
    for key, value in fields.items():
        setattr(instance, key, value)
    instance.version = expected_version + 1
