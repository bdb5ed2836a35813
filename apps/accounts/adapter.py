"""PeerLearn's allauth adapter: signup happens through our registration wizards."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .access import dashboard_url_for

# Set when a wizard hands a new account to allauth's signup completion; cleared by the first login.
SIGNUP_PENDING = "peerlearn_signup_pending"


def mark_signup_pending(request: HttpRequest) -> None:
    request.session[SIGNUP_PENDING] = True


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # allauth's own signup form is never a second way in: its URL redirects to /register/,
        # and accounts are created only by the wizards (which then run allauth's verification).
        return False

    def format_email_subject(self, subject: str) -> str:
        return f"[PeerLearn] {subject}"

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # An explicit ?next= still wins (allauth checks it before calling this).
        return dashboard_url_for(request.user)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        if kwargs.get("signup"):
            request._peerlearn_signup = True  # type: ignore[attr-defined]
        response = super().post_login(request, user, **kwargs)
        request.session.pop(SIGNUP_PENDING, None)
        if kwargs.get("signup"):
            first = user.get_short_name()
            if user.role == "mentor":
                text = _("Welcome, %(name)s! Your email is verified and your mentor profile is waiting for approval.")
            else:
                text = _("Welcome, %(name)s! Your email is verified — explore your first session.")
            messages.success(request, text % {"name": first}, extra_tags="welcome")
        return response

    @staticmethod
    def _signing_up(request: HttpRequest) -> bool:
        return bool(request.session.get(SIGNUP_PENDING))

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # On the first sign-in after registration the welcome toast replaces "Successfully signed in".
        if getattr(request, "_peerlearn_signup", False) and message_template == "account/messages/logged_in.txt":
            return
        if message_template == "account/messages/email_confirmed.txt" and self._signing_up(request):
            return  # the welcome toast says the email is verified
        super().add_message(request, level, message_template, message_context, extra_tags, message)
