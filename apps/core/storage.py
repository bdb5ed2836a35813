"""Storage for private files: kept outside MEDIA_ROOT (never served by URL); a view that checks
access streams them."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """``PRIVATE_MEDIA_ROOT``, read on every use (so an overridden setting in tests applies)."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; serve them through a view that checks access.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
