"""Celery tasks: notification email and the scheduler tick (beat, every 30 s)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .ics import event_ics

log = logging.getLogger(__name__)


def absolute_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def _booking_ics(booking_id: int) -> str | None:
    from apps.bookings.models import Booking

    booking = Booking.objects.select_related("session", "session__mentor").filter(pk=booking_id).first()
    if booking is None:
        return None
    s = booking.session
    return event_ics(
        uid=f"booking-{booking.pk}@peerlearn",
        start=s.start,
        end=s.end,
        summary=f"PeerLearn: {s.title}",
        description=f"Mentor: {s.mentor.full_name}",
        url=absolute_url(f"/session/{s.room_code}/"),
    )


@shared_task(name="notifications.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_email(
    *, user_id: int, type: str, title: str, message: str, link: str, attachments: list[str] | None = None
) -> bool:
    user: Any = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    context = {"user": user, "type": type, "title": title, "message": message, "url": absolute_url(link)}
    with timezone.override(getattr(user, "timezone", None) or "UTC"), translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    mail = EmailMultiAlternatives(subject=f"PeerLearn: {title}", body=text, to=[user.email])
    mail.attach_alternative(html, "text/html")
    for name in attachments or []:
        if name.startswith("ics:booking:"):
            ics = _booking_ics(int(name.rsplit(":", 1)[1]))
            if ics:
                mail.attach("peerlearn-session.ics", ics, "text/calendar; method=PUBLISH; charset=utf-8")
    mail.send()
    return True


@shared_task(name="notifications.tick", ignore_result=True, expires=25)
def scheduler_tick() -> dict[str, int]:
    from .scheduler import tick

    return tick()
