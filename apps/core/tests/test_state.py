from __future__ import annotations

import pytest

from apps.accounts.models import MentorProfile, MentorStatus
from apps.accounts.services import MENTOR_TRANSITIONS, create_user
from apps.core.state import conditional_transition


@pytest.mark.django_db
def test_conditional_transition_moves_once_and_respects_the_table() -> None:
    user = create_user(email="m@example.in", password=None, full_name="Meera", role="mentor")
    pk = user.mentor_profile.pk
    assert conditional_transition(MentorProfile, pk, MentorStatus.APPROVED, table=MENTOR_TRANSITIONS)
    # The second caller of the same move loses: the row is no longer in an allowed source state.
    assert not conditional_transition(MentorProfile, pk, MentorStatus.APPROVED, table=MENTOR_TRANSITIONS)
    assert not conditional_transition(MentorProfile, pk, MentorStatus.REJECTED, table=MENTOR_TRANSITIONS)
    assert MentorProfile.objects.get(pk=pk).status == MentorStatus.APPROVED


@pytest.mark.django_db
def test_only_from_must_be_a_move_in_the_table() -> None:
    user = create_user(email="m2@example.in", password=None, full_name="Ravi", role="mentor")
    with pytest.raises(ValueError, match="approved -> pending"):
        conditional_transition(
            MentorProfile, user.mentor_profile.pk, MentorStatus.PENDING, table=MENTOR_TRANSITIONS, only_from="approved"
        )
    assert MentorProfile.objects.get(pk=user.mentor_profile.pk).status == MentorStatus.PENDING
