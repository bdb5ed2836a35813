"""HMAC-SHA256 hex digests, the signature scheme Razorpay uses for callbacks and webhooks."""

from __future__ import annotations

import hashlib
import hmac


def hmac_sha256(secret: str, message: bytes | str) -> str:
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signatures_match(expected: str, given: str) -> bool:
    """Constant-time comparison of a hex signature with one that came from outside. Anything that
    is not plain ASCII cannot match (``hmac.compare_digest`` raises TypeError on such strings)."""
    if not given or not given.isascii():
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
