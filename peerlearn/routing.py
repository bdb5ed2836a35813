"""All WebSocket routes. Apps append their own patterns here."""

from django.urls import URLPattern, re_path

from apps.core.consumers import NotFoundConsumer
from apps.notifications.routing import websocket_urlpatterns as notifications_ws
from apps.rooms.routing import websocket_urlpatterns as rooms_ws

websocket_urlpatterns: list[URLPattern] = []
websocket_urlpatterns += notifications_ws
websocket_urlpatterns += rooms_ws
# Last: any other path is closed with 4404 (without it the router raises and the handshake is a 500).
websocket_urlpatterns += [re_path(r"", NotFoundConsumer.as_asgi())]
