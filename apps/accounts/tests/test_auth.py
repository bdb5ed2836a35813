from __future__ import annotations

from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.test import Client

from tests.totp import code_at, enrol_totp

from .conftest import PASSWORD, make

pytestmark = pytest.mark.django_db


def test_login_page_labels_and_button(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert '<label for="id_login" class="label">Email</label>' in html
    assert '<label for="id_password" class="label">Password</label>' in html
    assert ">Sign in</button>" in html
    assert 'href="/password/reset/"' in html and 'href="/register/"' in html


def test_login_rotates_session_key_and_goes_to_own_dashboard(client: Client) -> None:
    user = make("mentor")
    client.get("/login/")
    client.session["probe"] = 1  # make sure an anonymous session exists
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    response = client.post("/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/mentor/"
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_honours_safe_next(client: Client) -> None:
    user = make()
    response = client.post("/login/?next=/dashboard/learner/bookings/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/dashboard/learner/bookings/"


def test_wrong_password_shows_error_next_to_form(client: Client) -> None:
    user = make()
    html = client.post("/login/", {"login": user.email, "password": "nope-nope-1"}).content.decode()
    assert "The email address and/or password you specified are not correct." in html
    assert f'value="{user.email}"' in html


def test_unverified_user_gets_code_on_login(client: Client) -> None:
    user = make(verified=False)
    response = client.post("/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/verify-email/"
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_for_one_account_are_blocked(client: Client) -> None:
    user = make()
    pages = [client.post("/login/", {"login": user.email, "password": f"wrong-{i}"}) for i in range(6)]
    assert "Too many failed login attempts" not in pages[0].content.decode()
    assert "Too many failed login attempts" in pages[-1].content.decode()
    # Even the right password is refused while the account is cooling down.
    ok = client.post("/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session and ok.status_code == 200


def test_login_rate_limit_answers_friendly_429(client: Client, settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post("/login/", {"login": "x@example.in", "password": "whatever-1"}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.post("/login/", {"login": "x@example.in", "password": "whatever-1"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html and "PeerLearn" in html  # our page, in our layout


def test_logout_is_post_only(client: Client) -> None:
    client.force_login(make())
    assert client.get("/logout/").status_code == 200  # confirmation page, still signed in
    assert "_auth_user_id" in client.session
    client.post("/logout/")
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_link(client: Client, mailoutbox: Any) -> None:
    user = make()
    response = client.post("/password/reset/", {"email": user.email})
    assert response["Location"] == "/password/reset/done/"
    assert len(mailoutbox) == 1 and "/password/reset/key/" in mailoutbox[0].body


# --- Admin 2FA -------------------------------------------------------------------------------


def test_admin_without_totp_is_sent_to_activation(client: Client) -> None:
    client.force_login(make("admin"))
    response = client.get("/dashboard/admin/mentors/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    assert any("two-factor" in str(m) for m in get_messages(response.wsgi_request))


def test_superuser_without_totp_is_sent_to_activation_on_django_admin(client: Client, settings: Any) -> None:
    from apps.accounts.models import User

    su = User.objects.create_superuser(email="root@example.in", password=PASSWORD, full_name="Root")
    client.force_login(su)
    response = client.get("/" + settings.ADMIN_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_admin_with_totp_passes_and_login_asks_for_code(client: Client) -> None:
    admin = make("admin")
    secret = enrol_totp(admin)
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    with time_machine.travel(1_800_000_010, tick=False):
        response = client.post("/login/", {"login": admin.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # password alone is not enough
    code = code_at(secret, 1_800_000_029.5)  # read from the app half a second before the step turns
    with time_machine.travel(1_800_000_030.2, tick=False):  # typed in the next step: still accepted
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000" if code != "000000" else "111111"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session  # a wrong code is refused
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 302 and response["Location"] == "/dashboard/admin/"
        assert client.get("/dashboard/admin/mentors/").status_code == 200


def test_learner_is_not_affected_by_admin_2fa(client: Client) -> None:
    client.force_login(make())
    response = client.get("/dashboard/admin/mentors/")
    assert response["Location"] == "/dashboard/learner/"
    assert "Access denied" in [str(m) for m in get_messages(response.wsgi_request)]


# --- Access matrix (SPEC §1) -----------------------------------------------------------------

DASHBOARDS = {"learner": "/dashboard/learner/", "mentor": "/dashboard/mentor/", "admin": "/dashboard/admin/"}


def _with_totp(user: Any) -> Any:
    enrol_totp(user)
    return user


@pytest.mark.parametrize("role", ["learner", "mentor", "admin"])
@pytest.mark.parametrize("target", ["learner", "mentor", "admin"])
def test_dashboard_access_matrix(client: Client, role: str, target: str) -> None:
    user = make(role)
    if role == "admin":
        _with_totp(user)
    client.force_login(user)
    response = client.get(DASHBOARDS[target])
    if role == target:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"] == DASHBOARDS[role]
        assert "Access denied" in [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("target", list(DASHBOARDS.values()))
def test_anonymous_dashboards_go_to_login_with_next(client: Client, target: str) -> None:
    response = client.get(target)
    assert response.status_code == 302 and response["Location"] == f"/login/?next={target}"


def test_dashboard_root_redirects_to_own(client: Client) -> None:
    client.force_login(make("mentor"))
    assert client.get("/dashboard/")["Location"] == "/dashboard/mentor/"


def test_superuser_with_totp_uses_django_admin(client: Client, settings: Any) -> None:
    from apps.accounts.models import User

    su = User.objects.create_superuser(email="root2@example.in", password=PASSWORD, full_name="Root Two")
    _with_totp(su)
    make("mentor", full_name="Listed Mentor")
    client.force_login(su)
    html = client.get(f"/{settings.ADMIN_URL}accounts/user/").content.decode()
    assert "Listed Mentor" in html
    assert client.get(f"/{settings.ADMIN_URL}accounts/mentorprofile/").status_code == 200
