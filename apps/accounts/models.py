from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    MENTOR = "mentor", _("Mentor")
    ADMIN = "admin", _("Admin")


class Theme(models.TextChoices):
    SYSTEM = "system", _("System")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Login is by email; exactly one role per account."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=120)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEARNER, db_index=True)
    timezone = models.CharField(max_length=64, default="Asia/Kolkata")
    theme = models.CharField(max_length=10, choices=Theme.choices, default=Theme.SYSTEM)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_blocked = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.split() if p]
        if not parts:
            return self.email[:1].upper()
        return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()

    @property
    def is_learner(self) -> bool:
        return self.role == Role.LEARNER

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN


class LearnerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="learner_profile")
    interests = models.JSONField(default=list, blank=True, help_text="1 to 5 interest tags")
    career_goal = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Learner profile of {self.user}"


class MentorStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MentorProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mentor_profile")
    status = models.CharField(max_length=10, choices=MentorStatus.choices, default=MentorStatus.PENDING, db_index=True)
    rejection_reason = models.TextField(blank=True)
    domains = models.ManyToManyField("taxonomy.Domain", related_name="mentors", blank=True)
    skills = models.JSONField(default=list, blank=True)
    certifications = models.TextField(blank=True)
    linkedin_url = models.URLField(blank=True)
    github_url = models.URLField(blank=True)
    website_url = models.URLField(blank=True)
    bio = models.TextField(blank=True)
    qualifications = models.TextField(blank=True)
    intro_video_url = models.URLField(blank=True)
    intro_video = models.FileField(upload_to="intro_videos/%Y/%m/", blank=True)
    # Denormalised, recomputed by the feedback service (SPEC §4 formula); None until first rating.
    rating = models.DecimalField(max_digits=2, decimal_places=1, null=True, blank=True, db_index=True)
    rating_count = models.PositiveIntegerField(default=0)
    sessions_taught = models.PositiveIntegerField(default=0, db_index=True)
    is_featured = models.BooleanField(default=False)
    payout_upi = models.CharField(max_length=100, blank=True)
    payout_bank_account = models.CharField(max_length=34, blank=True)
    payout_ifsc = models.CharField(max_length=11, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-rating", "-sessions_taught"], name="mentor_rank_idx")]

    def __str__(self) -> str:
        return f"Mentor profile of {self.user}"

    @property
    def is_approved(self) -> bool:
        return self.status == MentorStatus.APPROVED
