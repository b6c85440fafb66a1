from __future__ import annotations

import pghistory
from django.db import models


class TestClockStatus(models.TextChoices):
    READY = "ready", "Ready"
    ADVANCING = "advancing", "Advancing"
    FAILED = "failed", "Failed"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TestClock(models.Model):
    """A frozen time for test customers: `advance` moves it forward and runs the billing clock
    for just its customers up to the new time (integrations/testclocks.py)."""

    __test__ = False  # not a pytest test class

    name = models.CharField(max_length=100)
    frozen_time = models.DateTimeField(help_text="The clock's current time.")
    status = models.CharField(
        max_length=10, choices=TestClockStatus.choices, default=TestClockStatus.READY
    )
    advancing_to = models.DateTimeField(
        null=True, blank=True, help_text="While advancing: the time it is moving to."
    )
    last_error = models.TextField(blank=True)
    step_attempts = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text="While advancing: how many runs started the work at frozen_time (an advance "
        "that cannot get past one instant fails after a few).",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # deleting a clock archives it and its customers (documents are never hard-deleted)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Deleted (archived with its customers) at."
    )

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.frozen_time:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
