"""Account pages that run cross-app flows: closing an account (sessions and bookings are
cancelled and refunded), the admin's mentor approvals (the decision is also notified) and the
admin's Users page (blocking cancels and refunds, and closes the person's sockets)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts import forms as f
from apps.accounts import services
from apps.accounts.access import admin_required
from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.accounts.views import _login_required
from apps.catalog.models import Session, SessionStatus
from apps.catalog.services import InvalidTransition
from apps.core.net import client_ip
from apps.core.templatetags.ui import inr
from apps.payments import services as payment_services
from apps.payments.models import Payment, PaymentStatus
from apps.payments.services import PaymentError
from apps.progress import services as feedback_services
from apps.progress.models import Feedback
from apps.taxonomy.models import Domain
from apps.workflows import accounts as account_flows
from apps.workflows import booking as booking_flows
from apps.workflows import sessions as session_flows

from . import selectors
from .safety import admin_action, ensure_recent_authentication, rate_limit_admin_posts, sensitive_admin_action


@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    if (denied := _login_required(request)) is not None:
        return denied
    user: User = request.user  # type: ignore[assignment]
    form = f.DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        account_flows.delete_account(user=user)
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for learning with us."))
        return redirect("site:landing")
    return render(request, "accounts/delete_account.html", {"form": form})


# --- Mentor approval (minimal admin screen) -------------------------------------------------


@admin_required
@require_GET
def admin_mentors(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", MentorStatus.PENDING)
    if status not in MentorStatus.values:
        status = MentorStatus.PENDING
    mentors = (
        MentorProfile.objects.filter(status=status)
        .select_related("user")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("name")))
        .order_by("created_at")
    )
    counts = {s: MentorProfile.objects.filter(status=s).count() for s in MentorStatus.values}
    return render(
        request,
        "accounts/admin_mentors.html",
        {
            "mentors": mentors,
            "status": status,
            "statuses": MentorStatus.choices,
            "counts": counts,
            "nav_active": "mentors",
        },
    )


@admin_action
def admin_mentor_decide(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(MentorProfile.objects.select_related("user"), pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            account_flows.decide_mentor(mentor=profile, by=request.user, approve=True, ip=client_ip(request))  # type: ignore[arg-type]
            messages.success(request, _("%(name)s is approved and was emailed.") % {"name": profile.user.full_name})
        elif decision == "reject":
            reason = (request.POST.get("reason") or "").strip()
            if not reason or request.POST.get("confirm") != "on":
                messages.error(
                    request,
                    _("Give a reason and tick the confirmation to reject %(name)s.") % {"name": profile.user.full_name},
                )
                return redirect(reverse("dashboards:admin_mentors") + f"#mentor-{profile.pk}")
            account_flows.decide_mentor(
                mentor=profile,
                by=request.user,  # type: ignore[arg-type]
                approve=False,
                reason=reason,
                ip=client_ip(request),
            )
            messages.success(
                request, _("%(name)s was rejected and emailed the reason.") % {"name": profile.user.full_name}
            )
        else:
            messages.error(request, _("Unknown decision."))
    except services.InvalidTransition as exc:
        messages.error(request, str(exc))
    return redirect("dashboards:admin_mentors")


# --- Users: search, filter, block / unblock (admin console) ----------------------------------

USER_STATUSES = (("active", _l("Active")), ("blocked", _l("Blocked")))


@admin_required
@require_GET
def admin_users(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:100]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    status = request.GET.get("status", "")
    status = status if status in dict(USER_STATUSES) else ""
    page = Paginator(selectors.users_for_admin(q=q, role=role, status=status), 25).get_page(request.GET.get("page"))
    page.object_list = selectors.attach_block_reasons(list(page.object_list))
    return render(
        request,
        "dashboards/admin_users.html",
        {
            "page_obj": page,
            "q": q,
            "role": role,
            "status": status,
            "roles": Role.choices,
            "statuses": USER_STATUSES,
            "nav_active": "users",
        },
    )


@admin_required
@require_GET
def admin_user(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        context = selectors.user_for_admin(pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "dashboards/admin_user.html", {**context, "nav_active": "users"})


@admin_action
def admin_user_feature(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("mentor_profile"), pk=pk, role=Role.MENTOR)
    back = request.POST.get("back") or ""
    featured = request.POST.get("featured") == "on"
    try:
        services.set_featured(mentor=person, featured=featured, by=request.user, ip=client_ip(request))  # type: ignore[arg-type]
    except services.InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        text = _("%(name)s now leads Top mentors.") if featured else _("%(name)s is no longer featured.")
        messages.success(request, text % {"name": person.full_name})
    return redirect(reverse("dashboards:admin_users") + (back if back.startswith("?") else "") + f"#user-{person.pk}")


@sensitive_admin_action
def admin_user_block(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    back = request.POST.get("back") or ""
    target = back if back.startswith("?") else ""
    name = person.full_name or person.email
    try:
        if request.POST.get("decision") == "block":
            reason = (request.POST.get("reason") or "").strip()
            if not reason or request.POST.get("confirm") != "on":
                messages.error(
                    request, _("Give a reason and tick the confirmation to block %(name)s.") % {"name": name}
                )
                return redirect(reverse("dashboards:admin_users") + target + f"#user-{person.pk}")
            account_flows.block_user(user=person, by=request.user, reason=reason[:1000], ip=client_ip(request))  # type: ignore[arg-type]
            messages.success(
                request,
                _("%(name)s is blocked: signed out, their future sessions and bookings cancelled.") % {"name": name},
            )
        elif request.POST.get("decision") == "unblock":
            account_flows.unblock_user(user=person, by=request.user, ip=client_ip(request))  # type: ignore[arg-type]
            messages.success(request, _("%(name)s can sign in again.") % {"name": name})
        else:
            messages.error(request, _("Unknown decision."))
    except services.InvalidTransition as exc:
        messages.error(request, str(exc))
    return redirect(reverse("dashboards:admin_users") + target)


# --- Audit log ---------------------------------------------------------------------------------


class DayRangeForm(forms.Form):
    """Filters with an optional From/To day range (a range that ends before it starts is explained)."""

    since = forms.DateField(required=False, label=_l("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_l("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict[str, Any] | None:
        """The valid, non-empty filters; {} when unbound; None when something is wrong."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {k: v for k, v in self.cleaned_data.items() if v}


class AuditFilterForm(DayRangeForm):
    action = forms.CharField(required=False, max_length=64)
    actor = forms.CharField(required=False, max_length=100, label=_l("Actor (name or email)"))
    obj = forms.CharField(required=False, max_length=130, label=_l("Object"))


@admin_required
@require_GET
def admin_audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    entries = selectors.audit_entries(**filters) if filters is not None else selectors.audit_entries().none()
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        keys = sorted({*entry.before, *entry.after})
        entry.changes = [(k, entry.before.get(k, "—"), entry.after.get(k, "—")) for k in keys]  # type: ignore[attr-defined]
    return render(
        request,
        "dashboards/admin_audit.html",
        {"form": form, "page_obj": page, "actions": selectors.audit_actions(), "nav_active": "audit"},
    )


# --- Sessions: filter, cancel with full refunds ------------------------------------------------


class SessionFilterForm(DayRangeForm):
    status = forms.ChoiceField(required=False, choices=[("", _l("Any status")), *SessionStatus.choices])
    mentor = forms.CharField(required=False, max_length=100, label=_l("Mentor (name or email)"))


@admin_required
@require_GET
def admin_sessions(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None)
    filters = form.filters()
    sessions = selectors.sessions_for_admin(**filters) if filters is not None else Session.objects.none()
    page = Paginator(sessions, 25).get_page(request.GET.get("page"))
    return render(request, "dashboards/admin_sessions.html", {"form": form, "page_obj": page, "nav_active": "sessions"})


@sensitive_admin_action
def admin_session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("mentor"), pk=pk)
    back = request.POST.get("back") or ""
    target = reverse("dashboards:admin_sessions") + (back if back.startswith("?") else "")
    reason = (request.POST.get("reason") or "").strip()[:500]
    if not reason or request.POST.get("confirm") != "on":
        messages.error(
            request, _("Give a reason and tick the confirmation to cancel “%(title)s”.") % {"title": session.title}
        )
        return redirect(target + f"#session-{session.pk}")
    try:
        count = session_flows.admin_cancel_session(
            session=session, by=request.user, reason=reason, ip=client_ip(request)
        )
    except InvalidTransition:
        messages.error(
            request,
            _("“%(title)s” can no longer be cancelled (it is %(status)s).")
            % {"title": session.title, "status": session.get_status_display().lower()},
        )
        return redirect(target)
    messages.success(
        request,
        ngettext(
            "“%(title)s” is cancelled; %(n)s learner is refunded in full and told.",
            "“%(title)s” is cancelled; %(n)s learners are refunded in full and told.",
            count,
        )
        % {"title": session.title, "n": count},
    )
    return redirect(target)


# --- Feedback inbox: hide / unhide abusive reviews ---------------------------------------------


class FeedbackFilterForm(forms.Form):
    visibility = forms.ChoiceField(
        required=False,
        label=_l("Shown"),
        choices=[("", _l("All reviews")), ("visible", _l("On profiles")), ("hidden", _l("Hidden"))],
    )
    max_rating = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=_l("Rating"),
        choices=[("", _l("Any rating")), *[(n, _l("%(n)s★ or lower") % {"n": n}) for n in (1, 2, 3, 4)]],
    )
    mentor = forms.CharField(required=False, max_length=100, label=_l("Mentor (name or email)"))


@admin_required
@require_GET
def admin_feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        reviews = Feedback.objects.none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        reviews = selectors.feedback_for_admin(**{k: v for k, v in data.items() if v})
    page = Paginator(reviews, 25).get_page(request.GET.get("page"))
    return render(request, "dashboards/admin_feedback.html", {"form": form, "page_obj": page, "nav_active": "feedback"})


@sensitive_admin_action
def admin_feedback_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Feedback.objects.select_related("mentor"), pk=pk)
    back = request.POST.get("back") or ""
    target = reverse("dashboards:admin_feedback") + (back if back.startswith("?") else "")
    try:
        if request.POST.get("decision") == "hide":
            reason = (request.POST.get("reason") or "").strip()[:500]
            if not reason or request.POST.get("confirm") != "on":
                messages.error(request, _("Give a reason and tick the confirmation to hide this review."))
                return redirect(target + f"#review-{review.pk}")
            feedback_services.hide_feedback(feedback=review, by=request.user, reason=reason, ip=client_ip(request))  # type: ignore[arg-type]
            messages.success(
                request,
                _("The review is hidden and no longer counts in %(name)s's rating.")
                % {"name": review.mentor.full_name},
            )
        elif request.POST.get("decision") == "unhide":
            feedback_services.unhide_feedback(feedback=review, by=request.user, ip=client_ip(request))  # type: ignore[arg-type]
            messages.success(
                request, _("The review is back on %(name)s's profile.") % {"name": review.mentor.full_name}
            )
        else:
            messages.error(request, _("Unknown decision."))
    except feedback_services.FeedbackError as exc:
        messages.error(request, str(exc))
    return redirect(target)


# --- Payments: filter, inspect, refund ----------------------------------------------------------


class PaymentFilterForm(DayRangeForm):
    status = forms.ChoiceField(required=False, choices=[("", _l("Any status")), *PaymentStatus.choices])
    learner = forms.CharField(required=False, max_length=100, label=_l("Learner (name or email)"))
    min_rupees = forms.DecimalField(required=False, min_value=0, max_digits=9, decimal_places=2, label=_l("From ₹"))
    max_rupees = forms.DecimalField(required=False, min_value=0, max_digits=9, decimal_places=2, label=_l("To ₹"))


class RefundForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    amount_rupees = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=9, decimal_places=2, label=_l("Amount (₹)"), localize=False
    )
    reason = forms.CharField(max_length=200, label=_l("Reason (kept in the audit log)"))
    confirm = forms.BooleanField(label=_l("Yes, send this refund to the learner's payment method"))


@admin_required
@require_GET
def admin_payments(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    filters = form.filters()
    found = selectors.payments_for_admin(**filters) if filters is not None else Payment.objects.none()
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(request, "dashboards/admin_payments.html", {"form": form, "page_obj": page, "nav_active": "payments"})


@admin_required
@require_http_methods(["GET", "POST"])
@rate_limit_admin_posts
def admin_payment(request: HttpRequest, receipt: str) -> HttpResponse:
    try:
        payment = selectors.payment_for_admin(receipt)
    except Payment.DoesNotExist as exc:
        raise Http404 from exc
    items = list(payment.items.all())
    forms_by_item = {i.pk: RefundForm(initial={"item": i.pk}, prefix=f"i{i.pk}") for i in items}
    if request.method == "POST":
        pk = request.POST.get("item_pk", "")
        item = next((i for i in items if str(i.pk) == pk), None)
        if item is None:
            raise Http404
        form = RefundForm(request.POST, prefix=f"i{item.pk}")
        forms_by_item[item.pk] = form
        if form.is_valid():
            amount = int((form.cleaned_data["amount_rupees"] * 100).to_integral_value())
            if amount > (refundable := payment_services.refundable_paise(item)):
                form.add_error(
                    "amount_rupees",
                    _("Refund between ₹0.01 and %(max)s (what is still refundable).") % {"max": inr(refundable)},
                )
        if form.is_valid():
            # Money leaves the platform: a stale session confirms first (the POST is kept and replayed).
            ensure_recent_authentication(request)
            try:
                booking_flows.admin_refund(
                    item=item,
                    amount_paise=amount,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    ip=client_ip(request),
                )
            except PaymentError as exc:
                form.add_error("amount_rupees", str(exc))
            else:
                messages.success(request, _("Refund of %(amount)s sent.") % {"amount": inr(amount)})
                return redirect("dashboards:admin_payment", receipt=payment.receipt)
    rows = [(i, payment_services.refundable_paise(i), forms_by_item[i.pk]) for i in items]
    return render(
        request,
        "dashboards/admin_payment.html",
        {"payment": payment, "rows": rows, "nav_active": "payments"},
        status=400 if request.method == "POST" else 200,
    )
