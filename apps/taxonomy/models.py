from __future__ import annotations

from django.db import models


class Domain(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    icon = models.CharField(max_length=40, blank=True, help_text="Heroicon name")

    class Meta:
        ordering = ("name",)
        db_table = "catalog_domain"

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)

    class Meta:
        ordering = ("name",)
        constraints = [models.UniqueConstraint(fields=["domain", "slug"], name="topic_unique_per_domain")]
        db_table = "catalog_topic"

    def __str__(self) -> str:
        return self.name
