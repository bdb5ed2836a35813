"""The client's IP address, trusting exactly as many reverse proxies as we run.

Behind nginx (deploy/nginx.conf), the address nginx saw is the right-most entry of
``X-Forwarded-For``: anything left of it was written by the client and can be forged. With
``TRUSTED_PROXY_COUNT=N`` the N-th entry from the right is the client; with 0 (no proxy, the
default) it is the socket's ``REMOTE_ADDR``. Rate limits (django-ratelimit through
``RATELIMIT_IP_META_KEY``, and allauth through ``ALLAUTH_TRUSTED_PROXY_COUNT``) use the same rule.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    hops: int = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return str(request.META.get("REMOTE_ADDR", ""))
