"""Background tasks of notifications: sending the email outbox (see ``email.py``)."""

from __future__ import annotations

from celery import shared_task

from . import email


@shared_task(name="notifications.send_outbound_emails", ignore_result=True)
def send_outbound_emails(email_ids: list[int]) -> dict[str, int]:
    """The prompt send of the emails one transaction stored, right after it committed."""
    return email.deliver_each(email_ids)


@shared_task(name="notifications.deliver_due_emails", ignore_result=True, expires=25)
def deliver_due_emails() -> dict[str, int]:
    """Every 30 s: send stored emails the prompt path missed, and retries that are due."""
    return email.deliver_due()
