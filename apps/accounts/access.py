"""The access matrix of SPEC §1, enforced in one place.

Views declare who may use them with ``@role_required(Role.LEARNER)``. Anonymous callers go to the login page with ``next``; a caller with
the wrong role gets an "Access denied" toast and is sent to their own dashboard. Objects a caller may
not see answer 404 — that is the job of the selectors (``get_object_or_404`` on a queryset already
filtered to what the caller may see), never a 403 that would reveal the object exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Role, User

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


class AuthenticatedRequest(HttpRequest):
    """The request a view sees behind ``login_required``/``role_required``: ``user`` is a real
    account, never ``AnonymousUser`` (django-stubs' recommended pattern for typing such views)."""

    user: User


ACCESS_DENIED = _("Access denied")


def dashboard_url_for(user: Any) -> str:
    if not getattr(user, "is_authenticated", False):
        return reverse("account_login")
    name = {
        Role.LEARNER: "dashboards:learner",
        Role.MENTOR: "dashboards:mentor",
        Role.ADMIN: "dashboards:admin",
    }.get(user.role, "site:landing")
    return reverse(name)


def check_role(request: HttpRequest, roles: tuple[str, ...], *, approved_mentor: bool = False) -> HttpResponse | None:
    """Return a redirect response if the caller may not pass, else None."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.role not in roles:
        messages.error(request, ACCESS_DENIED, extra_tags="access-denied")
        return HttpResponseRedirect(dashboard_url_for(user))
    if approved_mentor and user.role == Role.MENTOR:
        profile = getattr(user, "mentor_profile", None)
        if profile is None or not profile.is_approved:
            messages.error(request, _("Your mentor profile is waiting for approval."), extra_tags="access-denied")
            return HttpResponseRedirect(dashboard_url_for(user))
    return None


def role_required(*roles: str, approved_mentor: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """Allow only the given roles. ``approved_mentor=True`` also requires an approved mentor."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            denied = check_role(request, roles, approved_mentor=approved_mentor)
            if denied is not None:
                return denied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


learner_required = role_required(Role.LEARNER)
mentor_required = role_required(Role.MENTOR)
approved_mentor_required = role_required(Role.MENTOR, approved_mentor=True)
admin_required = role_required(Role.ADMIN)
