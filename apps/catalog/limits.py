"""The bounds of a session (SPEC §4), in one place: the model's database constraints, the
catalogue's forms and services, and the requests app (requests and offers become sessions) use
these names."""

from __future__ import annotations

from datetime import timedelta

MIN_MINUTES = 15
MAX_MINUTES = 240
MIN_PRICE_PAISE = 5_000  # ₹50, the smallest paid price (0 = free)
MAX_PRICE_PAISE = 10_000_000  # ₹1,00,000
MIN_CAPACITY = 1
MAX_CAPACITY = 10  # one-to-one, or a small group
MIN_LEAD = timedelta(minutes=30)  # a published session starts at least this far ahead
MAX_TOPICS = 10
MAX_AGENDA_ITEMS = 20
MAX_DESCRIPTION = 5000
