"""Webhook endpoints, their signing secrets, deliveries (one per endpoint and journal event, or
a replay / test) and the attempts of each delivery."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from billing.models import JournalEvent

__all__ = [
    "DeliveryKind",
    "DeliveryStatus",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSecret",
]

ALL_EVENTS = "*"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class WebhookEndpoint(models.Model):
    """Where events are pushed: a URL, the event types it wants ("*": all), whether it is on."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    event_types = ArrayField(
        models.CharField(max_length=100),
        default=list,
        help_text='The event types delivered ("*": every type).',
    )
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its deliveries started failing without a success since (empty: healthy).",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["secret_encrypted"])
class WebhookSecret(models.Model):
    """A signing secret (`whsec_<base64>`), encrypted at rest (integrations/webhook_crypto.py).
    The current one has no `expires_at`; a rotated one signs too until `expires_at`."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="secrets")
    secret_encrypted = models.TextField()
    hint = models.CharField(max_length=20, help_text="the secret's last characters")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint"],
                condition=models.Q(expires_at__isnull=True),
                name="webhook_one_current_secret",
            )
        ]

    def __str__(self) -> str:
        return f"whsec_…{self.hint}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up after the retry window


class DeliveryKind(models.TextChoices):
    EVENT = "event"  # the journal handler's: one per endpoint and event
    REPLAY = "replay"  # asked for by hand
    TEST = "test"  # the `ping` test event


# Status changes only: a delivery's attempts are its own log (WebhookAttempt, append-only).
@pghistory.track(
    pghistory.InsertEvent(condition=pghistory.Q(new__kind__in=["replay", "test"])),
    pghistory.UpdateEvent(condition=pghistory.AnyChange("status")),
)
class WebhookDelivery(models.Model):
    """One journal event to send to one endpoint; retried until it succeeds or gives up.
    Sent in journal order per endpoint and subject: never while an earlier pending delivery of
    the same endpoint and subject exists."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(JournalEvent, on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=100)
    subject = models.CharField(max_length=120, help_text="subject_type:subject_id")
    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(
        null=True, blank=True, help_text="claimed by a worker sending it until then"
    )
    claim_token = models.UUIDField(
        null=True,
        blank=True,
        help_text="the claim of the worker sending it: only that claim records the outcome",
    )
    livemode = models.BooleanField(
        default=True,
        help_text="false: the event is about a customer on a test clock (set when recorded)",
    )
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    requested_by = models.CharField(max_length=200, blank=True, help_text="who asked (replays)")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=models.Q(kind="event"),
                name="webhook_delivery_once_per_event",
            )
        ]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_pending_idx",
            ),
            models.Index(
                fields=["endpoint", "subject", "id"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_subject_idx",
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_endpoint_idx"),
            models.Index(fields=["event"], name="webhook_delivery_event_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} -> endpoint #{self.endpoint_id}: {self.status}"

    @property
    def webhook_id(self) -> str:
        return f"evt_{self.event_id}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and its outcome. Append-only (it is itself the log)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    latency_ms = models.PositiveIntegerField(help_text="until the response's headers")
    duration_ms = models.PositiveIntegerField(help_text="until the response's body was read")
    response_excerpt = models.TextField(blank=True, help_text="the body's first 1 KB")
    succeeded = models.BooleanField()

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["delivery", "id"], name="webhook_attempt_delivery_idx")]

    def __str__(self) -> str:
        return f"attempt #{self.pk} of delivery #{self.delivery_id}"
