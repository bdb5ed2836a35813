"""Public account events for other apps (notifications subscribes).

Sent from ``transaction.on_commit`` so nobody hears about a decision that rolled back.

* ``mentor_decided(sender=MentorProfile, profile)`` — an admin approved or rejected a mentor.
"""

from __future__ import annotations

from django.dispatch import Signal

mentor_decided = Signal()
