"""Catalogue reads: session search/filter/sort, session detail, mentor listing/profile.

Every list is a constant number of queries whatever the number of rows (pinned by tests): one page
query with the mentor/domain joined and ``seats_left`` annotated, one COUNT for the paginator (a
search sorted by relevance ranks and counts its matches by id in one query, then reads the page's
rows by id: ``ranked_page``), and (mentors) one prefetch for domains."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.functional import cached_property

from apps.accounts.models import MentorProfile, MentorStatus, User
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus, live_first
from apps.catalog.search import AnyOf, session_vector
from apps.core import versions
from apps.progress.models import Feedback
from apps.progress.selectors import mentor_reviews as reviews_for_mentor
from apps.rooms.selectors import LIVE_AND_SOON_HORIZON, live_and_soon
from apps.taxonomy.models import Domain

SORTS = ("soonest", "price_asc", "price_desc", "rating", "relevance")
WINDOWS = ("", "today", "24h", "week", "custom")


@dataclass
class SessionFilters:
    q: str = ""
    domain: str = ""
    price: str = ""  # "", "free", "paid"
    min_price: int | None = None  # rupees
    max_price: int | None = None
    when: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None
    language: str = ""
    seats: bool = False
    sort: str = ""

    def effective_sort(self) -> str:
        """The order the results come in: the chosen one, or relevance for a search and soonest
        otherwise (relevance without search words is soonest too)."""
        q = self.q.strip()
        sort = self.sort if self.sort in SORTS else ("relevance" if q else "soonest")
        return "soonest" if sort == "relevance" and not q else sort

    def active_count(self) -> int:
        """How many filters narrow the results (the sort order does not)."""
        price_range = self.min_price is not None or self.max_price is not None
        dates = self.when or self.date_from or self.date_to
        return sum(map(bool, (self.q, self.domain, self.price, price_range, dates, self.language, self.seats)))


def with_seats(qs: QuerySet[Session], now: datetime) -> QuerySet[Session]:
    """Annotate ``seats_taken``/``seats_left`` with a correlated subquery (not a JOIN + GROUP BY),
    so a sorted, limited page only counts bookings for the rows it returns."""

    held = (
        Booking.objects.holding_seat(now)
        .filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return qs.annotate(
        seats_taken=Coalesce(Subquery(held, output_field=IntegerField()), 0),
        seats_left=Greatest(F("capacity") - F("seats_taken"), 0, output_field=IntegerField()),
    )


def visible_sessions(now: datetime | None = None) -> QuerySet[Session]:
    """Sessions the public catalogue shows: live now or scheduled in the future, by active mentors."""
    return Session.objects.visible(now or timezone.now())


def search_sessions(
    f: SessionFilters, now: datetime | None = None, *, for_count: bool = False, seat_counts: bool = True
) -> QuerySet[Session]:
    """The filtered, sorted catalogue. ``for_count=True`` returns just the filtered rows (no joins,
    annotations or ordering) for the paginator's COUNT; not valid with the seats filter.
    ``seat_counts=False`` leaves the seat counts out (for a query that only reads ids and order:
    ``ranked_page``); not valid with the seats filter either."""
    now = now or timezone.now()
    qs = visible_sessions(now).select_related("mentor", "domain", "mentor__mentor_profile")
    q = f.q.strip()
    if q:
        terms = [t for t in q.split() if t][:6]
        qs = qs.annotate(topics_text=Cast("topics", TextField()))
        for term in terms:
            own = Q(title__icontains=term) | Q(description__icontains=term) | Q(topics_text__icontains=term)
            if connection.vendor == "postgresql":
                # The mentor's name as "mentor_id = ANY(ARRAY(matching users))", so that with the
                # trigram indexes on the other three the match is a BitmapOr of index scans.
                named = User.objects.filter(full_name__icontains=term).values("pk")
                qs = qs.filter(own | AnyOf(F("mentor_id"), Subquery(named)))
            else:
                qs = qs.filter(own | Q(mentor__full_name__icontains=term))
    if f.domain:
        qs = qs.filter(domain__slug=f.domain)
    if f.price == "free":
        qs = qs.filter(price_paise=0)
    elif f.price == "paid":
        qs = qs.filter(price_paise__gt=0)
    if f.min_price is not None:
        qs = qs.filter(price_paise__gte=f.min_price * 100)
    if f.max_price is not None:
        qs = qs.filter(price_paise__lte=f.max_price * 100)
    if f.when == "today":
        local = timezone.localtime(now)
        end_of_day = local.replace(hour=23, minute=59, second=59, microsecond=999999)
        qs = qs.filter(start__lte=end_of_day)
    elif f.when == "24h":
        qs = qs.filter(start__lte=now + timedelta(hours=24))
    elif f.when == "week":
        qs = qs.filter(start__lte=now + timedelta(days=7))
    elif f.when == "custom":
        if f.date_from:
            qs = qs.filter(start__gte=f.date_from)
        if f.date_to:
            qs = qs.filter(start__lt=f.date_to)
    if f.language:
        qs = qs.filter(language__iexact=f.language)
    if for_count:
        return qs.select_related(None).order_by()
    if seat_counts:
        qs = with_seats(qs, now)
    elif f.seats:
        raise ValueError("the seats filter needs the seat counts")
    qs = qs.annotate(live_rank=live_first())
    if f.seats:
        qs = qs.filter(seats_left__gt=0)  # type: ignore[misc]
    sort = f.effective_sort()
    if sort == "relevance" and connection.vendor == "postgresql":
        # PostgreSQL: rank with its full-text machinery (title A, topics/mentor B, description C),
        # from the vectors stored with each row (only the mentor's name is parsed per search).
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(q, search_type="websearch", config="simple")
        # Every match is scored before the sort, so no index order can save work here. Ordered by
        # ``live_rank`` itself, the planner walked session_live_start_idx (whose leading expression
        # it is) and tested every visible session's text on the way, instead of collecting the
        # matches from the trigram indexes: 19-24 ms against 7-15 ms for one word on 12,000
        # sessions. The same order, "+ 0" keeps it out of that index's reach.
        qs = qs.annotate(score=SearchRank(session_vector(), query), live_order=F("live_rank") + Value(0))
        return qs.order_by("live_order", "-score", "start", "id")
    if sort == "relevance":
        qs = qs.annotate(
            score=Case(When(title__icontains=q, then=Value(8)), default=Value(0), output_field=IntegerField())
            + Case(When(topics_text__icontains=q, then=Value(4)), default=Value(0), output_field=IntegerField())
            + Case(When(mentor__full_name__icontains=q, then=Value(2)), default=Value(0), output_field=IntegerField())
            + Case(When(description__icontains=q, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        return qs.order_by("live_rank", "-score", "start", "id")
    if sort == "price_asc":
        return qs.order_by("price_paise", "start", "id")
    if sort == "price_desc":
        return qs.order_by("-price_paise", "start", "id")
    if sort == "rating":
        return qs.order_by(F("mentor__mentor_profile__rating").desc(nulls_last=True), "start", "id")
    return qs.order_by("live_rank", "start", "id")


def sessions_in_order(ids: list[int], now: datetime | None = None) -> list[Session]:
    """The sessions ``ids`` names that are still visible, in that order, with seats (one query)."""
    now = now or timezone.now()
    qs = with_seats(
        visible_sessions(now).filter(pk__in=ids).select_related("mentor", "domain", "mentor__mentor_profile"), now
    )
    found = {s.pk: s for s in qs}
    return [found[pk] for pk in ids if pk in found]


class CountedPaginator(Paginator):
    """Counts with a plain filtered query instead of wrapping the annotated page query, or takes a
    count already known."""

    def __init__(self, object_list: Any, per_page: int, *, count_qs: Any = None, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self._count_qs = count_qs
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known if self._known is not None else int(self._count_qs.count())


def ranks_every_match(f: SessionFilters) -> bool:
    """Whether the sort reads every match (relevance: each match's score), so that counting them in
    the same query costs next to nothing, where a sort by an indexed column stops at the page."""
    return f.effective_sort() == "relevance"


def _known_page(rows: list[Session], number: int, per_page: int, count: int) -> Page:
    """Page ``number`` of ``rows`` already read, out of ``count`` matches already counted."""
    return Page(rows, number, CountedPaginator(rows, per_page, count=count))


def _counted_slice(
    qs: QuerySet[Session], number: str | None, per_page: int, *, ids: bool = False
) -> tuple[int, list[Any], int] | None:
    """Page ``number`` of ``qs`` (its rows, or only their ids) and how many rows ``qs`` has, from one
    query: ``COUNT(*) OVER ()`` is counted over every match before the LIMIT. None for a page number
    that is not a plain positive number or lies past the end: those are left to Paginator.get_page,
    which counts first (page 1, or the last page)."""
    wanted = int(number) if number and number.isdigit() else (1 if not number else 0)
    if wanted < 1:
        return None
    start = (wanted - 1) * per_page
    counted = qs.annotate(matches=Window(Count("pk")))
    if ids:
        hits = list(counted.values_list("pk", "matches")[start : start + per_page])
        items: list[Any] = [pk for pk, _ in hits]
        count = hits[0][1] if hits else 0
    else:
        items = list(counted[start : start + per_page])
        count = items[0].matches if items else 0
    if not items and wanted > 1:
        return None
    return wanted, items, count


def counted_page(qs: QuerySet[Session], number: str | None, per_page: int) -> Page:
    """A page of ``qs`` and its count from one query, when the sort has to read every match anyway
    (instead of a second query that filters every row again)."""
    found = _counted_slice(qs, number, per_page)
    if found is None:
        return CountedPaginator(qs, per_page, count_qs=qs.order_by()).get_page(number)
    wanted, rows, count = found
    return _known_page(rows, wanted, per_page, count)


def ranked_page(filters: SessionFilters, number: str | None, per_page: int, now: datetime) -> Page:
    """A page of a search sorted by relevance, in two queries: the ranking reads only ids, scores
    and the match count (every match has to be scored to sort them, but only by id: no seat counts,
    no mentor profile or domain columns carried through the sort), then the page's rows are read by
    id with their seats. In one query PostgreSQL counted the seats of every match, not only of the
    page's: thousands of index probes into the bookings for a common word. Not for the seats filter
    (which needs every match's seats to filter on); a page past the end goes through
    ``counted_page``."""
    found = _counted_slice(search_sessions(filters, now, seat_counts=False), number, per_page, ids=True)
    if found is None:
        return counted_page(search_sessions(filters, now), number, per_page)
    wanted, ids, count = found
    return _known_page(sessions_in_order(ids, now), wanted, per_page, count)


LISTING_SECONDS = 60  # a cached page of matches is re-checked for sessions that started since


def catalogue_page(filters: SessionFilters, number: str | None, *, per_page: int, now: datetime | None = None) -> Page:
    """One page of the catalogue. The search itself (which sessions match, in what order, how many)
    is cached under the LISTING version, which bookings do not move; the page's rows are then read
    fresh by id, with their seats, dropping any that stopped being visible since. So a booking
    re-renders the cards with the new seats without re-running the search (on PostgreSQL the
    search was 20-50 ms of database time per page with 10,000 sessions). The "only with seats left"
    filter depends on seats: it always searches afresh."""
    now = now or timezone.now()
    if filters.seats:  # seats are counted for every match anyway: count the matches alongside
        return counted_page(search_sessions(filters, now), number, per_page)
    # Sessions written by another process cannot move this process's cache version in the embedded
    # profile (local-memory cache): their fingerprint is in the key too.
    version = versions.current(versions.LISTING)
    fingerprint = hashlib.sha256(repr(Session.objects.fingerprint()).encode()).hexdigest()[:16]
    query = hashlib.sha256(f"{filters!r}|{number}|{per_page}".encode()).hexdigest()[:32]
    key = f"listing:{version}:{fingerprint}:{query}"
    found = cache.get(key)
    if found is None:
        if ranks_every_match(filters):
            page = ranked_page(filters, number, per_page, now)
        else:  # an index walk that stops at the page, and a COUNT without the joins
            count_qs = search_sessions(filters, now, for_count=True)
            page = CountedPaginator(search_sessions(filters, now), per_page, count_qs=count_qs).get_page(number)
        cache.set(key, ([s.pk for s in page.object_list], page.paginator.count, page.number), LISTING_SECONDS)
        return page
    ids, count, page_number = found
    return _known_page(sessions_in_order(ids, now), page_number, per_page, count)


def languages() -> list[str]:
    """Languages offered in the catalogue (for the filter); cached for a minute."""
    value = cache.get("catalog:languages")
    if value is None:
        value = sorted(set(visible_sessions().order_by().values_list("language", flat=True).distinct()[:30]))
        cache.set("catalog:languages", value, 60)
    return list(value)


def domains() -> QuerySet[Domain]:
    return Domain.objects.all().only("id", "name", "slug")


def session_detail(pk: int, now: datetime | None = None, *, taken: int | None = None) -> Session:
    """One session with its mentor and seats. ``taken``: its seats already counted (``seats_taken``)
    by a caller that keys a cache on them, so the page shows exactly the seats its key says (and
    they are not counted twice)."""
    now = now or timezone.now()
    qs = Session.objects.select_related("mentor", "domain", "mentor__mentor_profile").filter(
        mentor__is_active=True, mentor__is_blocked=False
    )
    if taken is None:
        return with_seats(qs, now).get(pk=pk)
    session = qs.get(pk=pk)
    session.seats_taken = taken  # type: ignore[attr-defined]
    session.seats_left = max(session.capacity - taken, 0)  # type: ignore[attr-defined]
    return session


def seats_taken(pk: int, now: datetime) -> int:
    """The seats of session ``pk`` held at ``now`` (one COUNT on the bookings' session index)."""
    return Booking.objects.holding_seat(now).filter(session_id=pk).count()


def mentor_upcoming_sessions(mentor_id: int, *, limit: int = 12, now: datetime | None = None) -> list[Session]:
    now = now or timezone.now()
    qs = visible_sessions(now).filter(mentor_id=mentor_id).select_related("mentor", "domain")
    return list(with_seats(qs, now).order_by("start", "id")[:limit])


# --- mentors --------------------------------------------------------------------------------


@dataclass
class MentorFilters:
    q: str = ""
    domain: str = ""
    min_rating: float | None = None
    next24h: bool = False


def search_mentors(f: MentorFilters, now: datetime | None = None) -> QuerySet[MentorProfile]:
    now = now or timezone.now()
    qs = MentorProfile.objects.filter(status=MentorStatus.APPROVED, user__is_active=True, user__is_blocked=False)
    q = f.q.strip()
    if q:
        qs = qs.annotate(skills_text=Cast("skills", TextField()))
        for term in q.split()[:6]:
            qs = qs.filter(
                Q(user__full_name__icontains=term)
                | Q(bio__icontains=term)
                | Q(skills_text__icontains=term)
                | Q(domains__name__icontains=term)
            )
        qs = qs.distinct()
    if f.domain:
        qs = qs.filter(domains__slug=f.domain)
    if f.min_rating is not None:
        qs = qs.filter(rating__gte=f.min_rating)
    soon = Session.objects.filter(
        mentor_id=OuterRef("user_id"),
        status=SessionStatus.SCHEDULED,
        start__gt=now,
        start__lte=now + timedelta(hours=24),
    )
    qs = qs.annotate(has_soon=Exists(soon))
    if f.next24h:
        qs = qs.filter(has_soon=True)
    return (
        qs.select_related("user")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.only("id", "name", "slug")))
        .order_by(F("rating").desc(nulls_last=True), "-sessions_taught", "id")
    )


def mentor_profile(user_id: int) -> MentorProfile:
    return (
        MentorProfile.objects.filter(status=MentorStatus.APPROVED, user__is_active=True, user__is_blocked=False)
        .select_related("user")
        .prefetch_related("domains")
        .get(user_id=user_id)
    )


def mentor_reviews(user_id: int, *, limit: int = 20) -> list[Feedback]:
    """The mentor's public reviews, newest first (the progress app owns them)."""
    return list(reviews_for_mentor(mentor_id=user_id, limit=limit))


# --- mentor dashboard ---------------------------------------------------------------------------


def mentor_sessions(mentor: User, *, tab: str, now: datetime | None = None) -> QuerySet[Session]:
    now = now or timezone.now()
    qs: QuerySet[Session] = Session.objects.filter(mentor=mentor).select_related("domain")
    if tab == "live":
        qs = live_and_soon(qs, now)
    elif tab == "past":
        qs = qs.filter(Q(end__lte=now) | Q(status__in=(SessionStatus.COMPLETED, SessionStatus.CANCELLED))).order_by(
            "-start"
        )
    else:
        qs = qs.filter(start__gte=now + LIVE_AND_SOON_HORIZON).exclude(status=SessionStatus.CANCELLED).order_by("start")

    return with_seats(qs, now).prefetch_related(
        Prefetch(
            "bookings",
            queryset=Booking.objects.filter(
                status__in=(BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.PENDING_PAYMENT)
            ).select_related("learner"),
            to_attr="active_bookings",
        )
    )


# --- landing page ----------------------------------------------------------------------------

LANDING_SESSION_LIMIT = 8
LANDING_MENTOR_LIMIT = 6


def landing_sessions(*, limit: int = LANDING_SESSION_LIMIT) -> list[Session]:
    """Live sessions first, then the soonest upcoming scheduled ones — one query.

    Each session carries ``seats_left`` (capacity minus ``Booking.objects.holding_seat``, never
    below 0) and has its mentor and domain joined.
    """
    now = timezone.now()
    qs = (
        with_seats(Session.objects.visible(now), now)
        .select_related("mentor", "domain")
        .annotate(live_rank=live_first())
        .order_by("live_rank", "start", "id")
    )
    return list(qs[:limit])


def top_mentors(*, limit: int = LANDING_MENTOR_LIMIT) -> QuerySet[MentorProfile]:
    """Approved mentors: the ones an admin featured first, then by rating (unrated last), then
    sessions taught — two queries when evaluated (profiles with users; their domains)."""
    return (
        MentorProfile.objects.filter(status=MentorStatus.APPROVED, user__is_active=True, user__is_blocked=False)
        .select_related("user")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.only("id", "name", "slug")))
        .order_by("-is_featured", F("rating").desc(nulls_last=True), "-sessions_taught", "id")[:limit]
    )
