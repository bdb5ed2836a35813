"""Read queries for the catalogue. Landing-page selectors first (design/front-end owner)."""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.accounts.models import MentorProfile, MentorStatus
from apps.bookings.models import SEAT_HOLDING
from apps.catalog.models import Domain, Session, SessionStatus

LANDING_SESSION_LIMIT = 8
LANDING_MENTOR_LIMIT = 6


def landing_sessions(*, limit: int = LANDING_SESSION_LIMIT) -> list[Session]:
    """Live sessions first, then the soonest upcoming scheduled ones — one query.

    Each session carries ``seats_left`` (capacity minus bookings in SEAT_HOLDING statuses, never
    below 0) and has its mentor and domain joined.
    """
    now = timezone.now()
    qs = (
        Session.objects.filter(
            Q(status=SessionStatus.LIVE) | Q(status=SessionStatus.SCHEDULED, start__gt=now),
            mentor__is_active=True,
            mentor__is_blocked=False,
        )
        .select_related("mentor", "domain")
        .annotate(
            seats_taken=Count("bookings", filter=Q(bookings__status__in=SEAT_HOLDING)),
            seats_left=Greatest(F("capacity") - F("seats_taken"), 0, output_field=IntegerField()),
            live_rank=Case(When(status=SessionStatus.LIVE, then=Value(0)), default=Value(1)),
        )
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
