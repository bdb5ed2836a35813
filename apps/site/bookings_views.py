from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.access import AuthenticatedRequest, check_role, learner_required
from apps.accounts.models import Role
from apps.bookings import services
from apps.bookings.models import Booking, BookingStatus, CancelledBy, CartItem
from apps.bookings.policy import POLICY_LINES, learner_refund_percent
from apps.catalog.models import Session
from apps.payments.services import GatewayUnavailable, ensure_order
from apps.workflows import booking as booking_flows


def _checkout_redirect(request: HttpRequest, payment: object) -> HttpResponse:
    # On a gateway timeout the checkout page explains and offers "Try again"; the seat stays held.
    with contextlib.suppress(GatewayUnavailable):
        ensure_order(payment)  # type: ignore[arg-type]
    return redirect("payments:checkout", receipt=payment.receipt)  # type: ignore[attr-defined]


@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("catalog:detail", args=[pk]))
    denied = check_role(request, (Role.LEARNER,))
    if denied is not None:
        return denied
    session = get_object_or_404(Session, pk=pk)
    try:
        _booking, payment = booking_flows.book_and_pay(learner=request.user, session=session)
    except services.BookingError as exc:
        messages.error(request, str(exc))
        return redirect("catalog:detail", pk=pk)
    if payment is None:
        messages.success(request, _("Booked! See you in the session."))
        return redirect("bookings:list")
    CartItem.objects.filter(learner=request.user, session=session).delete()
    return _checkout_redirect(request, payment)


@learner_required
def cart(request: AuthenticatedRequest) -> HttpResponse:
    lines = services.cart_lines(learner=request.user)
    total = sum(line.session.price_paise for line in lines if line.available)
    return render(
        request,
        "bookings/cart.html",
        {
            "lines": lines,
            "total": total,
            "has_problem": any(not line.available for line in lines),
            "policy_lines": POLICY_LINES,
            "nav_active": "cart",
        },
    )


@learner_required
@require_POST
def cart_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=pk)
    try:
        services.add_to_cart(learner=request.user, session=session)
    except services.BookingError as exc:
        messages.error(request, str(exc))
        return redirect("catalog:detail", pk=pk)
    messages.success(request, _("Added to your cart."))
    return redirect("bookings:cart")


@learner_required
@require_POST
def cart_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.remove_from_cart(learner=request.user, session_id=pk)
    messages.success(request, _("Removed from your cart."))
    return redirect("bookings:cart")


@learner_required
@require_POST
def cart_checkout(request: HttpRequest) -> HttpResponse:
    try:
        payment = booking_flows.checkout_cart(learner=request.user)  # type: ignore[arg-type]
    except services.BookingError as exc:
        messages.error(request, str(exc))
        return redirect("bookings:cart")
    return _checkout_redirect(request, payment)


@learner_required
def booking_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    qs = Booking.objects.filter(learner_id=request.user.pk).select_related("session__mentor", "session__domain")
    upcoming = list(
        qs.filter(session__end__gt=now, status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)).order_by(
            "session__start"
        )
    )
    past = list(
        qs.filter(
            Q(session__end__lte=now) | ~Q(status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT))
        ).order_by("-session__start")[:50]
    )
    for b in upcoming:
        b.refund_now = learner_refund_percent(start=b.session.start, now=now)  # type: ignore[attr-defined]
    return render(
        request,
        "bookings/list.html",
        {"upcoming": upcoming, "past": past, "policy_lines": POLICY_LINES, "nav_active": "bookings"},
    )


@learner_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.filter(learner_id=request.user.pk).select_related("session__mentor"), pk=pk
    )
    now = timezone.now()
    percent = learner_refund_percent(start=booking.session.start, now=now)
    paid = booking.status == BookingStatus.CONFIRMED and booking.price_paise > 0
    refund_paise = booking.price_paise * (percent or 0) // 100 if paid else 0
    if request.method == "POST":
        try:
            booking_flows.cancel_booking(
                booking=booking, by=CancelledBy.LEARNER, reason=request.POST.get("reason", "")[:300]
            )
        except services.BookingError as exc:
            messages.error(request, str(exc))
            return redirect("bookings:list")
        if paid:
            from apps.core.templatetags.ui import inr

            messages.success(
                request,
                _("Booking cancelled. Refund of %(amount)s (%(pct)s%%) is on its way.")
                % {"amount": inr(refund_paise), "pct": percent},
            )
        else:
            messages.success(request, _("Booking cancelled."))
        return redirect("bookings:list")
    return render(
        request,
        "bookings/cancel.html",
        {
            "b": booking,
            "percent": percent,
            "paid": paid,
            "refund_paise": refund_paise,
            "policy_lines": POLICY_LINES,
            "nav_active": "bookings",
        },
    )
