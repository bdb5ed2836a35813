"""HMAC-SHA256 hex digests, the signature scheme Razorpay uses for callbacks and webhooks."""

from __future__ import annotations

import hashlib
import hmac


def hmac_sha256(secret: str, message: bytes | str) -> str:
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
