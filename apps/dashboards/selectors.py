"""Reads for the dashboard home pages. Each function runs a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.audit.models import AuditEntry
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.payments.models import LedgerTransaction, Payment
from apps.progress.models import Feedback
from apps.rooms.selectors import live_and_soon


def learner_upcoming(user: User, *, limit: int = 5) -> list[Booking]:
    now = timezone.now()
    rows = list(
        Booking.objects.filter(
            learner=user,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT],
            session__end__gt=now,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session", "session__mentor", "session__domain")
        .order_by("session__start")[:limit]
    )
    return rows


def learner_stats(user: User) -> dict[str, Any]:
    now = timezone.now()
    agg = Booking.objects.filter(learner=user).aggregate(
        upcoming=Count("id", filter=Q(status=BookingStatus.CONFIRMED, session__end__gt=now)),
        completed=Count("id", filter=Q(status=BookingStatus.COMPLETED)),
        minutes=Sum("session__duration_minutes", filter=Q(status=BookingStatus.COMPLETED)),
        awaiting_payment=Count("id", filter=Q(status=BookingStatus.PENDING_PAYMENT, session__end__gt=now)),
    )
    minutes = agg["minutes"] or 0
    return {**agg, "minutes": minutes, "hours": round(minutes / 60, 1)}


def learner_recent_bookings(user: User, *, limit: int = 10) -> list[Booking]:
    return list(
        Booking.objects.filter(learner=user)
        .select_related("session", "session__mentor")
        .order_by("-created_at")[:limit]
    )


def mentor_today(user: User) -> list[Session]:
    """The mentor's sessions that are live or start within the next hours (the same window as
    My sessions' "Today & live"), each with its confirmed-booking count."""
    now = timezone.now()
    return list(
        live_and_soon(Session.objects.filter(mentor=user), now)
        .select_related("domain")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)))
    )


def mentor_stats(user: User) -> dict[str, Any]:
    now = timezone.now()
    return Session.objects.filter(mentor=user).aggregate(
        upcoming=Count("id", filter=Q(status=SessionStatus.SCHEDULED, start__gt=now), distinct=True),
        completed=Count("id", filter=Q(status=SessionStatus.COMPLETED), distinct=True),
        learners_booked=Count(
            "bookings",
            filter=Q(bookings__status=BookingStatus.CONFIRMED, end__gt=now),
        ),
    )


def admin_kpis() -> dict[str, Any]:
    now = timezone.now()
    users = User.objects.aggregate(
        learners=Count("id", filter=Q(role=Role.LEARNER)),
        mentors=Count("id", filter=Q(role=Role.MENTOR)),
        blocked=Count("id", filter=Q(is_blocked=True)),
    )
    mentors = MentorProfile.objects.aggregate(
        approved=Count("id", filter=Q(status=MentorStatus.APPROVED)),
        pending=Count("id", filter=Q(status=MentorStatus.PENDING)),
    )
    sessions = Session.objects.aggregate(
        live=Count("id", filter=Q(status=SessionStatus.LIVE)),
        upcoming=Count("id", filter=Q(status=SessionStatus.SCHEDULED, start__gt=now)),
        completed=Count("id", filter=Q(status=SessionStatus.COMPLETED)),
    )
    bookings = Booking.objects.aggregate(
        confirmed=Count("id", filter=Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED])),
    )
    return {"users": users, "mentors": mentors, "sessions": sessions, "bookings": bookings, "money": admin_money()}


def admin_money() -> dict[str, int]:
    """GMV (captured payments), refunds and platform revenue (from the ledger), in paise."""
    from apps.payments.ledger import PLATFORM_REVENUE
    from apps.payments.models import LedgerEntry, Payment, PaymentStatus

    captured = [PaymentStatus.PAID, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED]
    pay = Payment.objects.filter(status__in=captured).aggregate(gmv=Sum("amount_paise"), refunded=Sum("refunded_paise"))
    revenue = LedgerEntry.objects.filter(account__code=PLATFORM_REVENUE).aggregate(s=Sum("amount_paise"))["s"]
    return {
        "gmv": int(pay["gmv"] or 0),
        "refunded": int(pay["refunded"] or 0),
        "platform_revenue": -int(revenue or 0),  # credit-normal account
    }


def learner_recent_requests(user: User, *, limit: int = 10) -> list[Any]:
    """The learner's latest session requests with their pending-offer count (one query)."""
    from apps.requests.models import OfferStatus, SessionRequest

    return list(
        SessionRequest.objects.filter(learner=user)
        .select_related("domain")
        .annotate(offer_count=Count("offers", filter=Q(offers__status=OfferStatus.PENDING)))
        .order_by("-created_at", "-id")[:limit]
    )


def learner_activity(bookings: list[Booking], requests: list[Any], *, limit: int = 10) -> list[dict[str, Any]]:
    """Bookings and requests merged newest first, for the "All" tab."""
    rows: list[dict[str, Any]] = [{"kind": "booking", "at": b.created_at, "obj": b} for b in bookings]
    rows += [{"kind": "request", "at": r.created_at, "obj": r} for r in requests]
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows[:limit]


def mentor_pending_requests(user: User, *, limit: int = 5) -> tuple[int, list[Any]]:
    """How many requests wait for this mentor's answer, and the soonest few (direct ones first)."""
    from apps.requests.selectors import actionable_count, mentor_requests

    count = actionable_count(mentor=user)
    if not count:
        return 0, []
    rows = [r for r in mentor_requests(mentor=user, tab="direct")[:limit] if not getattr(r, "has_my_offer", False)]
    if len(rows) < limit:
        rows += [r for r in mentor_requests(mentor=user, tab="board")[:limit] if not getattr(r, "has_my_offer", False)]
    return count, rows[:limit]


def users_for_admin(*, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """The admin's Users list: search by name or email, filter by role and active/blocked, newest
    first. The block reasons of a page's rows come from :func:`attach_block_reasons` (one query for
    the page: as a subquery per row it was evaluated for every user before the sort, 40 s at 10,000)."""
    qs = User.objects.all()
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if status == "blocked":
        qs = qs.filter(is_blocked=True)
    elif status == "active":
        qs = qs.filter(is_blocked=False, is_active=True)
    return qs.select_related("mentor_profile").order_by("-date_joined", "-id")


def attach_block_reasons(users: list[User]) -> list[User]:
    """Set ``block_reason`` on each user: the reason of their latest block (blocked users only)."""
    blocked = {str(u.pk) for u in users if u.is_blocked}
    latest: dict[str, str] = {}
    if blocked:
        entries = AuditEntry.objects.filter(
            action="user.block", object_type=User._meta.label_lower, object_id__in=blocked
        ).order_by("-created_at", "-id")
        for object_id, reason in entries.values_list("object_id", "reason"):
            latest.setdefault(object_id, reason)
    for u in users:
        u.block_reason = latest.get(str(u.pk), "")  # type: ignore[attr-defined]
    return users


def audit_entries(
    *, action: str = "", actor: str = "", obj: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AuditEntry]:
    """The audit log for the admin console, newest first, filtered by action, actor (name or
    email), object ("type" or "type#id", or the name it had) and a day range in the viewer's zone."""
    qs = AuditEntry.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(Q(actor__email__icontains=actor) | Q(actor__full_name__icontains=actor))
    if obj:
        kind, _sep, pk = obj.partition("#")
        qs = (
            qs.filter(object_type=kind.strip(), object_id=pk.strip())
            if pk
            else qs.filter(Q(object_type=obj) | Q(object_repr__icontains=obj))
        )
    return _within_days(qs, "created_at", since, until).order_by("-created_at", "-id")


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def sessions_for_admin(
    *, status: str = "", mentor: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[Session]:
    """Sessions for the admin console, soonest first, with the seats taken (one query per page)."""
    qs = Session.objects.select_related("mentor", "domain").annotate(
        seats_taken=Count("bookings", filter=Q(bookings__status__in=(BookingStatus.CONFIRMED, BookingStatus.COMPLETED)))
    )
    if status:
        qs = qs.filter(status=status)
    if mentor:
        qs = qs.filter(Q(mentor__full_name__icontains=mentor) | Q(mentor__email__icontains=mentor))
    return _within_days(qs, "start", since, until).order_by("start", "id")


def _within_days(qs: QuerySet[Any], field: str, since: date | None, until: date | None) -> QuerySet[Any]:
    """Rows whose ``field`` falls on the days ``since``..``until`` (inclusive) in the viewer's zone."""
    zone = timezone.get_current_timezone()
    if since:
        qs = qs.filter(**{f"{field}__gte": datetime.combine(since, time.min, tzinfo=zone)})
    if until:
        qs = qs.filter(**{f"{field}__lt": datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)})
    return qs


def feedback_for_admin(*, visibility: str = "", max_rating: int | None = None, mentor: str = "") -> QuerySet[Feedback]:
    """Every review, newest first, for the admin's feedback inbox."""
    qs = Feedback.objects.select_related("mentor", "learner", "session")
    if visibility == "hidden":
        qs = qs.filter(hidden_at__isnull=False)
    elif visibility == "visible":
        qs = qs.filter(hidden_at__isnull=True)
    if max_rating:
        qs = qs.filter(rating__lte=max_rating)
    if mentor:
        qs = qs.filter(Q(mentor__full_name__icontains=mentor) | Q(mentor__email__icontains=mentor))
    return qs.order_by("-created_at", "-id")


def payments_for_admin(
    *,
    status: str = "",
    learner: str = "",
    since: date | None = None,
    until: date | None = None,
    min_rupees: Decimal | None = None,
    max_rupees: Decimal | None = None,
) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("learner")
    if status:
        qs = qs.filter(status=status)
    if learner:
        qs = qs.filter(Q(learner__full_name__icontains=learner) | Q(learner__email__icontains=learner))
    if min_rupees is not None:
        qs = qs.filter(amount_paise__gte=int(min_rupees * 100))
    if max_rupees is not None:
        qs = qs.filter(amount_paise__lte=int(max_rupees * 100))
    return _within_days(qs, "created_at", since, until).order_by("-created_at", "-id")


def payment_for_admin(receipt: str) -> Payment:
    """One payment with everything an admin checks: items (booking, session), refunds, attempts
    and ledger legs."""
    return (
        Payment.objects.select_related("learner")
        .prefetch_related(
            "items__booking__session",
            "items__refunds",
            "attempts",
            Prefetch("ledger_txs", queryset=LedgerTransaction.objects.prefetch_related("entries__account")),
        )
        .get(receipt=receipt)
    )


def user_for_admin(pk: int) -> dict[str, Any]:
    """One person for the admin console: the account, their latest bookings (learners) or sessions
    (mentors), payments, and the audit entries about them."""
    person = User.objects.select_related("mentor_profile", "learner_profile").get(pk=pk)
    bookings = Booking.objects.filter(learner=person).select_related("session__mentor").order_by("-created_at")[:20]
    sessions = Session.objects.filter(mentor=person).order_by("-start")[:20]
    paid = Payment.objects.filter(learner=person).order_by("-created_at")[:20]
    entries = AuditEntry.objects.filter(object_type=User._meta.label_lower, object_id=str(person.pk)).select_related(
        "actor"
    )[:20]
    return {
        "person": person,
        "bookings": list(bookings),
        "sessions": list(sessions),
        "payments": list(paid),
        "entries": list(entries),
    }


# The overview's periods: key -> (label, days back; None = since the start).
ADMIN_PERIODS: dict[str, tuple[Any, int | None]] = {
    "today": (_l("Today"), 0),
    "7d": (_l("Last 7 days"), 7),
    "30d": (_l("Last 30 days"), 30),
    "all": (_l("All time"), None),
}


def period_start(period: str, now: datetime) -> datetime | None:
    days = ADMIN_PERIODS[period][1]
    if days is None:
        return None
    local_midnight = datetime.combine(timezone.localdate(now), time.min, tzinfo=timezone.get_current_timezone())
    return local_midnight - timedelta(days=days)


def admin_period_kpis(since: datetime | None, now: datetime | None = None) -> dict[str, Any]:
    """What happened in a period: GMV (payments captured in it), refunds processed in it and the
    refund rate, platform revenue posted in it, payouts to mentors paid in it (net of those the bank
    returned in it), active learners and mentors (sessions in it), sessions completed, and mentor
    no-shows with their rate. Money in paise; a handful of queries."""
    from apps.payments.ledger import PLATFORM_REVENUE
    from apps.payments.models import LedgerEntry, Refund, RefundStatus
    from apps.payments.selectors import paid_out
    from apps.workflows.sessions import NO_SHOW_REASON

    now = now or timezone.now()

    def window(field: str) -> Q:
        q = Q(**{f"{field}__lte": now})
        return q & Q(**{f"{field}__gte": since}) if since else q

    gmv = Payment.objects.filter(window("paid_at")).aggregate(s=Sum("amount_paise"))["s"] or 0
    refunds = (
        Refund.objects.filter(window("processed_at"), status=RefundStatus.PROCESSED).aggregate(s=Sum("amount_paise"))[
            "s"
        ]
        or 0
    )
    revenue = -(
        LedgerEntry.objects.filter(window("transaction__created_at"), account__code=PLATFORM_REVENUE).aggregate(
            s=Sum("amount_paise")
        )["s"]
        or 0
    )
    held = Session.objects.filter(window("start"))
    completed = held.filter(status=SessionStatus.COMPLETED).count()
    no_shows = (
        Booking.objects.filter(window("session__start"), cancellation_reason=NO_SHOW_REASON)
        .values("session_id")
        .distinct()
        .count()
    )
    active = Booking.objects.filter(
        window("session__start"), status__in=(BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
    ).aggregate(learners=Count("learner_id", distinct=True), mentors=Count("session__mentor_id", distinct=True))
    return {
        "gmv": int(gmv),
        "refunds": int(refunds),
        "refund_rate": round(100 * refunds / gmv, 1) if gmv else None,
        "revenue": int(revenue),
        "payouts": paid_out(window("transaction__created_at")),
        "completed": completed,
        "no_shows": no_shows,
        "no_show_rate": round(100 * no_shows / (completed + no_shows), 1) if completed + no_shows else None,
        "learners": active["learners"],
        "mentors": active["mentors"],
    }


def admin_live_now(now: datetime | None = None, *, limit: int = 10) -> list[Session]:
    """Sessions in progress or about to start (within 15 minutes), for the overview's "Live now";
    their badges and participant counts then follow the presence socket."""
    now = now or timezone.now()
    return list(
        Session.objects.filter(
            Q(status=SessionStatus.LIVE)
            | Q(status=SessionStatus.SCHEDULED, start__lte=now + timedelta(minutes=15), end__gt=now)
        )
        .select_related("mentor")
        .order_by("start", "id")[:limit]
    )


# --- Overview charts and queues -----------------------------------------------------------------

# A chart covers at most this many days bucketed by day; longer spans (all time) go by month.
DAILY_BUCKETS_UP_TO = 92
STALE_PAYMENT_AFTER = timedelta(minutes=15)


def custom_period(since: date, until: date, now: datetime) -> tuple[datetime, datetime]:
    """The instants a custom From/To day range covers in the viewer's zone (never past ``now``)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    return start, min(end, now)


def _buckets(start: date, end: date, by_month: bool) -> list[date]:
    out: list[date] = []
    day = start.replace(day=1) if by_month else start
    while day <= end:
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1) if by_month else day + timedelta(days=1)
    return out


def admin_series(since: datetime | None, until: datetime) -> dict[str, Any]:
    """Revenue and growth over a period, one point per day (per month past ``DAILY_BUCKETS_UP_TO``
    days): GMV captured, platform revenue posted and refunds processed, in rupees; learners and
    mentors who joined. Five grouped queries (six for all time). ``empty`` when nothing happened."""
    from django.db.models import Min
    from django.db.models.functions import TruncDate, TruncMonth

    from apps.payments.ledger import PLATFORM_REVENUE
    from apps.payments.models import LedgerEntry, Refund, RefundStatus

    zone = timezone.get_current_timezone()
    if since is None:
        first = User.objects.aggregate(at=Min("date_joined"))["at"] or until
        since = datetime.combine(timezone.localdate(first), time.min, tzinfo=zone)
    start_day, end_day = timezone.localdate(since), timezone.localdate(until - timedelta(microseconds=1))
    end_day = max(end_day, start_day)
    by_month = (end_day - start_day).days + 1 > DAILY_BUCKETS_UP_TO
    buckets = _buckets(start_day, end_day, by_month)
    index = {b: i for i, b in enumerate(buckets)}

    def grouped(qs: QuerySet[Any], field: str, value: Any) -> list[int]:
        trunc = TruncMonth(field, tzinfo=zone) if by_month else TruncDate(field, tzinfo=zone)
        rows = qs.filter(**{f"{field}__gte": since, f"{field}__lt": until}).annotate(b=trunc).values("b")
        out = [0] * len(buckets)
        for row in rows.annotate(v=value).order_by("b"):
            key = row["b"].date() if isinstance(row["b"], datetime) else row["b"]
            if key in index:
                out[index[key]] += int(row["v"] or 0)
        return out

    gmv = grouped(Payment.objects.all(), "paid_at", Sum("amount_paise"))
    refunds = grouped(Refund.objects.filter(status=RefundStatus.PROCESSED), "processed_at", Sum("amount_paise"))
    revenue = [
        -v
        for v in grouped(
            LedgerEntry.objects.filter(account__code=PLATFORM_REVENUE), "transaction__created_at", Sum("amount_paise")
        )
    ]
    learners = grouped(User.objects.filter(role=Role.LEARNER), "date_joined", Count("id"))
    mentors = grouped(User.objects.filter(role=Role.MENTOR), "date_joined", Count("id"))
    label = "%b %Y" if by_month else "%d %b"
    labels = [b.strftime(label).lstrip("0") for b in buckets]
    money = {"gmv": gmv, "revenue": revenue, "refunds": refunds}
    rupees = {k: [f"{v / 100:,.2f}" for v in vs] for k, vs in money.items()}
    rows = [
        {"label": labels[i], "learners": learners[i], "mentors": mentors[i], **{k: rupees[k][i] for k in rupees}}
        for i in range(len(buckets))
    ]
    return {
        "rows": rows,
        "unit": "month" if by_month else "day",
        "labels": labels,
        "gmv": [round(v / 100, 2) for v in gmv],
        "revenue": [round(v / 100, 2) for v in revenue],
        "refunds": [round(v / 100, 2) for v in refunds],
        "learners": learners,
        "mentors": mentors,
        "money_empty": not any(gmv) and not any(refunds) and not any(revenue),
        "growth_empty": not any(learners) and not any(mentors),
    }


def admin_queues(now: datetime | None = None) -> dict[str, int]:
    """What waits for an admin: mentors to approve, low reviews still on profiles (last 30 days),
    hidden reviews, and payments the gateway has not confirmed for ``STALE_PAYMENT_AFTER``
    (within the 3 days reconciliation still asks about), withdrawals waiting for a decision and
    payouts that failed (the admin retries them). One query each."""
    from apps.payments.models import PaymentStatus, Withdrawal, WithdrawalStatus

    now = now or timezone.now()
    withdrawals = Withdrawal.objects.aggregate(
        requested=Count("id", filter=Q(status=WithdrawalStatus.REQUESTED)),
        failed=Count("id", filter=Q(status=WithdrawalStatus.FAILED)),
    )
    reviews = Feedback.objects.aggregate(
        low=Count("id", filter=Q(hidden_at__isnull=True, rating__lte=2, created_at__gte=now - timedelta(days=30))),
        hidden=Count("id", filter=Q(hidden_at__isnull=False)),
    )
    return {
        "mentor_approvals": MentorProfile.objects.filter(status=MentorStatus.PENDING).count(),
        "low_reviews": reviews["low"],
        "hidden_reviews": reviews["hidden"],
        "stale_payments": Payment.objects.filter(
            status=PaymentStatus.CREATED,
            created_at__lte=now - STALE_PAYMENT_AFTER,
            created_at__gte=now - timedelta(days=3),
        ).count(),
        "withdrawals": withdrawals["requested"],
        "failed_payouts": withdrawals["failed"],
    }
