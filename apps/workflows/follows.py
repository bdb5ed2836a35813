"""A mentor publishes a session and the people who follow them hear about it (SPEC §9)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.catalog import services as catalog
from apps.catalog.models import Session
from apps.notifications.models import NotificationType
from apps.notifications.services import notify_many

if TYPE_CHECKING:
    from apps.notifications.models import Notification


def publish_session(*, mentor: User, data: catalog.SessionInput, now: datetime | None = None) -> Session:
    """The mentor publishes a session from the catalogue's form: it is created under the §4 rules
    and, once committed, every follower is told (in-app and email, per their preferences)."""
    with transaction.atomic():
        session = catalog.create_session(mentor=mentor, data=data, now=now)
        tell_followers(session)
    return session


def tell_followers(session: Session) -> list[Notification]:
    """Notify the mentor's followers of ``session``, one row each; nobody else."""
    ids = catalog.follower_ids(session.mentor_id)
    if not ids:
        return []
    followers = User.objects.filter(pk__in=ids, is_active=True, is_blocked=False).only("pk", "email")
    mentor_name = session.mentor.full_name
    when = dateformat.format(timezone.localtime(session.start), "D j M, g:i A")
    return notify_many(
        users=followers,
        type=NotificationType.SESSION_PUBLISHED,
        title=_("New session from %(mentor)s") % {"mentor": mentor_name},
        message=_("%(mentor)s published “%(title)s” on %(when)s.")
        % {"mentor": mentor_name, "title": session.title, "when": when},
        link=reverse("catalog:detail", args=[session.pk]),
        reference=f"session:{session.pk}",
    )
