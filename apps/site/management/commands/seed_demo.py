"""``manage.py seed_demo``: a realistic Indian demo catalogue, safe to run any number of times.

Natural keys make it idempotent: domains by slug, topics by (domain, slug), accounts by email and
sessions by (mentor, title). Accounts and profiles are only written when they are first created,
so edits made while trying the demo survive a re-run. A session whose start has passed is left
alone; if a (mentor, title) has no upcoming copy, a new one is scheduled in the next 14 days at an
IST evening (weekday) or daytime (weekend) slot, aligned to 15 minutes and never overlapping that
mentor's other sessions.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import LearnerProfile, MentorProfile, MentorStatus, Role, User
from apps.accounts.services import create_user, set_featured
from apps.bookings.models import Booking, CancelledBy
from apps.catalog.models import Session, SessionStatus
from apps.notifications.services import mark_all_read
from apps.payments import services as payments
from apps.payments.models import PaymentItem
from apps.payments_sandbox import api as sandbox_api
from apps.payments_sandbox.models import SandboxOrder
from apps.site.seed.discovery import seed_discovery
from apps.site.seed.money import seed_money
from apps.site.seed.progress import seed_progress
from apps.taxonomy.models import Domain, Topic
from apps.workflows.accounts import block_user
from apps.workflows.booking import admin_refund, book_and_pay, cancel_booking

DEMO_PASSWORD = "PeerLearn@Demo26"  # noqa: S105 - the documented, public demo password
EMAIL_DOMAIN = "demo.peerlearn.in"
IST = zoneinfo.ZoneInfo("Asia/Kolkata")
HORIZON_DAYS = 14
READ_WITHIN = timedelta(days=2)  # demo accounts have read their bell up to this long ago
MIN_LEAD = timedelta(hours=2)  # the catalogue rule is >= 30 min ahead; keep a margin

# (name, slug, heroicon, description, topics)
DOMAINS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "Programming",
        "programming",
        "code-bracket",
        "Write real software: languages, data structures and the craft of clean code.",
        ["Python", "Django", "JavaScript", "Java", "Data Structures", "Algorithms", "Git", "System Design"],
    ),
    (
        "Data Science",
        "data-science",
        "chart-bar",
        "Turn data into decisions with statistics, SQL and machine learning.",
        ["Pandas", "SQL", "Statistics", "Machine Learning", "Deep Learning", "Data Visualisation"],
    ),
    (
        "Design",
        "design",
        "paint-brush",
        "Product, interface and visual design, from research to a polished Figma file.",
        ["UI Design", "UX Research", "Figma", "Design Systems", "Accessibility", "Portfolio Review"],
    ),
    (
        "Mathematics",
        "mathematics",
        "calculator",
        "School and college mathematics explained step by step.",
        ["Algebra", "Calculus", "Probability", "Trigonometry", "Linear Algebra", "Coordinate Geometry"],
    ),
    (
        "Languages",
        "languages",
        "language",
        "Speak and write with confidence in English and Indian languages.",
        ["Spoken English", "IELTS", "Business Writing", "Hindi", "Tamil", "Public Speaking"],
    ),
    (
        "Exam Prep",
        "exam-prep",
        "academic-cap",
        "Strategy, concepts and practice for India's competitive exams.",
        ["JEE Main", "JEE Advanced", "NEET", "CAT", "GATE", "UPSC Prelims", "UPSC Mains"],
    ),
    (
        "Career",
        "career",
        "briefcase",
        "Resumes, interviews, switching roles and growing at work.",
        ["Resume Review", "Mock Interview", "Career Switch", "Salary Negotiation", "LinkedIn Profile"],
    ),
    (
        "Cloud & DevOps",
        "cloud-devops",
        "cloud",
        "Ship and run software reliably on the cloud.",
        ["AWS", "Docker", "Kubernetes", "Linux", "CI/CD", "Terraform"],
    ),
    (
        "Finance",
        "finance",
        "banknotes",
        "Personal finance, markets and professional finance exams.",
        ["Personal Finance", "Mutual Funds", "Stock Market Basics", "Taxation", "CA Foundation", "Excel Modelling"],
    ),
    (
        "Music",
        "music",
        "musical-note",
        "Learn an instrument or train your voice, Indian classical and contemporary.",
        ["Carnatic Vocal", "Hindustani Vocal", "Guitar", "Keyboard", "Music Theory"],
    ),
]


@dataclass(frozen=True)
class SessionSeed:
    title: str
    domain: str
    topics: list[str]
    minutes: int
    rupees: int
    blurb: str
    capacity: int = 1
    language: str = "English"


@dataclass(frozen=True)
class MentorSeed:
    name: str
    domains: list[str]
    skills: list[str]
    bio: str
    qualifications: str
    sessions: list[SessionSeed] = field(default_factory=list)
    linkedin: str = ""
    github: str = ""


MENTORS: list[MentorSeed] = [
    MentorSeed(
        name="Priya Sharma",
        domains=["programming", "cloud-devops"],
        skills=["Python", "Django", "PostgreSQL", "REST APIs", "Code Review"],
        bio=(
            "Backend engineer in Bengaluru with nine years of Python, the last five building Django "
            "services for a fintech that handles lakhs of UPI payments a day. I like turning a messy "
            "first project into clean, tested code and explaining why each change matters. Bring your "
            "repo; we will read it together."
        ),
        qualifications="B.Tech Computer Science, NIT Trichy. Senior Software Engineer.",
        linkedin="https://www.linkedin.com/in/priya-sharma-demo",
        github="https://github.com/priya-sharma-demo",
        sessions=[
            SessionSeed(
                "Python from Zero: Your First Real Program",
                "programming",
                ["Python"],
                60,
                0,
                "Install Python, write and run a small program that reads a CSV of expenses and prints a "
                "monthly summary. For complete beginners.",
                capacity=6,
            ),
            SessionSeed(
                "Django Project Code Review",
                "programming",
                ["Django", "Python"],
                60,
                999,
                "Share your Django repository and get a line-by-line review: models, queries, tests and "
                "security settings, with a written list of fixes.",
            ),
            SessionSeed(
                "Deploying Django with Docker",
                "cloud-devops",
                ["Docker", "CI/CD"],
                90,
                1499,
                "Containerise a Django app with PostgreSQL, add health checks and ship it through a simple CI pipeline.",
            ),
        ],
    ),
    MentorSeed(
        name="Arjun Mehta",
        domains=["data-science", "programming"],
        skills=["Machine Learning", "Pandas", "SQL", "scikit-learn", "Statistics"],
        bio=(
            "Data scientist at a Mumbai e-commerce company, working on demand forecasting and pricing. "
            "Before that I taught statistics at a coaching institute for three years, so I enjoy "
            "slowing down and drawing the picture behind a formula. Happy to help with projects, "
            "Kaggle notebooks and interview prep."
        ),
        qualifications="M.Sc Statistics, University of Mumbai. Lead Data Scientist.",
        linkedin="https://www.linkedin.com/in/arjun-mehta-demo",
        sessions=[
            SessionSeed(
                "SQL for Data Analysis: Joins to Window Functions",
                "data-science",
                ["SQL"],
                90,
                499,
                "Work through real sales tables: joins, grouping, and window functions for running totals and rankings.",
                capacity=5,
            ),
            SessionSeed(
                "Your First Machine Learning Model",
                "data-science",
                ["Machine Learning", "Pandas"],
                120,
                1299,
                "Clean a housing dataset, train and evaluate a regression model, and learn how to tell if it is any good.",
                capacity=4,
            ),
            SessionSeed(
                "Data Science Interview Mock",
                "data-science",
                ["Statistics", "Machine Learning"],
                45,
                799,
                "A realistic 45-minute interview: statistics questions, a case study and feedback you can act on.",
            ),
        ],
    ),
    MentorSeed(
        name="Ananya Iyer",
        domains=["design"],
        skills=["Figma", "UX Research", "Design Systems", "Prototyping", "Accessibility"],
        bio=(
            "Product designer from Chennai who has shipped apps used by farmers, students and bank "
            "customers across India. I care about designs that work on a cheap phone with patchy data "
            "and read well in bright sunlight. I review portfolios, teach Figma and help career "
            "switchers land their first design role."
        ),
        qualifications="B.Des, NID Ahmedabad. Senior Product Designer.",
        linkedin="https://www.linkedin.com/in/ananya-iyer-demo",
        sessions=[
            SessionSeed(
                "Figma Basics: Frames, Auto Layout, Components",
                "design",
                ["Figma", "UI Design"],
                60,
                0,
                "A hands-on tour of Figma. We will build a responsive card with auto layout and turn it into a component.",
                capacity=8,
            ),
            SessionSeed(
                "UX Portfolio Review",
                "design",
                ["Portfolio Review", "UX Research"],
                45,
                899,
                "Walk me through two case studies; get honest feedback on story, process and visuals.",
            ),
            SessionSeed(
                "Designing Accessible Mobile Screens",
                "design",
                ["Accessibility", "UI Design"],
                75,
                699,
                "Contrast, touch targets, labels and screen readers, applied to a real checkout flow.",
                capacity=4,
            ),
        ],
    ),
    MentorSeed(
        name="Rohan Verma",
        domains=["mathematics", "exam-prep"],
        skills=["JEE Mathematics", "Calculus", "Coordinate Geometry", "Problem Solving"],
        bio=(
            "IIT Kanpur graduate who has spent eight years teaching JEE mathematics in Kota and online. "
            "My students remember methods because they understand where they come from, not because they "
            "crammed a formula sheet. I focus on calculus and coordinate geometry and on the exam-day "
            "habits that save marks."
        ),
        qualifications="B.Tech, IIT Kanpur. JEE Mathematics faculty since 2018.",
        sessions=[
            SessionSeed(
                "JEE Calculus: Limits and Continuity Drill",
                "exam-prep",
                ["JEE Main", "JEE Advanced"],
                90,
                599,
                "Thirty previous-year problems on limits and continuity, solved live with shortcuts explained.",
                capacity=8,
            ),
            SessionSeed(
                "Coordinate Geometry Doubt Clearing",
                "mathematics",
                ["Coordinate Geometry"],
                60,
                399,
                "Bring your stuck problems on straight lines, circles and conics. We solve them together.",
                capacity=5,
            ),
            SessionSeed(
                "One-to-One JEE Strategy Session",
                "exam-prep",
                ["JEE Main"],
                45,
                1499,
                "Review your mock scores, build a week-by-week plan and fix the chapters that cost you most.",
            ),
        ],
    ),
    MentorSeed(
        name="Kavya Reddy",
        domains=["languages", "career"],
        skills=["Spoken English", "IELTS", "Public Speaking", "Business Writing"],
        bio=(
            "Communication coach from Hyderabad. I have helped engineers, nurses and students move "
            "abroad with IELTS band 7.5 and above, and coached first-time managers to speak up in "
            "meetings. Sessions are relaxed, practical and full of speaking time. Telugu and Hindi "
            "speakers are especially welcome."
        ),
        qualifications="M.A. English, University of Hyderabad. CELTA certified.",
        sessions=[
            SessionSeed(
                "IELTS Speaking Mock Test",
                "languages",
                ["IELTS", "Spoken English"],
                30,
                499,
                "A full speaking test in exam format, with a band estimate and three things to work on.",
            ),
            SessionSeed(
                "Confident Spoken English Circle",
                "languages",
                ["Spoken English", "Public Speaking"],
                60,
                0,
                "A friendly group conversation on everyday topics. Everyone speaks; gentle corrections at the end.",
                capacity=8,
            ),
            SessionSeed(
                "Writing Emails That Get Replies",
                "languages",
                ["Business Writing"],
                60,
                399,
                "Clear subject lines, short paragraphs and the right tone for clients and managers.",
                capacity=6,
            ),
        ],
    ),
    MentorSeed(
        name="Vikram Singh",
        domains=["exam-prep"],
        skills=["UPSC Prelims", "Indian Polity", "Modern History", "Answer Writing"],
        bio=(
            "Cleared UPSC mains twice and now mentor aspirants full time from Delhi. I know the "
            "loneliness of a long preparation, so my sessions mix solid content on polity and history "
            "with honest advice on planning, revision and staying healthy. Answer writing feedback is "
            "detailed and specific."
        ),
        qualifications="B.A. History, St. Stephen's College. UPSC mentor since 2019.",
        sessions=[
            SessionSeed(
                "Indian Polity: Fundamental Rights in One Sitting",
                "exam-prep",
                ["UPSC Prelims"],
                90,
                0,
                "Articles 12 to 35 with landmark cases and the prelims traps examiners love.",
                capacity=10,
                language="Hindi",
            ),
            SessionSeed(
                "UPSC Mains Answer Writing Review",
                "exam-prep",
                ["UPSC Mains"],
                60,
                999,
                "Send two GS answers beforehand; we go through structure, content and presentation.",
            ),
            SessionSeed(
                "Modern History Revision Sprint",
                "exam-prep",
                ["UPSC Prelims"],
                120,
                499,
                "1857 to 1947 in two hours, with timelines and previous-year questions.",
                capacity=10,
            ),
        ],
    ),
    MentorSeed(
        name="Sneha Kulkarni",
        domains=["career"],
        skills=["Resume Review", "Interview Coaching", "Career Switch", "Negotiation"],
        bio=(
            "HR leader from Pune with twelve years of hiring for IT services and product companies. "
            "I have read thousands of resumes and sat on the other side of the table for campus and "
            "lateral interviews. I help freshers and career switchers present their real strengths "
            "and negotiate offers without fear."
        ),
        qualifications="MBA (HR), Symbiosis Pune. Head of Talent Acquisition.",
        linkedin="https://www.linkedin.com/in/sneha-kulkarni-demo",
        sessions=[
            SessionSeed(
                "Resume Makeover for Freshers",
                "career",
                ["Resume Review"],
                45,
                299,
                "Send your resume; leave with a sharper one-page version and bullet points that show impact.",
            ),
            SessionSeed(
                "HR Interview Mock with Feedback",
                "career",
                ["Mock Interview"],
                45,
                599,
                "Tell me about yourself, strengths, gaps and salary questions, practised until they feel natural.",
            ),
            SessionSeed(
                "Negotiating Your First Offer",
                "career",
                ["Salary Negotiation"],
                60,
                0,
                "How CTC is structured, what is negotiable and how to ask for more, politely and firmly.",
                capacity=10,
            ),
        ],
    ),
    MentorSeed(
        name="Aditya Rao",
        domains=["cloud-devops", "programming"],
        skills=["AWS", "Kubernetes", "Terraform", "Linux", "Observability"],
        bio=(
            "Site reliability engineer in Bengaluru running Kubernetes clusters for a streaming "
            "platform that peaks during cricket finals. I teach cloud the way it is used at work: small "
            "real setups, broken on purpose, then fixed. AWS certified, and happy to help you prepare "
            "for certifications too."
        ),
        qualifications="B.E. Electronics, RV College of Engineering. AWS Solutions Architect Professional.",
        github="https://github.com/aditya-rao-demo",
        sessions=[
            SessionSeed(
                "Linux Command Line Essentials",
                "cloud-devops",
                ["Linux"],
                60,
                0,
                "Files, processes, permissions and logs: the commands you will use every single day.",
                capacity=10,
            ),
            SessionSeed(
                "Kubernetes Hands-On: Deploy, Scale, Debug",
                "cloud-devops",
                ["Kubernetes", "Docker"],
                120,
                2499,
                "Deploy a small service, scale it, break it, and learn how to read events and logs to fix it.",
                capacity=4,
            ),
            SessionSeed(
                "AWS Solutions Architect Exam Plan",
                "cloud-devops",
                ["AWS"],
                45,
                799,
                "Which services matter, how the questions are framed and a six-week study plan.",
            ),
        ],
    ),
    MentorSeed(
        name="Meera Nair",
        domains=["finance"],
        skills=["Personal Finance", "Mutual Funds", "Income Tax", "Excel"],
        bio=(
            "Chartered accountant from Kochi who left audit to teach money skills to young earners. "
            "I explain SIPs, tax regimes, insurance and emergency funds in plain language, without "
            "selling any product. Bring your salary slip and questions; you will leave with a simple "
            "plan you can follow."
        ),
        qualifications="Chartered Accountant (ICAI). SEBI-registered investment adviser.",
        sessions=[
            SessionSeed(
                "Personal Finance for Your First Salary",
                "finance",
                ["Personal Finance", "Mutual Funds"],
                60,
                0,
                "Budgeting, emergency fund, term insurance and starting a SIP, in that order and why.",
                capacity=10,
            ),
            SessionSeed(
                "Old vs New Tax Regime: Which Is Yours?",
                "finance",
                ["Taxation"],
                45,
                499,
                "Work through your own numbers and see which regime saves you more this year.",
            ),
            SessionSeed(
                "Excel Financial Modelling Basics",
                "finance",
                ["Excel Modelling"],
                90,
                1199,
                "Build a three-statement model for a small business, step by step.",
                capacity=5,
            ),
        ],
    ),
    MentorSeed(
        name="Rahul Gupta",
        domains=["exam-prep", "mathematics"],
        skills=["CAT Quant", "Data Interpretation", "Logical Reasoning", "Arithmetic"],
        bio=(
            "IIM Ahmedabad alumnus and 99.9 percentile scorer in CAT, now a product manager in "
            "Gurugram who mentors aspirants on weekends. My focus is quant and DILR: choosing the "
            "right questions, managing the clock and building speed without losing accuracy. Mock "
            "analysis is where most marks are won."
        ),
        qualifications="PGP, IIM Ahmedabad. B.Tech, DTU.",
        sessions=[
            SessionSeed(
                "CAT Quant: Arithmetic Speed Builder",
                "exam-prep",
                ["CAT"],
                90,
                599,
                "Percentages, ratios, time-speed-distance: forty questions with faster methods.",
                capacity=8,
            ),
            SessionSeed(
                "CAT Mock Analysis One-to-One",
                "exam-prep",
                ["CAT"],
                60,
                1299,
                "Send your latest mock; we find the questions you should have skipped and the ones you should have attempted.",
            ),
            SessionSeed(
                "Probability Made Intuitive",
                "mathematics",
                ["Probability"],
                60,
                0,
                "Counting, conditional probability and expected value through games and puzzles.",
                capacity=8,
            ),
        ],
    ),
    MentorSeed(
        name="Lakshmi Venkatesh",
        domains=["music"],
        skills=["Carnatic Vocal", "Music Theory", "Veena"],
        bio=(
            "Carnatic vocalist from Chennai trained for twenty years under the guru-shishya "
            "tradition, performing at sabhas every December season. I teach beginners and returning "
            "learners of all ages, starting with sruti and sarali varisai, and I adapt to your voice "
            "and pace. Classes in Tamil or English."
        ),
        qualifications="M.A. Music, Madras University. Graded artiste, All India Radio.",
        sessions=[
            SessionSeed(
                "Carnatic Vocal for Beginners: Sarali Varisai",
                "music",
                ["Carnatic Vocal"],
                45,
                399,
                "Find your sruti and learn the first varisais with correct swarasthanas.",
                capacity=4,
                language="Tamil",
            ),
            SessionSeed(
                "Understanding Ragas: An Introduction",
                "music",
                ["Music Theory", "Carnatic Vocal"],
                60,
                0,
                "What makes Mohanam different from Kalyani? Listening and singing exercises for curious ears.",
                capacity=10,
            ),
            SessionSeed(
                "Private Vocal Lesson",
                "music",
                ["Carnatic Vocal"],
                60,
                999,
                "A one-to-one lesson shaped around your level, with a recording to practise from.",
            ),
        ],
    ),
    MentorSeed(
        name="Farhan Qureshi",
        domains=["programming", "exam-prep", "career"],
        skills=["Data Structures", "Algorithms", "Java", "GATE CS", "Competitive Programming"],
        bio=(
            "Software engineer at a large product company in Hyderabad and a Codeforces expert. I "
            "cleared GATE CS with AIR under 200 and now help students crack coding interviews and "
            "GATE with the same approach: patterns first, then lots of practice with feedback. I keep "
            "sessions interactive and code-heavy."
        ),
        qualifications="M.Tech CSE, IIT Hyderabad. Software Engineer II.",
        github="https://github.com/farhan-qureshi-demo",
        sessions=[
            SessionSeed(
                "DSA Patterns: Sliding Window and Two Pointers",
                "programming",
                ["Data Structures", "Algorithms"],
                90,
                499,
                "Eight classic interview problems solved live in Java and Python, with the pattern behind each.",
                capacity=8,
            ),
            SessionSeed(
                "Coding Interview Mock (Product Companies)",
                "career",
                ["Mock Interview"],
                60,
                1499,
                "Two medium problems under real interview conditions, followed by detailed feedback.",
            ),
            SessionSeed(
                "GATE CS: Operating Systems Crash Course",
                "exam-prep",
                ["GATE"],
                120,
                799,
                "Scheduling, deadlocks, paging and synchronisation with previous-year GATE questions.",
                capacity=10,
            ),
            SessionSeed(
                "Git and GitHub for Students",
                "programming",
                ["Git"],
                45,
                0,
                "Commits, branches, pull requests and fixing the mistakes everyone makes.",
                capacity=10,
            ),
        ],
    ),
    MentorSeed(
        name="Ishita Banerjee",
        domains=["exam-prep"],
        skills=["NEET Biology", "Human Physiology", "Genetics", "Botany"],
        bio=(
            "Doctor from Kolkata, now in my final year of MD, who has taught NEET biology for five "
            "years. Biology is the highest-scoring section of NEET and it rewards understanding, not "
            "just NCERT memorisation. I use diagrams, mnemonics and daily recall questions, and I "
            "answer doubts in Bengali, Hindi or English."
        ),
        qualifications="MBBS, Medical College Kolkata. MD (Physiology) resident.",
        sessions=[
            SessionSeed(
                "NEET Biology: Human Physiology Marathon",
                "exam-prep",
                ["NEET"],
                120,
                699,
                "Digestion, breathing, circulation and excretion with NCERT lines that become questions.",
                capacity=10,
            ),
            SessionSeed(
                "Genetics Problems Without Fear",
                "exam-prep",
                ["NEET"],
                60,
                0,
                "Punnett squares, pedigrees and linkage, practised until they are routine.",
                capacity=10,
                language="Hindi",
            ),
            SessionSeed(
                "NEET One-to-One Doubt Session",
                "exam-prep",
                ["NEET"],
                30,
                299,
                "Thirty focused minutes on the biology doubts holding you back.",
            ),
        ],
    ),
]

PENDING_MENTOR = MentorSeed(
    name="Nikhil Joshi",
    domains=["music"],
    skills=["Guitar", "Music Theory", "Songwriting"],
    bio=(
        "Session guitarist from Pune who has played for indie bands and ad jingles for a decade. I "
        "want to teach beginners to play their first songs within a month and help hobbyists "
        "understand the theory behind the chords they already know."
    ),
    qualifications="Grade 8 Guitar, Trinity College London.",
)

# (name, interests, career goal)
LEARNERS: list[tuple[str, list[str], str]] = [
    ("Aarav Patel", ["Python", "Data Structures", "Git"], "Software engineer at a product company"),
    ("Diya Menon", ["NEET", "Genetics"], "Get into a government medical college"),
    ("Karthik Subramanian", ["Machine Learning", "SQL", "Statistics"], "Data scientist"),
    ("Ishaan Chatterjee", ["CAT", "Probability"], "MBA from a top IIM"),
    ("Pooja Desai", ["Figma", "UX Research", "Accessibility"], "Switch from QA to product design"),
    ("Neha Agarwal", ["Personal Finance", "Spoken English", "Carnatic Vocal"], "Grow in my current role"),
]

ADMIN_NAME = "Anjali Kapoor"

# Start times (IST) by kind of day, all aligned to 15 minutes.
WEEKDAY_SLOTS = [time(18, 0), time(18, 30), time(19, 0), time(19, 30), time(20, 0), time(20, 30), time(21, 0)]
WEEKEND_SLOTS = [time(10, 0), time(11, 30), time(15, 0), time(16, 30), time(18, 0)]


BLOCKED_LEARNER = (
    "Tarun Mehra",
    "Posted the same paid-course advert in the chat of 12 sessions; warned twice by email.",
)


def email_for(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@{EMAIL_DOMAIN}"


def all_logins() -> list[tuple[str, str, str]]:
    """(role label, name, email) for every demo account, in the order they are printed."""
    rows = [("admin", ADMIN_NAME, email_for(ADMIN_NAME))]
    rows += [("mentor", m.name, email_for(m.name)) for m in MENTORS]
    rows.append(("mentor (pending)", PENDING_MENTOR.name, email_for(PENDING_MENTOR.name)))
    rows += [("learner", name, email_for(name)) for name, _, _ in LEARNERS]
    return rows


def agenda_for(minutes: int) -> list[dict[str, Any]]:
    intro = 5 if minutes <= 45 else 10
    qa = 5 if minutes <= 30 else 10
    return [
        {"title": "Introductions and goals", "minutes": intro},
        {"title": "Core session", "minutes": minutes - intro - qa},
        {"title": "Questions and next steps", "minutes": qa},
    ]


class Command(BaseCommand):
    help = "Create (or top up) the demo catalogue and accounts. Safe to run repeatedly."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["logins_only"]:
            # No server listens while seeding, so the sandbox sends no webhooks meanwhile: the signed
            # callback confirms each payment (as when a browser returns) and refunds settle at once.
            # No outer transaction: each flow commits as it would live, so what it defers to commit
            # (confirmations scheduling reminders, notifications) happens at the history's moment,
            # not all at once when seeding ends. Every step checks what exists, so a rerun resumes.
            with override_settings(PAYMENTS_SANDBOX_WEBHOOKS=False):
                stats = self.seed()
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo data ready: {domains} domains, {users} new accounts, {sessions} new sessions "
                    "({upcoming} upcoming demo sessions in total).".format(**stats)
                )
            )
        self.print_logins()

    # --- writing --------------------------------------------------------------------------------
    def seed(self) -> dict[str, int]:
        domains: dict[str, Domain] = {}
        for name, slug, icon, description, topics in DOMAINS:
            domain, _ = Domain.objects.get_or_create(
                slug=slug, defaults={"name": name, "icon": icon, "description": description}
            )
            domains[slug] = domain
            for topic in topics:
                Topic.objects.get_or_create(domain=domain, slug=slugify(topic), defaults={"name": topic})

        new_users = 0
        admin, created = self.ensure_user(ADMIN_NAME, Role.ADMIN)
        new_users += created
        if not (admin.is_staff and admin.is_superuser):
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])

        now = timezone.now()
        new_sessions = 0
        mentors: list[tuple[User, MentorSeed]] = []
        for seed in [*MENTORS, PENDING_MENTOR]:
            approved = seed is not PENDING_MENTOR
            user, created = self.ensure_user(
                seed.name, Role.MENTOR, MentorStatus.APPROVED if approved else MentorStatus.PENDING
            )
            new_users += created
            if created:
                profile = user.mentor_profile
                profile.skills = seed.skills
                profile.bio = seed.bio
                profile.qualifications = seed.qualifications
                profile.linkedin_url = seed.linkedin
                profile.github_url = seed.github
                if approved:
                    profile.approved_at = now
                profile.save()
                profile.domains.set([domains[s] for s in seed.domains])
            if approved:
                mentors.append((user, seed))

        for name, interests, goal in LEARNERS:
            user, created = self.ensure_user(name, Role.LEARNER)
            new_users += created
            if created:
                LearnerProfile.objects.filter(user=user).update(interests=interests, career_goal=goal)

        # One account the admin blocked, with its reason in the audit log (the Users page shows it).
        spammer, created = self.ensure_user(BLOCKED_LEARNER[0], Role.LEARNER)
        new_users += created
        if created:
            block_user(user=spammer, by=admin, reason=BLOCKED_LEARNER[1])

        today = now.astimezone(IST).date()
        for index, (mentor, seed) in enumerate(mentors):
            for position, session in enumerate(seed.sessions):
                new_sessions += self.ensure_session(mentor, session, domains, today, now, index, position)

        # The admin features one mentor: she leads "Top mentors" on the landing page.
        featured = mentors[0][0].mentor_profile if mentors else None
        if featured is not None and not MentorProfile.objects.filter(is_featured=True).exists():
            set_featured(mentor=featured, featured=True, by=admin)

        if settings.PAYMENTS_SANDBOX:
            self.seed_history(admin, now)
            seed_money(log=self.stdout.write)
        seed_progress(log=self.stdout.write)  # after seed_history, which seeds only a booking-free database
        seed_discovery(log=self.stdout.write, pay=self.pay_for)
        self.read_old_notifications(now)

        upcoming = Session.objects.filter(
            mentor__email__endswith="@" + EMAIL_DOMAIN, start__gt=now, status=SessionStatus.SCHEDULED
        ).count()
        return {"domains": len(domains), "users": new_users, "sessions": new_sessions, "upcoming": upcoming}

    def seed_history(self, admin: User, now: datetime) -> None:
        """Bookings and payments made through the real flows (book, pay in the sandbox, cancel, an
        admin's partial refund), once: learners, mentors and the admin console show real rows."""
        learners = {name: User.objects.get(email=email_for(name)) for name, _i, _g in LEARNERS}
        if Booking.objects.filter(learner__in=learners.values()).exists():
            return
        upcoming = Session.objects.filter(
            mentor__email__endswith="@" + EMAIL_DOMAIN,
            status=SessionStatus.SCHEDULED,
            start__gt=now + timedelta(days=2),
        ).order_by("start", "id")
        paid = list(upcoming.filter(price_paise__gt=0)[:3])
        free = upcoming.filter(price_paise=0).first()
        if len(paid) < 3 or free is None:
            return
        names = [name for name, _i, _g in LEARNERS]
        self.pay_for(learners[names[0]], paid[0])
        book_and_pay(learner=learners[names[1]], session=free)
        refunded = self.pay_for(learners[names[2]], paid[1])
        item = PaymentItem.objects.get(booking=refunded)
        admin_refund(
            item=item,
            amount_paise=min(10_000, item.amount_paise),
            reason="The session started 15 minutes late (goodwill refund)",
            by=admin,
        )
        changed_plans = self.pay_for(learners[names[3]], paid[2])
        cancel_booking(booking=changed_plans, by=CancelledBy.LEARNER, reason="Exam date moved", now=now)

    def read_old_notifications(self, now: datetime) -> None:
        """People open their bell within a couple of days: what the history sent before that is read
        (through the bell's "mark all read" service), so each account's unread count is the
        recent handful a returning user would have."""
        readers = User.objects.filter(
            email__endswith="@" + EMAIL_DOMAIN,
            notifications__read=False,
            notifications__created_at__lt=now - READ_WITHIN,
        ).distinct()
        for user in readers:
            mark_all_read(user=user, before=now - READ_WITHIN)

    def pay_for(self, learner: User, session: Session) -> Booking:
        """Book a paid session and pay for it in the sandbox Checkout, as a learner would."""
        booking, payment = book_and_pay(learner=learner, session=session)
        if payment is None:
            return booking
        payment = payments.ensure_order(payment)
        with transaction.atomic():
            order = SandboxOrder.objects.select_for_update().get(order_id=payment.gateway_order_id)
            capture = sandbox_api.attempt(order, success=True)
        payments.handle_callback(payment=payment, params=sandbox_api.checkout_success_fields(order, capture))
        booking.refresh_from_db()
        return booking

    def ensure_user(self, name: str, role: str, mentor_status: str = MentorStatus.PENDING) -> tuple[User, bool]:
        email = email_for(name)
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            return existing, False
        user = create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            role=role,
            email_verified=True,
            mentor_status=mentor_status,
        )
        return user, True

    def ensure_session(
        self,
        mentor: User,
        seed: SessionSeed,
        domains: dict[str, Domain],
        today: date,
        now: datetime,
        mentor_index: int,
        position: int,
    ) -> int:
        """Make sure (mentor, title) has an upcoming scheduled copy; returns 1 if one was created."""
        mine = Session.objects.filter(mentor=mentor, title=seed.title)
        if mine.filter(start__gt=now).exists():
            return 0
        # Spread each mentor's sessions over distinct days of the next fortnight (offsets
        # position*5 mod 14 are distinct for up to 14 sessions), staggered between mentors.
        first_offset = 1 + (mentor_index * 3 + position * 5) % HORIZON_DAYS
        duration = timedelta(minutes=seed.minutes)
        for attempt in range(HORIZON_DAYS * 2):
            day = today + timedelta(days=1 + (first_offset - 1 + attempt) % HORIZON_DAYS)
            slots = WEEKEND_SLOTS if day.weekday() >= 5 else WEEKDAY_SLOTS
            slot = slots[(mentor_index + position + attempt) % len(slots)]
            start = datetime.combine(day, slot, tzinfo=IST)
            if start < now + MIN_LEAD:
                continue
            clash = (
                Session.objects.filter(mentor=mentor, start__lt=start + duration, end__gt=start)
                .exclude(status=SessionStatus.CANCELLED)
                .exists()
            )
            if not clash:
                break
        else:  # pragma: no cover - 14 days of free evenings per mentor cannot all be taken by 4 sessions
            self.stderr.write(f"No free slot for {seed.title!r}; skipped")
            return 0
        Session.objects.create(
            mentor=mentor,
            domain=domains[seed.domain],
            title=seed.title,
            description=seed.blurb,
            topics=seed.topics,
            agenda=agenda_for(seed.minutes),
            start=start,
            duration_minutes=seed.minutes,
            price_paise=seed.rupees * 100,
            capacity=seed.capacity,
            language=seed.language,
        )
        return 1

    # --- output ---------------------------------------------------------------------------------
    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every account: {DEMO_PASSWORD})")
        for role, name, email in all_logins():
            self.stdout.write(f"  {role:<17} {name:<20} {email}")
        self.stdout.write("  The admin must set up two-factor authentication (TOTP) at first sign-in.")
