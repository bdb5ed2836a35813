"""All WebSocket routes. Apps append their own patterns here."""

from django.urls import URLPattern

from apps.notifications.routing import websocket_urlpatterns as notifications_ws
from apps.rooms.routing import websocket_urlpatterns as rooms_ws

websocket_urlpatterns: list[URLPattern] = []
websocket_urlpatterns += notifications_ws
websocket_urlpatterns += rooms_ws
