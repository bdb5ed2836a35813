from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.notifications.models import Notification, NotificationType
from apps.requests import services
from apps.requests.models import Offer, OfferStatus, SessionRequest

NOW = datetime(2030, 3, 1, 6, 0, tzinfo=UTC)
START = NOW + timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _local(dt: datetime, tz: str = "Asia/Kolkata") -> str:
    return timezone.localtime(dt, timezone=__import__("zoneinfo").ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def _post_data(domain: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "title": "Need Python help",
        "domain": domain.pk,
        "description": "Generators",
        "proposed_start": _local(START),
        "duration_minutes": 60,
        "budget": "500",
    }
    data.update(kw)
    return data


def _req(alice: Any, domain: Any, mentor: Any = None) -> SessionRequest:
    return services.create_request(
        learner=alice,
        mentor=mentor,
        data=services.RequestInput(
            title="Need Python help",
            domain=domain,
            description="",
            proposed_start=START,
            duration_minutes=60,
            budget_paise=50_000,
        ),
    )


@pytest.mark.django_db
def test_learner_posts_an_open_request(client: Any, alice: Any, domain: Any, mentor_factory: Any) -> None:
    m1 = mentor_factory("M1")
    client.force_login(alice)
    resp = client.post("/posts/", _post_data(domain))
    assert resp.status_code == 302 and resp["Location"] == "/posts/"
    req = SessionRequest.objects.get()
    assert req.budget_paise == 50_000 and req.proposed_start == START and req.mentor is None
    assert Notification.objects.filter(user=m1, type=NotificationType.REQUEST_NEW).exists()
    body = client.get("/posts/").content.decode()
    assert "Need Python help" in body and "No offers yet" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"proposed_start": _local(NOW - timedelta(hours=1))}, "Select a future time."),
        ({"budget": "-10"}, "Enter a positive value."),
        ({"budget": "99999999"}, "at most ₹1,00,000"),
        ({"title": "t" * 200}, "at most 120 characters"),
    ],
)
def test_bad_post_input_shows_message_keeps_data_changes_nothing(
    client: Any, alice: Any, domain: Any, change: dict[str, Any], message: str
) -> None:
    client.force_login(alice)
    resp = client.post("/posts/", _post_data(domain, description="Keep me typed", **change))
    body = resp.content.decode()
    assert resp.status_code == 400
    assert message in body.replace("&#x27;", "'")
    assert "Keep me typed" in body
    assert SessionRequest.objects.count() == 0


@pytest.mark.django_db
def test_direct_request_from_profile_and_roles(
    client: Any, alice: Any, bob: Any, domain: Any, mentor_factory: Any
) -> None:
    m1 = mentor_factory("M1")
    client.force_login(alice)
    assert client.get(f"/mentors/{m1.pk}/request/").status_code == 200
    assert client.get(f"/mentors/{alice.pk}/request/").status_code == 404  # not a mentor
    resp = client.post(f"/mentors/{m1.pk}/request/", _post_data(domain))
    assert resp.status_code == 302
    assert SessionRequest.objects.get().mentor == m1
    # Mentors cannot use learner pages.
    client.force_login(m1)
    assert client.get("/posts/").status_code == 302
    body = client.get("/dashboard/mentor/requests/").content.decode()
    assert "Need Python help" in body and "Accept ➤" in body


@pytest.mark.django_db
def test_mentor_counter_offer_with_bad_input_keeps_form(
    client: Any, alice: Any, domain: Any, mentor_factory: Any
) -> None:
    m1 = mentor_factory("M1")
    req = _req(alice, domain)
    client.force_login(m1)
    prefix = f"r{req.pk}"
    bad = {
        "tab": "board",
        "action": "counter",
        f"{prefix}-price": "-5",
        f"{prefix}-start": _local(START),
        f"{prefix}-duration_minutes": 60,
        f"{prefix}-note": "My typed note",
    }
    resp = client.post(f"/dashboard/mentor/requests/{req.pk}/respond/", bad)
    body = resp.content.decode()
    assert resp.status_code == 400 and "Enter a positive value." in body and "My typed note" in body
    assert Offer.objects.count() == 0
    good = {**bad, f"{prefix}-price": "700"}
    resp = client.post(f"/dashboard/mentor/requests/{req.pk}/respond/", good)
    assert resp.status_code == 302
    offer = Offer.objects.get()
    assert offer.price_paise == 70_000 and offer.note == "My typed note"
    # A second counter is refused with a clear message.
    resp = client.post(f"/dashboard/mentor/requests/{req.pk}/respond/", good)
    assert resp.status_code == 400
    assert "already have an open offer" in resp.content.decode().replace("&#x27;", "'")
    assert Offer.objects.count() == 1


@pytest.mark.django_db
def test_outsiders_get_404(
    client: Any, alice: Any, charlie: Any, domain: Any, other_domain: Any, mentor_factory: Any
) -> None:
    m1 = mentor_factory("M1")
    elsewhere = mentor_factory("Elsewhere", domains=[other_domain])
    req = _req(alice, domain)
    offer = services.make_offer(mentor=m1, request_id=req.pk, data=services.OfferInput(40_000, START, 60))
    client.force_login(charlie)
    assert client.post(f"/offers/{offer.pk}/accept/").status_code == 404
    assert client.post(f"/offers/{offer.pk}/decline/").status_code == 404
    assert client.post(f"/posts/{req.pk}/withdraw/").status_code == 404
    assert "Need Python help" not in client.get("/posts/").content.decode()
    client.force_login(elsewhere)
    assert client.post(f"/dashboard/mentor/requests/{req.pk}/respond/", {"action": "accept"}).status_code == 404
    assert "Need Python help" not in client.get("/dashboard/mentor/requests/?tab=board").content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


@pytest.mark.django_db
def test_accept_paid_offer_redirects_to_checkout(client: Any, alice: Any, domain: Any, mentor_factory: Any) -> None:
    m1 = mentor_factory("M1")
    req = _req(alice, domain)
    offer = services.make_offer(mentor=m1, request_id=req.pk, data=services.OfferInput(40_000, START, 60))
    client.force_login(alice)
    resp = client.post(f"/offers/{offer.pk}/accept/")
    assert resp.status_code == 302 and resp["Location"].startswith("/payments/checkout/")
    again = client.post(f"/offers/{offer.pk}/accept/", follow=True)
    assert "no longer available" in again.content.decode() or "already closed" in again.content.decode()


@pytest.mark.django_db
def test_mentor_list_query_count_does_not_grow(
    client: Any, alice: Any, domain: Any, mentor_factory: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    m1 = mentor_factory("M1")
    _req(alice, domain)
    client.force_login(m1)
    client.get("/dashboard/mentor/requests/?tab=board")
    with django_assert_max_num_queries(40) as small:
        client.get("/dashboard/mentor/requests/?tab=board")
    for i in range(6):  # from several learners: one learner has at most 5 open requests
        _req(make_user("learner", f"Learner {i}"), domain)
    with django_assert_max_num_queries(len(small.captured_queries)):
        resp = client.get("/dashboard/mentor/requests/?tab=board")
    assert resp.content.decode().count("data-request=") == 7
    assert client.get("/dashboard/mentor/requests/badge/").content.decode() == "7"


@pytest.mark.django_db
def test_board_badge_refreshes_with_the_list(client: Any, alice: Any, domain: Any, mentor_factory: Any) -> None:
    """The tab counts live inside the fragment the live refresh re-renders: a new request and a
    withdrawn one change the count and the rows together (no "0" beside a listed request, no "1"
    beside "The board is quiet")."""
    m1 = mentor_factory("M1")
    client.force_login(m1)
    empty = client.get("/dashboard/mentor/requests/list/?tab=board").content.decode()
    assert 'data-count="board">0<' in empty and "The board is quiet" in empty
    req = _req(alice, domain)
    listed = client.get("/dashboard/mentor/requests/list/?tab=board").content.decode()
    assert 'data-count="board">1<' in listed and f'data-request="{req.pk}"' in listed
    services.withdraw_request(learner=alice, request=req)
    quiet = client.get("/dashboard/mentor/requests/list/?tab=board").content.decode()
    assert 'data-count="board">0<' in quiet and "The board is quiet" in quiet
