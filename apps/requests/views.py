from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import AuthenticatedRequest, approved_mentor_required, learner_required
from apps.accounts.models import MentorStatus, Role, User
from apps.taxonomy.models import Domain

from . import selectors, services
from .forms import DeclineForm, OfferForm, RequestForm, rupees_to_paise
from .models import Offer, SessionRequest


def _apply_errors(form: Any, exc: ValidationError) -> None:
    mapping = {"budget": "budget", "proposed_start": "proposed_start", "start": "start", "price": "price"}
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            target = mapping.get(field, field)
            form.add_error(target if target in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _request_input(form: RequestForm) -> services.RequestInput:
    d = form.cleaned_data
    return services.RequestInput(
        title=d["title"],
        domain=d["domain"],
        description=d.get("description", ""),
        proposed_start=d["proposed_start"],
        duration_minutes=d["duration_minutes"],
        budget_paise=rupees_to_paise(d["budget"]),
    )


def _save_request(request: AuthenticatedRequest, form: RequestForm, mentor: Any = None) -> SessionRequest | None:
    if not form.is_valid():
        return None
    try:
        return services.create_request(learner=request.user, data=_request_input(form), mentor=mentor)
    except ValidationError as exc:
        _apply_errors(form, exc)
    except services.RequestError as exc:
        form.add_error(None, str(exc))
    return None


# --- learner ----------------------------------------------------------------------------------


def _posts_context(request: AuthenticatedRequest, form: RequestForm | None = None) -> dict[str, Any]:
    return {
        "form": form or RequestForm(),
        "requests": selectors.learner_requests(learner=request.user),
        "now": timezone.now(),
        "nav_active": "posts",
    }


@learner_required
def posts(request: AuthenticatedRequest) -> HttpResponse:
    """/posts/: my requests and the offers on them; a form for a new open post."""
    if request.method == "POST":
        form = RequestForm(request.POST)
        if _save_request(request, form) is not None:
            messages.success(request, _("Request posted. Mentors of that domain have been told."))
            return HttpResponseRedirect(reverse("requests:posts"))
        return render(request, "requests/posts.html", _posts_context(request, form), status=400)
    return render(request, "requests/posts.html", _posts_context(request))


@learner_required
@require_GET
def posts_partial(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "requests/_posts_list.html", _posts_context(request))


def _approved_mentor_or_404(mentor_id: int) -> User:
    return get_object_or_404(
        User.objects.select_related("mentor_profile"),
        pk=mentor_id,
        role=Role.MENTOR,
        is_active=True,
        mentor_profile__status=MentorStatus.APPROVED,
    )


@learner_required
def direct_request(request: AuthenticatedRequest, mentor_id: int) -> HttpResponse:
    """ "Request a session" from a mentor's profile."""
    mentor = _approved_mentor_or_404(mentor_id)
    mentor_domains = Domain.objects.filter(mentors__user=mentor)
    domains = mentor_domains if mentor_domains.exists() else Domain.objects.all()
    if request.method == "POST":
        form = RequestForm(request.POST, domains=domains)
        if _save_request(request, form, mentor=mentor) is not None:
            messages.success(request, _("Request sent ✔ %(name)s has 24 hours to answer.") % {"name": mentor.full_name})
            return HttpResponseRedirect(reverse("requests:posts"))
        status = 400
    else:
        only = list(mentor_domains[:2])
        form = RequestForm(domains=domains, initial={"domain": only[0].pk} if len(only) == 1 else None)
        status = 200
    return render(
        request, "requests/direct_form.html", {"form": form, "mentor": mentor, "nav_active": "posts"}, status=status
    )


@learner_required
@require_POST
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    req = get_object_or_404(SessionRequest, pk=pk, learner=request.user)
    try:
        services.withdraw_request(learner=request.user, request=req)
        messages.success(request, _("Request withdrawn."))
    except services.RequestError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("requests:posts"))


@learner_required
@require_POST
def accept_offer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    get_object_or_404(Offer, pk=pk, request__learner=request.user)
    try:
        result = services.accept_offer(learner=request.user, offer_id=pk)
    except services.RequestError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("requests:posts"))
    if result.payment is not None:
        messages.info(request, _("Offer accepted. Pay now to confirm your session."))
        return HttpResponseRedirect(reverse("payments:checkout", args=[result.payment.receipt]))
    messages.success(request, _("Booked! Your free session is confirmed."))
    return HttpResponseRedirect(reverse("requests:posts"))


@learner_required
@require_POST
def decline_offer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("request", "mentor"), pk=pk, request__learner=request.user)
    try:
        services.decline_offer(learner=request.user, offer=offer)
        messages.success(request, _("Offer declined."))
    except services.RequestError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("requests:posts"))


# --- mentor -----------------------------------------------------------------------------------


def _mentor_context(
    request: AuthenticatedRequest, tab: str, bound: dict[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    rows = []
    for req in selectors.mentor_requests(mentor=request.user, tab=tab):
        forms = bound.get(req.pk, {})
        offer_form = forms.get("offer") or OfferForm(
            prefix=f"r{req.pk}",
            initial={
                "price": req.budget_paise / 100 if req.budget_paise else None,
                "free": req.budget_paise == 0,
                "start": timezone.localtime(req.proposed_start).strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": req.duration_minutes,
            },
        )
        rows.append(
            {
                "req": req,
                "offer_form": offer_form,
                "decline_form": forms.get("decline") or DeclineForm(prefix=f"r{req.pk}"),
                "error": forms.get("error", ""),
                "open_panel": forms.get("panel", ""),
            }
        )
    return {
        "tab": tab,
        "rows": rows,
        "direct_count": selectors.mentor_requests(mentor=request.user, tab="direct").count()
        if tab != "direct"
        else len(rows),
        "board_count": selectors.mentor_requests(mentor=request.user, tab="board").count()
        if tab != "board"
        else len(rows),
        "nav_active": "requests",
    }


def _tab(request: AuthenticatedRequest) -> str:
    return "board" if (request.GET.get("tab") or request.POST.get("tab")) == "board" else "direct"


@approved_mentor_required
@require_GET
def mentor_requests(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "requests/mentor_requests.html", _mentor_context(request, _tab(request)))


@approved_mentor_required
@require_GET
def mentor_requests_partial(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "requests/_mentor_list.html", _mentor_context(request, _tab(request)))


@approved_mentor_required
@require_GET
def mentor_badge(request: AuthenticatedRequest) -> HttpResponse:
    """The Requests badge count (refresh it with data-refresh-on="request.new request.changed")."""
    n = selectors.actionable_count(mentor=request.user)
    return HttpResponse(str(n) if n else "", content_type="text/plain; charset=utf-8")


@approved_mentor_required
@require_POST
def respond(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    tab = _tab(request)
    action = request.POST.get("action")
    target = reverse("requests:mentor") + ("?tab=board" if tab == "board" else "")
    prefix = f"r{pk}"
    try:
        if action == "accept":
            services.make_offer(
                mentor=request.user,
                request_id=pk,
                data=services.OfferInput(price_paise=None, start=None, duration_minutes=None),
                as_proposed=True,
            )
            messages.success(request, _("Replied ✔ The learner has your offer."))
            return HttpResponseRedirect(target)
        if action == "counter":
            form = OfferForm(request.POST, prefix=prefix)
            if form.is_valid():
                d = form.cleaned_data
                try:
                    services.make_offer(
                        mentor=request.user,
                        request_id=pk,
                        data=services.OfferInput(
                            price_paise=0 if d["free"] else rupees_to_paise(d["price"]),
                            start=d["start"],
                            duration_minutes=d["duration_minutes"],
                            note=d.get("note", ""),
                        ),
                    )
                    messages.success(request, _("Replied ✔ The learner has your counter-offer."))
                    return HttpResponseRedirect(target)
                except ValidationError as exc:
                    _apply_errors(form, exc)
            ctx = _mentor_context(request, tab, {pk: {"offer": form, "panel": "counter"}})
            return render(request, "requests/mentor_requests.html", ctx, status=400)
        if action == "decline":
            dform = DeclineForm(request.POST, prefix=prefix)
            if dform.is_valid():
                services.decline_request(mentor=request.user, request_id=pk, reason=dform.cleaned_data["reason"])
                messages.success(request, _("Request declined."))
                return HttpResponseRedirect(target)
            ctx = _mentor_context(request, tab, {pk: {"decline": dform, "panel": "decline"}})
            return render(request, "requests/mentor_requests.html", ctx, status=400)
    except services.RequestError as exc:
        if str(exc) == _("Request not found."):
            raise Http404 from exc
        ctx = _mentor_context(request, tab, {pk: {"error": str(exc)}})
        messages.error(request, str(exc))
        return render(request, "requests/mentor_requests.html", ctx, status=400)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(target)
    return HttpResponse(status=400)
