"""Benchmark-only endpoint (routed only when PEERLEARN_BENCH=true): one request runs the real
``notify()`` service for each listed user, as the app would, so bench/notify.py can time the
fan-out from the service call to each user's WebSocket in the server process itself."""

from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import NotificationType
from .services import notify, notify_many


@csrf_exempt
@require_POST
def fanout(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    ids = [int(i) for i in body.get("user_ids", [])][:2000]
    tag = str(body.get("tag", ""))[:40]
    started = time.perf_counter()
    users = list(get_user_model().objects.filter(pk__in=ids))
    if body.get("mode") == "each":  # one notify() per user, each its own transaction
        for user in users:
            notify(user=user, type=NotificationType.GENERAL, title=f"bench {tag}", message="fan-out", email=False)
    else:  # one notify_many() service call
        notify_many(users=users, type=NotificationType.GENERAL, title=f"bench {tag}", message="fan-out", email=False)
    return JsonResponse({"sent": len(users), "server_seconds": round(time.perf_counter() - started, 4)})
