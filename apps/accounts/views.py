"""Account pages: role choice, registration wizards, profile/settings, mentor approval screen."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import zoneinfo
from typing import Any

from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.utils import complete_signup
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit as django_ratelimit

from apps.core.storage import private_storage
from apps.taxonomy.models import Domain, Topic

from . import forms as f
from . import services
from .access import dashboard_url_for
from .adapter import mark_signup_pending
from .models import LearnerProfile, MentorProfile, Role, User
from .wizard import EmailTaken, WizardState, create_account

logger = logging.getLogger(__name__)
CHECK_EMAIL_RATE = "60/m"  # per client IP (apps.core.net.client_ip)


def _check_email_rate(group: str, request: HttpRequest) -> str:
    return CHECK_EMAIL_RATE


ROLES = {"learner": Role.LEARNER, "mentor": Role.MENTOR}


def _redirect_signed_in(request: HttpRequest) -> HttpResponse | None:
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return HttpResponseRedirect(dashboard_url_for(request.user))
    return None


@require_GET
def role_choice(request: HttpRequest) -> HttpResponse:
    if (signed_in := _redirect_signed_in(request)) is not None:
        return signed_in
    return render(request, "accounts/register_choice.html", {"next": _safe_next(request)})


def _safe_next(request: HttpRequest) -> str:
    nxt = request.GET.get("next") or request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return ""


def signup_redirect(request: HttpRequest, rest: str = "") -> HttpResponse:
    """``/signup/...`` and allauth's own ``/accounts/signup/`` lead to our wizards."""
    role = rest.strip("/")
    target = reverse("accounts:register_wizard", args=[role]) if role in ROLES else reverse("accounts:register")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(target + (f"?{query}" if query else ""))


def _tag_suggestions() -> list[str]:
    names = list(Domain.objects.values_list("name", flat=True)) + list(
        Topic.objects.order_by("name").values_list("name", flat=True).distinct()[:200]
    )
    seen: set[str] = set()
    return [n for n in names if not (n.lower() in seen or seen.add(n.lower()))]  # type: ignore[func-returns-value]


@require_http_methods(["GET", "POST"])
def register_wizard(request: HttpRequest, role: str) -> HttpResponse:
    if role not in ROLES:
        raise Http404
    if (signed_in := _redirect_signed_in(request)) is not None:
        return signed_in
    state = WizardState(request, ROLES[role])

    if request.method == "GET":
        if nxt := _safe_next(request):
            # e.g. "Book" → learner signup → back to the session after verification (SPEC §1).
            state.next_url = nxt
            state.save()
        if "step" in request.GET:
            with contextlib.suppress(ValueError):
                state.go_to(int(request.GET["step"]) - 1)
            state.save()
            return redirect(request.path)
        if request.GET.get("restart") == "1":
            for name in list(state.files):
                state.drop_file(name)
            state.clear()
            return redirect(request.path)
        return _render_step(request, state, state.unbound_form())

    action = request.POST.get("action", "next")
    if action == "back":
        state.remember_draft(request.POST)
        state.go_to(state.step - 1)
        state.save()
        return redirect(request.path)

    if action == "skip" and state.is_last:
        state.drop_file("avatar")
        state.data[state.current.key] = {}
        return _finish(request, state)

    form = state.bound_form(request.POST, request.FILES)
    valid = form.is_valid()
    if request.FILES and (refusal := _upload_refusal(request, state)):
        for name in request.FILES:
            if name in form.fields:
                form.add_error(name, refusal)
        valid = False
    if not valid:
        state.remember_draft(request.POST, invalid=True)
        # An upload that passed its own checks is kept even if another field failed.
        for name in state.current.form_class.file_fields:
            if name not in form.errors and form.cleaned_data.get(name) is not None:
                state.store_file(name, form.cleaned_data[name])
        state.save()
        return _render_step(request, state, form, status=200)

    state.accept(form)
    if state.is_last:
        return _finish(request, state)
    state.advance()
    state.save()
    return redirect(request.path)


# Anonymous uploads: per address and per browser session, and a byte budget per sign-up.
WIZARD_UPLOADS_PER_IP = "30/h"
WIZARD_UPLOADS_PER_SESSION = "12/h"
UPLOAD_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _session_key(_group: str, request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return str(request.session.session_key)


def _upload_refusal(request: HttpRequest, state: WizardState) -> str | None:
    """Why this wizard upload is refused (too many from this address or session, or over the
    sign-up's byte budget), or None. Counting happens here, before anything is stored."""
    limited = is_ratelimited(request, group="wizard-upload-ip", key="ip", rate=WIZARD_UPLOADS_PER_IP, increment=True)
    limited = (
        is_ratelimited(
            request, group="wizard-upload-session", key=_session_key, rate=WIZARD_UPLOADS_PER_SESSION, increment=True
        )
        or limited
    )
    if limited:
        return _("Too many uploads in a short time. Wait a while and try again; everything you typed is kept.")
    incoming = sum(int(getattr(f, "size", 0) or 0) for f in request.FILES.values())
    if state.over_budget(incoming):
        return _("This sign-up has uploaded too much already. Restart it to upload again.")
    return None


@require_GET
def wizard_file(request: HttpRequest, role: str, filename: str) -> FileResponse:
    """A wizard upload (the avatar preview), only to the browser session that uploaded it and only
    until its account is created; everyone else gets a 404."""
    if role not in ROLES:
        raise Http404
    path = WizardState(request, ROLES[role]).owns_file(filename)
    storage = private_storage()
    if path is None or not storage.exists(path):
        raise Http404
    kind = UPLOAD_TYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream")
    response = FileResponse(storage.open(path, "rb"), content_type=kind)
    response["Cache-Control"] = "private, no-store"
    return response


def _finish(request: HttpRequest, state: WizardState) -> HttpResponse:
    # Creating accounts is rate-limited like allauth's own signup (ACCOUNT_RATE_LIMITS["signup"]).
    if (limited := ratelimit.consume_or_429(request, action="signup")) is not None:
        return limited
    if "basic" not in state.data or not state.data["basic"].get("password_hash"):
        state.step = 0
        state.save()
        messages.error(request, _("Please complete step 1 first."))
        return redirect(request.path)
    missing = [i for i, step in enumerate(state.steps[:-1]) if step.key not in state.data]
    if missing:
        state.step = missing[0]
        state.save()
        messages.error(request, _("Please complete this step first."))
        return redirect(request.path)
    try:
        user = create_account(state)
    except EmailTaken:
        state.step = 0
        state.drafts["basic"] = {k: v for k, v in state.data["basic"].items() if k != "password_hash"}
        state.data.pop("basic", None)
        state.save()
        messages.error(request, _("An account with this email already exists. Sign in or use another email."))
        return redirect(request.path)
    next_url = state.next_url
    state.clear()
    # Design note: SPEC §3 wants "finish → logged in", and allauth's mandatory verification wants
    # the email proven before a session exists. We hand the new user to allauth's own signup
    # completion, which runs the login stages: the email-verification stage mails a one-time code
    # and shows the code page; when the right code is typed the same pending login resumes and
    # the user is signed in and sent to ``redirect_url`` (their dashboard, with the welcome toast
    # added by our adapter). So there is exactly one way into an account: a verified email.
    try:
        mark_signup_pending(request)
        return complete_signup(
            request,
            user,
            EmailVerificationMethod.MANDATORY,
            next_url or dashboard_url_for(user),
        )
    except (smtplib.SMTPException, OSError):
        # The account exists; signing in later sends a fresh code (allauth's login stage).
        logger.exception("could not send the verification code to user %s", user.pk)
        messages.error(
            request,
            _(
                "Your account is created, but we could not send the verification email. Sign in in a few minutes to get a new code."
            ),
        )
        return redirect("account_login")


def _render_step(request: HttpRequest, state: WizardState, form: f.StepForm, status: int = 200) -> HttpResponse:
    step = state.current
    context: dict[str, Any] = {
        "role": state.role,
        "form": form,
        "step": step,
        "step_number": state.step + 1,
        "step_count": len(state.steps),
        "progress": state.progress(),
        "percent": state.percent(),
        "is_first": state.step == 0,
        "is_last": state.is_last,
        "step_title": step.form_class.title,
        "step_intro": step.form_class.intro,
        "avatar_url": state.file_url("avatar"),
        "video_kept": bool(state.files.get("intro_video")),
        "template_name": f"accounts/wizard/step_{step.key}.html",
    }
    if step.key in {"interests", "skills"}:
        context["tag_suggestions"] = _tag_suggestions()
    if step.key == "basic":
        context["password_kept"] = bool(state.data.get("basic", {}).get("password_hash"))
    return render(request, "accounts/wizard.html", context, status=status)


@require_GET
@django_ratelimit(key="ip", rate=_check_email_rate, block=False)
def check_email(request: HttpRequest) -> HttpResponse:
    """htmx fragment: is this email free? (Only says "taken" — same answer the wizard gives.)"""
    # Probing which emails have accounts is throttled per IP (a person types one or two).
    if getattr(request, "limited", False):
        return ratelimit.respond_429(request)
    email = (request.GET.get("email") or "").strip()
    status, text = "", ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            status, text = "invalid", _("Enter a valid email address.")
        else:
            if f.email_taken(email):
                status, text = "taken", _("An account with this email already exists. Sign in instead?")
            else:
                status, text = "ok", _("This email is available.")
    return render(request, "accounts/partials/email_status.html", {"status": status, "text": text})


# --- Profile ---------------------------------------------------------------------------------


def _login_required(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None


def profile(request: HttpRequest) -> HttpResponse:
    if (denied := _login_required(request)) is not None:
        return denied
    user = User.objects.select_related("learner_profile", "mentor_profile").get(pk=request.user.pk or 0)
    mentor = getattr(user, "mentor_profile", None) if user.role == Role.MENTOR else None
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "learner": getattr(user, "learner_profile", None) if user.role == Role.LEARNER else None,
            "mentor": mentor,
            "mentor_domains": list(mentor.domains.all()) if mentor else [],
            "has_totp": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
            "nav_active": "profile",
        },
    )


@require_http_methods(["GET", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    if (denied := _login_required(request)) is not None:
        return denied
    user: User = request.user  # type: ignore[assignment]
    initial: dict[str, Any] = {"full_name": user.full_name, "timezone": user.timezone, "theme": user.theme}
    form_class: type[f.ProfileSettingsForm] = f.ProfileSettingsForm
    if user.role == Role.LEARNER:
        form_class = f.LearnerSettingsForm
        lp, _created = LearnerProfile.objects.get_or_create(user=user)
        initial.update(interests=lp.interests, career_goal=lp.career_goal)
    elif user.role == Role.MENTOR:
        form_class = f.MentorSettingsForm
        mp, _created = MentorProfile.objects.get_or_create(user=user)
        initial.update(f.mentor_settings_initial(mp))

    if request.method == "POST":
        form = form_class(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            data = dict(form.cleaned_data)
            avatar = data.pop("avatar", None)
            remove = data.pop("remove_avatar", False)
            if avatar is not None:
                data["avatar"] = avatar.as_file()
            elif remove:
                if user.avatar:
                    user.avatar.delete(save=False)
                data["avatar"] = ""
            services.update_profile(user=user, **data)
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:profile_settings")
    else:
        form = form_class(initial=initial)
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "timezones": sorted(zoneinfo.available_timezones()),
            "tag_suggestions": _tag_suggestions() if user.role == Role.LEARNER else [],
            "has_totp": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
            "nav_active": "profile",
        },
    )
