from django.urls import URLPattern, path

from apps.core.env import env_bool

from . import consumers
from .conf import ROOM_SOCKET_ROUTE

websocket_urlpatterns: list[URLPattern] = [
    path(ROOM_SOCKET_ROUTE, consumers.RoomConsumer.as_asgi()),
    path("ws/presence/", consumers.PresenceConsumer.as_asgi()),
]
if env_bool("PEERLEARN_BENCH", default=False):
    websocket_urlpatterns.append(path("ws/bench/echo/", consumers.EchoConsumer.as_asgi()))
