"""The audit log: `audit_log(action=..., actor=..., target=...)` inside the change's transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from kopa.core.models import AuditEntry


class AuditOutsideTransaction(RuntimeError):
    """An audit record must commit or roll back together with the change it records."""


def audit_log(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"{action}: call audit_log inside transaction.atomic()")
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
