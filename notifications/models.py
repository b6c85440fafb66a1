"""E-mail notifications: one row per e-mail a customer is sent (or would have been).

A row is recorded in the transaction of what caused it (a journal handler, the renewal clock
hook, a resend by staff) under a unique `key`, so a cause records its e-mail once however often
it is delivered; it is sent after the commit by a Celery task that claims it (`sending`) before
talking to the SMTP server and records the Message-ID it set once the server accepted it."""

from __future__ import annotations

import pghistory
from django.db import models

from billing.models import Customer, JournalEvent


class Template(models.TextChoices):
    INVOICE_FINALIZED = "invoice_finalized", "invoice finalized"
    PAYMENT_RECEIPT = "payment_receipt", "payment receipt"
    PAYMENT_FAILED = "payment_failed", "payment failed"
    CREDIT_NOTE_ISSUED = "credit_note_issued", "credit note issued"
    TRIAL_ENDING = "trial_ending", "trial ending"
    UPCOMING_RENEWAL = "upcoming_renewal", "upcoming renewal"
    DUNNING_REMINDER = "dunning_reminder", "dunning reminder"
    DUNNING_WARNING = "dunning_warning", "dunning warning"
    DUNNING_SUSPENSION = "dunning_suspension", "dunning suspension"
    DUNNING_CANCELLATION = "dunning_cancellation", "dunning cancellation"


class State(models.TextChoices):
    PENDING = "pending"  # recorded, waiting for its send (or its next attempt)
    SENDING = "sending"  # claimed by a worker until `claimed_until`
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # given up after MAX_ATTEMPTS, or an error that no retry cures
    SKIPPED = "skipped"  # never sent: `last_error` says why (no e-mail address)


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    State.PENDING: frozenset({State.SENDING, State.SKIPPED}),
    State.SENDING: frozenset({State.SENT, State.PENDING, State.FAILED}),
    State.SENT: frozenset(),
    State.FAILED: frozenset(),
    State.SKIPPED: frozenset(),
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Notification(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="notifications")
    template = models.CharField(max_length=32, choices=Template.choices)
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What it is sent for, once: '<template>:event:<journal event id>', "
        "'upcoming_renewal:<subscription>:<renewal instant>', '<original key>:resend:<n>'.",
    )
    event = models.ForeignKey(
        JournalEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The journal event it tells the customer about (none for clock notices).",
    )
    data = models.JSONField(
        default=dict, blank=True, help_text="What the e-mail is about: ids and frozen facts."
    )
    resend_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resends"
    )
    requested_by = models.CharField(
        max_length=255, blank=True, help_text="Who asked for a resend (empty: automatic)."
    )
    recipient = models.CharField(max_length=254, blank=True)
    locale = models.CharField(max_length=35, blank=True, help_text="The language it is in.")
    subject = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="notification_customer_idx"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="notification_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.template} to {self.recipient or '(no address)'} ({self.state})"
