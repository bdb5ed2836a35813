"""Account writes: creating users with their role profile, mentor approval, profile updates."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core import versions
from apps.core.state import conditional_transition

from .models import LearnerProfile, MentorProfile, MentorStatus, Role, User

logger = logging.getLogger(__name__)

_USER_FIELDS = {"timezone", "theme", "avatar", "is_blocked", "is_active", "date_joined", "is_superuser"}
_LEARNER_FIELDS = {"interests", "career_goal"}
_MENTOR_FIELDS = {
    "skills",
    "certifications",
    "linkedin_url",
    "github_url",
    "website_url",
    "bio",
    "qualifications",
    "intro_video_url",
    "intro_video",
    "is_featured",
    "payout_upi",
    "payout_bank_account",
    "payout_ifsc",
    "rating",
    "rating_count",
    "sessions_taught",
}


class InvalidTransition(Exception):
    """A status change that the state machine does not allow (or someone else got there first)."""


@transaction.atomic
def create_user(
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: str = Role.LEARNER,
    email_verified: bool = False,
    mentor_status: str = MentorStatus.PENDING,
    password_hash: str | None = None,
    domains: Any = None,
    **fields: Any,
) -> User:
    """Create an account and the profile its role needs.

    The email address is recorded with allauth so verification by code works for it. Extra keyword
    arguments go to the user (``timezone``, ``theme``, ``avatar``…) or to the role's profile
    (``interests``, ``career_goal`` for learners; ``bio``, ``skills``, ``intro_video_url``… for
    mentors), so the registration wizards and the demo seed share this one entry point.
    ``password_hash`` stores an already hashed password (the wizard never keeps the plain text).
    ``domains`` (mentors) is an iterable of Domain objects or ids.
    """
    unknown = set(fields) - _USER_FIELDS - _LEARNER_FIELDS - _MENTOR_FIELDS
    if unknown:
        raise TypeError(f"create_user() got unexpected fields: {sorted(unknown)}")
    user_fields = {k: v for k, v in fields.items() if k in _USER_FIELDS}
    user = User.objects.create_user(email=email, password=password, full_name=full_name, role=role, **user_fields)
    if password_hash:
        user.password = password_hash
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    if role == Role.LEARNER:
        LearnerProfile.objects.create(user=user, **{k: v for k, v in fields.items() if k in _LEARNER_FIELDS})
    elif role == Role.MENTOR:
        profile = MentorProfile.objects.create(
            user=user,
            status=mentor_status,
            approved_at=timezone.now() if mentor_status == MentorStatus.APPROVED else None,
            **{k: v for k, v in fields.items() if k in _MENTOR_FIELDS},
        )
        if domains:
            profile.domains.set(domains)
    elif role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


# --- Mentor approval -------------------------------------------------------------------------

# The one table of allowed mentor status changes. A rejected mentor may be approved later (an
# admin changing their mind); nothing goes back to pending.
MENTOR_TRANSITIONS: dict[str, set[str]] = {
    MentorStatus.PENDING: {MentorStatus.APPROVED, MentorStatus.REJECTED},
    MentorStatus.REJECTED: {MentorStatus.APPROVED},
    MentorStatus.APPROVED: set(),
}


def _profile_of(mentor: User | MentorProfile) -> MentorProfile:
    if isinstance(mentor, MentorProfile):
        return mentor
    return MentorProfile.objects.get(user=mentor)


def _transition_mentor(profile: MentorProfile, new: str, **extra: Any) -> MentorProfile:
    if not conditional_transition(MentorProfile, profile.pk, new, table=MENTOR_TRANSITIONS, **extra):
        raise InvalidTransition(_("This mentor application was already decided."))
    profile.refresh_from_db()
    return profile


def _email_on_commit(*, subject: str, template: str, context: dict[str, Any], to: list[str]) -> None:
    def send() -> None:
        body = render_to_string(template, context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        except Exception:  # an email outage must not turn a committed decision into an error page
            logger.exception("could not send %r to %s", subject, to)

    transaction.on_commit(send)


@transaction.atomic
def approve_mentor(*, mentor: User | MentorProfile, by: User, ip: str | None = None) -> MentorProfile:
    before = _profile_of(mentor).status
    profile = _transition_mentor(
        _profile_of(mentor), MentorStatus.APPROVED, approved_at=timezone.now(), rejection_reason=""
    )
    audit.record(
        actor=by,
        action="mentor.approve",
        obj=profile.user,
        before={"status": before},
        after={"status": profile.status},
        ip=ip,
    )
    logger.info("mentor %s approved by %s", profile.user_id, by.pk)
    _email_on_commit(
        subject=_("Your PeerLearn mentor profile is approved"),
        template="accounts/email/mentor_approved.txt",
        context={"user": profile.user, "site_url": settings.SITE_URL},
        to=[profile.user.email],
    )
    return profile


@transaction.atomic
def reject_mentor(*, mentor: User | MentorProfile, by: User, reason: str, ip: str | None = None) -> MentorProfile:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A reason is required to reject a mentor")
    before = _profile_of(mentor).status
    profile = _transition_mentor(_profile_of(mentor), MentorStatus.REJECTED, rejection_reason=reason)
    audit.record(
        actor=by,
        action="mentor.reject",
        obj=profile.user,
        before={"status": before},
        after={"status": profile.status},
        reason=reason,
        ip=ip,
    )
    logger.info("mentor %s rejected by %s", profile.user_id, by.pk)
    _email_on_commit(
        subject=_("About your PeerLearn mentor application"),
        template="accounts/email/mentor_rejected.txt",
        context={"user": profile.user, "reason": reason, "site_url": settings.SITE_URL},
        to=[profile.user.email],
    )
    return profile


def notify_admins_of_new_mentor(*, mentor: User) -> None:
    """Email every admin that a mentor application waits for review (after commit)."""
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True))
    if admins:
        _email_on_commit(
            subject=_("New mentor application: %(name)s") % {"name": mentor.full_name},
            template="accounts/email/mentor_pending_admin.txt",
            context={"mentor": mentor, "site_url": settings.SITE_URL},
            to=admins,
        )


# --- Profile ---------------------------------------------------------------------------------


@transaction.atomic
def update_profile(*, user: User, **fields: Any) -> User:
    """Save profile edits: user fields on the user, role fields on the role's profile."""
    domains = fields.pop("domains", None)
    user_changes = {k: v for k, v in fields.items() if k in {"full_name", *_USER_FIELDS}}
    for key, value in user_changes.items():
        setattr(user, key, value)
    if user_changes:
        user.save(update_fields=list(user_changes))
    if user.role == Role.LEARNER:
        learner_changes = {k: v for k, v in fields.items() if k in _LEARNER_FIELDS}
        if learner_changes:
            LearnerProfile.objects.update_or_create(user=user, defaults=learner_changes)
            versions.bump_on_commit(versions.learner_inputs(user.pk))  # recommendations read interests and goal
    elif user.role == Role.MENTOR:
        mentor_changes = {k: v for k, v in fields.items() if k in _MENTOR_FIELDS}
        profile, _created = MentorProfile.objects.get_or_create(user=user)
        for key, value in mentor_changes.items():
            setattr(profile, key, value)
        if mentor_changes:
            profile.save(update_fields=list(mentor_changes))
        if domains is not None:
            profile.domains.set(domains)
    return user


@transaction.atomic
def delete_account(*, user: User) -> User:
    """Delete an account the way SPEC §3 asks: personal data is anonymised, the row stays so
    bookings, payments, ledger entries and reviews that point at it keep their integrity."""
    from allauth.mfa.models import Authenticator

    if user.avatar:
        user.avatar.delete(save=False)
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.full_name = _("Deleted user")
    user.avatar = ""  # type: ignore[assignment]
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "avatar", "is_active", "password"])
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    LearnerProfile.objects.filter(user=user).update(interests=[], career_goal="")
    mentor = MentorProfile.objects.filter(user=user).first()
    if mentor is not None:
        if mentor.intro_video:
            mentor.intro_video.delete(save=False)
        MentorProfile.objects.filter(pk=mentor.pk).update(
            bio="",
            qualifications="",
            certifications="",
            skills=[],
            linkedin_url="",
            github_url="",
            website_url="",
            intro_video_url="",
            intro_video="",
            payout_upi="",
            payout_bank_account="",
            payout_ifsc="",
            is_featured=False,
        )
    logger.info("account %s deleted (anonymised)", user.pk)
    return user


# --- blocking (admin console) ------------------------------------------------------------------


@transaction.atomic
def block_user(*, user: User, by: User, reason: str, ip: str | None = None) -> User:
    """Block an account: it can no longer sign in (inactive) and every session it has is logged
    out at its next request. Audited with the reason. Admins cannot be blocked here."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition(_("Give a reason for blocking."))
    if user.role == Role.ADMIN or user.pk == by.pk:
        raise InvalidTransition(_("Admins cannot be blocked from the console."))
    done = User.objects.filter(pk=user.pk, is_blocked=False, is_active=True).update(is_blocked=True, is_active=False)
    versions.bump_on_commit(versions.CATALOG, versions.LISTING)
    if not done:
        raise InvalidTransition(_("%(name)s is already blocked or closed.") % {"name": user.full_name or user.email})
    audit.record(
        actor=by,
        action="user.block",
        obj=user,
        before={"is_blocked": False, "is_active": True},
        after={"is_blocked": True, "is_active": False},
        reason=reason,
        ip=ip,
    )
    user.is_blocked, user.is_active = True, False
    logger.info("user %s blocked by %s", user.pk, by.pk)
    return user


@transaction.atomic
def unblock_user(*, user: User, by: User, reason: str = "", ip: str | None = None) -> User:
    done = User.objects.filter(pk=user.pk, is_blocked=True).update(is_blocked=False, is_active=True)
    versions.bump_on_commit(versions.CATALOG, versions.LISTING)
    if not done:
        raise InvalidTransition(_("%(name)s is not blocked.") % {"name": user.full_name or user.email})
    audit.record(
        actor=by,
        action="user.unblock",
        obj=user,
        before={"is_blocked": True, "is_active": False},
        after={"is_blocked": False, "is_active": True},
        reason=(reason or "").strip(),
        ip=ip,
    )
    user.is_blocked, user.is_active = False, True
    logger.info("user %s unblocked by %s", user.pk, by.pk)
    return user


@transaction.atomic
def set_featured(*, mentor: User | MentorProfile, featured: bool, by: User, ip: str | None = None) -> MentorProfile:
    """Feature (or stop featuring) an approved mentor: featured mentors lead "Top mentors" on the
    landing page. Audited; a no-op change is refused."""
    profile = _profile_of(mentor)
    if profile.status != MentorStatus.APPROVED:
        raise InvalidTransition(_("Only approved mentors can be featured."))
    if not MentorProfile.objects.filter(pk=profile.pk, is_featured=not featured).update(is_featured=featured):
        raise InvalidTransition(_("No change: already as requested."))
    versions.bump_on_commit(versions.CATALOG, versions.LISTING)  # "Top mentors" on the landing page
    audit.record(
        actor=by,
        action="mentor.feature" if featured else "mentor.unfeature",
        obj=profile.user,
        before={"is_featured": not featured},
        after={"is_featured": featured},
        ip=ip,
    )
    profile.is_featured = featured
    return profile
