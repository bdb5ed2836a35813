"""Demo data for following, recommendations and mentor analytics (issue 11 items 3-5).

A community of learners follows the demo mentors over the past ten weeks, and three mentors have
held sessions every week or so: learners booked them (free ones directly, paid ones through the
sandbox Checkout), the sessions completed and learners rated them. All through the real services
with the clock moved back, so Following lists, follower counts, the analytics charts and the
recommendations a visitor sees come from ordinary rows. Runs once: a second call changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import time_machine
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import create_user
from apps.bookings.models import BookingStatus
from apps.catalog import services as catalog
from apps.catalog.models import Session
from apps.progress.services import submit_feedback
from apps.taxonomy.models import Domain
from apps.workflows.booking import book_and_pay
from apps.workflows.follows import publish_session
from apps.workflows.sessions import complete_session

EMAIL_DOMAIN = "demo.peerlearn.in"
PASSWORD = "PeerLearn@Demo26"  # noqa: S105 - the documented, public demo password

COMMUNITY: list[tuple[str, list[str], str]] = [
    ("Rhea Kapoor", ["Python", "Django"], "Backend developer"),
    ("Siddharth Nair", ["Machine Learning", "Python"], "Data scientist"),
    ("Tanvi Shah", ["Figma", "UI Design"], "Product designer"),
    ("Harsh Vardhan", ["JEE Main", "Calculus"], "Crack JEE"),
    ("Meghna Das", ["Spoken English", "Public Speaking"], "Speak confidently at work"),
    ("Yash Malhotra", ["AWS", "Docker"], "DevOps engineer"),
    ("Nandini Rao", ["Personal Finance", "Mutual Funds"], "Plan my finances"),
    ("Aditi Bose", ["Resume Review", "Mock Interview"], "Land a product role"),
    ("Kunal Bhatt", ["Python", "SQL"], "Data analyst"),
    ("Sana Sheikh", ["UX Research", "Accessibility"], "UX researcher"),
    ("Vivek Pillai", ["Kubernetes", "Linux"], "Site reliability engineer"),
    ("Ira Sengupta", ["Carnatic Vocal", "Music Theory"], "Perform on stage"),
    ("Manav Arora", ["CAT", "Probability"], "MBA admission"),
    ("Zoya Khan", ["Django", "REST APIs"], "Full-stack developer"),
    ("Rohit Saxena", ["Statistics", "Machine Learning"], "ML engineer"),
    ("Divya Menon", ["Figma", "Design Systems"], "Design lead"),
]

# The mentors whose past weeks are filled in (the analytics page shows believable charts).
ACTIVE_MENTORS = ("Priya Sharma", "Arjun Mehta", "Ananya Iyer")
WEEKS = 9
COMMENTS = [
    "Clear explanations and a useful list of next steps.",
    "Went through my code line by line. Worth it.",
    "Patient and practical; I finally understand it.",
    "Good session, a little rushed at the end.",
    "",
]


def email_for(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@{EMAIL_DOMAIN}"


def _community() -> list[User]:
    people = []
    for name, interests, goal in COMMUNITY:
        user = User.objects.filter(email=email_for(name)).first()
        if user is None:
            user = create_user(
                email=email_for(name),
                password=PASSWORD,
                full_name=name,
                role=Role.LEARNER,
                email_verified=True,
                interests=interests,
                career_goal=goal,
            )
        people.append(user)
    return people


def _mentor_text(mentor: User) -> str:
    profile = mentor.mentor_profile
    return " ".join([*(str(s) for s in profile.skills), *(d.name for d in profile.domains.all())]).lower()


def _likes(learner: User, mentor_text: str) -> bool:
    interests = learner.learner_profile.interests or []
    return any(str(i).lower() in mentor_text for i in interests)


def seed_discovery(*, log: Callable[[str], Any], pay: Callable[[User, Session], Any] | None = None) -> dict[str, int]:
    """Followers for every demo mentor and ~two months of held, booked and rated sessions for three
    of them. ``pay`` books and pays a paid session in the sandbox (the seed command's own helper);
    without it only free sessions are booked."""
    if User.objects.filter(email=email_for(COMMUNITY[0][0])).exists():
        return {"followers": 0, "past_sessions": 0, "bookings": 0}
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    now = timezone.now()
    mentors = list(
        User.objects.filter(role=Role.MENTOR, email__endswith="@" + EMAIL_DOMAIN, mentor_profile__status="approved")
        .select_related("mentor_profile")
        .prefetch_related("mentor_profile__domains")
        .order_by("pk")
    )
    learners = _community()
    demo_learners = list(
        User.objects.filter(role=Role.LEARNER, email__endswith="@" + EMAIL_DOMAIN, is_blocked=False)
        .exclude(pk__in=[u.pk for u in learners])
        .select_related("learner_profile")
    )

    # --- followers, spread over ten weeks -------------------------------------------------------
    follows: list[tuple[datetime, User, User]] = []
    for mentor in mentors:
        text = _mentor_text(mentor)
        fans = [u for u in [*learners, *demo_learners] if _likes(u, text)]
        others = [u for u in learners if u not in fans]
        fans += rng.sample(others, k=min(len(others), rng.randint(1, 3)))
        follows.extend(
            (now - timedelta(days=rng.uniform(1, 70), minutes=rng.randint(0, 600)), fan, mentor) for fan in fans
        )
    follows.sort(key=lambda row: row[0])
    for when, fan, mentor in follows:
        with time_machine.travel(when, tick=False):
            catalog.follow(follower=fan, mentor=mentor)
    log(f"  {len(follows)} follows of {len(mentors)} demo mentors")

    # --- past weeks of three mentors ------------------------------------------------------------
    from apps.site.management.commands.seed_demo import MENTORS  # the demo mentors' session seeds

    seeds = {m.name: m for m in MENTORS}
    domains = {d.slug: d for d in Domain.objects.all()}
    held = booked = 0
    for mentor in [m for m in mentors if m.full_name in ACTIVE_MENTORS]:
        mentor_seed = seeds[mentor.full_name]
        text = _mentor_text(mentor)
        keen = [u for u in learners if _likes(u, text)] or learners
        for week in range(WEEKS, 0, -1):
            for seed in rng.sample(mentor_seed.sessions, k=min(len(mentor_seed.sessions), rng.choice((1, 1, 2)))):
                published = now - timedelta(days=7 * week + rng.randint(0, 3), hours=rng.randint(0, 8))
                start = (published + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
                price = seed.rupees * 100 if pay is not None and settings.PAYMENTS_SANDBOX else 0
                with time_machine.travel(published, tick=False):
                    try:
                        session = publish_session(
                            mentor=mentor,
                            data=catalog.SessionInput(
                                title=seed.title,
                                description=seed.blurb,
                                domain=domains[seed.domain],
                                start=start,
                                duration_minutes=seed.minutes,
                                price_paise=price,
                                capacity=seed.capacity,
                                language=seed.language,
                                topics=list(seed.topics),
                            ),
                        )
                    except Exception as exc:  # a clash with another demo session: skip that week
                        log(f"  skipped {seed.title!r} ({exc})")
                        continue
                seats = min(session.capacity, rng.randint(1, 4))
                pool = keen if rng.random() < 0.6 else learners
                attendees = rng.sample(pool, k=min(len(pool), seats))
                with time_machine.travel(published + timedelta(hours=rng.randint(1, 30)), tick=False):
                    bookings = []
                    for learner in attendees:
                        if session.price_paise and pay is not None:
                            bookings.append(pay(learner, session))
                        else:
                            bookings.append(book_and_pay(learner=learner, session=session)[0])
                with time_machine.travel(session.end + timedelta(minutes=2), tick=False):
                    complete_session(session=session)
                held += 1
                for b in bookings:
                    b.refresh_from_db()
                    if b.status != BookingStatus.COMPLETED:
                        continue
                    booked += 1
                    if rng.random() < 0.8:
                        with time_machine.travel(session.end + timedelta(hours=rng.randint(1, 20)), tick=False):
                            submit_feedback(
                                booking=b,
                                learner=b.learner,
                                rating=rng.choice((5, 5, 5, 4, 4, 3)),
                                comment=rng.choice(COMMENTS),
                            )
    log(f"  {held} past sessions held by {', '.join(ACTIVE_MENTORS)} with {booked} learners")
    return {"followers": len(follows), "past_sessions": held, "bookings": booked}
