"""Django admin for accounts (superusers only, behind 2FA — see AdminTwoFactorMiddleware)."""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import LearnerProfile, MentorProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("-date_joined",)
    list_display = ("email", "full_name", "role", "is_active", "is_blocked", "date_joined")
    list_filter = ("role", "is_active", "is_blocked", "is_staff")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "timezone", "theme", "avatar")}),
        (
            _("Status"),
            {"fields": ("is_active", "is_blocked", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role", "password1", "password2")}),
    )


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "career_goal")
    search_fields = ("user__email", "user__full_name")
    raw_id_fields = ("user",)


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "rating", "sessions_taught", "is_featured")
    list_filter = ("status", "is_featured")
    search_fields = ("user__email", "user__full_name")
    raw_id_fields = ("user",)
    filter_horizontal = ("domains",)
    # Status changes go through approve_mentor/reject_mentor (emails, guarded transition).
    readonly_fields: ClassVar[tuple[str, ...]] = ("status", "rejection_reason", "approved_at", "rating", "rating_count")
