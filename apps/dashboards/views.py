from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.access import admin_required, dashboard_url_for, learner_required, mentor_required
from apps.accounts.models import MentorProfile, MentorStatus
from apps.payments.ledger import mentor_balances

from . import selectors
from .progress_views import main_goal_progress


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(dashboard_url_for(request.user))


@learner_required
def learner_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    bookings = selectors.learner_recent_bookings(user)  # type: ignore[arg-type]
    requests = selectors.learner_recent_requests(user)  # type: ignore[arg-type]
    context = {
        "nav_active": "home",
        "upcoming": selectors.learner_upcoming(user),  # type: ignore[arg-type]
        "stats": selectors.learner_stats(user),  # type: ignore[arg-type]
        "recent_bookings": bookings,
        "recent_requests": requests,
        "activity": selectors.learner_activity(bookings, requests),
        "main_goal": main_goal_progress(user),
    }
    return render(request, "dashboards/learner_home.html", context)


def _earnings_snapshot(user: Any) -> dict[str, int]:
    """Ledger-derived balances in paise ({"pending": …, "available": …}) from the payments app."""
    return mentor_balances(int(user.pk))


@mentor_required
def mentor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = MentorProfile.objects.filter(user_id=int(user.pk or 0)).prefetch_related("domains").first()
    approved = profile is not None and profile.status == MentorStatus.APPROVED
    context: dict[str, Any] = {"nav_active": "home", "profile": profile, "approved": approved}
    if approved:
        context.update(
            today=selectors.mentor_today(user),  # type: ignore[arg-type]
            stats=selectors.mentor_stats(user),  # type: ignore[arg-type]
            earnings=_earnings_snapshot(user),
        )
        context["pending_count"], context["pending_requests"] = selectors.mentor_pending_requests(user)  # type: ignore[arg-type]
    return render(request, "dashboards/mentor_home.html", context)


@admin_required
def admin_home(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "30d")
    if period not in selectors.ADMIN_PERIODS:
        period = "30d"
    now = timezone.now()
    return render(
        request,
        "dashboards/admin_home.html",
        {
            "nav_active": "home",
            "kpis": selectors.admin_kpis(),
            "period": period,
            "periods": [(key, label) for key, (label, _days) in selectors.ADMIN_PERIODS.items()],
            "pk": selectors.admin_period_kpis(selectors.period_start(period, now), now),
            "live": selectors.admin_live_now(now),
        },
    )
