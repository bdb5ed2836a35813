"""Room pages and small JSON endpoints. Access: the session's mentor and learners with a
confirmed booking; everyone else (admins included, SPEC §1) gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from apps.accounts.access import AuthenticatedRequest
from apps.progress.selectors import feedback_for_booking, feedback_for_session

from . import selectors, services
from .conf import ICE_RATE, JOIN_EARLY, room_socket_path, test_flags_enabled


def _participant(
    request: AuthenticatedRequest, room_code: Any, *, include_completed: bool = True
) -> selectors.Participant:
    p = selectors.participant_for(user=request.user, room_code=room_code, include_completed=include_completed)
    if p is None:
        raise Http404("No such room")
    return p


@never_cache
@login_required
def room(request: AuthenticatedRequest, room_code: Any) -> HttpResponse:
    p = _participant(request, room_code)
    session = p.session
    viewer: Any = request.user
    now = timezone.now()
    state = selectors.window_state(session=session, now=now)
    opens, closes = selectors.join_window(session)
    feedback = None
    if p.booking is not None:
        feedback = feedback_for_booking(p.booking.pk)
        if p.booking.status == "completed" and state != "ended":
            state = "ended"
    other = (
        session.mentor.full_name
        if p.role == selectors.LEARNER
        else ", ".join(
            b.learner.full_name
            for b in session.bookings.filter(status__in=["confirmed", "completed"]).select_related("learner")
        )
    )
    config = {
        "roomCode": str(session.room_code),
        "sessionId": session.pk,
        "role": p.role,
        "userId": request.user.pk,
        "userName": viewer.full_name or viewer.email,
        "otherName": other or _("Your learner"),
        "wsPath": room_socket_path(session.room_code),
        "iceUrl": reverse("rooms:ice", args=[session.room_code]),
        "endUrl": reverse("rooms:end", args=[session.room_code]),
        "snapshotUrl": reverse("rooms:snapshot", args=[session.room_code]),
        "feedbackUrl": reverse("progress:feedback", args=[p.booking.pk]) if p.booking else "",
        "mentorProfileUrl": reverse("catalog:mentor", args=[session.mentor_id]),
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "opens": opens.isoformat(),
        "closes": closes.isoformat(),
        "serverNow": now.isoformat(),
        "state": state,
        "agenda": selectors.agenda_for(session),
        "forceRelay": test_flags_enabled() and request.GET.get("relay") == "1",
        "testHooks": test_flags_enabled(),
        "csrf": get_token(request),
    }
    ctx = {
        "session": session,
        "role": p.role,
        "state": state,
        "opens": opens,
        "closes": closes,
        "early_by": JOIN_EARLY,
        "config": config,
        "topics": selectors.session_topics(session),
        "agenda": config["agenda"],
        "booking": p.booking,
        "feedback": feedback,
        "other_name": config["otherName"],
    }
    return render(request, "rooms/room.html", ctx)


@never_cache
@require_GET
@login_required
@ratelimit(key="user", rate=ICE_RATE, block=False)
def ice_servers(request: AuthenticatedRequest, room_code: Any) -> JsonResponse:
    """STUN list + TURN credentials minted for this participant (rate-limited per user)."""
    _participant(request, room_code, include_completed=False)
    if getattr(request, "limited", False):
        return JsonResponse({"error": _("Too many requests. Try again in a few minutes.")}, status=429)
    return JsonResponse(services.ice_servers_for(user_id=int(request.user.pk or 0)))


@require_POST
@login_required
def end(request: AuthenticatedRequest, room_code: Any) -> JsonResponse:
    p = _participant(request, room_code, include_completed=False)
    if p.role != selectors.MENTOR:
        return JsonResponse({"error": _("Only the mentor can end the session.")}, status=403)
    try:
        services.end_session(session=p.session)
    except services.RoomError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True, "status": "completed"})


@require_POST
@login_required
def snapshot(request: AuthenticatedRequest, room_code: Any) -> JsonResponse:
    """The mentor's page uploads the whiteboard PNG when the session ends."""
    p = _participant(request, room_code)
    if p.role != selectors.MENTOR:
        return JsonResponse({"error": _("Only the mentor saves the whiteboard.")}, status=403)
    try:
        services.save_snapshot(session=p.session, data=request.body)
    except services.RoomError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True, "url": reverse("rooms:whiteboard", args=[p.session.room_code])})


@never_cache
@require_GET
@login_required
def summary(request: AuthenticatedRequest, room_code: Any) -> HttpResponse:
    """After the session: the whiteboard, the checklist outcome, the chat transcript and the
    feedback — for the session's mentor and its learners only (everyone else: 404)."""
    p = _participant(request, room_code)
    session = p.session
    if p.role == selectors.MENTOR:
        feedback = list(feedback_for_session(session.pk))
    else:
        own = feedback_for_booking(p.booking.pk) if p.booking else None
        feedback = [own] if own else []
    ctx = {
        "summary": selectors.summary_for(session),
        "session": session,
        "role": p.role,
        "booking": p.booking,
        "feedback": feedback,
        "ended": session.status == "completed",
        "nav_active": "sessions" if p.role == selectors.MENTOR else "bookings",
    }
    return render(request, "rooms/summary.html", ctx)


@never_cache
@require_GET
@login_required
def whiteboard(request: AuthenticatedRequest, room_code: Any) -> FileResponse:
    """The saved whiteboard PNG, streamed to participants only (it is stored outside MEDIA_ROOT)."""
    p = _participant(request, room_code)
    state = selectors.room_state_for(p.session)
    if not state.snapshot:
        raise Http404("No whiteboard was saved")
    response = FileResponse(state.snapshot.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
