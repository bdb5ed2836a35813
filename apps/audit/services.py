"""Write audit entries. The one public entry point is ``record``."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models

from .models import AuditEntry


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry. ``obj`` fills ``object_type``/``object_id``/``object_repr``; pass
    ``object_type``/``object_id`` instead for something that is not a model row. Call it inside the
    transaction of the action it describes, so an action that rolls back leaves no entry."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action[:64],
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before or {},
        after=after or {},
        reason=reason,
        ip=_clean_ip(ip),
    )
