"""Guards for the admin console's actions (issue 10 item 8).

* ``admin_action`` — an admin-only POST, rate-limited per admin (``ADMIN_POST_RATE``).
* ``sensitive_admin_action`` — the same, plus a *recent re-authentication*: money leaving the
  platform, blocking a person, cancelling a session, hiding a review, approving a payout. An admin
  whose last confirmation is older than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds is sent to
  allauth's "Confirm it's you" page (password, or a code from the authenticator app); allauth keeps
  the submitted form in the session and, once confirmed, runs that very POST again, so nothing typed
  is lost and the admin lands where the action leads.
* ``ensure_recent_authentication(request)`` — the same check from inside a view, for a view that
  validates its form first and asks for the confirmation only when the action would really run.

Only allauth's public API is used: its ``reauthentication_required`` decorator and the
``ReauthenticationRequired`` exception, which allauth's middleware turns into the redirect.

Note that allauth counts only an explicit confirmation ("reauthenticated") as recent, not the
sign-in itself: the first sensitive action of a session always asks once, and again after the window.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit as allauth_ratelimit
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from apps.accounts.access import admin_required

# Admin form submissions per admin: far above what a person clicks, low enough to stop a script.
ADMIN_POST_RATE = "30/m"


def admin_rate_limited(request: HttpRequest) -> bool:
    """Count this POST against the admin's budget; True when the budget is spent."""
    if request.method != "POST":
        return False
    return bool(is_ratelimited(request, group="admin-post", key="user", rate=ADMIN_POST_RATE, increment=True))


def rate_limit_admin_posts[ViewFunc: Callable[..., HttpResponse]](view: ViewFunc) -> ViewFunc:
    """POSTs beyond ``ADMIN_POST_RATE`` per admin answer the 429 page; GETs pass."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if admin_rate_limited(request):
            return allauth_ratelimit.respond_429(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _require_reauthentication[ViewFunc: Callable[..., HttpResponse]](view: ViewFunc) -> ViewFunc:
    """POSTs need a recent confirmation (allauth's decorator; GETs pass)."""
    return reauthentication_required(view, allow_get=True)  # type: ignore[no-any-return]


@reauthentication_required
def _confirmed(request: HttpRequest) -> None:
    return None


def ensure_recent_authentication(request: HttpRequest) -> None:
    """Raise allauth's ``ReauthenticationRequired`` unless this admin confirmed who they are within
    the window; allauth's middleware then keeps the POST and sends them to confirm."""
    _confirmed(request)


def admin_action[ViewFunc: Callable[..., HttpResponse]](view: ViewFunc) -> ViewFunc:
    """An admin-only, POST-only, rate-limited action."""
    return admin_required(require_POST(rate_limit_admin_posts(view)))  # type: ignore[return-value]


def sensitive_admin_action[ViewFunc: Callable[..., HttpResponse]](view: ViewFunc) -> ViewFunc:
    """``admin_action`` that also needs a recent re-authentication (see the module docstring)."""
    return admin_action(_require_reauthentication(view))
