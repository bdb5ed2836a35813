"""Read queries for the catalogue. Landing-page selectors first (design/front-end owner)."""

from __future__ import annotations

from django.db.models import Case, F, Prefetch, QuerySet, Value, When
from django.utils import timezone

from apps.accounts.models import MentorProfile, MentorStatus
from apps.catalog.models import Domain, Session, SessionStatus
from apps.catalog.search import with_seats

LANDING_SESSION_LIMIT = 8
LANDING_MENTOR_LIMIT = 6


def landing_sessions(*, limit: int = LANDING_SESSION_LIMIT) -> list[Session]:
    """Live sessions first, then the soonest upcoming scheduled ones — one query.

    Each session carries ``seats_left`` (capacity minus ``Booking.objects.holding_seat``, never
    below 0) and has its mentor and domain joined.
    """
    now = timezone.now()
    qs = (
        with_seats(Session.objects.visible(now), now)
        .select_related("mentor", "domain")
        .annotate(live_rank=Case(When(status=SessionStatus.LIVE, then=Value(0)), default=Value(1)))
        .order_by("live_rank", "start", "id")
    )
    return list(qs[:limit])


def top_mentors(*, limit: int = LANDING_MENTOR_LIMIT) -> QuerySet[MentorProfile]:
    """Approved mentors by rating (unrated last), then sessions taught — two queries when evaluated
    (profiles with users; their domains)."""
    return (
        MentorProfile.objects.filter(status=MentorStatus.APPROVED, user__is_active=True, user__is_blocked=False)
        .select_related("user")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.only("id", "name", "slug")))
        .order_by(F("rating").desc(nulls_last=True), "-sessions_taught", "id")[:limit]
    )
