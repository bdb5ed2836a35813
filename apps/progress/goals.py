"""Learner goals: add, edit, archive; the first one comes from the career goal given at registration."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import LearnerProfile
from apps.bookings.models import Booking, BookingStatus
from apps.taxonomy.models import Domain

from .models import MAX_GOAL_TARGET, Goal, SessionNote

if TYPE_CHECKING:
    from apps.accounts.models import User

MAX_ACTIVE_GOALS = 10
CAREER_GOAL_TARGET = 10


class GoalError(Exception):
    """A goal that cannot be saved. ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def active_goals(learner: User) -> QuerySet[Goal]:
    return Goal.objects.filter(learner=learner, archived_at__isnull=True).select_related("domain")


def archived_goals(learner: User) -> QuerySet[Goal]:
    return Goal.objects.filter(learner=learner, archived_at__isnull=False).select_related("domain")


def ensure_career_goal(learner: User) -> Goal | None:
    """Create the learner's first goal from the career goal they gave at registration, once: only
    if they have never had a goal. It counts sessions from the day they joined. Idempotent and safe
    when two requests race (a partial unique constraint allows one such goal per learner)."""
    if Goal.objects.filter(learner=learner).exists():
        return None
    career = (LearnerProfile.objects.filter(user=learner).values_list("career_goal", flat=True).first() or "").strip()
    if not career:
        return None
    try:
        with transaction.atomic():
            return Goal.objects.create(
                learner=learner,
                title=career[:150],
                target_sessions=CAREER_GOAL_TARGET,
                counts_from=learner.date_joined,
                from_career_goal=True,
            )
    except IntegrityError:
        return None


def _clean(title: str, target: object, domain_id: object) -> tuple[str, int, Domain | None]:
    title = (title or "").strip()
    if len(title) < 3:
        raise GoalError(_("Name your goal in at least 3 characters."), "title")
    if len(title) > 150:
        raise GoalError(_("Keep the goal under 150 characters."), "title")
    try:
        n = int(str(target).strip())
    except (TypeError, ValueError):
        raise GoalError(_("Enter how many sessions, as a whole number."), "target_sessions") from None
    if not 1 <= n <= MAX_GOAL_TARGET:
        raise GoalError(_("Choose between 1 and %(max)s sessions.") % {"max": MAX_GOAL_TARGET}, "target_sessions")
    domain = None
    if domain_id not in (None, ""):
        try:
            domain = Domain.objects.get(pk=int(str(domain_id)))
        except (ValueError, Domain.DoesNotExist):
            raise GoalError(_("Choose a domain from the list."), "domain") from None
    return title, n, domain


def create_goal(
    *, learner: User, title: str, target_sessions: object, domain_id: object = None, now: datetime | None = None
) -> Goal:
    """A new goal counts the sessions completed from now on."""
    title, n, domain = _clean(title, target_sessions, domain_id)
    if active_goals(learner).count() >= MAX_ACTIVE_GOALS:
        raise GoalError(_("You can have up to %(n)s active goals. Archive one first.") % {"n": MAX_ACTIVE_GOALS})
    return Goal.objects.create(
        learner=learner, title=title, target_sessions=n, domain=domain, counts_from=now or timezone.now()
    )


def update_goal(*, goal: Goal, learner: User, title: str, target_sessions: object, domain_id: object = None) -> Goal:
    if goal.learner_id != learner.pk:
        raise GoalError(_("You can only change your own goals."))
    goal.title, goal.target_sessions, goal.domain = _clean(title, target_sessions, domain_id)
    goal.save(update_fields=["title", "target_sessions", "domain", "updated_at"])
    return goal


def archive_goal(*, goal: Goal, learner: User, now: datetime | None = None) -> Goal:
    if goal.learner_id != learner.pk:
        raise GoalError(_("You can only change your own goals."))
    if goal.archived_at is None:
        goal.archived_at = now or timezone.now()
        goal.save(update_fields=["archived_at", "updated_at"])
    return goal


def restore_goal(*, goal: Goal, learner: User) -> Goal:
    if goal.learner_id != learner.pk:
        raise GoalError(_("You can only change your own goals."))
    if goal.archived_at is not None:
        if active_goals(learner).count() >= MAX_ACTIVE_GOALS:
            raise GoalError(_("You can have up to %(n)s active goals. Archive one first.") % {"n": MAX_ACTIVE_GOALS})
        goal.archived_at = None
        goal.save(update_fields=["archived_at", "updated_at"])
    return goal


MAX_NOTE_CHARS = 2000


def save_note(*, booking_id: int, learner: User, text: str) -> None:
    """The learner's own note on one of their completed sessions (empty text removes it)."""
    if not Booking.objects.filter(pk=booking_id, learner=learner, status=BookingStatus.COMPLETED).exists():
        raise GoalError(_("You can add notes to your completed sessions only."), "text")
    text = (text or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise GoalError(_("Keep your note under %(n)s characters.") % {"n": MAX_NOTE_CHARS}, "text")
    if not text:
        SessionNote.objects.filter(booking_id=booking_id).delete()
        return
    SessionNote.objects.update_or_create(booking_id=booking_id, defaults={"text": text})
