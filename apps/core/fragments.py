"""Rendered fragments shared by many viewers, cached under a version (see versions.py).

The key carries the versions of its groups (by default the catalogue's and the seats'), the language and the time zone the fragment was rendered in
(cards show local times), plus whatever the caller adds (e.g. the normalised query string). The
fragment is rendered without a request, so nothing per-viewer can end up in it. A short timeout
bounds what only the clock changes (a session that started, "in 2 hours").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from . import versions

TIMEOUT = 60
# Cards show seats: a fragment is built from the catalogue's rows and its sessions' seats.
CARDS = (versions.CATALOG, versions.SEATS)


def cached_fragment(
    name: str,
    template: str,
    build: Callable[[], dict[str, Any]],
    *,
    groups: tuple[str, ...] = CARDS,
    vary: Iterable[str] = (),
    timeout: int = TIMEOUT,
) -> tuple[SafeString, dict[str, Any]]:
    """Return (html, extra): the fragment, and the small ``extra`` dict ``build`` put under the
    ``"extra"`` key of its context (facts the page needs beside the HTML, e.g. a count)."""
    parts, extra = cached_parts(name, {"html": template}, build, groups=groups, vary=vary, timeout=timeout)
    return parts["html"], extra


def cached_parts(
    name: str,
    templates: dict[str, str],
    build: Callable[[], dict[str, Any]],
    *,
    groups: tuple[str, ...] = CARDS,
    vary: Iterable[str] = (),
    timeout: int = TIMEOUT,
) -> tuple[dict[str, SafeString], dict[str, Any]]:
    """Several fragments of one page from one ``build`` context, kept under one key (one cache
    read per page): ``{part: html}`` for ``{part: template}``, and the ``extra`` dict as above. A
    part whose template is "" is left out (the page renders that part itself). ``groups``: the
    version groups the fragments are built from (one cache read for all of them)."""
    key = ":".join(
        [
            "frag",
            name,
            *map(str, versions.versions(*groups)),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            *vary,
        ]
    )
    hit = cache.get(key)
    if hit is None:
        context = build()
        rendered = {part: render_to_string(t, context) for part, t in templates.items() if t}
        hit = (rendered, context.get("extra", {}))
        cache.set(key, hit, timeout)
    rendered, extra = hit
    return {part: mark_safe(html) for part, html in rendered.items()}, extra  # noqa: S308 - our own templates
