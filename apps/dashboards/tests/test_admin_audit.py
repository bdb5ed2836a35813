"""The admin's audit log page: what admins did is listed, filterable, and cannot be changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditEntry
from apps.catalog.tests.factories import make_user
from apps.workflows.accounts import block_user, decide_mentor

from .test_dashboards import admin_with_totp

pytestmark = pytest.mark.django_db
URL = "/dashboard/admin/audit/"


def test_admin_actions_are_listed_and_filterable(client: Client) -> None:
    admin = admin_with_totp()
    client.force_login(admin)
    mentor = make_user(Role.MENTOR, approved=False, name="Nikhil Rao")
    other = make_user(Role.MENTOR, approved=False, name="Farah Khan")
    learner = make_user(name="Spammy Sam")
    decide_mentor(mentor=mentor, by=admin, approve=True, ip="10.0.0.7")
    decide_mentor(mentor=other, by=admin, approve=False, reason="No bio yet")
    block_user(user=learner, by=admin, reason="Spam")

    body = client.get(URL).content.decode()
    assert "3 entries" in body
    for text in (
        "mentor.approve",
        "mentor.reject",
        "user.block",
        "No bio yet",
        "10.0.0.7",
        "pending → <strong>approved",
    ):
        assert text in body, text
    only_blocks = client.get(URL, {"action": "user.block"}).content.decode()
    assert "1 entry" in only_blocks and "Spammy Sam" in only_blocks and "Nikhil Rao" not in only_blocks
    by_object = client.get(URL, {"obj": f"accounts.user#{other.pk}"}).content.decode()
    assert "1 entry" in by_object and "No bio yet" in by_object
    assert "0 entries" in client.get(URL, {"actor": "nobody-at-all"}).content.decode()
    today = timezone.localdate()
    assert "3 entries" in client.get(URL, {"since": today.isoformat(), "until": today.isoformat()}).content.decode()
    tomorrow = today + timedelta(days=1)
    assert "0 entries" in client.get(URL, {"since": tomorrow.isoformat()}).content.decode()


def test_bad_filters_are_explained_not_crashes(client: Client) -> None:
    client.force_login(admin_with_totp())
    body = client.get(URL, {"since": "2026-13-45", "until": "yesterday"}).content.decode()
    assert "Enter a valid date." in body and "Correct the filter above." in body
    body = client.get(URL, {"since": "2026-12-05", "until": "2026-12-01"}).content.decode()
    assert "The end date is before the start date." in body


def test_only_admins_and_entries_stay_as_written(client: Client) -> None:
    client.force_login(make_user(Role.LEARNER))
    assert client.get(URL).status_code == 302
    admin = make_user(Role.ADMIN)
    block_user(user=make_user(), by=admin, reason="x")
    entry = AuditEntry.objects.get()
    entry.reason = "edited"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
