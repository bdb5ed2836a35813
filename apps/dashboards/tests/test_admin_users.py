"""The admin's Users page: search and filters, block with a reason and a confirmation, unblock."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import Role, User
from apps.audit.models import AuditEntry
from apps.catalog.tests.factories import make_user

from .test_dashboards import admin_with_totp, sign_in_confirmed

pytestmark = pytest.mark.django_db
URL = "/dashboard/admin/users/"


@pytest.fixture
def admin_client(client: Client) -> Client:
    sign_in_confirmed(client, admin_with_totp())
    return client


def test_only_admins_see_it(client: Client) -> None:
    client.force_login(make_user(Role.MENTOR))
    assert client.get(URL).status_code == 302
    assert client.post(f"{URL}1/block/", {"decision": "block"}).status_code == 302
    assert Client().get(URL).status_code == 302


def test_search_and_filters(admin_client: Client) -> None:
    make_user(name="Priya Sharma")
    make_user(Role.MENTOR, name="Priya Nair")
    make_user(name="Rahul Verma")
    body = admin_client.get(URL, {"q": "priya"}).content.decode()
    assert "Priya Sharma" in body and "Priya Nair" in body and "Rahul Verma" not in body
    body = admin_client.get(URL, {"q": "priya", "role": "mentor"}).content.decode()
    assert "Priya Nair" in body and "Priya Sharma" not in body
    body = admin_client.get(URL, {"q": "nobody-like-this"}).content.decode()
    assert "No account matches this search." in body
    assert admin_client.get(URL, {"role": "pirate", "status": "x", "page": "999"}).status_code == 200


def test_block_needs_reason_and_confirmation_then_unblock(admin_client: Client) -> None:
    learner = make_user(name="Kiran Rao")
    r = admin_client.post(f"{URL}{learner.pk}/block/", {"decision": "block", "reason": "Spam", "back": "?q=kiran"})
    assert r.status_code == 302 and r["Location"].startswith(URL + "?q=kiran")
    learner.refresh_from_db()
    assert not learner.is_blocked  # no confirmation ticked: nothing happened
    r = admin_client.post(
        f"{URL}{learner.pk}/block/", {"decision": "block", "reason": "", "confirm": "on"}, follow=True
    )
    assert "Give a reason and tick the confirmation" in r.content.decode()

    r = admin_client.post(
        f"{URL}{learner.pk}/block/", {"decision": "block", "reason": "Spam links in chat", "confirm": "on"}, follow=True
    )
    body = r.content.decode()
    assert "Kiran Rao is blocked" in body and "Spam links in chat" in body and "Unblock" in body
    learner.refresh_from_db()
    assert learner.is_blocked and not learner.is_active
    assert AuditEntry.objects.get(action="user.block").ip == "127.0.0.1"
    assert "Kiran Rao" in admin_client.get(URL, {"status": "blocked"}).content.decode()

    r = admin_client.post(f"{URL}{learner.pk}/block/", {"decision": "unblock"}, follow=True)
    assert "Kiran Rao can sign in again." in r.content.decode()
    assert User.objects.get(pk=learner.pk).is_active


def test_the_page_costs_the_same_queries_for_5_or_25_people(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        make_user(name=f"Person {i}")
    with django_assert_max_num_queries(12) as few:
        admin_client.get(URL)
    for i in range(20):
        make_user(name=f"More {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(URL)


def test_feature_and_unfeature_an_approved_mentor(admin_client: Client) -> None:
    mentor = make_user(Role.MENTOR, name="Gauri Deshpande")
    pending = make_user(Role.MENTOR, name="Pending Pranav", approved=False)
    r = admin_client.post(f"{URL}{mentor.pk}/feature/", {"featured": "on"}, follow=True)
    assert "Gauri Deshpande now leads Top mentors." in r.content.decode()
    mentor.mentor_profile.refresh_from_db()
    assert mentor.mentor_profile.is_featured
    assert "Featured" in Client().get("/").content.decode()
    r = admin_client.post(f"{URL}{pending.pk}/feature/", {"featured": "on"}, follow=True)
    assert "Only approved mentors can be featured." in r.content.decode()
    admin_client.post(f"{URL}{mentor.pk}/feature/", {})
    mentor.mentor_profile.refresh_from_db()
    assert not mentor.mentor_profile.is_featured
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "mentor.feature",
        "mentor.unfeature",
    ]
    learner = make_user()
    assert admin_client.post(f"{URL}{learner.pk}/feature/", {"featured": "on"}).status_code == 404


def test_a_user_page_shows_bookings_payments_and_audit(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from apps.catalog.tests.factories import make_session
    from apps.workflows.tests.test_flows import pay

    learner = make_user(name="Vani Kapoor")
    session = make_session(price_paise=29_900, title="Excel for finance", start=timezone.now() + timedelta(days=4))
    pay(Client(), learner, session, django_capture_on_commit_callbacks)
    admin_client.post(f"{URL}{learner.pk}/block/", {"decision": "block", "reason": "Chargeback abuse", "confirm": "on"})
    body = admin_client.get(f"{URL}{learner.pk}/").content.decode()
    assert "Vani Kapoor" in body and "Excel for finance" in body and "₹299" in body
    assert "user.block" in body and "Chargeback abuse" in body and "Blocked" in body
    assert f'href="{URL}{learner.pk}/"' in admin_client.get(URL, {"q": "Vani"}).content.decode()
    assert admin_client.get(f"{URL}999999/").status_code == 404
