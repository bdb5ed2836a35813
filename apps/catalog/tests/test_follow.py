from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.models import Role
from apps.catalog import services
from apps.catalog.models import Follow, Session
from apps.catalog.tests.factories import make_domain, make_user
from apps.notifications.models import Channel, Notification, NotificationPreference, NotificationType

pytestmark = pytest.mark.django_db


def _session_form(domain_pk: int, title: str = "Async Python") -> dict[str, object]:
    start = timezone.localtime(timezone.now() + timedelta(days=2), timezone.get_fixed_timezone(330))
    return {
        "title": title,
        "description": "Event loops",
        "domain": domain_pk,
        "topics": "asyncio, python",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "price_rupees": "0",
        "capacity": 3,
        "language": "English",
        "agenda": "",
    }


def test_follow_is_idempotent_and_unfollow_removes_it(client, django_capture_on_commit_callbacks):
    # The commit hooks run, as in production: the profile's cached count moves after the commit.
    mentor = make_user(Role.MENTOR, name="Meera Iyer")
    learner = make_user(Role.LEARNER)
    client.force_login(learner)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"/mentors/{mentor.pk}/follow/", {"next": f"/mentors/{mentor.pk}/"})
        assert r.status_code == 302 and r["Location"] == f"/mentors/{mentor.pk}/"
    assert Follow.objects.filter(follower=learner, mentor=mentor).count() == 1
    assert services.follow(follower=learner, mentor=mentor) is False
    page = client.get(f"/mentors/{mentor.pk}/").content.decode()
    assert 'data-testid="unfollow-button"' in page and "1 follower" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/mentors/{mentor.pk}/unfollow/")
        client.post(f"/mentors/{mentor.pk}/unfollow/")
    assert not Follow.objects.exists()
    page = client.get(f"/mentors/{mentor.pk}/").content.decode()
    assert 'data-testid="follow-button"' in page and "0 followers" in page


def test_htmx_follow_answers_the_button_with_the_new_count(client):
    mentor = make_user(Role.MENTOR)
    learner = make_user(Role.LEARNER)
    client.force_login(learner)
    r = client.post(f"/mentors/{mentor.pk}/follow/", {"count": "1"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and 'data-testid="unfollow-button"' in body and "1 follower" in body
    assert "<html" not in body
    r = client.post(f"/mentors/{mentor.pk}/unfollow/", {"count": "1"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="follow-button"' in r.content.decode() and "0 followers" in r.content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    mentor = make_user(Role.MENTOR)
    r = client.post(f"/mentors/{mentor.pk}/follow/", {"next": f"/mentors/{mentor.pk}/"})
    assert r.status_code == 302 and r["Location"].startswith("/login/") and "next=" in r["Location"]
    r = client.post(f"/mentors/{mentor.pk}/follow/", HTTP_HX_REQUEST="true")
    assert r["HX-Redirect"].startswith("/login/")
    assert client.get("/dashboard/learner/following/").status_code == 302
    assert not Follow.objects.exists()
    # The card and profile offer a sign-in link, not a form that would fail.
    page = client.get(f"/mentors/{mentor.pk}/").content.decode()
    assert "/login/?next=" in page


def test_a_mentor_cannot_follow_themselves_nor_a_learner(client):
    mentor = make_user(Role.MENTOR)
    learner = make_user(Role.LEARNER)
    with pytest.raises(services.FollowRefused):
        services.follow(follower=mentor, mentor=mentor)
    with pytest.raises(services.FollowRefused):
        services.follow(follower=mentor, mentor=learner)
    client.force_login(mentor)
    r = client.post(f"/mentors/{mentor.pk}/follow/", follow=True)
    assert "You cannot follow yourself." in r.content.decode()
    assert not Follow.objects.exists()
    # No button on one's own profile.
    assert 'data-testid="follow-button"' not in client.get(f"/mentors/{mentor.pk}/").content.decode()


def test_publishing_a_session_notifies_followers_only(client, settings):
    mentor = make_user(Role.MENTOR, name="Meera Iyer")
    other_mentor = make_user(Role.MENTOR)
    fan, fan_no_email, stranger, other_fan = (make_user(Role.LEARNER) for _ in range(4))
    services.follow(follower=fan, mentor=mentor)
    services.follow(follower=fan_no_email, mentor=mentor)
    services.follow(follower=other_fan, mentor=other_mentor)
    NotificationPreference.objects.create(
        user=fan_no_email, type=NotificationType.SESSION_PUBLISHED, channel=Channel.EMAIL, enabled=False
    )
    domain = make_domain()
    client.force_login(mentor)
    mail.outbox.clear()
    r = client.post("/dashboard/mentor/sessions/new/", _session_form(domain.pk))
    assert r.status_code == 302
    session = Session.objects.get(title="Async Python")
    told = Notification.objects.filter(type=NotificationType.SESSION_PUBLISHED)
    assert sorted(told.values_list("user_id", flat=True)) == sorted([fan.pk, fan_no_email.pk])
    n = told.get(user=fan)
    assert n.link == f"/sessions/{session.pk}/" and "Meera Iyer" in n.title
    from apps.notifications.email import deliver_due

    deliver_due()
    recipients = [m.to[0] for m in mail.outbox]
    assert fan.email in recipients
    assert fan_no_email.email not in recipients and stranger.email not in recipients
    assert other_fan.email not in recipients


def test_following_page_lists_followed_mentors(client):
    mentor = make_user(Role.MENTOR, name="Meera Iyer")
    make_user(Role.MENTOR, name="Not Followed")
    learner = make_user(Role.LEARNER)
    client.force_login(learner)
    empty = client.get("/dashboard/learner/following/").content.decode()
    assert "You do not follow any mentor yet" in empty
    services.follow(follower=learner, mentor=mentor)
    page = client.get("/dashboard/learner/following/").content.decode()
    assert "Meera Iyer" in page and "Not Followed" not in page
    assert 'href="/dashboard/learner/following/"' in page  # in the learner's navigation


def test_follow_and_unfollow_tell_the_mentors_open_pages(monkeypatch):
    sent: list[tuple[list[int], str]] = []
    monkeypatch.setattr(
        services, "send_event", lambda *, user_ids, type, data=None: sent.append((list(user_ids), type))
    )
    mentor = make_user(Role.MENTOR)
    learner = make_user(Role.LEARNER)
    services.follow(follower=learner, mentor=mentor)
    services.follow(follower=learner, mentor=mentor)  # nothing changed: nothing sent
    services.unfollow(follower=learner, mentor=mentor)
    assert sent == [([mentor.pk], "follow.changed"), ([mentor.pk], "follow.changed")]
