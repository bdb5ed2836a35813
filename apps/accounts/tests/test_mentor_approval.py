from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.accounts import services
from apps.accounts.models import MentorStatus
from apps.taxonomy.models import Domain
from tests.totp import enrol_totp

from .conftest import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> Any:
    user = make("admin", full_name="Anita Admin")
    enrol_totp(user)
    return user


@pytest.fixture
def pending() -> Any:
    mentor = make("mentor", approved=False, full_name="Ravi Kumar", bio="I teach Django.", skills=["Django"])
    mentor.mentor_profile.domains.add(Domain.objects.create(name="Web Development", slug="web"))
    return mentor


def test_approve_sets_status_and_emails_after_commit(
    admin: Any, pending: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        profile = services.approve_mentor(mentor=pending, by=admin)
        assert mailoutbox == []  # nothing is sent before the transaction commits
    assert profile.status == MentorStatus.APPROVED and profile.approved_at is not None
    for cb in callbacks:
        cb()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [pending.email] and "approved" in mailoutbox[0].subject
    assert "/dashboard/mentor/" in mailoutbox[0].body


def test_reject_requires_reason_and_emails_it(
    admin: Any, pending: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(ValueError, match="reason"):
        services.reject_mentor(mentor=pending, by=admin, reason="   ")
    pending.mentor_profile.refresh_from_db()
    assert pending.mentor_profile.status == MentorStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        profile = services.reject_mentor(mentor=pending, by=admin, reason="Please add a longer bio.")
    assert profile.status == MentorStatus.REJECTED and profile.rejection_reason == "Please add a longer bio."
    assert "Please add a longer bio." in mailoutbox[0].body


def test_transition_is_guarded(admin: Any, pending: Any) -> None:
    services.approve_mentor(mentor=pending, by=admin)
    with pytest.raises(services.InvalidTransition):
        services.approve_mentor(mentor=pending, by=admin)
    with pytest.raises(services.InvalidTransition):
        services.reject_mentor(mentor=pending, by=admin, reason="late")
    assert pending.mentor_profile.__class__.objects.get(pk=pending.mentor_profile.pk).status == MentorStatus.APPROVED


def test_rejected_mentor_can_be_approved_later(admin: Any, pending: Any) -> None:
    services.reject_mentor(mentor=pending, by=admin, reason="Missing details")
    profile = services.approve_mentor(mentor=pending.mentor_profile, by=admin)
    assert profile.status == MentorStatus.APPROVED and profile.rejection_reason == ""


def test_admin_screen_lists_pending_with_wizard_data(client: Client, admin: Any, pending: Any) -> None:
    make("mentor", full_name="Already Approved")
    client.force_login(admin)
    html = client.get("/dashboard/admin/mentors/").content.decode()
    assert "Ravi Kumar" in html and "I teach Django." in html and "Web Development" in html
    assert "Already Approved" not in html
    assert "Confirm rejection" in html


def test_admin_screen_approve_and_reject(
    client: Client, admin: Any, pending: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin)
    url = f"/dashboard/admin/mentors/{pending.mentor_profile.pk}/decide/"
    # Reject without reason/confirmation: refused, nothing changes.
    client.post(url, {"decision": "reject", "reason": ""})
    client.post(url, {"decision": "reject", "reason": "Too short"})  # no confirmation tick
    pending.mentor_profile.refresh_from_db()
    assert pending.mentor_profile.status == MentorStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve"})
    assert response["Location"] == "/dashboard/admin/mentors/"
    pending.mentor_profile.refresh_from_db()
    assert pending.mentor_profile.status == MentorStatus.APPROVED
    assert mailoutbox[-1].to == [pending.email]


def test_admin_screen_reject_with_reason(client: Client, admin: Any, pending: Any) -> None:
    client.force_login(admin)
    url = f"/dashboard/admin/mentors/{pending.mentor_profile.pk}/decide/"
    client.post(url, {"decision": "reject", "reason": "Add certifications", "confirm": "on"})
    pending.mentor_profile.refresh_from_db()
    assert pending.mentor_profile.status == MentorStatus.REJECTED
    html = client.get("/dashboard/admin/mentors/?status=rejected").content.decode()
    assert "Add certifications" in html


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_non_admins_cannot_decide(client: Client, pending: Any, role: str) -> None:
    client.force_login(make(role))
    response = client.post(f"/dashboard/admin/mentors/{pending.mentor_profile.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    pending.mentor_profile.refresh_from_db()
    assert pending.mentor_profile.status == MentorStatus.PENDING


def test_anonymous_cannot_see_admin_screen(client: Client) -> None:
    assert client.get("/dashboard/admin/mentors/")["Location"] == "/login/?next=/dashboard/admin/mentors/"


def test_admin_screen_query_count_does_not_grow(client: Client, admin: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin)
    make("mentor", approved=False).mentor_profile.domains.add(Domain.objects.create(name="A", slug="a"))
    with CaptureQueriesContext(connection) as one:
        client.get("/dashboard/admin/mentors/")
    for i in range(6):
        make("mentor", approved=False).mentor_profile.domains.add(Domain.objects.create(name=f"B{i}", slug=f"b{i}"))
    with CaptureQueriesContext(connection) as seven:
        html = client.get("/dashboard/admin/mentors/").content.decode()
    assert html.count("data-mentor-row=") == 7
    # Counts per status, the page of mentors and one prefetch for their domains: no per-row queries.
    assert len(seven) == len(one)
