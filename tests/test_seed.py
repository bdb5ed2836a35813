"""``manage.py seed_demo``: realistic, idempotent, and every printed login works."""

from __future__ import annotations

import io
import itertools
import zoneinfo
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import LearnerProfile, MentorProfile, MentorStatus, Role, User
from apps.audit.models import AuditEntry
from apps.catalog.models import Session
from apps.site.management.commands.seed_demo import (
    BLOCKED_LEARNER,
    DEMO_PASSWORD,
    LEARNERS,
    MENTORS,
    PENDING_MENTOR,
    all_logins,
    email_for,
)
from apps.site.seed.discovery import COMMUNITY
from apps.taxonomy.models import Domain, Topic

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "domains": Domain.objects.count(),
        "topics": Topic.objects.count(),
        "sessions": Session.objects.count(),
        "mentor_profiles": MentorProfile.objects.count(),
        "learner_profiles": LearnerProfile.objects.count(),
    }


def test_running_twice_changes_nothing_and_every_login_works() -> None:
    first_output = seed()
    first = counts()
    snapshot = list(Session.objects.order_by("id").values_list("id", "mentor_id", "title", "start", "price_paise"))
    second_output = seed()

    assert counts() == first
    assert list(Session.objects.order_by("id").values_list("id", "mentor_id", "title", "start", "price_paise")) == (
        snapshot
    )
    assert "0 new accounts, 0 new sessions" in second_output
    assert first["domains"] == 10
    # + the blocked account, which has no login, and the community learners who follow and book mentors
    assert first["users"] == len(all_logins()) + 1 + len(COMMUNITY) == 22 + 16

    for _role, name, email in all_logins():
        assert email in first_output, f"{email} not printed"
        user = authenticate(email=email, password=DEMO_PASSWORD)
        assert user is not None, f"{email} cannot sign in with the demo password"
        assert user.full_name == name
        assert EmailAddress.objects.get(user=user).verified
        assert email.endswith("@demo.peerlearn.in")
    assert DEMO_PASSWORD in first_output


def test_roles_and_profiles() -> None:
    seed()
    admin = User.objects.get(role=Role.ADMIN)
    assert admin.is_staff and admin.is_superuser

    approved = MentorProfile.objects.filter(status=MentorStatus.APPROVED).select_related("user")
    assert approved.count() == len(MENTORS) >= 12
    for profile in approved:
        assert 150 <= len(profile.bio) <= 500, profile.user.email
        assert 1 <= profile.domains.count() <= 5
        assert profile.skills
        assert profile.approved_at is not None
    pending = MentorProfile.objects.get(status=MentorStatus.PENDING)
    assert pending.user.full_name == PENDING_MENTOR.name
    assert not Session.objects.filter(mentor=pending.user).exists()

    learners = LearnerProfile.objects.filter(user__is_blocked=False)
    assert learners.count() == 6 + len(COMMUNITY)
    blocked = User.objects.get(is_blocked=True)
    assert blocked.full_name == BLOCKED_LEARNER[0] and not blocked.is_active
    assert AuditEntry.objects.get(action="user.block", object_id=str(blocked.pk)).reason == BLOCKED_LEARNER[1]
    assert all(1 <= len(p.interests) <= 5 for p in learners)


def test_sessions_are_realistic_upcoming_and_never_overlap() -> None:
    now = timezone.now()
    seed()
    sessions = list(Session.objects.filter(start__gt=now))  # the catalogue (past ones are demo history)
    assert len(sessions) == 40
    by_mentor: dict[int, list[Session]] = defaultdict(list)
    for s in sessions:
        local = s.start.astimezone(IST)
        assert now + timedelta(minutes=30) <= s.start <= now + timedelta(days=15), s.title
        assert local.minute % 15 == 0 and local.second == 0
        assert 10 <= local.hour <= 21, f"{s.title} starts at {local:%H:%M} IST"
        assert 30 <= s.duration_minutes <= 120
        assert s.price_paise == 0 or 29_900 <= s.price_paise <= 249_900
        assert 1 <= s.capacity <= 10
        assert sum(item["minutes"] for item in s.agenda) == s.duration_minutes
        by_mentor[s.mentor_id].append(s)
    assert sum(1 for s in sessions if s.price_paise == 0) >= 8
    assert sum(1 for s in sessions if s.capacity == 1) >= 15
    for mine in by_mentor.values():
        mine.sort(key=lambda s: s.start)
        for a, b in itertools.pairwise(mine):
            assert a.end <= b.start, f"{a.title} overlaps {b.title}"


def test_later_run_keeps_past_sessions_and_schedules_new_upcoming_ones() -> None:
    seed()
    history = Session.objects.filter(start__lte=timezone.now()).count()  # taught sessions (money history)
    before = Session.objects.count() - history
    with time_machine.travel(timezone.now() + timedelta(days=20), tick=False):
        later = timezone.now()
        output = seed()
        assert Session.objects.count() == history + before * 2  # every old copy is now past: a new one each
        assert Session.objects.filter(start__lt=later).count() == history + before  # old ones untouched
        upcoming = Session.objects.filter(start__gt=later)
        assert upcoming.count() == before
        assert "40 new sessions" in output
        seed()  # and idempotent again at the new time
        assert Session.objects.count() == history + before * 2


def test_history_is_made_through_the_real_flows(django_capture_on_commit_callbacks: Any) -> None:
    from apps.bookings.models import Booking
    from apps.payments import ledger
    from apps.payments.models import Payment, Refund

    with django_capture_on_commit_callbacks(execute=True):  # as after the seed's commit
        seed()
    # Bookings of the demo learners' upcoming sessions (the money history's taught sessions are
    # tested in apps/site/tests/test_seed_money.py; seed_discovery's community books too).
    now = timezone.now()
    demo = {email_for(name) for name, _i, _g in LEARNERS}
    bookings = Booking.objects.filter(session__start__gt=now, learner__email__in=demo)
    payments = Payment.objects.filter(items__booking__session__start__gt=now, learner__email__in=demo).distinct()
    assert sorted(bookings.values_list("status", flat=True)) == [
        "cancelled",
        "confirmed",
        "confirmed",
        "confirmed",
    ]
    assert sorted(payments.values_list("status", flat=True)) == ["paid", "partially_refunded", "refunded"]
    assert Refund.objects.filter(status="processed").count() == 2
    assert list(ledger.unbalanced_transactions()) == []
    assert AuditEntry.objects.filter(action="payment.refund").count() == 1
    seed()  # a second run adds nothing
    assert bookings.count() == 4 and payments.count() == 3
