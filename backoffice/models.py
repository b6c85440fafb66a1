"""The back office's own records: notes on customers, the general ledger's account codes and
accounting exports. Everything else it shows belongs to the apps below it."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from billing.models import Customer
from billing.models.ledger import LedgerAccount
from core.models import Job


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CustomerNote(models.Model):
    """A note finance or support staff keep on a customer (a call, a promise to pay...)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="notes")
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["customer", "-created_at"], name="note_customer_idx")]

    def __str__(self) -> str:
        return f"note on {self.customer_id} by {self.author_label or 'unknown'}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class GlAccountCode(models.Model):
    """The general ledger's code for one of our ledger accounts, mapped once by finance staff and
    written on every line of the ledger export."""

    account = models.CharField(max_length=20, choices=LedgerAccount.choices, unique=True)
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("account",)
        verbose_name = "general ledger account code"

    def __str__(self) -> str:
        return f"{self.account} -> {self.code}"


class ExportKind(models.TextChoices):
    INVOICES = "invoices"
    CREDIT_NOTES = "credit_notes", "credit notes"
    PAYMENTS = "payments"
    REFUNDS = "refunds"
    LEDGER = "ledger", "general ledger"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Export(models.Model):
    """An accounting export of one kind for a period [period_start, period_end] (dates, UTC),
    written to a file by a job and downloaded from the admin or the API."""

    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, blank=True, help_text="Empty: every currency.")
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="export")
    file = models.CharField(max_length=500, blank=True, help_text="Path under MEDIA_ROOT.")
    rows = models.BigIntegerField(null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True, help_text="Bytes.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}..{self.period_end} ({self.format})"
