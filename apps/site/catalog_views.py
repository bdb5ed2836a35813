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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.access import AuthenticatedRequest, approved_mentor_required
from apps.accounts.models import MentorProfile
from apps.bookings.policy import POLICY_LINES
from apps.catalog import services
from apps.catalog.forms import SessionForm, apply_service_errors
from apps.catalog.models import Session, SessionStatus
from apps.core import fragments, versions
from apps.core.fragments import cached_fragment, cached_parts
from apps.progress.badges import awards_of
from apps.progress.templatetags.recommendations import more_like_this_context
from apps.workflows import follows as follow_flows
from apps.workflows import sessions as session_flows

from . import selectors as search

PAGE_SIZE = 12


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
    # The results (count, cards, "Load more") and the filter form around them are the same for
    # everyone with the same filters: cached under the catalogue's version, keyed by the normalised
    # query string. Only the layout (header, bell) is per viewer.
    more = bool(request.headers.get("HX-Request") and request.GET.get("page"))
    query = request.GET.copy()
    normalised = urlencode(sorted((k, v) for k, values in query.lists() for v in values))

    def build() -> dict[str, Any]:
        filters = session_filters(request)
        page = search.catalogue_page(filters, request.GET.get("page"), per_page=PAGE_SIZE)
        context: dict[str, Any] = {"page_obj": page, "sessions": page.object_list, "query": query, "filters": filters}
        if not more:
            context.update(domains=search.domains(), languages=search.languages(), sorts=search.SORTS)
        return context

    if more:
        results, _ = cached_fragment(
            "catalog", "catalog/_session_page.html", build, vary=[hashlib.sha256(normalised.encode()).hexdigest()[:32]]
        )
        return HttpResponse(results)
    parts, _ = cached_parts(
        "catalog-page",
        {"filters": "catalog/_session_filters.html", "results": "catalog/_session_results.html"},
        build,
        vary=[hashlib.sha256(normalised.encode()).hexdigest()[:32]],
    )
    return render(request, "catalog/session_list.html", {"parts": parts, "nav_active": "sessions"})


SESSION_PARTS = {
    "top": "catalog/_session_detail_top.html",
    "article": "catalog/_session_detail_article.html",
    "facts": "catalog/_session_detail_facts.html",
}


def _session_facts(session: Session) -> dict[str, Any]:
    """What the per-viewer part of a session's page needs, kept beside its cached fragments."""
    return {
        "pk": session.pk,
        "title": session.title,
        "status": session.status,
        "start": session.start,
        "mentor_id": session.mentor_id,
        "price_paise": session.price_paise,
        "seats_left": session.seats_left,  # type: ignore[attr-defined]
    }


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The description, mentor card, price, time and seats are the same for every viewer: rendered
    # once per catalogue version (which moves when the session or its mentor's rating change) and
    # count of this session's taken seats, and so is "More like this" for visitors who are not
    # signed in. Not per seats version: that moves with every booking of any session (several a
    # second under load), which rebuilt this page, recommendations included, on almost every view.
    # The seats counted for the key are the ones rendered, so an entry never shows other seats than
    # its key says. "More like this" leaves out full sessions when it is built; one that fills later
    # may stay listed for the fragment's TIMEOUT (it shows no seats; its own page says it is full).
    # The booking box depends on who looks; a signed-in viewer's page also loads the session (room
    # button, cart, their own recommendations).
    user = request.user
    anonymous = not user.is_authenticated
    taken = search.seats_taken(pk, timezone.now())

    def build() -> dict[str, Any]:
        session = search.session_detail(pk, taken=taken)  # DoesNotExist: a 404 below, nothing cached
        context: dict[str, Any] = {
            "s": session,
            "profile": getattr(session.mentor, "mentor_profile", None),
            "extra": _session_facts(session),
        }
        if anonymous:
            context.update(more_like_this_context(session, viewer=user))
        return context

    templates = {**SESSION_PARTS, "similar": "progress/_more_like_this.html" if anonymous else ""}
    try:
        parts, facts = cached_parts(
            "session",
            templates,
            build,
            groups=(versions.CATALOG,),
            vary=[str(pk), str(taken), "anon" if anonymous else "user"],
        )
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    context: dict[str, Any] = {
        "parts": parts,
        "f": facts,
        "bookable": facts["status"] == SessionStatus.SCHEDULED
        and facts["start"] > timezone.now()
        and facts["seats_left"] > 0,
        "policy_lines": POLICY_LINES,
        "nav_active": "sessions",
    }
    if user.is_authenticated:
        try:
            context["s"] = search.session_detail(pk)
        except Session.DoesNotExist as exc:  # gone since its fragments were cached
            raise Http404 from exc
        if user.role == "learner":
            from apps.bookings.models import SEAT_HOLDING, Booking, CartItem

            context["my_booking"] = Booking.objects.filter(session_id=pk, learner=user, status__in=SEAT_HOLDING).first()
            context["in_cart"] = CartItem.objects.filter(learner=user, session_id=pk).exists()
    return render(request, "catalog/session_detail.html", context)


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
    # The header (name, rating, domains, badges) and the chosen tab are the same for every viewer,
    # rendered once per catalogue version (ratings, sessions and badges all move it), except the
    # mentor's own Reviews tab, which carries the reply forms; the follower count rides along (a
    # follow moves the version too). Follow state and "Request a session" depend on the viewer.
    tab = request.GET.get("tab", "about")
    if tab not in ("about", "sessions", "reviews"):
        tab = "about"
    own_reviews = tab == "reviews" and request.user.is_authenticated and request.user.pk == pk

    def build() -> dict[str, Any]:
        profile = search.mentor_profile(pk)  # DoesNotExist: a 404 below, nothing cached
        context: dict[str, Any] = {"m": profile, "tab": tab, "badges": awards_of(pk)}
        if tab == "sessions":
            context["sessions"] = search.mentor_upcoming_sessions(pk)
        elif tab == "reviews":
            context["reviews"] = search.mentor_reviews(pk)
        context["extra"] = {
            "user_id": pk,
            "name": profile.user.full_name,
            "has_sessions": bool(context.get("sessions")),
            "followers": services.follower_count(pk),
        }
        return context

    # The mentor's own Reviews tab is left out of the cache (its own key, so no other viewer's
    # entry lacks the tab) and rendered below with the reply forms.
    templates = {"head": "catalog/_mentor_head.html", "tab": "" if own_reviews else "catalog/_mentor_tab.html"}
    try:
        # Only the sessions tab shows seats; the header and the other tabs need not follow bookings.
        groups = fragments.CARDS if tab == "sessions" else (versions.CATALOG,)
        parts, facts = cached_parts(
            "mentor", templates, build, groups=groups, vary=[str(pk), tab, "own" if own_reviews else ""]
        )
        own = {"m": search.mentor_profile(pk), "reviews": search.mentor_reviews(pk)} if own_reviews else {}
    except MentorProfile.DoesNotExist as exc:
        raise Http404 from exc
    page: dict[str, Any] = {
        "parts": parts,
        "f": facts,
        "tab": tab,
        "nav_active": "mentors",
        "follower_count": facts["followers"],
        **own,
    }
    return render(request, "catalog/mentor_detail.html", page)


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
