"""Celery task: a notification's email (queued by ``notify`` after commit)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

if TYPE_CHECKING:
    from apps.accounts.models import User

log = logging.getLogger(__name__)


def absolute_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


@shared_task(name="notifications.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(
    *, user_id: int, type: str, title: str, message: str, link: str, attachments: list[dict[str, str]] | None = None
) -> bool:
    user: User | None = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {"user": user, "type": type, "title": title, "message": message, "url": absolute_url(link)}
    with timezone.override(getattr(user, "timezone", None) or "UTC"), translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    mail = EmailMultiAlternatives(subject=f"PeerLearn: {title}", body=text, to=[user.email])
    mail.attach_alternative(html, "text/html")
    for part in attachments or []:
        mail.attach(part["filename"], part["content"], part["mimetype"])
    mail.send()
    return True
