"""The reminder timeline (SPEC §8): due times are rows; each is claimed exactly once.

``tick(now)`` runs every 30 s from Celery beat (``workflows.reminders_tick``). It

1. *discovers* work: for confirmed bookings starting within the next 25 h it inserts the rows of the
   reminder timeline (T-24 h email + in-app, T-30 min, T-10 min with sound and Join link, T+10 min
   mentor no-show check, feedback prompt at the end and a reminder at end + 1 h). Rows have a
   unique ``key`` (kind, booking or session, start time), so re-discovery is harmless and a
   rescheduled session gets fresh rows while the stale ones are skipped;
2. *claims* due rows: ``UPDATE … SET status='done' WHERE id=… AND status='pending'`` inside the
   same transaction as the effect. With several workers, the second UPDATE waits for the first
   transaction and then matches no row; after a crash the row is still pending and runs once on the
   next tick. Pushes and emails go out in ``on_commit``, so a rolled-back effect tells nobody;
The mentor no-show check (T+10 min) and auto-completion are the rooms app's periodic tasks (it
knows who joined); request expiry, hold expiry and gateway reconciliation have tasks of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.notifications.models import JobKind, JobStatus, Notification, NotificationType, ScheduledJob
from apps.notifications.services import notify, push_again
from apps.progress.models import Feedback

log = logging.getLogger(__name__)

DISCOVERY_HORIZON = timedelta(hours=25)
NO_SHOW_AFTER = timedelta(minutes=10)
FEEDBACK_REMINDER_AFTER = timedelta(hours=1)
# A feedback prompt or reminder that could not go out within a day of its time (the worker was down,
# or the booking was recorded after the fact) is dropped: a learner asked to rate a session from last
# week, or several at once, reads it as spam; the feedback page stays open from their bookings.
FEEDBACK_STALE_AFTER = timedelta(hours=24)
MAX_ATTEMPTS = 5
BATCH = 200

# kind -> (offset from start, or from end for feedback kinds; booking-level?; session-level?)
REMINDER_OFFSETS = {
    JobKind.REMINDER_24H: timedelta(hours=24),
    JobKind.REMINDER_30M: timedelta(minutes=30),
    JobKind.REMINDER_10M: timedelta(minutes=10),
}
# A reminder that could not run in time is dropped once the next milestone is reached.
REMINDER_STALE_BEFORE_START = {
    JobKind.REMINDER_24H: timedelta(minutes=30),
    JobKind.REMINDER_30M: timedelta(minutes=10),
    JobKind.REMINDER_10M: timedelta(0),
}


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def room_url(session: Session) -> str:
    return reverse("rooms:room", args=[session.room_code])


# --- discovery --------------------------------------------------------------------------------


def jobs_for_booking(booking: Booking) -> list[ScheduledJob]:
    """The timeline rows for one booking (learner side) and its session (mentor side)."""
    s = booking.session
    start, end, stamp = s.start, s.end, _ts(s.start)
    created = booking.created_at or start
    rows: list[ScheduledJob] = []
    for kind, offset in REMINDER_OFFSETS.items():
        due = start - offset
        if due < created - timedelta(minutes=1):
            continue  # booked after this reminder's time: the confirmation already told them
        rows.append(
            ScheduledJob(kind=kind, key=f"{kind}:b{booking.pk}:{stamp}", due_at=due, booking=booking, session=s)
        )
        rows.append(ScheduledJob(kind=kind, key=f"{kind}:s{s.pk}:{stamp}", due_at=due, session=s))
    rows.append(
        ScheduledJob(
            kind=JobKind.FEEDBACK_PROMPT, key=f"feedback:b{booking.pk}:{stamp}", due_at=end, booking=booking, session=s
        )
    )
    rows.append(
        ScheduledJob(
            kind=JobKind.FEEDBACK_REMINDER,
            key=f"feedback_rem:b{booking.pk}:{stamp}",
            due_at=end + FEEDBACK_REMINDER_AFTER,
            booking=booking,
            session=s,
        )
    )
    return rows


def schedule_booking(*, booking: Booking) -> int:
    """Insert the timeline rows for a booking (idempotent). Called on confirmation and by discovery."""
    rows = jobs_for_booking(booking)
    created = ScheduledJob.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def discover(now: datetime) -> int:
    bookings = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        session__start__gt=now - NO_SHOW_AFTER,
        session__start__lte=now + DISCOVERY_HORIZON,
    ).select_related("session")
    keys_wanted: list[ScheduledJob] = []
    for b in bookings:
        keys_wanted.extend(jobs_for_booking(b))
    if not keys_wanted:
        return 0
    existing = set(ScheduledJob.objects.filter(key__in=[j.key for j in keys_wanted]).values_list("key", flat=True))
    new = [j for j in keys_wanted if j.key not in existing]
    if new:
        ScheduledJob.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- handlers ---------------------------------------------------------------------------------


def _booking_active(booking: Booking, job: ScheduledJob) -> bool:
    s = booking.session
    if booking.status != BookingStatus.CONFIRMED or s.status == SessionStatus.CANCELLED:
        return False
    return f":{_ts(s.start)}" in job.key  # rescheduled sessions get new rows


def _reminder_text(kind: str, session: Session, *, mentor: bool) -> tuple[str, str]:
    if kind == JobKind.REMINDER_24H:
        title = _("Your session is tomorrow")
    elif kind == JobKind.REMINDER_30M:
        title = _("Your session starts in 30 minutes")
    else:
        title = _("Session starts soon!")
    if mentor:
        message = _("“%(title)s” with your learner. Be in the room on time.") % {"title": session.title}
    else:
        message = _("“%(title)s” with %(mentor)s.") % {"title": session.title, "mentor": session.mentor.full_name}
    return title, message


def handle_reminder(job: ScheduledJob, now: datetime) -> bool:
    session = Session.objects.select_related("mentor").get(pk=int(job.session_id or 0))
    if now >= session.start - REMINDER_STALE_BEFORE_START[JobKind(job.kind)]:
        return False
    if f":{_ts(session.start)}" not in job.key or session.status == SessionStatus.CANCELLED:
        return False
    if job.booking_id:
        booking = job.booking
        if booking is None or not _booking_active(booking, job):
            return False
        recipient = booking.learner
        mentor_side = False
    else:
        if not session.bookings.filter(status=BookingStatus.CONFIRMED).exists():
            return False
        recipient = session.mentor
        mentor_side = True
    title, message = _reminder_text(job.kind, session, mentor=mentor_side)
    short = {JobKind.REMINDER_24H: "24h", JobKind.REMINDER_30M: "30m", JobKind.REMINDER_10M: "10m"}[JobKind(job.kind)]
    notify(
        user=recipient,
        type=NotificationType.REMINDER,
        title=title,
        message=message,
        link=room_url(session),
        reference=f"session:{session.pk}",
        data={
            "reminder": short,
            "start": session.start.isoformat(),
            "join_url": room_url(session),
            "sound": short == "10m",
            "snooze": short != "24h",
        },
        email=short == "24h",
    )
    return True


def skip_no_show_row(job: ScheduledJob, now: datetime) -> bool:
    """Rows of the retired in-timeline no-show check (written before the rooms app's no-show task
    existed) are skipped: ``rooms.tasks.enforce_mentor_no_show`` applies the rule now."""
    return False


def _feedback_given(booking: Booking) -> bool:
    return Feedback.objects.filter(booking=booking).exists()


def handle_feedback(job: ScheduledJob, now: datetime) -> bool:
    booking = job.booking
    if booking is None:
        return False
    session = booking.session
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return False
    if session.status == SessionStatus.CANCELLED or f":{_ts(session.start)}" not in job.key:
        return False
    if _feedback_given(booking) or now - job.due_at > FEEDBACK_STALE_AFTER:
        return False
    reminder = job.kind == JobKind.FEEDBACK_REMINDER
    if not reminder and session.status == SessionStatus.LIVE:
        return False  # the completion workflow prompts for feedback itself when the session ends
    reference = f"booking:{booking.pk}:feedback" + ("-reminder" if reminder else "")
    if Notification.objects.filter(user_id=booking.learner_id, reference=reference).exists():
        return False  # already prompted (e.g. by the room when the mentor ended the session)
    link = reverse("progress:feedback", args=[booking.pk])
    notify(
        user=booking.learner,
        type=NotificationType.FEEDBACK_REQUESTED,
        title=_("A reminder: how was your session?") if reminder else _("How was your session?"),
        message=_("Rate “%(title)s” with %(mentor)s — it takes ten seconds.")
        % {"title": session.title, "mentor": session.mentor.full_name},
        link=link,
        reference=reference,
        data={"feedback": True},
    )
    return True


def handle_snooze(job: ScheduledJob, now: datetime) -> bool:
    n = job.notification
    if n is None:
        return False
    transaction.on_commit(lambda: push_again(notification=n))
    return True


HANDLERS: dict[str, Callable[[ScheduledJob, datetime], bool]] = {
    JobKind.REMINDER_24H: handle_reminder,
    JobKind.REMINDER_30M: handle_reminder,
    JobKind.REMINDER_10M: handle_reminder,
    JobKind.NO_SHOW_CHECK: skip_no_show_row,
    JobKind.FEEDBACK_PROMPT: handle_feedback,
    JobKind.FEEDBACK_REMINDER: handle_feedback,
    JobKind.SNOOZE: handle_snooze,
}


def run_job(pk: int, now: datetime) -> str:
    """Claim one due row and perform its effect in one transaction. Returns the outcome."""
    try:
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(pk=pk, status=JobStatus.PENDING, due_at__lte=now).update(
                status=JobStatus.DONE, done_at=now, attempts=F("attempts") + 1
            )
            if not claimed:
                return "taken"
            job = ScheduledJob.objects.select_related("booking__session__mentor", "booking__learner").get(pk=pk)
            if not HANDLERS[job.kind](job, now):
                ScheduledJob.objects.filter(pk=pk).update(status=JobStatus.SKIPPED)
                return "skipped"
            return "done"
    except Exception as exc:
        log.exception("scheduler: job %s failed", pk)
        ScheduledJob.objects.filter(pk=pk, status=JobStatus.PENDING).update(
            attempts=F("attempts") + 1, last_error=repr(exc)[:2000]
        )
        ScheduledJob.objects.filter(pk=pk, status=JobStatus.PENDING, attempts__gte=MAX_ATTEMPTS).update(
            status=JobStatus.FAILED
        )
        return "error"


def run_due(now: datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    due = list(
        ScheduledJob.objects.filter(status=JobStatus.PENDING, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in due:
        outcome = run_job(pk, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def tick(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    stats: dict[str, int] = {}
    try:
        stats["discovered"] = discover(now)
    except Exception:
        log.exception("scheduler: discovery failed")
    stats.update(run_due(now))
    return stats
