from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections

from apps.accounts.models import Role
from apps.bookings.models import BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.notifications.models import JobKind, JobStatus, Notification, NotificationType, ScheduledJob
from apps.taxonomy.models import Domain
from apps.workflows import reminders as scheduler
from apps.workflows.booking import book_and_pay, cancel_booking

T0 = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def session(bob: Any) -> Session:
    domain = Domain.objects.create(name="Python", slug="python")
    return Session.objects.create(
        mentor=bob,
        domain=domain,
        title="Decorators in depth",
        description="Hands-on",
        start=T0,
        duration_minutes=60,
        price_paise=0,
        capacity=2,
    )


@pytest.fixture
def booking(session: Session, alice: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with time_machine.travel(T0 - timedelta(days=3), tick=False), django_capture_on_commit_callbacks(execute=True):
        b, _payment = book_and_pay(learner=alice, session=session)
    assert b.status == BookingStatus.CONFIRMED
    mail.outbox.clear()
    return b


def tick_at(moment: datetime, capture: Any) -> dict[str, int]:
    """What beat runs every 30 s that matters here: the reminder tick and the rooms' auto-complete."""
    from apps.rooms.services import auto_complete_sessions

    with time_machine.travel(moment, tick=False), capture(execute=True):
        auto_complete_sessions()
        return scheduler.tick()


def reminders(user: Any, which: str) -> list[Notification]:
    return [
        n
        for n in Notification.objects.filter(user=user, type=NotificationType.REMINDER)
        if n.data.get("reminder") == which
    ]


@pytest.mark.django_db
def test_confirmation_schedules_the_timeline_once(booking: Any) -> None:
    kinds = sorted(ScheduledJob.objects.values_list("kind", flat=True))
    # learner + mentor rows for each reminder, feedback prompt + reminder. (The no-show check is the
    # rooms app's periodic task, which knows who joined: apps/rooms/tests/test_no_show.py.)
    assert kinds.count(JobKind.REMINDER_24H) == 2
    assert kinds.count(JobKind.REMINDER_10M) == 2
    assert kinds.count(JobKind.NO_SHOW_CHECK) == 0
    assert kinds.count(JobKind.FEEDBACK_PROMPT) == 1
    before = ScheduledJob.objects.count()
    assert scheduler.discover(T0 - timedelta(hours=20)) == 0  # rediscovery adds nothing
    assert ScheduledJob.objects.count() == before
    # The booking confirmation itself was an in-app notification with an .ics in its email.
    assert Notification.objects.filter(user=booking.learner, type=NotificationType.BOOKING_CONFIRMED).count() == 1


@pytest.mark.django_db
def test_each_reminder_fires_once_at_its_time(
    booking: Any, alice: Any, bob: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cap = django_capture_on_commit_callbacks
    tick_at(T0 - timedelta(hours=24, seconds=1), cap)
    assert reminders(alice, "24h") == []
    tick_at(T0 - timedelta(hours=24), cap)
    tick_at(T0 - timedelta(hours=24) + timedelta(seconds=30), cap)  # a repeated tick
    assert len(reminders(alice, "24h")) == 1
    assert len(reminders(bob, "24h")) == 1
    # T-24 h is also an email (learner and mentor).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    assert all("tomorrow" in m.subject for m in mail.outbox)
    tick_at(T0 - timedelta(minutes=30), cap)
    tick_at(T0 - timedelta(minutes=29), cap)
    assert len(reminders(alice, "30m")) == 1 and len(reminders(bob, "30m")) == 1
    tick_at(T0 - timedelta(minutes=10), cap)
    tick_at(T0 - timedelta(minutes=10), cap)
    ten = reminders(alice, "10m")
    assert len(ten) == 1
    assert ten[0].title == "Session starts soon!"
    assert ten[0].data["sound"] is True and ten[0].data["join_url"] == f"/session/{booking.session.room_code}/"
    assert ten[0].data["snooze"] is True
    assert len(mail.outbox) == 2  # the in-app-only reminders sent no email
    assert ScheduledJob.objects.filter(kind__startswith="reminder", status=JobStatus.DONE).count() == 6


@pytest.mark.django_db
def test_no_reminder_for_a_cancelled_booking(
    booking: Any, alice: Any, bob: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(T0 - timedelta(days=2), tick=False), django_capture_on_commit_callbacks(execute=True):
        cancel_booking(booking=booking, by="learner")
    for moment in (T0 - timedelta(hours=24), T0 - timedelta(minutes=30), T0 - timedelta(minutes=10)):
        tick_at(moment, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(type=NotificationType.REMINDER).count() == 0
    assert ScheduledJob.objects.filter(kind__startswith="reminder", status=JobStatus.SKIPPED).count() == 6
    # The cancellation itself was notified.
    assert Notification.objects.filter(user=alice, type=NotificationType.BOOKING_CANCELLED).count() == 1


@pytest.mark.django_db
def test_late_worker_drops_stale_reminders(booking: Any, alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    # The scheduler was down all day and comes back 5 minutes before the start.
    tick_at(T0 - timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert reminders(alice, "24h") == [] and reminders(alice, "30m") == []
    # At T-5 min the 10-minute reminder is still useful: it fires once, late.
    assert len(reminders(alice, "10m")) == 1
    assert ScheduledJob.objects.filter(kind=JobKind.REMINDER_24H, status=JobStatus.SKIPPED).count() == 2


@pytest.mark.django_db
def test_feedback_prompt_at_end_and_reminder_an_hour_later(
    booking: Any, alice: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.LIVE)
    cap = django_capture_on_commit_callbacks
    tick_at(T0 + timedelta(minutes=60), cap)
    prompts = Notification.objects.filter(user=alice, type=NotificationType.FEEDBACK_REQUESTED)
    # Still live at the scheduled end: the room prompts when it completes (end + 5 min grace).
    assert prompts.count() == 0
    tick_at(T0 + timedelta(minutes=66), cap)
    tick_at(T0 + timedelta(minutes=67), cap)
    assert [n.title for n in prompts.all()] == ["How was your session?"]
    tick_at(T0 + timedelta(minutes=120), cap)
    tick_at(T0 + timedelta(minutes=121), cap)
    assert sorted(n.title for n in prompts.all()) == ["A reminder: how was your session?", "How was your session?"]


@pytest.mark.django_db
def test_no_feedback_reminder_once_feedback_was_given(
    booking: Any, alice: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.progress.services import submit_feedback

    Session.objects.filter(pk=session.pk).update(status=SessionStatus.LIVE)
    tick_at(T0 + timedelta(minutes=66), django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    submit_feedback(booking=booking, learner=alice, rating=5, comment="Great")
    tick_at(T0 + timedelta(minutes=120), django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(user=alice, title="A reminder: how was your session?").exists()


@pytest.mark.django_db
def test_feedback_prompts_more_than_a_day_late_are_dropped(
    booking: Any, alice: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker was down from before the session until two days after it: no pile of late "how was
    your session?" prompts when it comes back; the rows are skipped, not left pending."""
    booking.status = BookingStatus.COMPLETED
    booking.save(update_fields=["status"])
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.COMPLETED)
    # The session ends at T0 + 1 h; its reminder is due an hour later. Tick a minute past a day after that.
    session_end = T0 + timedelta(minutes=60)
    reminder_due = session_end + scheduler.FEEDBACK_REMINDER_AFTER
    tick_at(reminder_due + scheduler.FEEDBACK_STALE_AFTER + timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(user=alice, type=NotificationType.FEEDBACK_REQUESTED).exists()
    feedback_rows = ScheduledJob.objects.filter(
        booking=booking, kind__in=[JobKind.FEEDBACK_PROMPT, JobKind.FEEDBACK_REMINDER]
    )
    assert sorted(feedback_rows.values_list("status", flat=True)) == [JobStatus.SKIPPED, JobStatus.SKIPPED]


@pytest.mark.django_db
def test_feedback_reminder_a_little_late_still_goes_out(
    booking: Any, alice: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    booking.status = BookingStatus.COMPLETED
    booking.save(update_fields=["status"])
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.COMPLETED)
    tick_at(T0 + timedelta(hours=20), django_capture_on_commit_callbacks)
    titles = sorted(
        Notification.objects.filter(user=alice, type=NotificationType.FEEDBACK_REQUESTED).values_list(
            "title", flat=True
        )
    )
    assert titles == ["A reminder: how was your session?", "How was your session?"]


@pytest.mark.django_db
def test_failed_effect_rolls_back_and_retries(
    booking: Any, alice: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    calls = {"n": 0}
    real = scheduler.HANDLERS[JobKind.REMINDER_24H]

    def flaky(job: Any, now: Any) -> bool:
        calls["n"] += 1
        real(job, now)  # writes a notification row...
        if calls["n"] == 1:
            raise RuntimeError("worker crashed mid-effect")  # ...which must roll back
        return True

    monkeypatch.setitem(scheduler.HANDLERS, JobKind.REMINDER_24H, flaky)
    tick_at(T0 - timedelta(hours=24), django_capture_on_commit_callbacks)
    tick_at(T0 - timedelta(hours=23, minutes=59), django_capture_on_commit_callbacks)
    assert len(reminders(alice, "24h")) == 1
    job = ScheduledJob.objects.get(key__startswith=f"reminder_24h:b{booking.pk}")
    assert job.status == JobStatus.DONE and "crashed" in job.last_error


@pytest.mark.django_db
def test_snooze_reshows_the_reminder_once(alice: Any, client: Any, django_capture_on_commit_callbacks: Any) -> None:
    from apps.notifications.services import notify

    n = notify(user=alice, type=NotificationType.REMINDER, title="Session starts soon!", data={"reminder": "10m"})
    with time_machine.travel(T0, tick=False):
        client.force_login(alice)
        assert client.post(f"/notifications/{n.pk}/snooze/", {"minutes": 7}).status_code == 400
        assert client.post(f"/notifications/{n.pk}/snooze/", {"minutes": 5}).json() == {"ok": True, "minutes": 5}
    job = ScheduledJob.objects.get(kind=JobKind.SNOOZE)
    assert job.due_at == T0 + timedelta(minutes=5)
    tick_at(T0 + timedelta(minutes=4), django_capture_on_commit_callbacks)
    assert ScheduledJob.objects.get(pk=job.pk).status == JobStatus.PENDING
    tick_at(T0 + timedelta(minutes=5), django_capture_on_commit_callbacks)
    tick_at(T0 + timedelta(minutes=6), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_send_each_reminder_once(make_user: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole-database writes; the row-claim race needs PostgreSQL")
    mentor = make_user(Role.MENTOR, "Mentor PG")
    domain = Domain.objects.create(name="Go", slug="go")
    s = Session.objects.create(
        mentor=mentor, domain=domain, title="Race", description="x", start=T0, duration_minutes=60, capacity=10
    )
    learners = [make_user(Role.LEARNER, f"L{i}") for i in range(8)]
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        for learner in learners:
            book_and_pay(learner=learner, session=s)
    moment = T0 - timedelta(minutes=10)
    scheduler.discover(moment)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            with time_machine.travel(moment, tick=False):
                scheduler.tick(moment)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    tens = [n for n in Notification.objects.filter(type=NotificationType.REMINDER) if n.data.get("reminder") == "10m"]
    assert len(tens) == 9  # 8 learners + the mentor, once each
    assert len({n.user_id for n in tens}) == 9
