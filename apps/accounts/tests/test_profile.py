from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.accounts.models import User
from apps.taxonomy.models import Domain

from .conftest import make, png_bytes

pytestmark = pytest.mark.django_db
BIO = "I have taught data structures and algorithms to hundreds of students preparing for interviews. " * 2


def base(user: Any, **over: Any) -> dict[str, Any]:
    return {"full_name": user.full_name, "timezone": "Asia/Kolkata", "theme": "system", **over}


def test_profile_requires_login(client: Client) -> None:
    assert client.get("/profile/")["Location"] == "/login/?next=/profile/"
    assert client.get("/profile/settings/")["Location"] == "/login/?next=/profile/settings/"


def test_profile_shows_own_data(client: Client) -> None:
    user = make(full_name="Meera Iyer", interests=["Python"], career_goal="Data Scientist")
    client.force_login(user)
    html = client.get("/profile/").content.decode()
    assert "Meera Iyer" in html and "Python" in html and "Data Scientist" in html


def test_learner_settings_save_and_validate(client: Client) -> None:
    user = make()
    client.force_login(user)
    html = client.post("/profile/settings/", base(user, timezone="Mars/Olympus", interests="Go")).content.decode()
    assert "Choose a timezone from the list" in html and 'value="Mars/Olympus"' in html
    assert 'href="/notifications/settings/"' in html  # per-type notification preferences live there
    avatar = SimpleUploadedFile("me.jpg", png_bytes())
    response = client.post(
        "/profile/settings/",
        base(
            user,
            full_name="Meera  Iyer",
            timezone="Europe/London",
            theme="dark",
            interests="Go, Rust",
            career_goal="SRE",
            avatar=avatar,
        ),
    )
    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.full_name, user.timezone, user.theme) == ("Meera Iyer", "Europe/London", "dark")
    assert user.learner_profile.interests == ["Go", "Rust"] and user.learner_profile.career_goal == "SRE"
    assert user.avatar.name.endswith(".png")


def test_mentor_settings_link_to_payout_details(client: Client) -> None:
    """Payout details are changed on their own page (password, masking, audit: apps/payments), not here."""
    mentor = make("mentor")
    d = Domain.objects.create(name="DSA", slug="dsa")
    client.force_login(mentor)
    html = client.get("/profile/settings/").content.decode()
    assert 'href="/dashboard/mentor/payout-details/"' in html and 'name="payout_upi"' not in html
    data = base(mentor, bio=BIO, skills="Java", domains=[d.pk])
    response = client.post("/profile/settings/", {**data, "payout_upi": "ravi.k@okicici"})
    assert response.status_code == 302
    profile = User.objects.get(pk=mentor.pk).mentor_profile
    assert profile.payout_upi == "" and profile.skills == ["Java"]


def test_delete_account_anonymises_and_signs_out(client: Client) -> None:
    from allauth.account.models import EmailAddress

    user = make(
        "mentor",
        full_name="Ravi Kumar",
        bio="Bio",
        payout_upi="ravi@okicici",
        avatar=SimpleUploadedFile("a.png", png_bytes()),
    )
    email = user.email
    client.force_login(user)
    html = client.post("/profile/delete/", {"password": "wrong", "confirm": "on"}).content.decode()
    assert "That password is not correct." in html
    response = client.post("/profile/delete/", {"password": "Peer-learn-2026!", "confirm": "on"})
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    user = User.objects.get(pk=user.pk)  # the row stays for financial records
    assert user.email != email and user.full_name == "Deleted user" and not user.is_active
    assert not user.has_usable_password() and not user.avatar
    assert not EmailAddress.objects.filter(email=email).exists()
    assert user.mentor_profile.bio == "" and user.mentor_profile.payout_upi == ""
    assert client.post("/login/", {"login": email, "password": "Peer-learn-2026!"}).status_code == 200
    assert "_auth_user_id" not in client.session
