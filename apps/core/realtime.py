"""Send one event to a Channels group from synchronous code. Never raises: the database is the
truth, a push is a courtesy (a socket that misses it re-reads the state when it reconnects)."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def broadcast(group: str, event: dict[str, Any]) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        log.exception("push to group %s failed", group)
        return False
    return True
