from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apps.accounts.models import Role

# ``make_user``, ``alice``, ``bob`` and ``charlie`` come from the root conftest (tests/factories.py).


@pytest.fixture
def domain() -> Any:
    from apps.taxonomy.models import Domain

    return Domain.objects.create(name="Python", slug="python")


@pytest.fixture
def other_domain() -> Any:
    from apps.taxonomy.models import Domain

    return Domain.objects.create(name="Design", slug="design")


@pytest.fixture
def mentor_factory(make_user: Callable[..., Any], domain: Any) -> Callable[..., Any]:
    def make(name: str = "Mentor", domains: list[Any] | None = None) -> Any:
        m = make_user(Role.MENTOR, name)
        m.mentor_profile.domains.set(domains if domains is not None else [domain])
        return m

    return make
