"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Each app that owns WebSocket consumers exposes ``websocket_urlpatterns`` in its ``routing``
module; they are collected here so the router has one list. In the embedded profile the web
server also runs the background work (``apps/core/background.py``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from apps.core.background import in_process, with_runner  # noqa: E402
from peerlearn import http_limits  # noqa: E402
from peerlearn.celery import periodic_jobs, startup_steps  # noqa: E402
from peerlearn.routing import websocket_urlpatterns  # noqa: E402
from peerlearn.warm import settle_long_lived  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
http_limits.install()  # 414/431 instead of a dropped connection (daphne's Twisted HTTP channel)
if in_process():
    application = with_runner(application, periodic_jobs, startup_steps)

# The web process lives long and holds hundreds of objects per open socket: see peerlearn/warm.py.
settle_long_lived()
