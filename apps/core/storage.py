"""Storage for private files: kept outside MEDIA_ROOT (never served by URL); a view that checks
access streams them."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(location=str(settings.PRIVATE_MEDIA_ROOT), base_url=None)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; serve them through a view that checks access.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
