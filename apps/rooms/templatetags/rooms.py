"""``{% room_button session role %}``: the one way every page offers the live room.

Learners see "Join", mentors "Go live" (or "Rejoin" once live). The button is enabled exactly in the
join window (10 minutes before the start until 5 minutes after the end); before it, it is shown
disabled with a countdown to the moment it opens, and countdown.js enables it then without a reload.
After the window (or for an ended/cancelled session) nothing is shown.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Session, SessionStatus

from ..selectors import MENTOR, join_window, window_state

register = template.Library()


def room_button_context(session: Session, role: str, now: Any = None) -> dict[str, Any]:
    now = now or timezone.now()
    if session.status in (SessionStatus.CANCELLED, SessionStatus.COMPLETED):
        return {"show": False}
    state = window_state(session=session, now=now)
    if state not in ("early", "open"):
        return {"show": False}
    labels = {MENTOR: _("Rejoin") if session.status == SessionStatus.LIVE else _("Go live")}
    label = labels.get(role, _("Join"))
    opens, _closes = join_window(session)
    return {
        "show": True,
        "open": state == "open",
        "label": label,
        "url": reverse("rooms:room", args=[session.room_code]),
        "opens": opens,
        # A countdown only when it is close; days ahead, the button's title says when it opens.
        "countdown": opens - now < timedelta(hours=24),
        "mentor": role == MENTOR,
    }


@register.inclusion_tag("rooms/_room_button.html")
def room_button(session: Session, role: str) -> dict[str, Any]:
    return room_button_context(session, role)
