"""Background tasks of notifications: sending the email outbox (see ``email.py``)."""

from __future__ import annotations

from celery import shared_task

from . import email


@shared_task(name="notifications.send_outbound_email", ignore_result=True)
def send_outbound_email(email_id: int) -> str:
    """The prompt send of one stored email, right after the transaction that wrote it."""
    return email.deliver(email_id)


@shared_task(name="notifications.deliver_due_emails", ignore_result=True, expires=25)
def deliver_due_emails() -> dict[str, int]:
    """Every 30 s: send stored emails the prompt path missed, and retries that are due."""
    return email.deliver_due()
