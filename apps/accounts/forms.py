"""Forms for the registration wizards and the profile settings page.

Every wizard step is a plain form; ``apps.accounts.wizard`` strings them together. Step forms are
validated on the server one at a time and their cleaned data is kept in the session.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any, ClassVar

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.forms import IdMultipleChoiceField
from apps.core.uploads import clean_image, clean_video
from apps.taxonomy.models import Domain

from .models import MentorProfile, Theme, User

FILE_INPUT_CLASS = (
    "block w-full max-w-full text-sm text-ink-muted file:mr-3 file:min-h-11 file:cursor-pointer file:rounded-xl "
    "file:border-0 file:bg-primary-50 file:px-4 file:py-2 file:font-semibold file:text-primary-700 "
    "hover:file:bg-primary-100 dark:file:bg-primary-900/40 dark:file:text-primary-100"
)
MAX_TAGS = 5
# Strings the tag-input script shows, translated on the server (static/src/js/wizard.js).
TAG_INPUT_TEXT = {
    "data-text-empty": _("Type and press Enter"),
    "data-text-more": _("Add another…"),
    "data-text-full": _("Maximum reached"),
    "data-text-remove": _("Remove"),
    "data-text-added": _("added"),
    "data-text-removed": _("removed"),
    "data-text-selected": _("Selected"),
}
MAX_SKILLS = 10
BIO_MIN, BIO_MAX = 150, 500

COMMON_GOALS = [
    _("Software Engineer"),
    _("Data Scientist"),
    _("Machine Learning Engineer"),
    _("Full-Stack Developer"),
    _("Product Manager"),
    _("UI/UX Designer"),
    _("Cloud / DevOps Engineer"),
    _("Crack a competitive exam (JEE, NEET, GATE, CAT, UPSC)"),
    _("Improve spoken English"),
]
OTHER_GOAL = "__other__"


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def split_tags(raw: str) -> list[str]:
    """'python, Machine learning,,python' -> ['python', 'Machine learning'] (case-insensitive dedupe)."""
    seen: set[str] = set()
    tags: list[str] = []
    for part in re.split(r"[,\n]", raw or ""):
        tag = " ".join(part.split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


class TagsField(forms.CharField):
    """A comma-separated list of short tags, cleaned to a list of strings."""

    def __init__(self, *, min_tags: int = 1, max_tags: int = MAX_TAGS, max_tag_length: int = 40, **kwargs: Any):
        self.min_tags, self.max_tags, self.max_tag_length = min_tags, max_tags, max_tag_length
        kwargs.setdefault("required", False)  # the count check below gives the friendlier message
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        raw = super().clean(value)
        tags = split_tags(raw)
        if len(tags) < self.min_tags:
            raise ValidationError(
                _("Add at least %(n)d tag.") if self.min_tags == 1 else _("Add at least %(n)d tags."),
                params={"n": self.min_tags},
                code="too_few",
            )
        if len(tags) > self.max_tags:
            raise ValidationError(
                _("Choose at most %(n)d tags (you have %(count)d)."),
                params={"n": self.max_tags, "count": len(tags)},
                code="too_many",
            )
        for tag in tags:
            if len(tag) > self.max_tag_length:
                raise ValidationError(
                    _("“%(tag)s” is too long; keep each tag under %(n)d characters."),
                    params={"tag": tag[:20] + "…", "n": self.max_tag_length},
                    code="tag_too_long",
                )
        return tags


class StepForm(forms.Form):
    """Base of wizard steps. ``serialize`` turns cleaned data into JSON for the session."""

    title: ClassVar[Any] = ""
    intro: ClassVar[Any] = ""
    file_fields: ClassVar[tuple[str, ...]] = ()

    def serialize(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.file_fields}


# --- Step: basic info (both wizards) ---------------------------------------------------------


class BasicInfoForm(StepForm):
    title = _("Basic info")
    intro = _("Tell us who you are. You will use this email and password to sign in.")

    full_name = forms.CharField(
        label=_("Full name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-password-meter": "true"}),
        help_text=_("At least 8 characters; not a common password and not only digits."),
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, has_password: bool = False, **kwargs: Any) -> None:
        # ``has_password``: the visitor already chose a password in this wizard (we keep only its
        # hash), so they may leave both boxes empty to keep it.
        self.has_password = has_password
        super().__init__(*args, **kwargs)
        # Live "email taken" check: htmx asks the server for a small fragment while typing.
        self.fields["email"].widget.attrs.update(
            {
                "hx-get": reverse("accounts:check_email"),
                "hx-trigger": "input changed delay:500ms, blur",
                "hx-target": "#email-status",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        if has_password:
            self.fields["password1"].help_text = _("You already chose a password; leave both boxes empty to keep it.")

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise ValidationError(_("Enter your full name."))
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email):
            raise ValidationError(
                _("An account with this email already exists. Sign in or reset your password instead."),
                code="taken",
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1") or "", data.get("password2") or ""
        if not p1 and not p2 and self.has_password:
            return data
        if not p1:
            self.add_error("password1", _("Choose a password."))
            return data
        if p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
            return data
        probe = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
        try:
            password_validation.validate_password(p1, probe)
        except ValidationError as exc:
            self.add_error("password1", exc)
        return data

    def serialize(self) -> dict[str, Any]:
        from django.contrib.auth.hashers import make_password

        out = {"full_name": self.cleaned_data["full_name"], "email": self.cleaned_data["email"]}
        if self.cleaned_data.get("password1"):
            out["password_hash"] = make_password(self.cleaned_data["password1"])
        return out


# --- Learner steps ---------------------------------------------------------------------------


class InterestsForm(StepForm):
    title = _("Interests")
    intro = _("Pick 1 to 5 topics you want to learn. We use them to suggest mentors and sessions.")

    interests = TagsField(
        label=_("Interests"),
        help_text=_("Type a topic and press Enter or comma. 1 to 5 tags."),
        widget=forms.TextInput(
            attrs={"list": "tag-suggestions", "autocomplete": "off", "data-tag-input": "5", **TAG_INPUT_TEXT}
        ),
    )


class CareerGoalForm(StepForm):
    title = _("Career goal")
    intro = _("Optional: a goal helps us recommend the right sessions. You can change it later.")

    goal_choice = forms.ChoiceField(label=_("Common goals"), required=False, widget=forms.RadioSelect)
    custom_goal = forms.CharField(
        label=_("Your own goal"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Become a backend developer at a product startup")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal_choice"].choices = [  # type: ignore[attr-defined]
            ("", _("No goal for now")),
            *((str(g), g) for g in COMMON_GOALS),
            (OTHER_GOAL, _("Something else (type it below)")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice, custom = data.get("goal_choice") or "", (data.get("custom_goal") or "").strip()
        if choice == OTHER_GOAL and not custom:
            self.add_error("custom_goal", _("Type your goal, or pick one of the common goals."))
        if custom and len(custom) < 3:
            self.add_error("custom_goal", _("Describe your goal in at least 3 characters."))
        return data

    @property
    def goal(self) -> str:
        custom = (self.cleaned_data.get("custom_goal") or "").strip()
        choice = self.cleaned_data.get("goal_choice") or ""
        if custom:
            return custom
        return "" if choice == OTHER_GOAL else choice


class AvatarForm(StepForm):
    title = _("Profile picture")
    intro = _("Add a photo so mentors recognise you. JPEG, PNG or WebP up to 2 MB — or skip for an initials avatar.")
    file_fields: ClassVar[tuple[str, ...]] = ("avatar",)

    avatar = forms.FileField(
        label=_("Profile picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "class": FILE_INPUT_CLASS}),
        help_text=_("JPEG, PNG or WebP, up to 2 MB. We resize it and remove hidden metadata."),
    )

    def clean_avatar(self) -> Any:
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        return clean_image(upload)


# --- Mentor steps ----------------------------------------------------------------------------


class DomainsForm(StepForm):
    title = _("Domain expertise")
    intro = _("Choose 1 to 5 domains you can teach.")

    domains = IdMultipleChoiceField(
        label=_("Domains"),
        queryset=Domain.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_domains(self) -> Any:
        domains = self.cleaned_data.get("domains")
        count = len(domains) if domains is not None else 0
        if count < 1:
            raise ValidationError(_("Choose at least one domain."))
        if count > MAX_TAGS:
            raise ValidationError(_("Choose at most 5 domains (you chose %(count)d)."), params={"count": count})
        return domains

    def serialize(self) -> dict[str, Any]:
        return {"domains": [d.pk for d in self.cleaned_data["domains"]]}


class SkillsForm(StepForm):
    title = _("Skills & certifications")
    intro = _("List the skills learners can book you for, and where they can check your work.")

    skills = TagsField(
        label=_("Skills"),
        max_tags=MAX_SKILLS,
        help_text=_("Type a skill and press Enter or comma. 1 to 10 tags, e.g. Python, System design."),
        widget=forms.TextInput(
            attrs={"list": "tag-suggestions", "autocomplete": "off", "data-tag-input": "10", **TAG_INPUT_TEXT}
        ),
    )
    certifications = forms.CharField(
        label=_("Certifications"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("One per line, e.g. AWS Solutions Architect - Associate (2024)")}
        ),
    )
    linkedin_url = forms.URLField(label=_("LinkedIn profile"), required=False, assume_scheme="https")
    github_url = forms.URLField(label=_("GitHub profile"), required=False, assume_scheme="https")
    website_url = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    def clean_linkedin_url(self) -> str:
        url = self.cleaned_data.get("linkedin_url") or ""
        if url and not re.match(r"^https?://([a-z0-9-]+\.)*linkedin\.com/", url, re.IGNORECASE):
            raise ValidationError(_("Enter a linkedin.com address."))
        return url

    def clean_github_url(self) -> str:
        url = self.cleaned_data.get("github_url") or ""
        if url and not re.match(r"^https?://(www\.)?github\.com/", url, re.IGNORECASE):
            raise ValidationError(_("Enter a github.com address."))
        return url


class BioForm(StepForm):
    title = _("Bio & qualifications")
    intro = _("Learners read this before booking. Say what you teach, how, and why you are good at it.")

    bio = forms.CharField(
        label=_("Bio"),
        widget=forms.Textarea(attrs={"rows": 6, "data-char-counter": "true", "maxlength": BIO_MAX}),
        help_text=_("150 to 500 characters."),
        error_messages={"required": _("Write a short bio (150 to 500 characters).")},
    )
    qualifications = forms.CharField(
        label=_("Qualifications"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("e.g. B.Tech CSE, IIT Madras (2018)")}),
    )

    def clean_bio(self) -> str:
        bio = self.cleaned_data["bio"].strip()
        if len(bio) < BIO_MIN:
            raise ValidationError(
                _("Your bio has %(count)d characters; write at least %(min)d."),
                params={"count": len(bio), "min": BIO_MIN},
            )
        if len(bio) > BIO_MAX:
            raise ValidationError(
                _("Your bio has %(count)d characters; keep it to %(max)d."), params={"count": len(bio), "max": BIO_MAX}
            )
        return bio


class MentorMediaForm(AvatarForm):
    title = _("Photo & intro video")
    intro = _("A friendly photo and a short intro video help learners choose you. Both are optional.")
    file_fields: ClassVar[tuple[str, ...]] = ("avatar", "intro_video")

    intro_video_url = forms.URLField(
        label=_("Intro video link"),
        required=False,
        assume_scheme="https",
        help_text=_("A link to a video, e.g. on YouTube or Vimeo."),
    )
    intro_video = forms.FileField(
        label=_("…or upload a video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm", "class": FILE_INPUT_CLASS}),
        help_text=_("MP4 or WebM, up to 50 MB."),
    )

    def clean_intro_video(self) -> Any:
        upload = self.cleaned_data.get("intro_video")
        if not upload:
            return None
        return clean_video(upload)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("intro_video_url") and data.get("intro_video"):
            self.add_error("intro_video", _("Give a link or upload a video, not both."))
        return data


# --- Profile settings ------------------------------------------------------------------------

UPI_RE = r"^[a-zA-Z0-9.\-_]{2,256}@[a-zA-Z][a-zA-Z0-9]{1,64}$"
IFSC_RE = r"^[A-Z]{4}0[A-Z0-9]{6}$"
BANK_ACCOUNT_RE = r"^[0-9]{9,18}$"


class ProfileSettingsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    timezone = forms.CharField(
        label=_("Timezone"),
        max_length=64,
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
        help_text=_("All times are shown in this timezone, e.g. Asia/Kolkata."),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices, widget=forms.RadioSelect)
    avatar = forms.FileField(
        label=_("Profile picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "class": FILE_INPUT_CLASS}),
        help_text=_("JPEG, PNG or WebP, up to 2 MB."),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my picture (use initials)"), required=False)

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise ValidationError(_("Enter your full name."))
        return name

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        if name not in zoneinfo.available_timezones():
            raise ValidationError(_("Choose a timezone from the list, e.g. Asia/Kolkata."))
        return name

    def clean_avatar(self) -> Any:
        upload = self.cleaned_data.get("avatar")
        return clean_image(upload) if upload else None


class LearnerSettingsForm(ProfileSettingsForm):
    interests = TagsField(
        label=_("Interests"),
        help_text=_("1 to 5 tags, separated by commas."),
        widget=forms.TextInput(
            attrs={"list": "tag-suggestions", "autocomplete": "off", "data-tag-input": "5", **TAG_INPUT_TEXT}
        ),
    )
    career_goal = forms.CharField(label=_("Career goal"), required=False, max_length=200)


class MentorSettingsForm(ProfileSettingsForm):
    bio = BioForm.base_fields["bio"]
    qualifications = BioForm.base_fields["qualifications"]
    skills = SkillsForm.base_fields["skills"]
    domains = DomainsForm.base_fields["domains"]
    clean_bio = BioForm.clean_bio
    clean_domains = DomainsForm.clean_domains


def mentor_settings_initial(profile: MentorProfile) -> dict[str, Any]:
    return {
        "bio": profile.bio,
        "qualifications": profile.qualifications,
        "skills": profile.skills,
        "domains": list(profile.domains.all()),
    }


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(label=_("I understand this cannot be undone"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That password is not correct."))
        return password
