"""TOTP for tests, through allauth's public pieces only (its ``Authenticator`` model and the
``allauth.mfa.utils.encrypt`` used to store the secret) and the RFC 6238 algorithm written here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings

PERIOD = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def enrol_totp(user: object, secret: str | None = None) -> str:
    """Give ``user`` an active TOTP authenticator the way allauth stores one; return the secret."""
    secret = secret or new_secret()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)})
    return secret


def code_at(secret: str, unix_time: float) -> str:
    """The RFC 6238 code (HMAC-SHA1, 30 s steps, 6 digits) for ``unix_time``."""
    period = getattr(settings, "MFA_TOTP_PERIOD", PERIOD)
    counter = struct.pack(">Q", int(unix_time) // period)
    digest = hmac.new(base64.b32decode(secret, casefold=True), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def current_code(secret: str) -> str:
    return code_at(secret, time.time())
