"""Live numbers on the admin overview (issue 10 item 1): when a payment, a refund or a booking is
saved, or a withdrawal changes (requested, decided, paid out, failed), every admin's open pages hear
``{"type": "admin.kpis"}`` over their notifications socket (the same per-user socket and push as
notifications), and the overview re-reads its KPI regions (``data-refresh-on="admin.kpis"``,
swapped by htmx) without a reload.

The trigger is the models' ``post_save`` and the payments app's ``withdrawal_changed`` (withdrawals
change status by conditional UPDATE, which sends no ``post_save``): this app only observes, it
changes nothing. One push per committed transaction, however many rows it saved; nothing is pushed
for a rolled-back one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from apps.accounts.models import Role, User
from apps.bookings.models import Booking
from apps.notifications.services import send_event
from apps.payments.models import Payment, Refund
from apps.payments.signals import withdrawal_changed

EVENT = "admin.kpis"


def push_admin_kpis() -> None:
    """Tell every active admin's sockets that the overview's numbers changed."""
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True))
    if admins:
        send_event(user_ids=admins, type=EVENT)


class _Push:
    """One scheduled push; it remembers that it ran, so the next change schedules a new one."""

    done = False

    def __call__(self) -> None:
        self.done = True
        push_admin_kpis()


def _already_scheduled() -> bool:
    # Django drops a rolled-back block's callbacks from this list, so a push is never lost to an
    # earlier, rolled-back save of the same request.
    pending = getattr(transaction.get_connection(), "run_on_commit", [])
    return any(isinstance(entry[1], _Push) and not entry[1].done for entry in pending)


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures
        return
    if not _already_scheduled():
        transaction.on_commit(_Push())


def connect() -> None:
    for model in (Payment, Refund, Booking):
        post_save.connect(_changed, sender=model, dispatch_uid=f"admin-kpis-{model._meta.label_lower}")
    withdrawal_changed.connect(_changed, dispatch_uid="admin-kpis-withdrawal")
