"""All WebSocket routes. Apps append their own patterns here."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
