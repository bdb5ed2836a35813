from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class AdminTwoFactorMiddleware:
    """Admins must enrol TOTP before using the admin console (SPEC §3).

    An authenticated admin-role user opening ``/dashboard/admin/…`` — or any staff/superuser opening
    Django's admin at ``settings.ADMIN_URL`` — without an active TOTP authenticator is sent to
    allauth's TOTP activation page. Once TOTP is active, allauth's own MFA login stage asks for the
    code at every sign-in, so reaching the console always took two factors.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.django_admin_prefix = "/" + settings.ADMIN_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._guarded(request.path, user):
            has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            if not has_totp:
                messages.warning(
                    request,
                    _("Set up two-factor authentication (an authenticator app) to use the admin console."),
                    extra_tags="mfa-required",
                )
                return HttpResponseRedirect(
                    reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()})
                )
        return self.get_response(request)

    def _guarded(self, path: str, user: object) -> bool:
        if path.startswith(reverse("dashboards:admin")):
            return getattr(user, "role", None) == "admin"
        if path.startswith(self.django_admin_prefix):
            return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
        return False
