from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.access import AuthenticatedRequest, learner_required, mentor_required
from apps.bookings.models import Booking

from .models import Feedback
from .services import FeedbackError, reply_to_feedback, submit_feedback


@require_POST
@learner_required
def feedback(request: AuthenticatedRequest, booking_id: int) -> HttpResponse:
    """Rate a completed booking: 1-5 stars + optional comment. JSON for the in-room modal
    (``Accept: application/json``), a redirect with a toast for a plain form post."""
    booking = get_object_or_404(Booking.objects.select_related("session"), pk=booking_id, learner=request.user)
    wants_json = "application/json" in request.headers.get("Accept", "")
    raw = request.POST.get("rating", "")
    try:
        rating = int(raw)
    except ValueError:
        rating = 0
    nxt = request.POST.get("next") or reverse("rooms:room", args=[booking.session.room_code])
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = reverse("dashboards:home")
    try:
        submit_feedback(booking=booking, learner=request.user, rating=rating, comment=request.POST.get("comment", ""))
    except FeedbackError as exc:
        if wants_json:
            return JsonResponse(
                {"error": str(exc), "field": "rating" if "rating" in str(exc).lower() else "comment"}, status=400
            )
        messages.error(request, str(exc))
        return HttpResponseRedirect(nxt)
    if wants_json:
        return JsonResponse({"ok": True, "message": _("Thanks for your feedback!")})
    messages.success(request, _("Thanks for your feedback!"))
    return HttpResponseRedirect(nxt)


@require_POST
@mentor_required
def reply(request: AuthenticatedRequest, feedback_id: int) -> HttpResponse:
    """The mentor's one public reply to a review of theirs (from the Reviews tab of their profile)."""
    review = get_object_or_404(Feedback, pk=feedback_id, mentor=request.user, hidden_at__isnull=True)
    try:
        reply_to_feedback(feedback=review, mentor=request.user, text=request.POST.get("reply", ""))
    except FeedbackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your reply is public on your profile."))
    return HttpResponseRedirect(reverse("catalog:mentor", args=[request.user.pk]) + f"?tab=reviews#review-{review.pk}")
