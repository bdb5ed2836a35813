"""Template helpers shared by every page (loaded as a builtin)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from apps.core.money import indian_digits

register = template.Library()


@register.filter
def inr(paise: int | None) -> str:
    """Format integer paise as rupees: 123450 -> "₹1,234.50", 50000 -> "₹500"."""
    if paise is None:
        return ""
    negative = paise < 0
    rupees, rem = divmod(abs(int(paise)), 100)
    text = f"₹{indian_digits(rupees)}" + (f".{rem:02d}" if rem else "")
    return f"\u2212{text}" if negative else text  # typographic minus sign


# --- Icons -------------------------------------------------------------------------------------
# Heroicons 24/outline, copied into static/icons/ by scripts/vendor.mjs (committed; no Node at run time).
ICON_DIR = Path(settings.BASE_DIR) / "static" / "icons"
_ICON_NAME = re.compile(r"^[a-z0-9-]+$")


_ROUND = ' stroke-linecap="round" stroke-linejoin="round"'


@lru_cache(maxsize=256)
def _icon_svg(name: str) -> str:
    """The icon's markup as inlined into HTML: without what only a standalone file needs (the
    namespace, Heroicons' data-slot, whitespace) and with the paths' shared line caps said once
    on the root, where the paths inherit them. About a fifth of each icon's bytes; a page with
    dozens of icons is several KiB lighter before compression."""
    if not _ICON_NAME.match(name):
        raise ValueError(f"bad icon name {name!r}")
    svg = (ICON_DIR / f"{name}.svg").read_text(encoding="utf-8").strip()
    svg = (
        re.sub(r">\s+<", "><", svg).replace(' xmlns="http://www.w3.org/2000/svg"', "").replace(' data-slot="icon"', "")
    )
    if _ROUND in svg:
        svg = svg.replace(_ROUND, "").replace("<svg ", f"<svg{_ROUND} ", 1)
    return svg


@register.simple_tag
def icon(name: str, **attrs: object) -> str:
    """Inline a Heroicon: ``{% icon "home" class="size-5" %}``. Decorative (aria-hidden) unless
    ``label="..."`` is given, which makes it an image with that accessible name."""
    svg = _icon_svg(str(name))
    css = str(attrs.get("class") or "size-5")
    label = attrs.get("label")
    extra = f' class="{conditional_escape(css)}"'
    if label:
        svg = svg.replace(' aria-hidden="true"', "")
        extra += f' role="img" aria-label="{conditional_escape(str(label))}"'
    return mark_safe(svg.replace("<svg ", f"<svg{extra} ", 1))  # noqa: S308 - our own static files


@register.filter
def initials_of(user: object) -> str:
    name = str(getattr(user, "full_name", "") or getattr(user, "email", "?"))
    parts = [p for p in name.split() if p]
    if not parts:
        return "?"
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


@register.simple_tag
def field_widget(field: Any, **attrs: object) -> str:
    """Render a bound field's widget with our input styling and the ARIA links to its help/errors."""
    widget_attrs: dict[str, object] = {}
    existing = field.field.widget.attrs.get("class", "")
    css = str(attrs.pop("class", "") or "")
    if not css and field.widget_type not in {
        "checkbox",
        "radioselect",
        "checkboxselectmultiple",
        "clearablefile",
        "file",
    }:
        css = "input"
    widget_attrs["class"] = " ".join(c for c in (existing, css) if c)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    for i, _error in enumerate(field.errors):
        described.append(f"{field.auto_id}_error" + (f"_{i + 1}" if i else ""))
    if described:
        widget_attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        widget_attrs["aria-invalid"] = "true"
    widget_attrs.update(attrs)
    return field.as_widget(attrs=widget_attrs)  # type: ignore[no-any-return]


@register.filter
def domain_tone(value: object) -> str:
    """A stable colour block class (domain-tone-0..5) for a domain id."""
    try:
        return f"domain-tone-{int(str(value)) % 6}"
    except ValueError:
        return "domain-tone-0"
