"""Housekeeping for accounts."""

from __future__ import annotations

from celery import shared_task

from .wizard import purge_stale_uploads


@shared_task(name="accounts.purge_stale_uploads")
def purge_stale_wizard_uploads() -> int:
    """Delete wizard uploads under MEDIA_ROOT/tmp/ left by registrations nobody finished."""
    return purge_stale_uploads()
