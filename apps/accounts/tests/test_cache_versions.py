"""Which user saves move the cached pages' versions (apps/core/versions.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import update_last_login

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_user
from apps.core import versions

pytestmark = pytest.mark.django_db


def test_a_sign_in_leaves_the_catalogue_caches_but_a_new_name_moves_them(django_capture_on_commit_callbacks):
    mentor = make_user(Role.MENTOR, name="Asha Rao")
    before = versions.versions(versions.CATALOG, versions.LISTING)
    with django_capture_on_commit_callbacks(execute=True):
        update_last_login(None, mentor)  # what Django's user_logged_in signal runs
    assert versions.versions(versions.CATALOG, versions.LISTING) == before
    mentor.full_name = "Asha R."
    with django_capture_on_commit_callbacks(execute=True):
        mentor.save(update_fields=["full_name"])
    after = versions.versions(versions.CATALOG, versions.LISTING)
    assert after[0] > before[0] and after[1] > before[1]
    with django_capture_on_commit_callbacks(execute=True):
        mentor.save()  # a save without update_fields may change anything
    assert versions.versions(versions.CATALOG, versions.LISTING) > after


def test_a_learner_signing_up_leaves_the_catalogue_caches(django_capture_on_commit_callbacks):
    before = versions.versions(versions.CATALOG, versions.LISTING)
    with django_capture_on_commit_callbacks(execute=True):
        make_user(Role.LEARNER, name="New Learner")
    assert versions.versions(versions.CATALOG, versions.LISTING) == before
    with django_capture_on_commit_callbacks(execute=True):
        make_user(Role.MENTOR, name="New Mentor")
    assert versions.versions(versions.CATALOG, versions.LISTING) > before
