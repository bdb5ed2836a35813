"""Cache versions: one number per group of rows that cached pages are built from.

A fragment shared by many viewers (the landing page's cards, a catalogue results page) is cached
under a key that carries its group's version, e.g. ``catalog``. Every committed change to a row of
the group bumps the version, so the next request renders afresh and the old entries simply age out:
nothing stale is served and nothing has to be deleted.

Rows join a group with :func:`track` (post_save / post_delete of the model) and status moves through
:func:`apps.core.state.conditional_transition` bump their model's groups too; a bulk ``update()``
elsewhere calls :func:`bump_on_commit` itself. Bumps happen after the commit: bumping inside the
transaction would let a concurrent request read the old rows and store them under the new version.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

# Sessions published, edited, cancelled, seats taken or freed, mentors' public profiles and
# ratings: the cached listings and the recommender's session index are built from these.
CATALOG = "catalog"
# Which sessions a catalogue search matches and in what order: everything CATALOG covers except
# seats and follows (sessions, mentors' names, profiles and ratings). A booking moves CATALOG (the
# cards show seats) but not this, so the catalogue re-renders its cards without re-running the
# search itself (``apps.site.catalog_views.catalogue_page``).
LISTING = "listing"
_GROUPS: dict[type[models.Model], tuple[str, ...]] = {}
_QUIET: dict[type[models.Model], frozenset[str]] = {}
_SHOWN: dict[type[models.Model], Callable[[Any], bool]] = {}


def _key(group: str) -> str:
    return f"version:{group}"


def current(group: str) -> int:
    """The group's version now (starts from the clock, so a flushed cache never reuses a number)."""
    value = cache.get(_key(group))
    if value is None:
        cache.add(_key(group), time.time_ns() // 1000, timeout=None)
        value = cache.get(_key(group))
    return int(value)


def version(group: str) -> int:
    return current(group)


def versions(*groups: str) -> tuple[int, ...]:
    """Several versions at once (one cache round trip when they exist)."""
    found = cache.get_many([_key(g) for g in groups])
    return tuple(int(found[_key(g)]) if _key(g) in found else current(g) for g in groups)


def learner_inputs(user_id: int) -> str:
    """The group of one learner's recommendation inputs (profile, bookings, follows)."""
    return f"reco:learner:{user_id}"


def bump(group: str) -> None:
    try:
        cache.incr(_key(group))
    except ValueError:  # not set yet, or evicted
        cache.set(_key(group), time.time_ns() // 1000, timeout=None)


def bump_on_commit(*groups: str) -> None:
    for group in groups:
        transaction.on_commit(lambda g=group: bump(g))  # type: ignore[misc]


def groups_of(model: type[models.Model]) -> tuple[str, ...]:
    return _GROUPS.get(model, ())


def track(
    model: type[models.Model],
    *groups: str,
    quiet: Iterable[str] = (),
    shown: Callable[[Any], bool] | None = None,
) -> None:
    """Bump ``groups`` after every committed save or delete of a ``model`` row (call in AppConfig.ready).

    A save limited (``update_fields``) to ``quiet`` fields, which no cached page shows, bumps nothing:
    a user's ``last_login`` moves at every sign-in and must not empty the catalogue's caches. With
    ``shown``, only rows it accepts bump (a learner signing up is on no public page)."""
    _GROUPS[model] = tuple(sorted({*_GROUPS.get(model, ()), *groups}))
    _QUIET[model] = frozenset({*_QUIET.get(model, ()), *quiet})
    if shown is not None:
        _SHOWN[model] = shown

    def changed(sender: Any, instance: Any = None, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields and set(fields) <= _QUIET.get(sender, frozenset()):
            return
        test = _SHOWN.get(sender)
        if test is not None and instance is not None and not test(instance):
            return
        bump_on_commit(*groups_of(sender))

    uid = f"versions:{model._meta.label}"
    post_save.connect(changed, sender=model, dispatch_uid=uid + ":save", weak=False)
    post_delete.connect(changed, sender=model, dispatch_uid=uid + ":delete", weak=False)
