"""The mentor's analytics page (``dashboards:mentor_analytics``) and the learner's recommendations
widget (``dashboards:learner_recommendations``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.access import role_required
from apps.accounts.models import Role
from apps.progress.templatetags.recommendations import recommendations_context

from . import analytics


@role_required(Role.MENTOR, approved_mentor=True)
def mentor_analytics(request: HttpRequest) -> HttpResponse:
    period = analytics.period_from(request.GET.get("period"))
    data = analytics.mentor_analytics(request.user, period)  # type: ignore[arg-type]
    return render(
        request,
        "dashboards/mentor_analytics.html",
        {
            "nav_active": "analytics",
            "period": period,
            "periods": [(key, label) for key, (_days, label) in analytics.PERIODS.items()],
            **data,
        },
    )


@role_required(Role.LEARNER)
def learner_recommendations(request: HttpRequest) -> HttpResponse:
    """The dashboard's recommendations, loaded after the page (htmx) or as a page of their own."""
    context = {**recommendations_context(request.user), "nav_active": "home"}
    if request.headers.get("HX-Request"):
        return render(request, "progress/_recommendations.html", context)
    return render(request, "progress/recommendations_page.html", context)
