from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from .models import ACTIVE_REQUEST, Offer, OfferStatus, RequestDismissal, SessionRequest
from .services import visible_to_mentor

if TYPE_CHECKING:
    from apps.accounts.models import User


def learner_requests(*, learner: User) -> QuerySet[SessionRequest]:
    """The learner's requests with their offers (3 queries whatever the number of rows)."""
    return (
        SessionRequest.objects.filter(learner=learner)
        .select_related("domain", "mentor")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("mentor", "mentor__mentor_profile").order_by(
                    "price_paise", "created_at"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )


def _open_for(mentor: User) -> QuerySet[SessionRequest]:
    """Requests this mentor can act on (both tabs), each marked with whether the mentor has a
    pending offer on it: the one definition the lists and every badge count from."""
    my_pending = Offer.objects.filter(request=OuterRef("pk"), mentor=mentor, status=OfferStatus.PENDING)
    dismissed = RequestDismissal.objects.filter(request=OuterRef("pk"), mentor=mentor)
    return (
        SessionRequest.objects.filter(visible_to_mentor(mentor), status__in=ACTIVE_REQUEST)
        .exclude(learner=mentor)
        .filter(~Exists(dismissed))
        .annotate(has_my_offer=Exists(my_pending))
    )


def mentor_requests(*, mentor: User, tab: str) -> QuerySet[SessionRequest]:
    """``direct``: addressed to me. ``board``: open posts in my domains I have not dismissed."""
    base = _open_for(mentor)
    base = base.filter(mentor=mentor) if tab == "direct" else base.filter(mentor__isnull=True)
    return (
        base.annotate(offer_count=Count("offers", filter=Q(offers__status=OfferStatus.PENDING)))
        .select_related("learner", "domain")
        .prefetch_related(
            Prefetch(
                "offers", queryset=Offer.objects.filter(mentor=mentor).order_by("-created_at"), to_attr="my_offers"
            )
        )
        .order_by("proposed_start", "id")
    )


def actionable_count(*, mentor: User) -> int:
    """Requests waiting for this mentor's answer (the Requests badge): listed in either tab with
    no pending offer of theirs, i.e. exactly the rows that show Accept / Modify & Reply."""
    return _open_for(mentor).filter(has_my_offer=False).count()  # type: ignore[misc]  # the annotation above
