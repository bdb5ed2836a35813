"""Follow / unfollow a mentor and the learner's Following list.

The follow button is a small form: with htmx it posts in place and the button (with the follower
count) is swapped, no reload; without JavaScript it is a plain POST that comes back to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import MentorProfile, User

from . import services
from .templatetags.follows import follow_context


def _back(request: HttpRequest, mentor_id: int) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse("catalog:mentor", args=[mentor_id])


@require_POST
def toggle_follow(request: HttpRequest, mentor_id: int, action: str) -> HttpResponse:
    mentor = get_object_or_404(User, pk=mentor_id)
    back = _back(request, mentor_id)
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{reverse('account_login')}?next={back}"
            return response
        return redirect_to_login(back)
    error = ""
    try:
        if action == "follow":
            services.follow(follower=request.user, mentor=mentor)  # type: ignore[arg-type]
        else:
            services.unfollow(follower=request.user, mentor=mentor)  # type: ignore[arg-type]
    except services.FollowRefused as exc:
        error = str(exc)
    if request.headers.get("HX-Request"):
        ctx = follow_context(request, mentor.pk, with_count=request.POST.get("count") == "1", next_url=back)
        ctx["error"] = error
        return render(request, "catalog/_follow_button.html", ctx)
    if error:
        messages.error(request, error)
    elif action == "follow":
        messages.success(
            request,
            _("You follow %(name)s. We will tell you when they publish a session.") % {"name": mentor.full_name},
        )
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": mentor.full_name})
    return HttpResponseRedirect(back)


@login_required
def following(request: HttpRequest) -> HttpResponse:
    mentors = list(
        MentorProfile.objects.filter(user__followers__follower_id=request.user.pk)
        .select_related("user")
        .prefetch_related("domains")
        .order_by("-user__followers__created_at")
    )
    return render(request, "catalog/following.html", {"mentors": mentors, "nav_active": "following"})
