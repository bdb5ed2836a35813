from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import User
from apps.catalog.models import Follow, Session, SessionStatus
from apps.progress import recommend
from apps.progress.models import Feedback

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_mentors_have_followers_history_and_learners_get_recommendations() -> None:
    recommend.clear_caches()  # (the cache itself is this test's own: conftest.py gives it a fresh prefix)
    call_command("seed_demo", verbosity=0)
    priya = User.objects.get(email="priya.sharma@demo.peerlearn.in")
    assert Follow.objects.filter(mentor=priya).count() >= 3
    held = Session.objects.filter(mentor=priya, status=SessionStatus.COMPLETED).count()
    assert held >= 5 and Feedback.objects.filter(mentor=priya).exists()
    counts = (Follow.objects.count(), Session.objects.count(), Feedback.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Follow.objects.count(), Session.objects.count(), Feedback.objects.count()) == counts

    client = Client()
    client.force_login(priya)
    totals = client.get("/dashboard/mentor/analytics/").context["totals"]
    assert totals["sessions"] >= 5 and totals["followers"] >= 3 and totals["rating"] is not None
    aarav = User.objects.get(email="aarav.patel@demo.peerlearn.in")
    client.force_login(aarav)
    page = client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="recommendation"' in page and "Because you like" in page
