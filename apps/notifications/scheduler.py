"""The scheduler tick (SPEC §8): due times are rows; each is claimed exactly once.

``tick(now)`` runs every 30 s from Celery beat (``notifications.tick``). It

1. *discovers* work: for confirmed bookings starting within the next 25 h it inserts the rows of the
   reminder timeline (T-24 h email + in-app, T-30 min, T-10 min with sound and Join link, T+10 min
   mentor no-show check, feedback prompt at the end and a reminder at end + 1 h). Rows have a
   unique ``key`` (kind, booking or session, start time), so re-discovery is harmless and a
   rescheduled session gets fresh rows while the stale ones are skipped;
2. *claims* due rows: ``UPDATE … SET status='done' WHERE id=… AND status='pending'`` inside the
   same transaction as the effect. With several workers, the second UPDATE waits for the first
   transaction and then matches no row; after a crash the row is still pending and runs once on the
   next tick. Pushes and emails go out in ``on_commit``, so a rolled-back effect tells nobody;
3. expires requests/offers (``apps.requests``) and calls other apps' periodic functions when they
   exist — payment-hold expiry, earnings release, payment reconciliation, auto-complete. Those are
   feature-detected by import: a missing one is logged once and skipped, never a crash.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import JobKind, JobStatus, Notification, NotificationType, ScheduledJob
from .services import _group_send, notify, unread_count

log = logging.getLogger(__name__)

DISCOVERY_HORIZON = timedelta(hours=25)
NO_SHOW_AFTER = timedelta(minutes=10)
FEEDBACK_REMINDER_AFTER = timedelta(hours=1)
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

# Other apps' periodic functions, called with now=… when importable.
EXTERNAL_PERIODIC: list[tuple[str, tuple[str, ...]]] = [
    ("expire_payment_holds", ("apps.bookings.services", "apps.payments.services", "apps.bookings.tasks")),
    ("release_matured_earnings", ("apps.payments.services", "apps.payments.ledger", "apps.bookings.services")),
    ("reconcile_payments", ("apps.payments.services", "apps.payments.reconcile", "apps.payments.tasks")),
    ("auto_complete_sessions", ("apps.rooms.services", "apps.rooms.tasks")),
    ("expire_due", ("apps.requests.services",)),
]
_missing_logged: set[str] = set()


def find_function(name: str, modules: tuple[str, ...]) -> Callable[..., Any] | None:
    for module_name in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn = getattr(module, name, None)
        if callable(fn):
            return fn
    if name not in _missing_logged:
        _missing_logged.add(name)
        log.warning("scheduler: %s() not found in %s; skipping it until it exists", name, ", ".join(modules))
    return None


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def room_url(session: Any) -> str:
    return f"/session/{session.room_code}/"


def _safe_reverse(name: str, *args: Any, default: str = "") -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return default


# --- discovery --------------------------------------------------------------------------------


def jobs_for_booking(booking: Any) -> list[ScheduledJob]:
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
            kind=JobKind.NO_SHOW_CHECK, key=f"no_show:s{s.pk}:{stamp}", due_at=start + NO_SHOW_AFTER, session=s
        )
    )
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


def schedule_booking(*, booking: Any) -> int:
    """Insert the timeline rows for a booking (idempotent). Called on confirmation and by discovery."""
    rows = jobs_for_booking(booking)
    created = ScheduledJob.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def discover(now: datetime) -> int:
    from apps.bookings.models import Booking, BookingStatus

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


def _booking_active(booking: Any, job: ScheduledJob) -> bool:
    from apps.bookings.models import BookingStatus
    from apps.catalog.models import SessionStatus

    s = booking.session
    if booking.status != BookingStatus.CONFIRMED or s.status == SessionStatus.CANCELLED:
        return False
    return f":{_ts(s.start)}" in job.key  # rescheduled sessions get new rows


def _reminder_text(kind: str, session: Any, *, mentor: bool) -> tuple[str, str]:
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
    from apps.bookings.models import BookingStatus
    from apps.catalog.models import Session, SessionStatus

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


def _mentor_showed_up(session: Any) -> bool:
    from apps.catalog.models import SessionStatus

    if session.status in (SessionStatus.LIVE, SessionStatus.COMPLETED):
        return True
    attended = find_function("has_attended", ("apps.rooms.selectors",))
    if attended is None:
        return False
    return bool(attended(session_id=session.pk, user_id=session.mentor_id))


def handle_no_show(job: ScheduledJob, now: datetime) -> bool:
    """T+10 min: the mentor never opened the room -> session cancelled, bookings refunded 100%."""
    from apps.bookings.models import BookingStatus
    from apps.catalog.models import Session, SessionStatus

    from .receivers import NO_SHOW_REASON

    session = Session.objects.select_related("mentor").get(pk=int(job.session_id or 0))
    if session.status != SessionStatus.SCHEDULED or f":{_ts(session.start)}" not in job.key:
        return False
    if _mentor_showed_up(session):
        return False
    bookings = list(session.bookings.filter(status=BookingStatus.CONFIRMED).select_related("learner"))
    if not bookings:
        return False
    cancel = find_function("cancel_session", ("apps.catalog.services",))
    if cancel is None:
        # Without the catalogue/bookings services we must not move states by hand; retry later.
        raise RuntimeError("apps.catalog.services.cancel_session is not available")
    # Cancels the session; the bookings app cancels each booking with a 100 % refund.
    cancel(session=session, by="system", reason=NO_SHOW_REASON)
    for b in bookings:
        notify(
            user=b.learner,
            type=NotificationType.SESSION_CANCELLED,
            title=_("Your mentor did not show up: full refund"),
            message=_(
                "“%(title)s” was cancelled because the mentor did not join within 10 minutes. "
                "You will get a full refund."
            )
            % {"title": session.title},
            link="/dashboard/learner/bookings/",
            reference=f"booking:{b.pk}",
        )
    notify(
        user=session.mentor,
        type=NotificationType.SESSION_CANCELLED,
        title=_("Session cancelled: you did not join"),
        message=_(
            "“%(title)s” was cancelled because you were not in the room 10 minutes after the start. "
            "Learners were refunded in full."
        )
        % {"title": session.title},
        link="/dashboard/mentor/sessions/",
        reference=f"session:{session.pk}",
    )
    return True


def _feedback_given(booking: Any) -> bool:
    try:
        from apps.progress import models as progress_models
    except ImportError:
        return False
    feedback = getattr(progress_models, "Feedback", None)
    if feedback is None:
        return False
    try:
        return bool(feedback.objects.filter(booking=booking).exists())
    except Exception:
        return False


def handle_feedback(job: ScheduledJob, now: datetime) -> bool:
    from apps.bookings.models import BookingStatus
    from apps.catalog.models import SessionStatus

    booking = job.booking
    if booking is None:
        return False
    session = booking.session
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return False
    if session.status == SessionStatus.CANCELLED or f":{_ts(session.start)}" not in job.key:
        return False
    if _feedback_given(booking):
        return False
    reminder = job.kind == JobKind.FEEDBACK_REMINDER
    if (
        not reminder
        and session.status == SessionStatus.LIVE
        and find_function("auto_complete_sessions", ("apps.rooms.services",)) is not None
    ):
        return False  # the room prompts for feedback itself when the session completes
    reference = f"booking:{booking.pk}:feedback" + ("-reminder" if reminder else "")
    if Notification.objects.filter(user_id=booking.learner_id, reference=reference).exists():
        return False  # already prompted (e.g. by the room when the mentor ended the session)
    link = _safe_reverse("progress:feedback", booking.pk, default="/dashboard/learner/bookings/")
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
    payload = {**n.as_event(), "snoozed": True}
    uid = n.user_id
    transaction.on_commit(
        lambda: _group_send(uid, {"type": "notification", "notification": payload, "unread": unread_count(user_id=uid)})
    )
    return True


HANDLERS: dict[str, Callable[[ScheduledJob, datetime], bool]] = {
    JobKind.REMINDER_24H: handle_reminder,
    JobKind.REMINDER_30M: handle_reminder,
    JobKind.REMINDER_10M: handle_reminder,
    JobKind.NO_SHOW_CHECK: handle_no_show,
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
    # Other apps' state changes first (holds expire, sessions auto-complete), then the due rows.
    for name, modules in EXTERNAL_PERIODIC:
        fn = find_function(name, modules)
        if fn is None:
            continue
        try:
            result = fn(now=now)
            if isinstance(result, int):
                stats[name] = result
        except Exception:
            log.exception("scheduler: %s failed", name)
    stats.update(run_due(now))
    return stats
