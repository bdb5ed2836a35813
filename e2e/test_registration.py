"""Registration, verification, approval and role routing, acting as real people in a browser.

The server sends email with the file backend into $PEERLEARN_VAR_DIR/mail; the test reads the
verification code from there, like a person opening their inbox.
"""

from __future__ import annotations

import io
import quopri
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, axe_violations, format_violations, login, make_user, screenshot, unique_email
from tests.totp import current_code, enrol_totp

NARROW = {"width": 360, "height": 780}
WIDE = {"width": 1280, "height": 800}
BIO = (
    "I am a backend engineer with eight years of experience building payment systems in Bengaluru. "
    "I teach Python, Django and PostgreSQL with hands-on code reviews and mock interviews."
)


def mail_dir() -> Path:
    from django.conf import settings

    return Path(settings.EMAIL_FILE_PATH)


def read_mail(email: str, pattern: str, *, timeout: float = 10.0) -> str:
    """The first match of ``pattern`` in the newest message mailed to ``email``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = (
            sorted(mail_dir().glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
            if mail_dir().exists()
            else []
        )
        for f in files:
            for raw in reversed(f.read_text(errors="replace").split("-" * 79)):
                message = quopri.decodestring(raw.encode()).decode("utf-8", errors="replace")
                if f"To: {email}" in message and (match := re.search(pattern, message, re.MULTILINE)):
                    return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {email} matching {pattern!r} in {mail_dir()}")


def read_code(email: str) -> str:
    """The newest email verification code mailed to ``email``."""
    return read_mail(email, r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$")


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 320), (190, 148, 245)).save(buf, format="PNG")
    return buf.getvalue()


def shoot(page: Any, name: str) -> None:
    """Screenshot at 1280 and 360 px and check axe at both widths; leaves the page at 1280."""
    for label, size in (("1280", WIDE), ("360", NARROW)):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        screenshot(page, f"{name}-{label}")
        bad = axe_violations(page)
        assert not bad, f"{name} @ {label}px: " + format_violations(bad)
    page.set_viewport_size(WIDE)


def toast(page: Any, text: str) -> Any:
    return page.locator("#toasts [data-toast]").filter(has_text=text)


@pytest.fixture
def domains() -> list[Any]:
    from apps.taxonomy.models import Domain, Topic

    names = ["Web Development", "Data Science", "Machine Learning", "Cloud & DevOps", "Design", "Competitive Exams"]
    out = []
    for name in names:
        slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
        d, _ = Domain.objects.get_or_create(slug=slug, defaults={"name": name})
        out.append(d)
    Topic.objects.get_or_create(domain=out[0], slug="django", defaults={"name": "Django"})
    Topic.objects.get_or_create(domain=out[1], slug="pandas", defaults={"name": "Pandas"})
    return out


def verify_email(page: Any, email: str, *, shot: str | None = None) -> None:
    expect(page).to_have_url(re.compile(r"/verify-email/$"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    if shot:
        shoot(page, shot)
    page.get_by_label("Code").fill("WRONG-CODE")
    page.get_by_role("button", name="Verify email").click()
    expect(page.locator(".field-error")).to_be_visible()
    page.get_by_label("Code").fill(read_code(email))
    page.get_by_role("button", name="Verify email").click()


def test_learner_registers_through_four_steps(page: Any, domains: list[Any]) -> None:
    email = unique_email("asha")
    page.goto("/register/")
    shoot(page, "register-choice")
    page.locator("[data-role-card=learner]").click()
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()

    # Step 1: mismatched confirmation -> error, typed data kept.
    page.get_by_label("Full name").fill("Asha Verma")
    page.get_by_label("Email").fill(email)
    expect(page.locator("#email-status")).to_contain_text("This email is available")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    expect(page.locator("[data-strength-label]")).to_contain_text("Strong")
    page.get_by_label("Confirm password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("The two passwords do not match.")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Asha Verma")
    expect(page.get_by_label("Email")).to_have_value(email)
    shoot(page, "learner-step1-error")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()

    # Step 2: six tags -> error, the tags stay; a reload keeps them too.
    expect(page.get_by_text("Step 2 of 4")).to_be_visible()
    tags = page.get_by_label("Interests")
    for t in ["Python", "Django", "SQL", "Git", "Docker"]:
        tags.fill(t)
        tags.press("Enter")
    expect(page.get_by_role("button", name="+ Data Science")).to_be_disabled()  # max 5 reached in the UI
    page.locator("input[name=interests]").evaluate("(el) => { el.value = el.value + ', Linux'; }")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Choose at most 5 tags (you have 6).")).to_be_visible()
    page.goto("/register/learner/")  # reload: resumes at step 2 with what was typed
    expect(page.get_by_text("Step 2 of 4")).to_be_visible()
    expect(page.locator("input[name=interests]")).to_have_value("Python, Django, SQL, Git, Docker, Linux")
    expect(page.get_by_text("Choose at most 5 tags (you have 6).")).to_be_visible()
    shoot(page, "learner-step2-error")
    page.get_by_role("button", name="Remove Linux").click()
    page.get_by_role("button", name="Remove Docker").click()
    page.get_by_role("button", name="+ Data Science").click()
    page.get_by_role("button", name="Next").click()

    # Step 3: "something else" without text -> error, the choice stays.
    expect(page.get_by_text("Step 3 of 4")).to_be_visible()
    page.get_by_label("Something else (type it below)").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Type your goal, or pick one of the common goals.")).to_be_visible()
    expect(page.get_by_label("Something else (type it below)")).to_be_checked()
    shoot(page, "learner-step3-error")
    page.get_by_label("Your own goal").fill("Backend developer at a fintech startup")
    page.get_by_role("button", name="Next").click()

    # Step 4: a text file called .png -> error; then a real picture.
    expect(page.get_by_text("Step 4 of 4")).to_be_visible()
    page.get_by_label("Profile picture").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": b"this is not a picture" * 4}]
    )
    page.get_by_role("button", name="Finish", exact=True).click()
    expect(page.get_by_text("Upload a JPEG, PNG or WebP image.")).to_be_visible()
    shoot(page, "learner-step4-error")
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Your own goal")).to_have_value("Backend developer at a fintech startup")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Profile picture").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": png()}]
    )
    page.get_by_role("button", name="Finish", exact=True).click()

    verify_email(page, email, shot="verify-email")
    expect(page).to_have_url(re.compile(r"/dashboard/learner/$"))
    expect(toast(page, "Welcome, Asha!")).to_be_visible()
    screenshot(page, "learner-dashboard-welcome")

    from apps.accounts.models import User

    user = User.objects.get(email=email)
    assert user.learner_profile.interests == ["Python", "Django", "SQL", "Git", "Data Science"]
    assert user.learner_profile.career_goal == "Backend developer at a fintech startup"
    assert user.avatar.name.endswith(".png")


def test_mentor_registers_is_pending_then_approved_by_admin(new_context: Any, domains: list[Any]) -> None:
    email = unique_email("ravi")
    page = new_context().new_page()
    page.goto("/register/mentor/")
    page.get_by_label("Full name").fill("Ravi Kumar")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    shoot(page, "mentor-step1")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Choose at least one domain.")).to_be_visible()
    page.get_by_label("Web Development").check()
    page.get_by_label("Data Science").check()
    shoot(page, "mentor-step2")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 3 of 5")).to_be_visible()
    skills = page.get_by_label("Skills")
    for s in ["Python", "Django", "PostgreSQL"]:
        skills.fill(s)
        skills.press("Enter")
    page.get_by_label("LinkedIn profile").fill("https://example.com/ravi")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Enter a linkedin.com address.")).to_be_visible()
    expect(page.locator("input[name=skills]")).to_have_value("Python, Django, PostgreSQL")
    page.get_by_label("LinkedIn profile").fill("https://www.linkedin.com/in/ravi-kumar")
    page.get_by_label("Certifications").fill("AWS Solutions Architect - Associate (2024)")
    shoot(page, "mentor-step3")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 4 of 5")).to_be_visible()
    page.get_by_label("Bio").fill("Short bio")
    expect(page.locator("[data-char-count-for=id_bio]")).to_contain_text("141 more needed")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("write at least 150")).to_be_visible()
    page.get_by_label("Bio").fill(BIO)
    page.get_by_label("Qualifications").fill("B.Tech Computer Science, NIT Trichy (2016)")
    shoot(page, "mentor-step4")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    page.get_by_label("…or upload a video").set_input_files(
        files=[{"name": "intro.mp4", "mimeType": "video/mp4", "buffer": b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 64}]
    )
    page.get_by_label("Intro video link").fill("")
    page.get_by_role("button", name="Finish", exact=True).click()
    expect(page.get_by_text("Upload an MP4 or WebM video.")).to_be_visible()
    page.get_by_label("Intro video link").fill("https://www.youtube.com/watch?v=peerlearn-intro")
    shoot(page, "mentor-step5")
    page.get_by_role("button", name="Finish", exact=True).click()

    verify_email(page, email)
    expect(page).to_have_url(re.compile(r"/dashboard/mentor/$"))
    expect(page.get_by_text("Pending approval").first).to_be_visible()
    screenshot(page, "mentor-dashboard-pending")

    # An admin with TOTP enrolled signs in (password + code) and approves.
    admin = make_user("admin", full_name="Anita Admin")
    secret = enrol_totp(admin)
    admin_page = new_context().new_page()
    login(admin_page, admin.email)
    expect(admin_page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    admin_page.get_by_label("Code").fill(current_code(secret))
    admin_page.get_by_role("button", name="Verify").click()
    expect(admin_page).to_have_url(re.compile(r"/dashboard/admin/$"))
    admin_page.goto("/dashboard/admin/mentors/")
    row = admin_page.locator(f"[data-mentor-row='{email}']")
    expect(row).to_contain_text("Ravi Kumar")
    expect(row).to_contain_text(BIO[:40])
    shoot(admin_page, "admin-mentor-approvals")
    row.get_by_role("button", name="Approve").click()
    expect(toast(admin_page, "Ravi Kumar is approved")).to_be_visible()

    page.goto("/dashboard/mentor/")
    expect(page.get_by_text("Pending approval")).to_have_count(0)
    screenshot(page, "mentor-dashboard-approved")


def test_admin_without_totp_must_enrol_first(page: Any) -> None:
    admin = make_user("admin")
    login(page, admin.email)
    page.goto("/dashboard/admin/")
    # allauth asks for the password again before any 2FA change, then shows the activation page.
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    shoot(page, "admin-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    shoot(page, "admin-totp-activate")
    secret = page.locator("[data-totp-secret]").input_value()
    page.get_by_label("Authenticator code").fill(current_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    assert len(page.locator("[data-recovery-codes]").input_value().split()) == 10
    shoot(page, "admin-recovery-codes")
    page.get_by_role("link", name="Continue to my dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard/admin/$"))
    page.goto("/accounts/2fa/")
    expect(page.get_by_text("Ready: one-time codes")).to_be_visible()
    shoot(page, "mfa-index")


def test_learner_opening_mentor_dashboard_is_denied(page: Any) -> None:
    learner = make_user("learner", full_name="Meera Iyer")
    login(page, learner.email)
    page.goto("/dashboard/mentor/")
    expect(page).to_have_url(re.compile(r"/dashboard/learner/$"))
    expect(toast(page, "Access denied")).to_be_visible()


def test_anonymous_is_sent_to_login_and_back(page: Any) -> None:
    learner = make_user("learner")
    page.goto("/dashboard/learner/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/dashboard/learner/$"))
    shoot(page, "login")
    page.get_by_label("Email").fill(learner.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/learner/$"))


def test_password_reset_by_emailed_link(page: Any) -> None:
    learner = make_user("learner")
    page.goto("/login/")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page).to_have_url(re.compile(r"/password/reset/$"))
    shoot(page, "password-reset")
    page.get_by_label("Email").fill(learner.email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    link = read_mail(learner.email, r"(https?://\S+/password/reset/key/\S+)")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    new_password = "Fresh-start-2026?"
    page.get_by_label("New Password", exact=True).fill(new_password)
    page.get_by_label("New Password (again)").fill(new_password)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    login(page, learner.email, new_password)
    expect(page).to_have_url(re.compile(r"/dashboard/learner/$"))


def test_profile_settings_edit(page: Any) -> None:
    learner = make_user("learner", full_name="Meera Iyer")
    login(page, learner.email)
    page.goto("/profile/settings/")
    page.get_by_label("Timezone").fill("Mars/Olympus")
    interests = page.get_by_label("Interests")
    interests.fill("Statistics")
    interests.press("Enter")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Choose a timezone from the list")).to_be_visible()
    expect(page.get_by_label("Timezone")).to_have_value("Mars/Olympus")
    shoot(page, "profile-settings-error")
    page.get_by_label("Timezone").fill("Asia/Kolkata")
    page.get_by_label("Dark").check()
    page.get_by_role("button", name="Save changes").click()
    expect(toast(page, "Your settings are saved.")).to_be_visible()
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    page.goto("/profile/")
    expect(page.get_by_text("Statistics")).to_be_visible()
    shoot(page, "profile")
