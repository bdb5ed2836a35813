from __future__ import annotations

from django.conf import settings
from django.db import models


class Feedback(models.Model):
    """One rating (1-5) and optional comment per completed booking (SPEC §9)."""

    booking = models.OneToOneField("bookings.Booking", on_delete=models.CASCADE, related_name="feedback")
    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="feedback")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_received")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_given")
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # An admin hid an abusive review: off the mentor's profile and out of the rating, kept here.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    # The mentor's one public reply, shown under the review on their profile.
    reply = models.TextField(max_length=1000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["mentor", "-created_at"], name="feedback_mentor_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.mentor_id}"


MAX_GOAL_TARGET = 200


class Goal(models.Model):
    """A learner's goal: a number of completed sessions (optionally in one domain) to reach.

    Progress is never stored: it is counted from the learner's completed bookings whose session
    ended at or after ``counts_from`` (the moment the goal was set; the goal seeded from the career
    goal at registration counts from the day the learner joined)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=150)
    target_sessions = models.PositiveSmallIntegerField()
    domain = models.ForeignKey("taxonomy.Domain", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    counts_from = models.DateTimeField()
    # The one goal created from the career goal given at registration (at most one per learner).
    from_career_goal = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["learner", "archived_at"], name="goal_learner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_sessions__gte=1, target_sessions__lte=MAX_GOAL_TARGET),
                name="goal_target_range",
            ),
            models.UniqueConstraint(
                fields=["learner"], condition=models.Q(from_career_goal=True), name="goal_one_from_career_goal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.target_sessions})"


class BadgeAward(models.Model):
    """A badge a user earned, once (the rules and names live in ``apps.progress.badges``).

    ``code`` names the rule ("first_session", "domain_pro:<domain id>", "taught_10", …); ``title`` is
    the name shown, fixed when earned (a "<Domain> Pro" badge keeps the domain's name of that day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    code = models.CharField(max_length=60)
    title = models.CharField(max_length=120)
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ("awarded_at", "id")
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="badge_award_once")]

    def __str__(self) -> str:
        return f"{self.title} for {self.user_id}"


class SessionNote(models.Model):
    """The learner's own note on a completed session (shown in their progress timeline)."""

    booking = models.OneToOneField("bookings.Booking", on_delete=models.CASCADE, related_name="learner_note")
    text = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Note on booking {self.booking_id}"
