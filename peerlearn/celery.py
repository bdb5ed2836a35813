"""The Celery app and the one schedule of periodic jobs.

Every periodic job is a Celery task in the ``tasks.py`` of the app that owns it, imported here by
name of module, never looked up from a string: renaming a task breaks this import (and
``tests/test_tasks.py``), instead of silently stopping the job.
"""

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.settings")

app = Celery("peerlearn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

EVERY_30_S = 30.0
EVERY_5_MIN = 300.0
HOURLY = 3600.0


@app.on_after_finalize.connect
def schedule_periodic_jobs(sender: Celery, **kwargs: Any) -> None:
    from apps.accounts.tasks import purge_stale_wizard_uploads
    from apps.payments.tasks import reconcile, release_earnings
    from apps.requests.tasks import expire_requests_and_offers
    from apps.rooms.tasks import auto_complete, enforce_mentor_no_show
    from apps.workflows.tasks import expire_payment_holds, reminders_tick

    # Time-critical, cheap, database-only: reminders (T-24 h, T-30/T-10 min, feedback), holds,
    # the no-show rule, auto-completion, request/offer expiry.
    sender.add_periodic_task(EVERY_30_S, reminders_tick.s(), name="reminders")
    sender.add_periodic_task(EVERY_30_S, expire_payment_holds.s(), name="expire payment holds")
    sender.add_periodic_task(EVERY_30_S, enforce_mentor_no_show.s(), name="mentor no-show")
    sender.add_periodic_task(EVERY_30_S, auto_complete.s(), name="auto-complete sessions")
    sender.add_periodic_task(EVERY_30_S, expire_requests_and_offers.s(), name="expire requests and offers")
    # Gateway calls run on their own, slower schedule so they can never delay a reminder.
    sender.add_periodic_task(EVERY_5_MIN, reconcile.s(), name="reconcile payments")
    sender.add_periodic_task(EVERY_5_MIN, release_earnings.s(), name="release matured earnings")
    sender.add_periodic_task(HOURLY, purge_stale_wizard_uploads.s(), name="purge wizard uploads")
