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
