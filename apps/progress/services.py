"""Feedback and the mentor rating (SPEC §4, §9)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import MentorProfile
from apps.audit import services as audit
from apps.bookings.models import Booking, BookingStatus
from apps.core import versions

from .badges import award_for_learner, award_for_mentor
from .models import Feedback

if TYPE_CHECKING:
    from apps.accounts.models import User

RECENCY_DECAY_PER_DAY = 0.01


class FeedbackError(Exception):
    """Feedback that cannot be accepted (message is user-facing)."""


@dataclass(frozen=True)
class Rated:
    rating: int
    at: datetime


def mentor_rating(ratings: list[Rated], *, now: datetime) -> Decimal | None:
    """0.75 * recency-weighted average (weight e^(-0.01·days)) + 0.25 * plain average, 1 decimal.
    None until the first rating."""
    if not ratings:
        return None
    plain = sum(r.rating for r in ratings) / len(ratings)
    weights = [math.exp(-RECENCY_DECAY_PER_DAY * max(0.0, (now - r.at).total_seconds() / 86400)) for r in ratings]
    weighted = sum(w * r.rating for w, r in zip(weights, ratings, strict=True)) / sum(weights)
    value = 0.75 * weighted + 0.25 * plain
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def recompute_mentor_rating(*, mentor_id: int, now: datetime | None = None) -> Decimal | None:
    """Recompute and store the mentor's rating and rating count from their feedback (hidden
    reviews do not count)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the profile so two feedback submissions recompute one after the other.
        profile = MentorProfile.objects.select_for_update().filter(user_id=mentor_id).first()
        if profile is None:
            return None
        rows = [
            Rated(r, at)
            for r, at in Feedback.objects.filter(mentor_id=mentor_id, hidden_at__isnull=True).values_list(
                "rating", "created_at"
            )
        ]
        value = mentor_rating(rows, now=now)
        MentorProfile.objects.filter(pk=profile.pk).update(rating=value, rating_count=len(rows))
        versions.bump_on_commit(versions.CATALOG, versions.LISTING)
    return value


def submit_feedback(*, booking: Booking, learner: User, rating: int, comment: str = "") -> Feedback:
    """One rating (1-5) + optional comment per completed booking of the caller."""
    if booking.learner_id != learner.pk:
        raise FeedbackError(_("You can only rate your own sessions."))
    if booking.status != BookingStatus.COMPLETED:
        raise FeedbackError(_("You can rate a session once it has ended."))
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise FeedbackError(_("Choose a rating from 1 to 5 stars."))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise FeedbackError(_("Keep your comment under 2000 characters."))
    session = booking.session
    try:
        with transaction.atomic():
            fb = Feedback.objects.create(
                booking=booking,
                session=session,
                mentor_id=session.mentor_id,
                learner=learner,
                rating=rating,
                comment=comment,
            )
    except IntegrityError as exc:
        raise FeedbackError(_("You have already rated this session.")) from exc
    recompute_mentor_rating(mentor_id=session.mentor_id)
    award_for_learner(learner)
    award_for_mentor(session.mentor)
    return fb


def hide_feedback(*, feedback: Feedback, by: User, reason: str, ip: str | None = None) -> Feedback:
    """An admin hides an abusive review: it leaves the mentor's profile and rating; audited."""
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError(_("Give a reason for hiding this review."))
    with transaction.atomic():
        now = timezone.now()
        if not Feedback.objects.filter(pk=feedback.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_reason=reason
        ):
            raise FeedbackError(_("This review is already hidden."))
        audit.record(
            actor=by,
            action="feedback.hide",
            obj=feedback,
            before={"hidden": False},
            after={"hidden": True},
            reason=reason,
            ip=ip,
        )
        recompute_mentor_rating(mentor_id=feedback.mentor_id, now=now)
    feedback.hidden_at, feedback.hidden_reason = now, reason
    return feedback


def unhide_feedback(*, feedback: Feedback, by: User, ip: str | None = None) -> Feedback:
    with transaction.atomic():
        if not Feedback.objects.filter(pk=feedback.pk, hidden_at__isnull=False).update(
            hidden_at=None, hidden_reason=""
        ):
            raise FeedbackError(_("This review is not hidden."))
        audit.record(
            actor=by, action="feedback.unhide", obj=feedback, before={"hidden": True}, after={"hidden": False}, ip=ip
        )
        recompute_mentor_rating(mentor_id=feedback.mentor_id)
    feedback.hidden_at, feedback.hidden_reason = None, ""
    return feedback


MAX_REPLY_CHARS = 1000


def reply_to_feedback(*, feedback: Feedback, mentor: User, text: str) -> Feedback:
    """The reviewed mentor answers a review publicly, once."""
    if feedback.mentor_id != mentor.pk:
        raise FeedbackError(_("You can only reply to reviews of your own sessions."))
    text = (text or "").strip()
    if not text:
        raise FeedbackError(_("Write a reply first."))
    if len(text) > MAX_REPLY_CHARS:
        raise FeedbackError(_("Keep your reply under %(n)s characters.") % {"n": MAX_REPLY_CHARS})
    now = timezone.now()
    if not Feedback.objects.filter(pk=feedback.pk, replied_at__isnull=True).update(reply=text, replied_at=now):
        raise FeedbackError(_("You have already replied to this review."))
    feedback.reply, feedback.replied_at = text, now
    return feedback
