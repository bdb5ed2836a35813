"""``{% recommendations %}`` on the learner dashboard and ``{% more_like_this s %}`` on a session's
page: self-contained widgets over ``apps.progress.recommend``."""

from __future__ import annotations

from typing import Any

from django import template

from apps.progress import recommend

register = template.Library()


@register.inclusion_tag("progress/_recommendations_lazy.html", takes_context=True)
def recommendations(context: template.Context) -> dict[str, Any]:
    """A placeholder that loads the list after the page (``dashboards:learner_recommendations``):
    the dashboard never waits for a cold ranking, and its own query count stays its own."""
    return {"request": context["request"]}


def recommendations_context(user: Any, *, limit: int = 4) -> dict[str, Any]:
    recs = recommend.recommend_for(user, limit=limit) if user.is_authenticated else []
    mentors = recommend.recommend_mentors_for(user, limit=2) if user.is_authenticated else []
    return {"recs": recs, "mentor_recs": mentors, "user": user}


def more_like_this_context(session: Any, *, viewer: Any, limit: int = 3) -> dict[str, Any]:
    """The context of ``progress/_more_like_this.html`` (also rendered, cached, for visitors who
    are not signed in by the session page itself)."""
    return {"recs": recommend.more_like_this_sessions(session, viewer=viewer, limit=limit)}


@register.inclusion_tag("progress/_more_like_this.html", takes_context=True)
def more_like_this(context: template.Context, session: Any, limit: int = 3) -> dict[str, Any]:
    request = context["request"]
    return {
        **more_like_this_context(session, viewer=request.user, limit=limit),
        "request": request,
        "user": request.user,
    }
