"""Recommendation benchmark: quality against popularity and random baselines, and the time to
compute one learner's list, on a seeded synthetic population.

    .venv/bin/python bench/recommend.py [--learners 2000] [--sessions 2000] [--timing-sessions 10000]

The population: latent topics, each with its own words; mentors who mostly teach one topic;
sessions whose title, tags and description are drawn from their topic's words (plus generic
words, as noise) with a popularity and a mentor rating; learners with one to three latent
interests, who name one or two tags of each as their profile interests and book 3-8 sessions
drawn from their interests (15% from anywhere), favouring popular sessions. Each learner's last
booking is held out; a method scores a hit when it is in that learner's top 5.

The recommender is the app's own ranking, ``apps.progress.recommend.SessionIndex.rank``, given the
same signals the app builds (interests, booked topics, booked sessions excluded); the cached read
is the app's ``cached_for_learner`` on the embedded profile's local-memory Django cache. No
database: candidates are built in memory, so "cold" here is the ranking itself (the app adds three
small queries for the learner's signals and one for the sessions shown).

Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE), str(ROOT)]

for _name in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG"):
    os.environ.pop(_name, None)
os.environ.setdefault("PEERLEARN_VAR_DIR", tempfile.mkdtemp(prefix="peerlearn-bench-reco-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.settings")

import django  # noqa: E402

django.setup()

from common import machine, write_json  # noqa: E402
from django.core.cache import cache  # noqa: E402

from apps.progress import recommend  # noqa: E402

TOPICS = 25
WORDS_PER_TOPIC = 14
GENERIC = [f"generic{i}" for i in range(80)]
TOP_K = 5


@dataclass
class World:
    candidates: list[recommend.Candidate]
    topic_of: list[int]
    tags_of: list[list[str]]
    popularity: list[float]
    learners: list[tuple[list[str], list[int]]]  # (interests, bookings in order)


def topic_words(t: int) -> list[str]:
    return [f"t{t}w{j}" for j in range(WORDS_PER_TOPIC)]


def make_sessions(
    rng: random.Random, n: int, mentors: int
) -> tuple[list[recommend.Candidate], list[int], list[list[str]], list[float]]:
    mentor_topic = [rng.randrange(TOPICS) for _ in range(mentors)]
    mentor_rating = [round(rng.uniform(3.4, 5.0), 1) for _ in range(mentors)]
    candidates, topic_of, tags_of, popularity = [], [], [], []
    for key in range(n):
        m = rng.randrange(mentors)
        t = mentor_topic[m] if rng.random() < 0.8 else rng.randrange(TOPICS)
        words = topic_words(t)
        tags = rng.sample(words[:6], 2)  # the tags learners also use
        title = rng.sample(words, 3)
        desc = [rng.choice(words) if rng.random() < 0.6 else rng.choice(GENERIC) for _ in range(12)]
        capacity = rng.randint(1, 10)
        candidates.append(
            recommend.Candidate(
                key=key,
                mentor_id=100_000 + m,
                text=" ".join(title + tags + tags + desc),
                start=rng.uniform(1, 30) * 86400,
                seats_left=capacity,
                capacity=capacity,
                rating=mentor_rating[m],
            )
        )
        topic_of.append(t)
        tags_of.append(tags)
        popularity.append(rng.lognormvariate(0, 1.0) * (1 + (mentor_rating[m] - 3.4)))
    return candidates, topic_of, tags_of, popularity


def make_world(seed: int, learners: int, sessions: int) -> World:
    rng = random.Random(seed)
    candidates, topic_of, tags_of, popularity = make_sessions(rng, sessions, mentors=max(sessions // 7, 10))
    by_topic: dict[int, list[int]] = {}
    for i, t in enumerate(topic_of):
        by_topic.setdefault(t, []).append(i)
    people = []
    for _ in range(learners):
        interests_t = rng.sample(range(TOPICS), rng.randint(1, 3))
        weights = [rng.random() + 0.2 for _ in interests_t]
        interests = []
        for t in interests_t:
            interests += rng.sample(topic_words(t)[:6], rng.randint(1, 2))
        booked: list[int] = []
        for _b in range(rng.randint(3, 8)):
            if rng.random() < 0.85:
                t = rng.choices(interests_t, weights)[0]
                pool = by_topic.get(t) or list(range(sessions))
            else:
                pool = list(range(sessions))
            pool = [i for i in pool if i not in booked] or [i for i in range(sessions) if i not in booked]
            booked.append(rng.choices(pool, [popularity[i] for i in pool])[0])
        people.append((interests, booked))
    return World(candidates, topic_of, tags_of, popularity, people)


def signals_for(world: World, learner_id: int, interests: list[str], train: list[int]) -> recommend.Signals:
    """What the app's ``learner_signals`` builds: interests, then booked topics (newest first)."""
    queries: list[recommend.Query] = []
    seen: set[str] = set()
    for label in interests:
        if label not in seen:
            seen.add(label)
            queries.append(recommend.Query(label, "interest", recommend.W_INTEREST))
    past = 0
    for key in reversed(train):
        for tag in world.tags_of[key]:
            if tag not in seen and past < recommend.MAX_PAST_TOPICS:
                seen.add(tag)
                past += 1
                queries.append(recommend.Query(tag, "past", recommend.W_PAST))
    return recommend.Signals(learner_id=learner_id, queries=queries, exclude=frozenset(train))


def ndcg_at(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / math.log2(rank + 2)


def evaluate(world: World, seed: int) -> dict[str, dict[str, float]]:
    counts = [0] * len(world.candidates)
    for _interests, booked in world.learners:
        for key in booked[:-1]:
            counts[key] += 1
    # The app's popularity feature is per mentor (learners taught so far); the same here, from
    # the training bookings only.
    per_mentor: dict[int, int] = {}
    for c, n in zip(world.candidates, counts, strict=True):
        per_mentor[c.mentor_id] = per_mentor.get(c.mentor_id, 0) + n
    index = recommend.SessionIndex(
        [dataclasses.replace(c, popularity=per_mentor.get(c.mentor_id, 0)) for c in world.candidates]
    )
    by_count = sorted(range(len(counts)), key=lambda i: (-counts[i], i))
    rng = random.Random(seed + 1)
    totals = {name: {"hits": 0.0, "ndcg": 0.0} for name in ("recommender", "popularity", "random")}
    for learner_id, (interests, booked) in enumerate(world.learners):
        train, held = booked[:-1], booked[-1]
        excluded = set(train)
        ranked = [s.key for s in index.rank(signals_for(world, learner_id, interests, train), now=0, limit=TOP_K)]
        popular = [k for k in by_count if k not in excluded][:TOP_K]
        pool = [k for k in range(len(world.candidates)) if k not in excluded]
        randomly = rng.sample(pool, TOP_K)
        for name, top in (("recommender", ranked), ("popularity", popular), ("random", randomly)):
            rank = top.index(held) if held in top else None
            totals[name]["hits"] += rank is not None
            totals[name]["ndcg"] += ndcg_at(rank)
    n = len(world.learners)
    return {k: {"hit_rate@5": v["hits"] / n, "ndcg@5": v["ndcg"] / n} for k, v in totals.items()}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timing(seed: int, sessions: int, samples: int) -> dict[str, float]:
    world = make_world(seed + 7, learners=samples, sessions=sessions)
    started = time.perf_counter()
    index = recommend.SessionIndex(world.candidates)
    build_ms = (time.perf_counter() - started) * 1000
    cache.clear()
    cold, warm = [], []
    for learner_id, (interests, booked) in enumerate(world.learners):
        signals = signals_for(world, learner_id, interests, booked)

        def compute(signals: recommend.Signals = signals) -> list[recommend.Scored]:
            return index.rank(signals, now=0, limit=18)

        t0 = time.perf_counter()
        first = recommend.cached_for_learner(learner_id, 6, compute)
        t1 = time.perf_counter()
        again = recommend.cached_for_learner(learner_id, 6, compute)
        t2 = time.perf_counter()
        if [s.key for s in first] != [s.key for s in again]:
            raise SystemExit("cached list differs from the computed one")
        cold.append((t1 - t0) * 1000)
        warm.append((t2 - t1) * 1000)
    return {
        "sessions": sessions,
        "learners_timed": samples,
        "index_build_ms": build_ms,
        "cold_p50_ms": statistics.median(cold),
        "cold_p95_ms": percentile(cold, 0.95),
        "cached_p50_ms": statistics.median(warm),
        "cached_p95_ms": percentile(warm, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--timing-sessions", type=int, default=10_000)
    parser.add_argument("--timing-learners", type=int, default=500)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    world = make_world(args.seed, args.learners, args.sessions)
    bookings = sum(len(b) for _i, b in world.learners)
    print(
        f"population: {args.learners} learners, {args.sessions} sessions, {bookings} bookings, {TOPICS} latent topics"
    )
    quality = evaluate(world, args.seed)
    print(f"\n{'method':<12} {'hit-rate@5':>10} {'NDCG@5':>8}")
    print("-" * 32)
    for name, row in quality.items():
        print(f"{name:<12} {row['hit_rate@5']:>10.3f} {row['ndcg@5']:>8.3f}")
    lift = quality["recommender"]["hit_rate@5"] / max(quality["popularity"]["hit_rate@5"], 1e-9)
    print(f"recommender / popularity hit-rate: {lift:.2f}x")

    t = timing(args.seed, args.timing_sessions, args.timing_learners)
    print(f"\none learner's list over {t['sessions']} sessions ({t['learners_timed']} learners):")
    print(f"  index build (once per catalogue version): {t['index_build_ms']:.0f} ms")
    print(f"  cold   p50 {t['cold_p50_ms']:.2f} ms  p95 {t['cold_p95_ms']:.2f} ms")
    print(f"  cached p50 {t['cached_p50_ms']:.3f} ms  p95 {t['cached_p95_ms']:.3f} ms  (target p95 <= 20 ms)")
    path = write_json("recommend", {"machine": machine(), "args": vars(args), "quality": quality, "timing": t})
    print(f"\nwritten {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
