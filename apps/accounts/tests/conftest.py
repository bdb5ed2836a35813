from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

PASSWORD = "Peer-learn-2026!"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Rate-limit counters live in the cache; the root conftest gives every test its own key prefix.


def png_bytes(size: tuple[int, int] = (64, 48), *, exif: bool = False) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (255, 87, 52)).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (80, 60), (190, 148, 245))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x9286] = "GPS: 12.97,77.59"  # UserComment-ish
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


def make(
    role: str = "learner", *, email: str | None = None, approved: bool = True, verified: bool = True, **kw: Any
) -> Any:
    """Shorthand over ``tests.factories.UserFactory``."""
    from apps.accounts.models import MentorStatus
    from tests.factories import UserFactory

    if email:
        kw["email"] = email
    return UserFactory(
        role=role,
        email_verified=verified,
        mentor_status=MentorStatus.APPROVED if approved else MentorStatus.PENDING,
        **kw,
    )
