"""Reads for feedback and reviews."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import Feedback

if TYPE_CHECKING:
    from apps.accounts.models import User


def reviews_for_mentor(mentor: User | int) -> QuerySet[Feedback]:
    """Public reviews of a mentor, newest first, with learner and session loaded (one query).

    ``mentor`` is a User or a user id. Each row has ``rating``, ``comment``, ``created_at``,
    ``learner.full_name`` and ``session.title``.
    """
    mentor_id = mentor if isinstance(mentor, int) else mentor.pk
    return (
        Feedback.objects.filter(mentor_id=mentor_id, hidden_at__isnull=True)
        .select_related("learner", "session")
        .order_by("-created_at")
    )


def feedback_for_booking(booking_id: int) -> Feedback | None:
    return Feedback.objects.filter(booking_id=booking_id).first()


def feedback_for_session(session_id: int) -> QuerySet[Feedback]:
    """Every learner's feedback on one session (the mentor's session summary)."""
    return Feedback.objects.filter(session_id=session_id).select_related("learner").order_by("created_at")


def mentor_reviews(*, mentor_id: int, limit: int = 20) -> QuerySet[Feedback]:
    """The catalog's mentor profile (Reviews tab) calls this name; same rows as reviews_for_mentor."""
    return reviews_for_mentor(mentor_id)[:limit]
