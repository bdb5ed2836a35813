"""The mentor's badges agree with the lists in every state of a request's life: the tab counts
with the rows in each tab, the sidebar badge with the rows that still need an answer."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.requests import services
from apps.requests.models import Offer

from .test_views import NOW, _req


def _state(client: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    awaiting = 0
    for tab in ("direct", "board"):
        response = client.get(f"/dashboard/mentor/requests/list/?tab={tab}")
        assert response.status_code == 200, response
        html = response.content.decode()
        rows = html.count("data-request=")
        counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
        assert int(counts[tab]) == rows, (tab, counts, rows)
        out[tab] = rows
        awaiting += html.count('name="action" value="accept"')
    badge = client.get("/dashboard/mentor/requests/badge/").content.decode()
    assert int(badge or 0) == awaiting, (badge, awaiting)
    out["badge"] = awaiting
    return out


@pytest.mark.django_db
def test_badges_follow_every_state(client: Any, alice: Any, charlie: Any, domain: Any, mentor_factory: Any) -> None:
    mentor = mentor_factory("Mira")
    with time_machine.travel(NOW, tick=False):
        client.force_login(mentor)
        assert _state(client) == {"direct": 0, "board": 0, "badge": 0}
        post = _req(alice, domain)
        assert _state(client) == {"direct": 0, "board": 1, "badge": 1}
        direct = _req(charlie, domain, mentor=mentor)
        assert _state(client) == {"direct": 1, "board": 1, "badge": 2}
        services.make_offer(
            mentor=mentor, request_id=post.pk, data=services.OfferInput(None, None, None), as_proposed=True
        )
        assert _state(client) == {"direct": 1, "board": 1, "badge": 1}  # offered: listed, no longer waiting
        services.decline_offer(learner=alice, offer=Offer.objects.get(request=post, mentor=mentor))
        assert _state(client) == {"direct": 1, "board": 1, "badge": 2}  # declined: the mentor may offer again
        services.decline_request(mentor=mentor, request_id=direct.pk, reason="Fully booked")
        assert _state(client) == {"direct": 0, "board": 1, "badge": 1}
        services.withdraw_request(learner=alice, request=post)
        assert _state(client) == {"direct": 0, "board": 0, "badge": 0}
        late = _req(alice, domain)
        assert _state(client)["badge"] == 1
    with time_machine.travel(late.expires_at + timedelta(seconds=1), tick=False):
        client.force_login(mentor)
        services.expire_due(timezone.now())
        assert _state(client) == {"direct": 0, "board": 0, "badge": 0}
