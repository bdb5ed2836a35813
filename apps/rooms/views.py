"""Room pages and small JSON endpoints. Access: the session's mentor and learners with a
confirmed booking; everyone else (admins included, SPEC §1) gets 404."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from apps.accounts.access import AuthenticatedRequest
from apps.progress.selectors import feedback_for_booking, feedback_for_session

from . import recording, selectors, services
from .conf import ICE_RATE, ICE_RATE_GROUP, JOIN_EARLY, room_socket_path, test_flags_enabled


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
    if state == "open" and not is_ratelimited(request, group=ICE_RATE_GROUP, key="user", rate=ICE_RATE, increment=True):
        # The ICE servers (and TURN credentials) the page would otherwise fetch at once: the call
        # can be prepared without waiting for that round trip (on a busy machine it was still in
        # flight when Join was pressed). Counted with the endpoint, which is the fallback.
        config["ice"] = services.ice_servers_for(user_id=int(request.user.pk or 0))
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
@ratelimit(group=ICE_RATE_GROUP, key="user", rate=ICE_RATE, block=False)
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
        "recordings": recording.visible_to(session=session, user=request.user),
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


# --- recordings -------------------------------------------------------------------------------------


def _recording_error(exc: recording.RecordingError) -> JsonResponse:
    return JsonResponse({"error": str(exc), **exc.extra}, status=exc.status)


@require_http_methods(["GET", "POST"])
@login_required
def recording_upload(request: AuthenticatedRequest, room_code: Any, rid: int) -> JsonResponse:
    """GET: how many bytes the server has (to resume). POST: the next chunk, raw bytes, with
    ``X-Upload-Offset`` saying where it starts."""
    p = _participant(request, room_code)
    try:
        if request.method == "GET":
            return JsonResponse(
                {"offset": recording.upload_offset(session=p.session, user=request.user, recording_id=rid)}
            )
        try:
            offset = int(request.headers.get("X-Upload-Offset", ""))
        except ValueError:
            return JsonResponse({"error": _("X-Upload-Offset must be a whole number of bytes.")}, status=400)
        size = recording.append_chunk(
            session=p.session, user=request.user, recording_id=rid, offset=offset, data=request.body
        )
    except recording.RecordingError as exc:
        return _recording_error(exc)
    return JsonResponse({"offset": size})


@require_POST
@login_required
def recording_complete(request: AuthenticatedRequest, room_code: Any, rid: int) -> JsonResponse:
    p = _participant(request, room_code)
    try:
        duration = float(json.loads(request.body or b"{}").get("duration", 0))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("The recording's duration is not valid.")}, status=400)
    if not math.isfinite(duration):
        return JsonResponse({"error": _("The recording's duration is not valid.")}, status=400)
    try:
        rec = recording.complete(session=p.session, user=request.user, recording_id=rid, duration_seconds=duration)
    except recording.RecordingError as exc:
        return _recording_error(exc)
    return JsonResponse({"ok": True, "url": reverse("rooms:recording_file", args=[room_code, rec.pk])})


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@never_cache
@require_GET
@login_required
def recording_file(request: AuthenticatedRequest, room_code: Any, rid: int) -> HttpResponse | FileResponse:
    """The recording, to its participants only (not to one who deleted their copy), with byte
    ranges so the player can seek."""
    p = _participant(request, room_code)
    rec = next((r for r in recording.visible_to(session=p.session, user=request.user) if r.pk == rid), None)
    if rec is None or not rec.file:
        raise Http404("No such recording")
    size = rec.size_bytes
    response: HttpResponse | FileResponse
    match = _RANGE.match(request.headers.get("Range", ""))
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        start = int(first) if first else max(0, size - int(last))
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        with rec.file.open("rb") as fh:
            fh.seek(start)
            body = fh.read(end - start + 1)
        response = HttpResponse(body, status=206, content_type="video/webm")
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(rec.file.open("rb"), content_type="video/webm")
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def recording_delete(request: AuthenticatedRequest, room_code: Any, rid: int) -> HttpResponse:
    p = _participant(request, room_code)
    session = p.session
    participants = {
        session.mentor_id,
        *session.bookings.filter(status__in=["confirmed", "completed"]).values_list("learner_id", flat=True),
    }
    try:
        recording.delete_copy(session=session, user=request.user, recording_id=rid, participants=participants)
    except recording.RecordingError as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, _("The recording was removed from your summary."))
    return redirect("rooms:summary", room_code=room_code)
