"""The catalogue search on PostgreSQL (migration catalog 0007): the stored search vectors rank
exactly as the four SearchVectors computed per search did, a mentor's name still matches, the
page and its count come from one query, and the catalogue's relevance pages rank by id before
reading the page's rows with their seats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session
from apps.catalog.search import session_vector
from apps.catalog.tests.factories import make_session, make_user
from apps.site.selectors import SessionFilters, counted_page, ranked_page, search_sessions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the stored vectors and trigram indexes exist on PostgreSQL only")


@pytest.fixture
def sessions() -> list[Session]:
    ada = make_user(Role.MENTOR, name="Ada Statistics Lovelace")
    grace = make_user(Role.MENTOR, name="Grace Hopper")
    rows = [
        (grace, "Statistics for statistics people", "Means", ["maths"]),
        (grace, "Cooking", "We mention statistics once", ["food"]),
        (ada, "Knitting", "Purl and plain", ["crafts"]),
        (grace, "Data work", "statistics, statistics", ["statistics"]),
        (grace, "Python statistics", "Pandas", ["python", "stats"]),
    ]
    soon = timezone.now() + timedelta(days=2)
    return [
        make_session(mentor=m, title=t, description=d, topics=topics, start=soon + timedelta(hours=3 * i))
        for i, (m, t, d, topics) in enumerate(rows)
    ]


@pytest.mark.parametrize("q", ["statistics", "python statistics", "statistics -cooking", '"plain"'])
def test_stored_vectors_rank_as_the_vectors_computed_per_search(sessions, q):
    query = SearchQuery(q, search_type="websearch", config="simple")
    computed = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector(Cast("topics", TextField()), weight="B", config="simple")
        + SearchVector("mentor__full_name", weight="B", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )
    rows = Session.objects.annotate(
        stored=SearchRank(session_vector(), query), computed=SearchRank(computed, query)
    ).values_list("title", "stored", "computed")
    assert len(rows) == len(sessions)
    for title, stored, computed_rank in rows:
        assert stored == pytest.approx(computed_rank), title
    assert any(stored > 0 for _, stored, _ in rows)


def test_a_search_matches_the_mentors_name_and_counts_in_the_page_query(sessions):
    with CaptureQueriesContext(connection) as ctx:
        page = counted_page(search_sessions(SessionFilters(q="lovelace")), "1", 12)
    assert [s.title for s in page.object_list] == ["Knitting"]
    assert page.paginator.count == 1
    assert len(ctx.captured_queries) == 1
    assert "= ANY(ARRAY(SELECT" in ctx.captured_queries[0]["sql"]

    page = counted_page(search_sessions(SessionFilters(q="statistics")), "1", 2)
    assert page.paginator.count == 5  # every session: four by their own text, Knitting by its mentor
    assert page.paginator.num_pages == 3 and len(page.object_list) == 2
    assert page.object_list[0].title == "Statistics for statistics people"  # twice in the title (A)


@pytest.mark.parametrize(("q", "number"), [("statistics", "1"), ("statistics", "2"), ("lovelace", "1"), ("zzz", "1")])
def test_ranked_page_is_the_one_query_page_in_two_narrow_queries(sessions, q, number):
    learner = make_user(Role.LEARNER, name="Seat Holder")
    Booking.objects.create(
        session=sessions[3], learner=learner, status=BookingStatus.CONFIRMED, price_paise=sessions[3].price_paise
    )
    now = timezone.now()
    one = counted_page(search_sessions(SessionFilters(q=q), now), number, 2)
    with CaptureQueriesContext(connection) as ctx:
        two = ranked_page(SessionFilters(q=q), number, 2, now)
    assert [s.pk for s in two.object_list] == [s.pk for s in one.object_list]
    assert [s.seats_left for s in two.object_list] == [s.seats_left for s in one.object_list]
    assert (two.number, two.paginator.count) == (one.number, one.paginator.count)
    queries = [c["sql"] for c in ctx.captured_queries]
    assert len(queries) == (2 if one.object_list else 1)  # no rows: nothing to read by id
    # The ranking counts no seats and carries no profile columns; only the page's rows are read with
    # their seats (a filter on their ids).
    assert "bookings_booking" not in queries[0] and "accounts_mentorprofile" not in queries[0]
    assert "ts_rank" in queries[0] and "OVER ()" in queries[0]
    if one.object_list:
        assert "bookings_booking" in queries[1] and "ts_rank" not in queries[1]


def test_relevance_order_is_not_the_live_start_index_order(sessions):
    """Ordered by the index's own leading expression, the planner walked session_live_start_idx and
    tested every session's text instead of using the trigram indexes (see search_sessions)."""
    with CaptureQueriesContext(connection) as ctx:
        page = ranked_page(SessionFilters(q="python"), "1", 12, timezone.now())
    assert [s.title for s in page.object_list] == ["Python statistics"]
    first_key = ctx.captured_queries[0]["sql"].rsplit("ORDER BY", 1)[1].split(" ASC")[0]
    assert "CASE WHEN" in first_key and first_key.rstrip().endswith("+ 0)")


def test_ranked_page_past_the_end_shows_the_last_page(sessions):
    page = ranked_page(SessionFilters(q="statistics"), "9", 2, timezone.now())
    assert (page.number, page.paginator.count, len(page.object_list)) == (3, 5, 1)


@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        ("title__icontains", "session_title_trgm_idx"),
        ("description__icontains", "session_description_trgm_idx"),
        ("topics_text__icontains", "session_topics_trgm_idx"),
    ],
)
def test_each_icontains_of_the_search_can_use_its_trigram_index(sessions, lookup, index):
    """The index expressions are the ones the search's lookups compile to (a handful of rows would
    be read in full anyway: only index scans are left to the planner)."""
    qs = Session.objects.annotate(topics_text=Cast("topics", TextField())).filter(**{lookup: "knitting"})
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {index}" in plan
