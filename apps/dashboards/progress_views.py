"""The learner's progress page (SPEC §9): goals, figures, the weekly chart, badges and the timeline
of completed sessions. Every figure comes from the learner's completed bookings (one query), never
from a stored counter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import AuthenticatedRequest, learner_required
from apps.progress import badges, figures, goals
from apps.progress.models import MAX_GOAL_TARGET, Feedback, Goal
from apps.rooms.models import ChecklistTick
from apps.taxonomy.models import Domain


class GoalForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Goal"),
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Get job-ready in Python")}),
    )
    target_sessions = forms.IntegerField(
        label=gettext_lazy("Target sessions"),
        min_value=1,
        max_value=MAX_GOAL_TARGET,
        help_text=gettext_lazy("How many completed sessions reach this goal."),
    )
    domain = forms.ModelChoiceField(
        label=gettext_lazy("Domain (optional)"),
        queryset=Domain.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Any domain"),
        help_text=gettext_lazy("Only sessions in this domain count."),
    )

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{prefix_id}%s" if prefix_id else "id_%s")
        super().__init__(*args, **kwargs)

    def goal_fields(self) -> dict[str, Any]:
        """The cleaned values as the goal services take them."""
        domain = self.cleaned_data["domain"]
        return {
            "title": self.cleaned_data["title"],
            "target_sessions": self.cleaned_data["target_sessions"],
            "domain_id": domain.pk if domain else None,
        }


def main_goal_progress(user: Any) -> figures.GoalProgress | None:
    """The learner dashboard's widget: the first active goal's ring (two small queries)."""
    goals.ensure_career_goal(user)
    goal = goals.active_goals(user).first()
    if goal is None:
        return None
    return figures.goal_progress(goal, figures.done_rows(user))


def _goal_form_for(goal: Goal) -> GoalForm:
    return GoalForm(
        initial={"title": goal.title, "target_sessions": goal.target_sessions, "domain": goal.domain_id},
        prefix_id=f"goal{goal.pk}_",
    )


def _context(request: AuthenticatedRequest, **override: Any) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    zone = figures.user_zone(user)
    goals.ensure_career_goal(user)
    bookings = list(figures.completed_bookings(user))
    done = figures.as_done(bookings)
    active = list(goals.active_goals(user))
    archived = list(goals.archived_goals(user))
    progress = [figures.goal_progress(g, done) for g in active]
    minutes = sum(d.minutes for d in done)
    weekly = figures.sessions_per_week(done, now=now, zone=zone)
    session_ids = [b.session_id for b in bookings]
    topics = (
        sorted(
            set(ChecklistTick.objects.filter(session_id__in=session_ids, done=True).values_list("topic", flat=True)),
            key=str.casefold,
        )
        if session_ids
        else []
    )
    reviews = Feedback.objects.filter(learner=user).count()
    edit_forms = override.pop("edit_forms", {})
    for p in progress:
        p_form = edit_forms.get(p.goal.pk) or _goal_form_for(p.goal)
        setattr(p.goal, "edit_form", p_form)  # noqa: B010 - read by the template
    return {
        "nav_active": "progress",
        "goal_progress": progress,
        "main_goal": progress[0] if progress else None,
        "archived_goals": archived,
        "goal_form": GoalForm(),
        "completed": len(done),
        "hours_learned": figures.format_minutes(minutes),
        "minutes": minutes,
        "topics": topics,
        "streak": figures.current_streak(done, now=now, zone=zone),
        "weekly": weekly,
        "chart": {
            "labels": [f"{w.day} {w:%b}" for w, _n in weekly],
            "counts": [n for _w, n in weekly],
            "label": _("Sessions"),
        },
        "has_recent": any(n for _w, n in weekly),
        "timeline": bookings,
        "badges": badges.learner_board(awards=badges.awards_of(user), done=done, reviews=reviews, zone=zone),
        "max_target": MAX_GOAL_TARGET,
        **override,
    }


@require_GET
@learner_required
def learner_progress(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "dashboards/learner_progress.html", _context(request))


def _redirect(anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("dashboards:learner_progress") + (f"#{anchor}" if anchor else ""))


def _apply_error(form: GoalForm, exc: goals.GoalError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


@require_POST
@learner_required
def goal_add(request: AuthenticatedRequest) -> HttpResponse:
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            goal = goals.create_goal(learner=request.user, **form.goal_fields())
        except goals.GoalError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Goal added: %(title)s") % {"title": goal.title})
            return _redirect(f"goal-{goal.pk}")
    ctx = _context(request, goal_form=form, open_add=True)
    return render(request, "dashboards/learner_progress.html", ctx, status=400)


@require_POST
@learner_required
def goal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk, learner=request.user)
    form = GoalForm(request.POST, prefix_id=f"goal{goal.pk}_")
    if form.is_valid():
        try:
            goals.update_goal(goal=goal, learner=request.user, **form.goal_fields())
        except goals.GoalError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Goal saved."))
            return _redirect(f"goal-{goal.pk}")
    ctx = _context(request, edit_forms={goal.pk: form}, open_edit=goal.pk)
    return render(request, "dashboards/learner_progress.html", ctx, status=400)


@require_POST
@learner_required
def goal_archive(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal, pk=pk, learner=request.user)
    restore = request.POST.get("restore") == "1"
    try:
        if restore:
            goals.restore_goal(goal=goal, learner=request.user)
        else:
            goals.archive_goal(goal=goal, learner=request.user)
    except goals.GoalError as exc:
        messages.error(request, str(exc))
        return _redirect("goals")
    if restore:
        messages.success(request, _("Goal restored: %(title)s") % {"title": goal.title})
    else:
        messages.success(request, _("Goal archived: %(title)s. You can restore it below.") % {"title": goal.title})
    return _redirect("goals")


@require_POST
@learner_required
def session_note(request: AuthenticatedRequest, booking_id: int) -> HttpResponse:
    try:
        goals.save_note(booking_id=booking_id, learner=request.user, text=request.POST.get("text", ""))
    except goals.GoalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Note saved."))
    return _redirect(f"booking-{booking_id}")
