"""allauth's pages at PeerLearn's own addresses (SPEC §2: /login/, /logout/, password reset, email
verification by code). Included at the root *instead of* ``allauth.urls`` so every ``reverse()``
inside allauth (``account_login`` …) yields these paths and there is no second copy under
``/accounts/``. allauth's signup URL name points at our registration wizards."""

from __future__ import annotations

from allauth.account import views as account_views
from django.urls import URLPattern, URLResolver, include, path, re_path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("verify-email/", account_views.email_verification_sent, name="account_email_verification_sent"),
    path("password/reset/", account_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", account_views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        account_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # /signup/, /signup/learner/, /accounts/signup/ -> /register/…
    path("signup/", views.signup_redirect, name="account_signup"),
    re_path(r"^signup/(?P<rest>[a-z]+)/?$", views.signup_redirect),
    path("accounts/signup/", views.signup_redirect),
    path("accounts/login/", account_views.login),  # old bookmarks; same view, no second form
    path("accounts/inactive/", account_views.account_inactive, name="account_inactive"),
    path("accounts/reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/email/", account_views.email, name="account_email"),
    path("accounts/password/change/", account_views.password_change, name="account_change_password"),
    path("accounts/password/set/", account_views.password_set, name="account_set_password"),
    path("accounts/login/code/confirm/", account_views.confirm_login_code, name="account_confirm_login_code"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
]
