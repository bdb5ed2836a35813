from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.accounts.models import MentorStatus, Role, User
from apps.taxonomy.models import Domain, Topic

from .conftest import PASSWORD, make, png_bytes
from .test_uploads import AVI_HEAD, MP4_HEAD

pytestmark = pytest.mark.django_db
LEARNER = "/register/learner/"
MENTOR = "/register/mentor/"
BIO = "I teach backend engineering with Python and Django. " * 4  # ~200 chars


def basic(email: str = "asha@example.in", **over: str) -> dict[str, str]:
    return {"full_name": "Asha Verma", "email": email, "password1": PASSWORD, "password2": PASSWORD, **over}


def post(client: Client, url: str, data: dict[str, Any], action: str = "next") -> Any:
    return client.post(url, {**data, "action": action})


def code_from_outbox(email: str) -> str:
    msg = next(m for m in reversed(mail.outbox) if email in m.to)
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", msg.body, re.MULTILINE)
    assert match, msg.body
    return match.group(1)


def test_role_choice_offers_both_wizards(client: Client) -> None:
    html = client.get("/register/").content.decode()
    assert 'href="/register/learner/"' in html and 'href="/register/mentor/"' in html
    assert "Learner" in html and "Mentor" in html


@pytest.mark.parametrize(
    ("path", "target"),
    [("/signup/", "/register/"), ("/signup/learner/", "/register/learner/"), ("/accounts/signup/", "/register/")],
)
def test_signup_urls_redirect_to_register(client: Client, path: str, target: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == target


def test_step1_errors_keep_typed_data_and_never_echo_password(client: Client) -> None:
    make(email="taken@example.in")
    response = post(client, LEARNER, basic("taken@example.in", password2="different-Pass-1"))
    html = response.content.decode()
    assert "An account with this email already exists" in html
    assert 'value="Asha Verma"' in html and 'value="taken@example.in"' in html
    assert PASSWORD not in html
    assert "Step 1 of 4" in html


def test_step1_runs_django_password_validators(client: Client) -> None:
    html = post(client, LEARNER, basic(password1="12345678", password2="12345678")).content.decode()
    assert "This password is too common" in html or "entirely numeric" in html


def test_reload_after_error_resumes_with_typed_data(client: Client) -> None:
    post(client, LEARNER, basic())
    post(client, LEARNER, {"interests": "Python, " + ", ".join(f"t{i}" for i in range(6))})  # 7 tags: error
    html = client.get(LEARNER).content.decode()  # a reload
    assert "Step 2 of 4" in html
    assert "Python, t0" in html  # what was typed is back
    assert "Choose at most 5 tags (you have 7)." in html  # and so is the reason it was refused


def test_back_keeps_data_and_password_is_kept_as_hash(client: Client) -> None:
    post(client, LEARNER, basic())
    post(client, LEARNER, {"interests": "Python"}, action="back")
    html = client.get(LEARNER).content.decode()
    assert "Step 1 of 4" in html and 'value="asha@example.in"' in html
    assert "Your password is saved" in html
    session_blob = str(client.session.items())
    assert PASSWORD not in session_blob  # only a hash is stored
    # Next with empty password boxes keeps the chosen password.
    response = post(client, LEARNER, basic(password1="", password2=""))
    assert response.status_code == 302
    assert "Step 2 of 4" in client.get(LEARNER).content.decode()


def test_cannot_jump_ahead_of_reached_step(client: Client) -> None:
    client.get(LEARNER + "?step=4")
    assert "Step 1 of 4" in client.get(LEARNER).content.decode()


def test_interest_suggestions_come_from_catalogue(client: Client) -> None:
    d = Domain.objects.create(name="Data Science", slug="data-science")
    Topic.objects.create(domain=d, name="Pandas", slug="pandas")
    post(client, LEARNER, basic())
    html = client.get(LEARNER).content.decode()
    assert '<option value="Data Science">' in html and '<option value="Pandas">' in html


def test_learner_full_journey_verifies_email_by_code_and_lands_on_dashboard(client: Client) -> None:
    assert post(client, LEARNER, basic()).status_code == 302
    html = post(client, LEARNER, {"interests": ""}).content.decode()
    assert "Add at least 1 tag" in html
    assert post(client, LEARNER, {"interests": "Python, Machine learning"}).status_code == 302
    html = post(client, LEARNER, {"goal_choice": "__other__", "custom_goal": ""}).content.decode()
    assert "Type your goal" in html
    assert post(client, LEARNER, {"goal_choice": "", "custom_goal": "Backend developer"}).status_code == 302
    bad = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")
    html = client.post(LEARNER, {"action": "next", "avatar": bad}).content.decode()
    assert "Upload a JPEG, PNG or WebP image." in html
    assert not User.objects.filter(email="asha@example.in").exists()  # nothing saved before Finish

    good = SimpleUploadedFile("me.jpg", png_bytes(), content_type="image/jpeg")
    response = client.post(LEARNER, {"action": "next", "avatar": good})
    assert response.status_code == 302 and response["Location"] == "/verify-email/"
    user = User.objects.get(email="asha@example.in")
    assert user.role == Role.LEARNER and user.check_password(PASSWORD)
    assert user.learner_profile.interests == ["Python", "Machine learning"]
    assert user.learner_profile.career_goal == "Backend developer"
    assert user.avatar.name.endswith(".png")  # type detected by content, re-encoded
    assert "_auth_user_id" not in client.session  # not signed in before the code

    page = client.get("/verify-email/").content.decode()
    assert "asha@example.in" in page
    wrong = client.post("/verify-email/", {"action": "verify", "code": "ZZZZZZ"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/verify-email/", {"action": "verify", "code": code_from_outbox("asha@example.in")})
    assert response.status_code == 302 and response["Location"] == "/dashboard/learner/"
    assert client.session["_auth_user_id"] == str(user.pk)
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any(t.startswith("Welcome, Asha!") for t in texts)
    assert not any("confirmed" in t or "Successfully signed in" in t for t in texts)  # one toast only
    assert user.emailaddress_set.get().verified


def test_learner_can_skip_the_picture(client: Client) -> None:
    post(client, LEARNER, basic("skip@example.in"))
    post(client, LEARNER, {"interests": "Maths"})
    post(client, LEARNER, {"goal_choice": ""})
    response = post(client, LEARNER, {}, action="skip")
    assert response["Location"] == "/verify-email/"
    user = User.objects.get(email="skip@example.in")
    assert not user.avatar and user.initials == "AV"


def test_email_taken_between_step1_and_finish_sends_back_to_step1(client: Client) -> None:
    post(client, LEARNER, basic("race@example.in"))
    post(client, LEARNER, {"interests": "Maths"})
    post(client, LEARNER, {"goal_choice": ""})
    make(email="race@example.in")
    response = post(client, LEARNER, {}, action="skip")
    assert response.status_code == 302
    html = client.get(LEARNER).content.decode()
    assert "Step 1 of 4" in html and 'value="race@example.in"' in html
    assert User.objects.filter(email="race@example.in").count() == 1


def test_mentor_wizard_creates_pending_mentor_and_emails_admins(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make("admin")
    web = Domain.objects.create(name="Web Development", slug="web")
    data = Domain.objects.create(name="Data Science", slug="data")
    post(client, MENTOR, basic("ravi@example.in", full_name="Ravi Kumar"))
    html = post(client, MENTOR, {}).content.decode()
    assert "Choose at least one domain" in html
    post(client, MENTOR, {"domains": [web.pk, data.pk]})
    html = post(client, MENTOR, {"skills": "Django", "linkedin_url": "https://example.com/me"}).content.decode()
    assert "Enter a linkedin.com address." in html and 'value="Django"' in html
    post(client, MENTOR, {"skills": "Django, PostgreSQL", "github_url": "https://github.com/ravi"})
    html = post(client, MENTOR, {"bio": "Too short"}).content.decode()
    assert "Your bio has 9 characters; write at least 150." in html
    post(client, MENTOR, {"bio": BIO, "qualifications": "B.Tech"})
    bad_video = SimpleUploadedFile("intro.mp4", AVI_HEAD, content_type="video/mp4")
    avatar = SimpleUploadedFile("me.png", png_bytes())
    html = client.post(MENTOR, {"action": "next", "intro_video": bad_video, "avatar": avatar}).content.decode()
    assert "Upload an MP4 or WebM video." in html
    assert "Picture uploaded" in html  # the valid picture was kept
    video = SimpleUploadedFile("intro.webm", MP4_HEAD, content_type="video/webm")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MENTOR, {"action": "next", "intro_video": video})
    assert response["Location"] == "/verify-email/"
    user = User.objects.get(email="ravi@example.in")
    profile = user.mentor_profile
    assert profile.status == MentorStatus.PENDING
    assert set(profile.domains.values_list("name", flat=True)) == {"Web Development", "Data Science"}
    assert profile.skills == ["Django", "PostgreSQL"] and profile.bio == BIO.strip()
    assert profile.intro_video.name.endswith(".mp4") and user.avatar
    assert any(admin.email in m.to and "Ravi Kumar" in m.subject for m in mail.outbox)
    code = code_from_outbox("ravi@example.in")
    response = client.post("/verify-email/", {"action": "verify", "code": code})
    assert response["Location"] == "/dashboard/mentor/"


def test_bio_over_500_rejected(client: Client) -> None:
    d = Domain.objects.create(name="Design", slug="design")
    post(client, MENTOR, basic("long@example.in"))
    post(client, MENTOR, {"domains": [d.pk]})
    post(client, MENTOR, {"skills": "Figma"})
    html = post(client, MENTOR, {"bio": "x" * 501}).content.decode()
    assert "keep it to 500" in html


def test_more_than_five_domains_rejected(client: Client) -> None:
    ids = [Domain.objects.create(name=f"D{i}", slug=f"d{i}").pk for i in range(6)]
    post(client, MENTOR, basic("six@example.in"))
    html = post(client, MENTOR, {"domains": ids}).content.decode()
    assert "Choose at most 5 domains" in html


def test_check_email_fragment(client: Client) -> None:
    make(email="used@example.in")
    assert "already exists" in client.get("/register/check-email/", {"email": "USED@example.in"}).content.decode()
    assert "available" in client.get("/register/check-email/", {"email": "free@example.in"}).content.decode()
    assert "valid email" in client.get("/register/check-email/", {"email": "nope"}).content.decode()


def test_signed_in_user_is_sent_to_dashboard(client: Client) -> None:
    client.force_login(make())
    response = client.get(LEARNER)
    assert response.status_code == 302 and response["Location"] == "/dashboard/learner/"


def test_wizard_returns_to_safe_next_after_verification(client: Client) -> None:
    client.get(LEARNER + "?next=/sessions/42/")
    client.get(LEARNER + "?next=https://evil.example/")  # ignored: not our host
    post(client, LEARNER, basic("next@example.in"))
    post(client, LEARNER, {"interests": "Maths"})
    post(client, LEARNER, {"goal_choice": ""})
    post(client, LEARNER, {}, action="skip")
    response = client.post("/verify-email/", {"action": "verify", "code": code_from_outbox("next@example.in")})
    assert response["Location"] == "/sessions/42/"


def test_login_page_passes_next_to_registration(client: Client) -> None:
    html = client.get("/login/?next=/sessions/7/").content.decode()
    assert 'href="/register/?next=/sessions/7/"' in html
    html = client.get("/register/?next=/sessions/7/").content.decode()
    assert 'href="/register/learner/?next=/sessions/7/"' in html


def test_stale_wizard_uploads_are_purged(client: Client) -> None:
    import os
    import time

    from apps.accounts.tasks import purge_stale_wizard_uploads
    from apps.core.storage import private_storage

    default_storage = private_storage()

    post(client, LEARNER, basic("purge@example.in"))
    post(client, LEARNER, {"interests": "Maths"})
    post(client, LEARNER, {"goal_choice": ""})
    client.post(LEARNER, {"action": "next", "avatar": SimpleUploadedFile("a.png", png_bytes())})
    # The avatar step is the last one, so that upload finished the wizard; leave one abandoned file.
    fresh = default_storage.save("wizard/fresh.png", SimpleUploadedFile("f.png", png_bytes()))
    old = default_storage.save("wizard/old.png", SimpleUploadedFile("o.png", png_bytes()))
    two_days_ago = time.time() - 2 * 86400
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    assert purge_stale_wizard_uploads() == 1
    assert default_storage.exists(fresh) and not default_storage.exists(old)


def test_mail_outage_at_finish_keeps_account_and_explains(client: Client, settings: Any) -> None:
    post(client, LEARNER, basic("outage@example.in"))
    post(client, LEARNER, {"interests": "Maths"})
    post(client, LEARNER, {"goal_choice": ""})
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    response = post(client, LEARNER, {}, action="skip")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert User.objects.filter(email="outage@example.in", emailaddress__verified=False).exists()
    texts = [str(m) for m in response.wsgi_request._messages]
    assert any("could not send the verification email" in t for t in texts)


def test_account_creation_is_rate_limited(client: Client, settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    for n, expected in ((1, 302), (2, 429)):
        other = Client()
        post(other, LEARNER, basic(f"burst{n}@example.in"))
        post(other, LEARNER, {"interests": "Maths"})
        post(other, LEARNER, {"goal_choice": ""})
        response = post(other, LEARNER, {}, action="skip")
        assert response.status_code == expected
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="burst2@example.in").exists()


def test_check_email_is_throttled(client: Client, monkeypatch: Any) -> None:
    from apps.accounts import views

    monkeypatch.setattr(views, "CHECK_EMAIL_RATE", "3/m")
    codes = [client.get("/register/check-email/", {"email": f"p{i}@example.in"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


# --- anonymous uploads (issue 14 #7) ----------------------------------------------------------


def _to_mentor_media_step(client: Client) -> None:
    d = Domain.objects.create(name="Cloud", slug="cloud")
    post(client, MENTOR, basic("uploads@example.in"))
    post(client, MENTOR, {"domains": [d.pk]})
    post(client, MENTOR, {"skills": "AWS"})
    post(client, MENTOR, {"bio": BIO})


def _bad_video() -> SimpleUploadedFile:
    return SimpleUploadedFile("intro.mp4", AVI_HEAD, content_type="video/mp4")


def test_a_wizard_upload_is_private_to_its_own_session(client: Client, settings: Any) -> None:
    _to_mentor_media_step(client)
    avatar = SimpleUploadedFile("me.png", png_bytes())
    html = client.post(MENTOR, {"action": "next", "intro_video": _bad_video(), "avatar": avatar}).content.decode()
    url = re.search(r"/register/mentor/file/[0-9a-f]{32}\.png", html)
    assert url is not None, "the kept picture is previewed through the wizard's own URL"
    mine = client.get(url.group(0))
    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    assert mine["Cache-Control"] == "private, no-store"
    assert Client().get(url.group(0)).status_code == 404  # another visitor
    assert client.get("/register/mentor/file/../../settings.py").status_code == 404
    name = url.group(0).rsplit("/", 1)[-1]
    assert not list(settings.MEDIA_ROOT.rglob(name))  # nothing under the public media folder


def test_uploads_from_one_session_are_rate_limited(client: Client) -> None:
    _to_mentor_media_step(client)
    for _ in range(12):
        html = client.post(MENTOR, {"action": "next", "intro_video": _bad_video()}).content.decode()
        assert "Upload an MP4 or WebM video." in html
    html = client.post(MENTOR, {"action": "next", "intro_video": _bad_video(), "bio": "kept"}).content.decode()
    assert "Too many uploads in a short time." in html


def test_a_sign_up_has_an_upload_budget(client: Client, monkeypatch: Any) -> None:
    from apps.accounts import wizard

    monkeypatch.setattr(wizard, "UPLOAD_BUDGET_BYTES", len(MP4_HEAD) + 10)
    _to_mentor_media_step(client)
    avatar = SimpleUploadedFile("me.png", png_bytes())
    html = client.post(MENTOR, {"action": "next", "intro_video": _bad_video(), "avatar": avatar}).content.decode()
    assert "This sign-up has uploaded too much already." in html
    assert not User.objects.filter(email="uploads@example.in").exists()
