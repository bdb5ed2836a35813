"""Version counters in the Django cache: a cached value derived from some inputs stores the
counters it was computed under, and whoever changes an input bumps its counter, so the next read
misses instead of serving stale data. Losing a counter (cache flushed) only causes a recompute."""

from __future__ import annotations

from django.core.cache import cache

PREFIX = "ver:"


def version(name: str) -> int:
    value = cache.get(PREFIX + name)
    return int(value) if value is not None else 0


def versions(*names: str) -> tuple[int, ...]:
    found = cache.get_many([PREFIX + n for n in names])
    return tuple(int(found.get(PREFIX + n) or 0) for n in names)


def bump(name: str) -> None:
    key = PREFIX + name
    if cache.add(key, 1, timeout=None):
        return
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def learner_inputs(user_id: int) -> str:
    """The counter of one learner's recommendation inputs (profile, bookings, follows)."""
    return f"reco:learner:{user_id}"


CATALOG = "reco:catalog"  # sessions published, edited, cancelled, seats taken or freed
