"""Room lifecycle signals other apps may listen to (sent after the transaction commits)."""

from django.dispatch import Signal

# sender=Session class; kwargs: session
session_went_live = Signal()
# sender=Session class; kwargs: session, automatic (bool)
session_completed = Signal()
