from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from apps.accounts.access import admin_required, dashboard_url_for, learner_required, mentor_required
from apps.accounts.models import MentorProfile, MentorStatus
from apps.payments.selectors import mentor_balances

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
    """Ledger-derived balances in paise (pending, available, reserved, withdrawn): the one selector."""
    return mentor_balances(int(user.pk))


@mentor_required
def mentor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = MentorProfile.objects.filter(user_id=int(user.pk or 0)).prefetch_related("domains").first()
    if profile is not None:
        user.mentor_profile = profile  # type: ignore[union-attr]  # the page's user.mentor_profile: this row, not a second query
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


class PeriodForm(forms.Form):
    """The overview's custom period: both days, the end not before the start nor in the future."""

    since = forms.DateField(label=_l("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_l("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        today = timezone.localdate()
        if since and since > today:
            self.add_error("since", _("Pick a day up to today."))
        elif since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data


def admin_period(request: HttpRequest, now: datetime) -> dict[str, Any]:
    """The chosen period from the query string: a preset (today, 7 / 30 days, all time) or a custom
    From/To range; a bad custom range keeps what was typed, explains it and shows the last 30 days."""
    period = request.GET.get("period", "30d")
    typed = period == "custom" and ("since" in request.GET or "until" in request.GET)
    form = PeriodForm(request.GET if typed else None)
    since: datetime | None
    until = now
    if period == "custom" and form.is_valid():
        since, until = selectors.custom_period(form.cleaned_data["since"], form.cleaned_data["until"], now)
    else:
        if period not in selectors.ADMIN_PERIODS:
            period = "30d" if period != "custom" else "custom"
        since = selectors.period_start(period if period != "custom" else "30d", now)
    return {"period": period, "period_form": form, "since": since, "until": until}


@admin_required
def admin_home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    chosen = admin_period(request, now)
    return render(
        request,
        "dashboards/admin_home.html",
        {
            "nav_active": "home",
            "kpis": selectors.admin_kpis(),
            "period": chosen["period"],
            "period_form": chosen["period_form"],
            "periods": [(key, label) for key, (label, _days) in selectors.ADMIN_PERIODS.items()],
            "pk": selectors.admin_period_kpis(chosen["since"], chosen["until"]),
            "series": selectors.admin_series(chosen["since"], chosen["until"]),
            "queues": selectors.admin_queues(now),
            "live": selectors.admin_live_now(now),
        },
    )
