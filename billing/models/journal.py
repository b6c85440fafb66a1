from __future__ import annotations

from django.contrib.postgres.indexes import BrinIndex
from django.db import models


class JournalEvent(models.Model):
    """A domain event: append-only, written in the same transaction as the change it records."""

    type = models.CharField(max_length=100)  # indexed in Meta: no varchar_pattern_ops index
    subject_type = models.CharField(max_length=50)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField()
    actor = models.JSONField(help_text="kind, id and label of who acted.")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "id"], name="journal_subject_idx"),
            # db_index=True added a second, varchar_pattern_ops ("_like") index for LIKE 'x%'
            # that no query uses and every event's COPY wrote (migration 0025)
            models.Index(fields=["type"], name="journal_type_idx"),
            # webhook replays "since a time": a BRIN index (a few pages for millions of rows,
            # nearly free to keep up in an append-only table whose times grow with its ids)
            BrinIndex(fields=["occurred_at"], name="journal_occurred_brin"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type} {self.subject_type}:{self.subject_id}"

    @property
    def subject(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


class JournalDelivery(models.Model):
    """What the dispatcher handed to one handler, and how it went."""

    class Status(models.TextChoices):
        DELIVERED = "delivered"
        FAILED = "failed"

    event = models.ForeignKey(JournalEvent, on_delete=models.PROTECT, related_name="deliveries")
    handler = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "journal deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="journal_delivery_once")
        ]
        indexes = [models.Index(fields=["handler", "status"], name="journal_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.handler} <- event #{self.event_id}: {self.status}"
