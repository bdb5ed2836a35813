"""Room constants and test-only switches."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from apps.catalog.models import room_group_name
from apps.core.env import env_bool

JOIN_EARLY = timedelta(minutes=10)  # mentor may go live / learner may join this long before start
JOIN_GRACE = timedelta(minutes=5)  # learners may join until end + grace; auto-complete after it
END_WARNING = timedelta(minutes=5)

MAX_MESSAGE_BYTES = 64 * 1024  # SDP offers are ~5-10 KB; long whiteboard strokes stay below this
MAX_CHAT_CHARS = 2000
MAX_STROKE_POINTS = 2000
# A board holds at most this much between clears (a busy hour is ~300 strokes of ~60 points); the
# replay to a joining peer is sent in parts of at most REPLAY_PART_BYTES of JSON, well below the
# channel layer's and common WebSocket clients' 1 MiB message limits.
MAX_BOARD_STROKES = 1000
MAX_BOARD_POINTS = 200_000
REPLAY_PART_BYTES = 128 * 1024
CHAT_HISTORY = 200
MESSAGES_PER_SECOND = 60  # per connection, a burst allowance for ICE candidates and strokes

ICE_RATE = "30/10m"  # ICE-server (TURN credential) requests per user (django-ratelimit)
ICE_RATE_GROUP = "rooms.ice"  # one count for the ICE endpoint and the servers a room page carries

PRESENCE_GROUP = "presence"


room_group = room_group_name


def test_flags_enabled() -> bool:
    """Debug/test-only page switches (e.g. ``?relay=1`` to force TURN relay) are honoured only when
    DEBUG is on or PEERLEARN_ROOM_TEST_FLAGS=true; the bench echo route needs PEERLEARN_BENCH=1."""
    return bool(settings.DEBUG) or env_bool("PEERLEARN_ROOM_TEST_FLAGS", default=False)


# The room's WebSocket route (routing.py) and the path pages connect to, from one definition
# (Channels routes have no reverse()).
ROOM_SOCKET_ROUTE = "ws/room/<uuid:room_code>/"


def room_socket_path(room_code: object) -> str:
    return "/" + ROOM_SOCKET_ROUTE.replace("<uuid:room_code>", str(room_code))
