"""The registration wizards (SPEC §3): steps, session state and the finish step.

State lives in the visitor's session under ``registration:<role>``:

* ``step`` — the step being shown (0-based) and ``reached`` — the furthest step unlocked;
* ``data`` — cleaned data of every step that passed validation (JSON; the password only as a hash);
* ``drafts`` — what the visitor typed into a step that did not validate yet, or that they left with
  Back, so a reload shows it again (never passwords);
* ``files`` — uploads that passed their checks, kept in private storage (``PRIVATE_MEDIA_ROOT/wizard/``,
  never under a public URL; only this visitor's session can fetch them) until Finish;
* ``uploaded`` — bytes this wizard has accepted so far, replaced files included (capped).

Nothing touches the database until Finish, which creates the account in one transaction and then
hands over to allauth's email-verification-by-code stage (see ``finish``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone

from apps.core.storage import private_storage

from . import forms as f
from .models import Role, User

logger = logging.getLogger(__name__)

SESSION_PREFIX = "registration:"
TMP_DIR = "wizard"
# What one sign-up may upload in all (an avatar and an intro video, each replaced a few times).
UPLOAD_BUDGET_BYTES = 80 * 1024 * 1024


@dataclass(frozen=True)
class Step:
    key: str
    form_class: type[f.StepForm]


STEPS: dict[str, list[Step]] = {
    Role.LEARNER: [
        Step("basic", f.BasicInfoForm),
        Step("interests", f.InterestsForm),
        Step("goal", f.CareerGoalForm),
        Step("avatar", f.AvatarForm),
    ],
    Role.MENTOR: [
        Step("basic", f.BasicInfoForm),
        Step("domains", f.DomainsForm),
        Step("skills", f.SkillsForm),
        Step("bio", f.BioForm),
        Step("media", f.MentorMediaForm),
    ],
}
INVALID_MARK = "__invalid__"
SECRET_FIELDS = {"password1", "password2", "csrfmiddlewaretoken", "action"}


class WizardState:
    def __init__(self, request: HttpRequest, role: str) -> None:
        self.request = request
        self.role = role
        self.steps = STEPS[role]
        self.key = SESSION_PREFIX + role
        stored = request.session.get(self.key) or {}
        self.step: int = min(int(stored.get("step", 0)), len(self.steps) - 1)
        self.reached: int = min(int(stored.get("reached", 0)), len(self.steps) - 1)
        self.data: dict[str, dict[str, Any]] = stored.get("data", {})
        self.drafts: dict[str, dict[str, Any]] = stored.get("drafts", {})
        self.files: dict[str, str] = stored.get("files", {})
        self.next_url: str = stored.get("next", "")
        self.uploaded: int = int(stored.get("uploaded", 0))

    # --- persistence -----------------------------------------------------------------------
    def save(self) -> None:
        self.request.session[self.key] = {
            "step": self.step,
            "reached": self.reached,
            "data": self.data,
            "drafts": self.drafts,
            "files": self.files,
            "next": self.next_url,
            "uploaded": self.uploaded,
        }

    def clear(self) -> None:
        self.request.session.pop(self.key, None)

    # --- steps -----------------------------------------------------------------------------
    @property
    def current(self) -> Step:
        return self.steps[self.step]

    @property
    def is_last(self) -> bool:
        return self.step == len(self.steps) - 1

    def go_to(self, index: int) -> None:
        if 0 <= index <= self.reached:
            self.step = index

    def form_kwargs(self, step: Step) -> dict[str, Any]:
        if step.form_class is f.BasicInfoForm:
            return {"has_password": bool(self.data.get("basic", {}).get("password_hash"))}
        return {}

    def initial(self, step: Step) -> dict[str, Any]:
        initial = dict(self.data.get(step.key, {}))
        initial.pop("password_hash", None)
        if step.key == "goal" and initial.get("goal"):
            goal = initial["goal"]
            known = {str(g) for g in f.COMMON_GOALS}
            initial = {"goal_choice": goal} if goal in known else {"goal_choice": f.OTHER_GOAL, "custom_goal": goal}
        initial.update({k: v for k, v in self.drafts.get(step.key, {}).items() if k != INVALID_MARK})
        return initial

    def unbound_form(self) -> f.StepForm:
        """The form for a GET. After a failed Next, a reload shows what was typed *and* the errors
        again (the draft is re-validated); otherwise the saved data pre-fills the form."""
        step = self.current
        draft = self.drafts.get(step.key, {})
        if draft.get(INVALID_MARK) and not step.form_class.file_fields:
            data = QueryDict(mutable=True)
            for name, value in draft.items():
                if name != INVALID_MARK:
                    data.setlist(name, value if isinstance(value, list) else [value])
            form = step.form_class(data, **self.form_kwargs(step))
            form.is_valid()
            return form
        return step.form_class(initial=self.initial(step), **self.form_kwargs(step))

    def bound_form(self, post: QueryDict, files: Any) -> f.StepForm:
        step = self.current
        return step.form_class(post, files, **self.form_kwargs(step))

    def remember_draft(self, post: QueryDict, *, invalid: bool = False) -> None:
        """Keep what was typed into the current step (for a reload), minus secrets."""
        step = self.current
        form = step.form_class(**self.form_kwargs(step))
        draft: dict[str, Any] = {}
        for name, field in form.fields.items():
            if name in SECRET_FIELDS or name in step.form_class.file_fields:
                continue
            if isinstance(field.widget, f.forms.CheckboxSelectMultiple):
                draft[name] = post.getlist(name)
            elif name in post:
                draft[name] = post.get(name, "")[:2000]
        if invalid:
            draft[INVALID_MARK] = True
        self.drafts[step.key] = draft

    def accept(self, form: f.StepForm) -> None:
        step = self.current
        data = form.serialize()
        if step.key == "basic" and "password_hash" not in data:
            data["password_hash"] = self.data.get("basic", {}).get("password_hash", "")
        if step.key == "goal":
            data = {"goal": form.goal}  # type: ignore[attr-defined]
        self.data[step.key] = data
        self.drafts.pop(step.key, None)
        for name in step.form_class.file_fields:
            upload = form.cleaned_data.get(name)
            if upload is not None:
                self.store_file(name, upload)

    def advance(self) -> None:
        self.step = min(self.step + 1, len(self.steps) - 1)
        self.reached = max(self.reached, self.step)

    # --- temporary uploads -----------------------------------------------------------------
    def store_file(self, name: str, clean: Any) -> None:
        self.drop_file(name)
        path = private_storage().save(f"{TMP_DIR}/{uuid.uuid4().hex}.{clean.extension}", clean.content)
        self.files[name] = path

    def drop_file(self, name: str) -> None:
        old = self.files.pop(name, None)
        if old and PurePosixPath(old).parts[:1] == (TMP_DIR,):
            private_storage().delete(old)

    def over_budget(self, incoming: int) -> bool:
        """Count ``incoming`` bytes against this sign-up's upload budget; True if they exceed it."""
        if self.uploaded + incoming > UPLOAD_BUDGET_BYTES:
            return True
        self.uploaded += incoming
        return False

    def owns_file(self, filename: str) -> str | None:
        """The stored path of this wizard's upload called ``filename`` (its random name), if any."""
        for path in self.files.values():
            if PurePosixPath(path).name == filename and PurePosixPath(path).parts[:1] == (TMP_DIR,):
                return path
        return None

    def file_url(self, name: str) -> str | None:
        path = self.files.get(name)
        if path and private_storage().exists(path):
            return reverse("accounts:wizard_file", args=[self.role, PurePosixPath(path).name])
        return None

    def open_file(self, name: str) -> File[Any] | None:
        path = self.files.get(name)
        storage = private_storage()
        if not path or not storage.exists(path):
            return None
        return File(storage.open(path, "rb"), name=PurePosixPath(path).name)

    # --- progress --------------------------------------------------------------------------
    def progress(self) -> list[dict[str, Any]]:
        return [
            {
                "number": i + 1,
                "title": step.form_class.title,
                "state": "current" if i == self.step else ("done" if step.key in self.data else "todo"),
                "reachable": i <= self.reached,
            }
            for i, step in enumerate(self.steps)
        ]

    def percent(self) -> int:
        return round(100 * (self.step + 1) / len(self.steps))


def create_account(state: WizardState) -> User:
    """Create the user and profile from the wizard's data (Finish). Raises ``EmailTaken``."""
    from .services import create_user, notify_admins_of_new_mentor

    basic = state.data["basic"]
    fields: dict[str, Any] = {}
    avatar = state.open_file("avatar")
    if avatar is not None:
        fields["avatar"] = avatar
    domains = None
    if state.role == Role.LEARNER:
        fields["interests"] = state.data.get("interests", {}).get("interests", [])
        fields["career_goal"] = state.data.get("goal", {}).get("goal", "")
    else:
        skills = state.data.get("skills", {})
        bio = state.data.get("bio", {})
        media = state.data.get("media", {})
        fields.update(
            skills=skills.get("skills", []),
            certifications=skills.get("certifications", ""),
            linkedin_url=skills.get("linkedin_url", ""),
            github_url=skills.get("github_url", ""),
            website_url=skills.get("website_url", ""),
            bio=bio.get("bio", ""),
            qualifications=bio.get("qualifications", ""),
            intro_video_url=media.get("intro_video_url", ""),
        )
        video = state.open_file("intro_video")
        if video is not None:
            fields["intro_video"] = video
        domains = state.data.get("domains", {}).get("domains", [])
    try:
        with transaction.atomic():
            if f.email_taken(basic["email"]):
                raise EmailTaken
            user = create_user(
                email=basic["email"],
                password=None,
                password_hash=basic["password_hash"],
                full_name=basic["full_name"],
                role=state.role,
                email_verified=False,
                domains=domains,
                **fields,
            )
            if state.role == Role.MENTOR:
                notify_admins_of_new_mentor(mentor=user)
    finally:
        for opened in (fields.get("avatar"), fields.get("intro_video")):
            if opened is not None:
                opened.close()
    for name in list(state.files):
        state.drop_file(name)
    return user


class EmailTaken(Exception):
    pass


def purge_stale_uploads(*, max_age: timedelta = timedelta(days=1)) -> int:
    """Delete wizard uploads older than ``max_age`` (abandoned sign-ups); returns how many were
    removed. Sessions last longer than a day only for visitors who never finish."""
    storage = private_storage()
    try:
        _dirs, names = storage.listdir(TMP_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - max_age
    removed = 0
    for name in names:
        path = f"{TMP_DIR}/{name}"
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            removed += 1
    return removed
