"""Deployment checks of the payments app (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.PRODUCTION and settings.PAYMENTS_SANDBOX:
        return [
            Warning(
                "Sandbox payments are on in the production profile (ALLOW_SANDBOX_PAYMENTS=true).",
                hint="Its keys and webhook secret are public test values: anyone can sign a 'payment "
                "captured'. Use this for staging only; set RAZORPAY_KEY_ID/RAZORPAY_KEY_SECRET to go live.",
                id="payments.W001",
            )
        ]
    return []
