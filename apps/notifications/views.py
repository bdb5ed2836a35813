from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import AuthenticatedRequest

from . import selectors, services
from .models import Channel, NotificationType


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_GET
def history(request: AuthenticatedRequest) -> HttpResponse:
    unread_only = request.GET.get("filter") == "unread"
    page = Paginator(selectors.notifications_for(user=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/history.html",
        {"page_obj": page, "unread_only": unread_only, "nav_active": "notifications"},
    )


@login_required
@require_GET
def dropdown(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "notifications/_dropdown.html", selectors.bell_state(user=request.user))


@login_required
@require_GET
def unread_state(request: AuthenticatedRequest) -> JsonResponse:
    state = selectors.bell_state(user=request.user)
    return JsonResponse(
        {"unread": state["unread"], "recent": [n.as_event() for n in state["items"]]},
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not services.mark_read(user=request.user, notification_id=pk):
        raise Http404
    if _is_htmx(request):
        return render(request, "notifications/_dropdown.html", selectors.bell_state(user=request.user))
    return HttpResponseRedirect(_safe_next(request, reverse("notifications:history")))


@login_required
@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    if _is_htmx(request):
        return render(request, "notifications/_dropdown.html", selectors.bell_state(user=request.user))
    messages.success(request, _("All notifications marked as read."))
    return HttpResponseRedirect(_safe_next(request, reverse("notifications:history")))


@login_required
@require_POST
def snooze(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        minutes = int(request.POST.get("minutes", ""))
        ok = services.snooze(user=request.user, notification_id=pk, minutes=minutes)
    except ValueError:
        return JsonResponse({"error": _("Snooze for 5 or 10 minutes.")}, status=400)
    if not ok:
        raise Http404
    return JsonResponse({"ok": True, "minutes": minutes})


@login_required
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        matrix = {
            t: {c: request.POST.get(f"{t}__{c}") == "on" for c in Channel.values} for t in NotificationType.values
        }
        services.set_preferences(user=request.user, matrix=matrix)
        messages.success(request, _("Notification settings saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    matrix = services.preference_matrix(user=request.user)
    rows = [
        {
            "type": t,
            "label": label,
            "channels": [{"name": f"{t}__{c}", "channel": c, "enabled": matrix[t][c]} for c in Channel.values],
        }
        for t, label in NotificationType.choices
        if t != NotificationType.GENERAL
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "channels": Channel.choices, "nav_active": "notifications"},
    )
