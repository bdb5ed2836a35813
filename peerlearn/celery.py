"""The Celery app and the one schedule of periodic jobs.

Every periodic job is a Celery task in the ``tasks.py`` of the app that owns it, imported here by
name of module, never looked up from a string: renaming a task breaks this import (and
``tests/test_tasks.py``), instead of silently stopping the job. ``periodic_jobs()`` is the schedule
for both profiles: Celery beat runs it in production, the web process's runner in the embedded
profile (``apps/core/background.py``).
"""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

from apps.core.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.settings")

app = Celery("peerlearn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The 30-second tick; end-to-end tests shorten it (PEERLEARN_TICK_SECONDS) to see a reminder,
# a snooze and its return within seconds instead of minutes.
EVERY_30_S = float(env_int("PEERLEARN_TICK_SECONDS", 30, minimum=1, maximum=300))
EVERY_5_MIN = 300.0
HOURLY = 3600.0


def periodic_jobs() -> list[Any]:
    from apps.accounts.tasks import purge_stale_wizard_uploads
    from apps.core.background import Periodic
    from apps.notifications.tasks import deliver_due_emails
    from apps.payments.tasks import reconcile, release_earnings
    from apps.requests.tasks import expire_requests_and_offers
    from apps.rooms.tasks import auto_complete, enforce_mentor_no_show
    from apps.workflows.tasks import expire_payment_holds, reminders_tick

    return [
        # Time-critical, cheap, database-only: reminders (T-24 h, T-30/T-10 min, feedback), holds,
        # the no-show rule, auto-completion, request/offer expiry, and the email outbox sweep.
        Periodic(EVERY_30_S, reminders_tick, "reminders"),
        Periodic(EVERY_30_S, expire_payment_holds, "expire payment holds"),
        Periodic(EVERY_30_S, enforce_mentor_no_show, "mentor no-show"),
        Periodic(EVERY_30_S, auto_complete, "auto-complete sessions"),
        Periodic(EVERY_30_S, expire_requests_and_offers, "expire requests and offers"),
        Periodic(EVERY_30_S, deliver_due_emails, "deliver due emails"),
        # Gateway calls run on their own, slower schedule so they can never delay a reminder.
        Periodic(EVERY_5_MIN, reconcile, "reconcile payments"),
        Periodic(EVERY_5_MIN, release_earnings, "release matured earnings"),
        Periodic(HOURLY, purge_stale_wizard_uploads, "purge wizard uploads"),
    ]


def startup_steps() -> list[Any]:
    """Run once when the embedded profile's in-process runner starts (it is then the only sender)."""
    from apps.notifications.email import release_claims

    return [release_claims]


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(sender: Any = None, **kwargs: Any) -> None:
    """Around each task what Django does around each request: close a connection that is broken
    or older than CONN_MAX_AGE, keep the others (with CELERY_DB_REUSE_MAX set, Celery's fix-up no
    longer closes them all). Not for eager runs (tests, the embedded profile's runner), which may
    be inside their caller's transaction."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


@app.on_after_finalize.connect
def schedule_periodic_jobs(sender: Celery, **kwargs: Any) -> None:
    for job in periodic_jobs():
        sender.add_periodic_task(job.every, job.task.s(), name=job.name)
