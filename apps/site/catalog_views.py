from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.access import AuthenticatedRequest, approved_mentor_required
from apps.bookings.policy import POLICY_LINES
from apps.catalog import services
from apps.catalog.forms import SessionForm, apply_service_errors
from apps.catalog.models import Session, SessionStatus
from apps.core.fragments import cached_fragment
from apps.progress.badges import awards_of
from apps.workflows import follows as follow_flows
from apps.workflows import sessions as session_flows

from . import selectors as search

PAGE_SIZE = 12


class CountedPaginator(Paginator):
    """Counts with a plain filtered query instead of wrapping the annotated page query."""

    def __init__(self, object_list: Any, per_page: int, *, count_qs: Any) -> None:
        super().__init__(object_list, per_page)
        self._count_qs = count_qs

    @cached_property
    def count(self) -> int:
        return int(self._count_qs.count())


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


MIN_FILTER_YEAR, MAX_FILTER_YEAR = 2000, 2100


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d")  # noqa: DTZ007 - wall date in the active tz
    except ValueError:
        return None
    if not MIN_FILTER_YEAR <= day.year <= MAX_FILTER_YEAR:
        return None  # no session is that far away; also keeps "to + 1 day" inside datetime's range
    return timezone.make_aware(day)


def session_filters(request: HttpRequest) -> search.SessionFilters:
    g = request.GET
    date_to = _date(g.get("to"))
    if date_to:
        date_to = date_to + timedelta(days=1)
    return search.SessionFilters(
        q=g.get("q", "")[:100],
        domain=g.get("domain", "")[:80],
        price=g.get("price", "") if g.get("price") in ("free", "paid") else "",
        min_price=_int(g.get("min_price")),
        max_price=_int(g.get("max_price")),
        when=g.get("when", "") if g.get("when") in search.WINDOWS else "",
        date_from=_date(g.get("from")),
        date_to=date_to,
        language=g.get("language", "")[:40],
        seats=g.get("seats") == "1",
        sort=g.get("sort", "") if g.get("sort") in search.SORTS else "",
    )


def session_list(request: HttpRequest) -> HttpResponse:
    # The results (count, cards, "Load more") are the same for everyone with the same filters:
    # cached under the catalogue's version, keyed by the normalised query string.
    more = bool(request.headers.get("HX-Request") and request.GET.get("page"))
    query = request.GET.copy()
    normalised = urlencode(sorted((k, v) for k, values in query.lists() for v in values))

    def build() -> dict[str, Any]:
        filters = session_filters(request)
        qs = search.search_sessions(filters)
        count_qs = qs if filters.seats else search.search_sessions(filters, for_count=True)
        page = CountedPaginator(qs, PAGE_SIZE, count_qs=count_qs).get_page(request.GET.get("page"))
        return {"page_obj": page, "sessions": page.object_list, "query": query}

    results, _ = cached_fragment(
        "catalog",
        "catalog/_session_page.html" if more else "catalog/_session_results.html",
        build,
        vary=[hashlib.sha256(normalised.encode()).hexdigest()[:32]],
    )
    if more:
        return HttpResponse(results)
    context: dict[str, Any] = {
        "results": results,
        "filters": session_filters(request),
        "nav_active": "sessions",
        "domains": search.domains(),
        "languages": search.languages(),
        "sorts": search.SORTS,
    }
    return render(request, "catalog/session_list.html", context)


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session = search.session_detail(pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    my_booking = None
    in_cart = False
    user = request.user
    if user.is_authenticated and user.role == "learner":
        from apps.bookings.models import SEAT_HOLDING, CartItem

        my_booking = session.bookings.filter(learner=user, status__in=SEAT_HOLDING).first()
        in_cart = CartItem.objects.filter(learner=user, session=session).exists()
    now = timezone.now()
    return render(
        request,
        "catalog/session_detail.html",
        {
            "s": session,
            "my_booking": my_booking,
            "in_cart": in_cart,
            "bookable": session.status == SessionStatus.SCHEDULED and session.start > now and session.seats_left > 0,  # type: ignore[attr-defined]
            "policy_lines": POLICY_LINES,
            "profile": getattr(session.mentor, "mentor_profile", None),
            "nav_active": "sessions",
        },
    )


def mentor_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    try:
        rating = float(g["rating"]) if g.get("rating") else None
    except ValueError:
        rating = None
    if rating is not None and not (math.isfinite(rating) and 0 <= rating <= 5):
        rating = None  # nan, inf and out-of-range values filter nothing
    filters = search.MentorFilters(
        q=g.get("q", "")[:100], domain=g.get("domain", "")[:80], min_rating=rating, next24h=g.get("next24h") == "1"
    )
    page = Paginator(search.search_mentors(filters), PAGE_SIZE).get_page(g.get("page"))
    context = {"page_obj": page, "mentors": page.object_list, "filters": filters, "nav_active": "mentors"}
    if request.headers.get("HX-Request") and g.get("page"):
        return render(request, "catalog/_mentor_page.html", context)
    context["domains"] = search.domains()
    return render(request, "catalog/mentor_list.html", context)


def mentor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        profile = search.mentor_profile(pk)
    except Exception as exc:  # DoesNotExist of MentorProfile
        raise Http404 from exc
    tab = request.GET.get("tab", "about")
    if tab not in ("about", "sessions", "reviews"):
        tab = "about"
    context: dict[str, Any] = {
        "m": profile,
        "tab": tab,
        "nav_active": "mentors",
        "badges": awards_of(pk),
        "follower_count": services.follower_count(pk),
    }
    if tab == "sessions":
        context["sessions"] = search.mentor_upcoming_sessions(pk)
    elif tab == "reviews":
        context["reviews"] = search.mentor_reviews(pk)
    return render(request, "catalog/mentor_detail.html", context)


# --- mentor session management --------------------------------------------------------------


@approved_mentor_required
def mentor_sessions(request: AuthenticatedRequest) -> HttpResponse:
    tab = request.GET.get("tab", "live")
    if tab not in ("live", "upcoming", "past"):
        tab = "live"
    sessions = list(search.mentor_sessions(request.user, tab=tab)[:100])
    return render(request, "catalog/mentor_sessions.html", {"sessions": sessions, "tab": tab, "nav_active": "sessions"})


@approved_mentor_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    tz = getattr(request.user, "timezone", "Asia/Kolkata")
    form = SessionForm(request.POST or None, request.FILES or None, user_tz=tz)
    if request.method == "POST" and form.is_valid():
        try:
            session = follow_flows.publish_session(mentor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Session published."))
            return redirect("catalog:detail", pk=session.pk)
    return render(request, "catalog/session_form.html", {"form": form, "nav_active": "sessions", "editing": None})


def _own_session(request: HttpRequest, pk: int) -> Session:
    return get_object_or_404(Session.objects.filter(mentor_id=request.user.pk), pk=pk)


@approved_mentor_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    tz = getattr(request.user, "timezone", "Asia/Kolkata")
    if request.method == "POST":
        form = SessionForm(request.POST, request.FILES, user_tz=tz)
        if form.is_valid():
            try:
                session_flows.edit_session(session=session, data=form.to_input())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Session updated."))
                return redirect("catalog:mentor_sessions")
    else:
        form = SessionForm(initial=SessionForm.initial_from(session, tz), user_tz=tz)
    return render(request, "catalog/session_form.html", {"form": form, "nav_active": "sessions", "editing": session})


@approved_mentor_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _own_session(request, pk)
    if session.status != SessionStatus.SCHEDULED:
        messages.error(request, _("Only scheduled sessions can be cancelled."))
        return redirect("catalog:mentor_sessions")
    from apps.bookings.models import Booking, BookingStatus

    booked = Booking.objects.filter(
        session=session, status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)
    ).count()
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:300]
        session_flows.cancel_session(session=session, by="mentor", reason=reason or _("Session canceled by mentor"))
        messages.success(request, _("Session cancelled. Every learner gets a full refund."))
        return redirect("catalog:mentor_sessions")
    return render(request, "catalog/session_cancel.html", {"s": session, "booked": booked, "nav_active": "sessions"})
