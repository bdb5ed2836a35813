"""The one way a status changes: a conditional UPDATE guarded by a transition table.

Every stateful model (booking, payment, session, mentor profile) declares a table
``{from_status: {allowed to_status, ...}}`` beside its services and moves rows only through
:func:`conditional_transition`. The UPDATE matches the row only while it is still in a state from
which the move is allowed, so two racing callers cannot both win: the loser sees ``False``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from . import versions


def allowed_sources(table: Mapping[str, set[str]], to: str) -> list[str]:
    return [source for source, targets in table.items() if to in targets]


def conditional_transition(
    model: type[models.Model],
    pk: Any,
    to: str,
    *,
    table: Mapping[str, set[str]],
    only_from: str | None = None,
    **fields: Any,
) -> bool:
    """Move row ``pk`` of ``model`` to status ``to``; True if this call did it.

    ``only_from`` narrows the move to one source state (which must itself be allowed by the table).
    ``updated_at`` is stamped when the model has that field.
    """
    sources = allowed_sources(table, to)
    if only_from is not None:
        if only_from not in sources:
            raise ValueError(f"{model.__name__} transition {only_from} -> {to} is not in its table")
        sources = [only_from]
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        fields.setdefault("updated_at", timezone.now())
    moved = model._default_manager.filter(pk=pk, status__in=sources).update(status=to, **fields) == 1
    if moved:
        versions.bump_on_commit(*versions.groups_of(model))  # cached pages built from this row
    return moved
