"""Badges (SPEC §9): the rules, awarding each exactly once, and the board shown to users.

Learner: first session, 5 sessions, "<Domain> Pro" at 10 sessions in one domain, 5 reviews
written, a 4-week streak. Mentor: 10 and 50 sessions taught, "Top rated" (rating ≥ 4.8 with ≥ 10
reviews). ``award_for_learner`` / ``award_for_mentor`` are called by the flows that complete a
session and post a review; they are idempotent: a (user, code) unique constraint makes the second
award of a badge fail inside its own savepoint, so concurrent completions award it once and notify
once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import MentorProfile
from apps.notifications.models import NotificationType
from apps.notifications.services import notify
from apps.taxonomy.models import Domain

from . import figures
from .models import BadgeAward, Feedback

if TYPE_CHECKING:
    from apps.accounts.models import User

FIRST_SESSION, FIVE_SESSIONS, FIVE_REVIEWS, STREAK_4 = "first_session", "five_sessions", "five_reviews", "streak_4"
TAUGHT_10, TAUGHT_50, TOP_RATED = "taught_10", "taught_50", "top_rated"
DOMAIN_PRO_PREFIX = "domain_pro:"
DOMAIN_PRO_AT = 10
STREAK_WEEKS = 4
TOP_RATED_MIN_RATING = Decimal("4.8")
TOP_RATED_MIN_REVIEWS = 10


@dataclass(frozen=True)
class Rule:
    code: str
    title: str | Promise
    how: str | Promise  # how to earn it, shown on a locked badge
    icon: str
    target: int  # the number to reach (sessions, reviews, weeks)


LEARNER_RULES = (
    Rule(
        FIRST_SESSION, gettext_lazy("First session"), gettext_lazy("Complete your first session."), "rocket-launch", 1
    ),
    Rule(FIVE_SESSIONS, gettext_lazy("5 sessions"), gettext_lazy("Complete 5 sessions."), "academic-cap", 5),
    Rule(
        DOMAIN_PRO_PREFIX,
        gettext_lazy("Domain Pro"),
        gettext_lazy("Complete 10 sessions in one domain to become its Pro."),
        "sparkles",
        DOMAIN_PRO_AT,
    ),
    Rule(FIVE_REVIEWS, gettext_lazy("Reviewer"), gettext_lazy("Write 5 reviews of your sessions."), "star", 5),
    Rule(
        STREAK_4,
        gettext_lazy("4-week streak"),
        gettext_lazy("Complete a session every week for 4 weeks in a row."),
        "calendar-days",
        STREAK_WEEKS,
    ),
)
MENTOR_RULES = (
    Rule(TAUGHT_10, gettext_lazy("10 sessions taught"), gettext_lazy("Teach 10 sessions."), "academic-cap", 10),
    Rule(TAUGHT_50, gettext_lazy("50 sessions taught"), gettext_lazy("Teach 50 sessions."), "sparkles", 50),
    Rule(
        TOP_RATED,
        gettext_lazy("Top rated"),
        gettext_lazy("Keep a rating of 4.8 or more with at least 10 reviews."),
        "star",
        TOP_RATED_MIN_REVIEWS,
    ),
)
_BY_CODE = {r.code: r for r in (*LEARNER_RULES, *MENTOR_RULES)}


def domain_pro_title(domain_name: str) -> str:
    return _("%(domain)s Pro") % {"domain": domain_name}


@dataclass(frozen=True)
class LearnerFacts:
    completed: int
    per_domain: dict[int, int]
    reviews: int
    longest_streak: int


def learner_facts(user: User) -> LearnerFacts:
    done = figures.done_rows(user)
    return LearnerFacts(
        completed=len(done),
        per_domain=dict(figures.sessions_by_domain(done)),
        reviews=Feedback.objects.filter(learner=user).count(),
        longest_streak=figures.longest_streak(done, zone=figures.user_zone(user)),
    )


def learner_earned(facts: LearnerFacts, domain_names: dict[int, str]) -> dict[str, str]:
    """code → title of every learner badge the facts qualify for."""
    earned: dict[str, str] = {}
    if facts.completed >= 1:
        earned[FIRST_SESSION] = str(_BY_CODE[FIRST_SESSION].title)
    if facts.completed >= 5:
        earned[FIVE_SESSIONS] = str(_BY_CODE[FIVE_SESSIONS].title)
    for domain_id, n in facts.per_domain.items():
        if n >= DOMAIN_PRO_AT:
            earned[f"{DOMAIN_PRO_PREFIX}{domain_id}"] = domain_pro_title(domain_names.get(domain_id, _("Domain")))
    if facts.reviews >= 5:
        earned[FIVE_REVIEWS] = str(_BY_CODE[FIVE_REVIEWS].title)
    if facts.longest_streak >= STREAK_WEEKS:
        earned[STREAK_4] = str(_BY_CODE[STREAK_4].title)
    return earned


def mentor_earned(*, taught: int, rating: Decimal | None, rating_count: int) -> dict[str, str]:
    earned: dict[str, str] = {}
    if taught >= 10:
        earned[TAUGHT_10] = str(_BY_CODE[TAUGHT_10].title)
    if taught >= 50:
        earned[TAUGHT_50] = str(_BY_CODE[TAUGHT_50].title)
    if rating is not None and rating >= TOP_RATED_MIN_RATING and rating_count >= TOP_RATED_MIN_REVIEWS:
        earned[TOP_RATED] = str(_BY_CODE[TOP_RATED].title)
    return earned


def _lock(user: User) -> None:
    """Award one user's badges one flow at a time: two sessions completing at once for the same
    learner would otherwise each count only its own completion and both miss "5 sessions". Called
    inside the caller's transaction; the lock is held until it commits. (Callers lock learners in
    ascending id order, then the mentor, so two flows cannot wait on each other.)"""
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _award(user: User, earned: dict[str, str], *, link: str) -> list[BadgeAward]:
    """Create the awards not held yet, each in its own savepoint; tell the user of each new one."""
    have = set(BadgeAward.objects.filter(user=user).values_list("code", flat=True))
    new: list[BadgeAward] = []
    now = timezone.now()
    for code, title in earned.items():
        if code in have:
            continue
        try:
            with transaction.atomic():
                award = BadgeAward.objects.create(user=user, code=code, title=title, awarded_at=now)
        except IntegrityError:
            continue  # a concurrent flow awarded it first (and told the user)
        new.append(award)
        notify(
            user=user,
            type=NotificationType.BADGE_EARNED,
            title=_("Badge earned: %(title)s") % {"title": title},
            message=_("You earned the “%(title)s” badge. Keep going!") % {"title": title},
            link=link,
            reference=f"badge:{code}",
            email=False,
        )
    return new


def award_for_learner(user: User) -> list[BadgeAward]:
    """Award the learner every badge they now qualify for and do not hold; returns the new ones."""
    with transaction.atomic():
        _lock(user)
        facts = learner_facts(user)
        pro = [d for d, n in facts.per_domain.items() if n >= DOMAIN_PRO_AT]
        names = dict(Domain.objects.filter(pk__in=pro).values_list("pk", "name")) if pro else {}
        return _award(user, learner_earned(facts, names), link=reverse("dashboards:learner_progress"))


def award_for_mentor(user: User) -> list[BadgeAward]:
    """Award the mentor every badge they now qualify for and do not hold; returns the new ones."""
    with transaction.atomic():
        _lock(user)
        row = MentorProfile.objects.filter(user=user).values_list("sessions_taught", "rating", "rating_count").first()
        if row is None:
            return []
        taught, rating, count = row
        earned = mentor_earned(taught=taught, rating=rating, rating_count=count)
        return _award(user, earned, link=reverse("catalog:mentor", args=[user.pk]))


# --- the board: earned and locked badges with how to earn them -----------------------------------


@dataclass(frozen=True)
class BoardItem:
    code: str
    title: str
    how: str
    icon: str
    award: BadgeAward | None
    have: int  # progress towards the target for a locked badge
    target: int

    @property
    def earned(self) -> bool:
        return self.award is not None

    @property
    def percent(self) -> int:
        return 100 if self.award else min(100, (self.have * 100) // max(1, self.target))


def _rule_item(rule: Rule, awards: dict[str, BadgeAward], have: int) -> BoardItem:
    return BoardItem(rule.code, str(rule.title), str(rule.how), rule.icon, awards.get(rule.code), have, rule.target)


def learner_board(*, awards: list[BadgeAward], done: list[figures.Done], reviews: int, zone: object) -> list[BoardItem]:
    """Every learner badge, earned ones with their date, locked ones with how far along the learner
    is. Earned "<Domain> Pro" badges are listed one per domain; the locked one tracks the best domain."""
    by_code = {a.code: a for a in awards}
    per_domain = figures.sessions_by_domain(done)
    best = max(per_domain.values(), default=0)
    streak = figures.longest_streak(done, zone=zone)  # type: ignore[arg-type]
    have = {FIRST_SESSION: len(done), FIVE_SESSIONS: len(done), FIVE_REVIEWS: reviews, STREAK_4: streak}
    items: list[BoardItem] = []
    for rule in LEARNER_RULES:
        if rule.code == DOMAIN_PRO_PREFIX:
            pros = [a for a in awards if a.code.startswith(DOMAIN_PRO_PREFIX)]
            items += [BoardItem(a.code, a.title, str(rule.how), rule.icon, a, rule.target, rule.target) for a in pros]
            if not pros:
                items.append(_rule_item(rule, by_code, best))
            continue
        items.append(_rule_item(rule, by_code, have[rule.code]))
    return items


def mentor_board(*, awards: list[BadgeAward], taught: int, rating_count: int) -> list[BoardItem]:
    by_code = {a.code: a for a in awards}
    have = {TAUGHT_10: taught, TAUGHT_50: taught, TOP_RATED: rating_count}
    return [_rule_item(rule, by_code, have[rule.code]) for rule in MENTOR_RULES]


def awards_of(user: User | int) -> list[BadgeAward]:
    user_id = user if isinstance(user, int) else user.pk
    return list(BadgeAward.objects.filter(user_id=user_id))
