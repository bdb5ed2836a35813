"""Mentor analytics (SPEC §10): sessions per week, booked seats and fill rate, ratings over time,
top topics, followers over time, repeat learners and earnings per domain, for a period.

Every figure is an aggregate query (eight in all, whatever the number of bookings); buckets are
weeks for periods up to 90 days and months beyond, in the mentor's time zone. Earnings come from
the ledger: the mentor's share of each payment, less what refunds took back.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Follow, Session, SessionStatus
from apps.payments.models import AccountKind, LedgerEntry
from apps.progress.models import Feedback

PERIODS: dict[str, tuple[int | None, Any]] = {
    "30": (30, _("Last 30 days")),
    "90": (90, _("Last 90 days")),
    "365": (365, _("Last 12 months")),
    "all": (None, _("All time")),
}
DEFAULT_PERIOD = "90"
SEATED = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
TOP_TOPICS = 8


@dataclass(frozen=True)
class Period:
    key: str
    label: Any
    start: datetime | None
    end: datetime
    monthly: bool


def period_from(value: str | None, *, now: datetime | None = None) -> Period:
    key = value if value in PERIODS else DEFAULT_PERIOD
    days, label = PERIODS[key]
    now = now or timezone.now()
    start = now - timedelta(days=days) if days else None
    return Period(key=key, label=label, start=start, end=now, monthly=days is None or days > 90)


def _zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(user, "timezone", "") or "Asia/Kolkata")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Kolkata")


def _bucket_start(moment: datetime, *, monthly: bool, zone: zoneinfo.ZoneInfo) -> date:
    day = timezone.localtime(moment, zone).date()
    if monthly:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def _buckets(first: date, last: date, *, monthly: bool) -> list[date]:
    out: list[date] = []
    cur = first
    while cur <= last and len(out) < 400:
        out.append(cur)
        if monthly:
            cur = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            cur += timedelta(days=7)
    return out


def _key(value: Any, *, monthly: bool, zone: zoneinfo.ZoneInfo) -> date:
    if isinstance(value, datetime):
        return _bucket_start(value, monthly=monthly, zone=zone)
    return value  # type: ignore[no-any-return]


def _in(field: str, period: Period) -> Q:
    q = Q(**{f"{field}__lte": period.end})
    if period.start is not None:
        q &= Q(**{f"{field}__gte": period.start})
    return q


def mentor_analytics(mentor: User, period: Period) -> dict[str, Any]:
    zone = _zone(mentor)
    trunc = TruncMonth if period.monthly else TruncWeek

    sessions_rows = list(
        Session.objects.filter(_in("start", period), mentor=mentor)
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(bucket=trunc("start", tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("pk"), capacity=Sum("capacity"))
        .order_by("bucket")
    )
    seat_rows = list(
        Booking.objects.filter(_in("session__start", period), session__mentor=mentor, status__in=SEATED)
        .exclude(session__status=SessionStatus.CANCELLED)
        .annotate(bucket=trunc("session__start", tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket")
    )
    rating_rows = list(
        Feedback.objects.filter(_in("created_at", period), mentor=mentor, hidden_at__isnull=True)
        .annotate(bucket=trunc("created_at", tzinfo=zone))
        .values("bucket")
        .annotate(avg=Avg("rating"), n=Count("pk"))
        .order_by("bucket")
    )
    follows = Follow.objects.filter(mentor=mentor)
    follower_rows = list(
        follows.filter(_in("created_at", period))
        .annotate(bucket=trunc("created_at", tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket")
    )
    # All time: every follow falls in a bucket, so none came "before".
    follower_totals = (
        follows.aggregate(total=Count("pk"), before=Count("pk", filter=Q(created_at__lt=period.start)))
        if period.start is not None
        else {**follows.aggregate(total=Count("pk")), "before": 0}
    )
    topic_rows = list(
        Session.objects.filter(_in("start", period), mentor=mentor)
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(seats=Count("bookings", filter=Q(bookings__status__in=SEATED)))
        .values_list("topics", "seats")
    )
    learner_rows = list(
        Booking.objects.filter(_in("session__start", period), session__mentor=mentor, status__in=SEATED)
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values_list("learner_id", "n")
    )
    earning_rows = list(
        LedgerEntry.objects.filter(
            _in("transaction__created_at", period),
            account__owner=mentor,
            account__kind__in=(AccountKind.MENTOR_PENDING, AccountKind.MENTOR_AVAILABLE),
            transaction__booking__isnull=False,
        )
        .exclude(transaction__kind="earning_release")
        .values("transaction__booking__session__domain__name")
        .annotate(s=Sum("amount_paise"))
        .order_by()
    )

    # --- shape for the page and the charts ------------------------------------------------
    keyed = {
        "sessions": {_key(r["bucket"], monthly=period.monthly, zone=zone): r for r in sessions_rows},
        "seats": {_key(r["bucket"], monthly=period.monthly, zone=zone): r["n"] for r in seat_rows},
        "ratings": {_key(r["bucket"], monthly=period.monthly, zone=zone): r for r in rating_rows},
        "followers": {_key(r["bucket"], monthly=period.monthly, zone=zone): r["n"] for r in follower_rows},
    }
    starts = [k for d in keyed.values() for k in d]
    last = _bucket_start(period.end, monthly=period.monthly, zone=zone)
    if period.start is not None:
        first = _bucket_start(period.start, monthly=period.monthly, zone=zone)
    else:
        first = min([last, *starts])
    last = max([last, *starts])
    buckets = _buckets(first, last, monthly=period.monthly)
    label_format = "%b %Y" if period.monthly else "%d %b"
    labels = [b.strftime(label_format) for b in buckets]

    sessions_series, seats_series, capacity_series, fill_series = [], [], [], []
    rating_series: list[float | None] = []
    follower_series = []
    running = int(follower_totals["before"] or 0)
    for b in buckets:
        row = keyed["sessions"].get(b)
        n, cap = (row["n"], row["capacity"] or 0) if row else (0, 0)
        seats = keyed["seats"].get(b, 0)
        sessions_series.append(n)
        seats_series.append(seats)
        capacity_series.append(cap)
        fill_series.append(round(100 * seats / cap) if cap else None)
        rating = keyed["ratings"].get(b)
        rating_series.append(round(float(rating["avg"]), 2) if rating else None)
        running += keyed["followers"].get(b, 0)
        follower_series.append(running)

    topics: Counter[str] = Counter()
    topic_sessions: Counter[str] = Counter()
    for topic_list, seats in topic_rows:
        for t in {str(x).strip().lower() for x in (topic_list or []) if str(x).strip()}:
            topics[t] += seats
            topic_sessions[t] += 1
    top_topics = sorted(topic_sessions, key=lambda t: (-topics[t], -topic_sessions[t], t))[:TOP_TOPICS]

    learners_total = len(learner_rows)
    repeat = sum(1 for _lid, n in learner_rows if n >= 2)
    by_domain = [
        (str(r["transaction__booking__session__domain__name"] or "—"), -int(r["s"] or 0)) for r in earning_rows
    ]
    earnings: list[dict[str, Any]] = [
        {"domain": name, "paise": paise} for name, paise in sorted(by_domain, key=lambda x: -x[1]) if paise != 0
    ]

    total_sessions = sum(sessions_series)
    total_seats = sum(seats_series)
    total_capacity = sum(capacity_series)
    rating_count = sum(r["n"] for r in rating_rows)
    rating_avg = sum(float(r["avg"]) * r["n"] for r in rating_rows) / rating_count if rating_count else None

    return {
        "totals": {
            "sessions": total_sessions,
            "seats": total_seats,
            "capacity": total_capacity,
            "fill_rate": round(100 * total_seats / total_capacity) if total_capacity else None,
            "rating": round(rating_avg, 2) if rating_avg is not None else None,
            "ratings": rating_count,
            "followers": int(follower_totals["total"] or 0),
            "new_followers": sum(keyed["followers"].values()),
            "learners": learners_total,
            "repeat_learners": repeat,
            "repeat_share": round(100 * repeat / learners_total) if learners_total else None,
            "earnings_paise": sum(e["paise"] for e in earnings),
        },
        "chart": {
            "labels": labels,
            "sessions": sessions_series,
            "seats": seats_series,
            "capacity": capacity_series,
            "fill": fill_series,
            "rating": rating_series,
            "followers": follower_series,
            "topics": [{"topic": t, "seats": topics[t], "sessions": topic_sessions[t]} for t in top_topics],
            "earnings": [{"domain": e["domain"], "rupees": e["paise"] / 100} for e in earnings],
        },
        "top_topics": [{"topic": t, "seats": topics[t], "sessions": topic_sessions[t]} for t in top_topics],
        "earnings": earnings,
    }
