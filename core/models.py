from datetime import datetime, timedelta

from django.db import models


class IdempotencyKey(models.Model):
    """The first response to a POST made with an `Idempotency-Key`, replayed for the same key.

    `scope` is a hash of the authenticated principal (the API key's id, or a session's user id),
    so two API keys never share a key space and one key's header spellings always do.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="idempotency_key_unique_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path} -> {self.status_code})"


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(models.Model):
    """Long work that shows its progress: a billing run, a re-rating, a usage backfill, an export.

    Written by `core.jobs` in short transactions of their own (never inside the work's), so the
    admin's page of jobs sees the counts move while the work runs."""

    kind = models.CharField(max_length=40, db_index=True)
    label = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.BigIntegerField(null=True, blank=True, help_text="Empty while not known.")
    done = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0, help_text="Items that failed.")
    errors = models.JSONField(default=list, blank=True, help_text="The first errors, as text.")
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    chunks = models.JSONField(
        default=list,
        blank=True,
        help_text="The keys of the chunks counted already (a job split over several tasks): a "
        "chunk delivered again is not counted twice.",
    )
    actor = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["status", "-created_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    def elapsed(self, now: datetime) -> timedelta | None:
        """How long it ran (to `now` while it runs); None before it started."""
        if self.started_at is None:
            return None
        return max((self.finished_at or now) - self.started_at, timedelta(0))
