from __future__ import annotations

from decimal import Decimal

import pghistory
import pgtrigger
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from billing.validators import validate_metadata
from catalog.validators import validate_currency
from core.validators import validate_country, validate_locale, validate_timezone

external_id_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$",
    "Use letters, digits and . _ : @ / - (starting with a letter or digit).",
    code="invalid_external_id",
)


# An update of usage_billed_until alone (the billing writer's watermark, moved for every customer
# at every billing run) writes no history row: it is rebuilt from the billed periods
# (invoicing.BilledPeriod: written once, never updated), and the row cost a fifth of the run's
# customer update. The column stays in the history: any other change records it as it is then.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pgtrigger.AnyChange(exclude=["usage_billed_until"])),
    pghistory.DeleteEvent(),
)
class Customer(models.Model):
    """Someone we bill. Never hard-deleted once it has documents: it is archived instead."""

    external_id = models.CharField(
        max_length=255,
        unique=True,
        validators=[external_id_validator],
        help_text="Your system's id for this customer; unique, used by the API and usage events.",
    )
    name = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    currency = models.CharField(
        max_length=3, validators=[validate_currency], help_text="ISO 4217 code, e.g. USD."
    )
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA zone; billing periods start at midnight here.",
    )
    locale = models.CharField(
        max_length=35, default="en", validators=[validate_locale], help_text="e.g. en-US, de-DE."
    )
    address_line1 = models.CharField("address line 1", max_length=255, blank=True)
    address_line2 = models.CharField("address line 2", max_length=255, blank=True)
    city = models.CharField(max_length=128, blank=True)
    postal_code = models.CharField(max_length=32, blank=True)
    state = models.CharField("state / region", max_length=128, blank=True)
    country = models.CharField(
        max_length=2, blank=True, validators=[validate_country], help_text="ISO 3166-1 alpha-2."
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Days from finalization to the invoice's due date.",
    )
    invoice_grace_period_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(60)],
        help_text="Days a usage invoice stays draft after its period ends, for late events.",
    )
    auto_collection = models.BooleanField(
        default=True,
        help_text="Charge its payment method when an invoice is finalized (off: it pays by "
        "itself, e.g. by bank transfer).",
    )
    tax_exempt = models.BooleanField(
        default=False, help_text="No tax on its invoices (reverse charge, exempt bodies)."
    )
    tax_id = models.CharField(
        "tax id", max_length=64, blank=True, help_text="VAT or sales-tax number, on invoices."
    )
    balance = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=Decimal(0),
        editable=False,
        help_text="Credit the customer holds in its currency (prepaid, granted, or carried from "
        "an invoice below zero), applied to its next finalized invoices. Changed only through "
        "balance transactions.",
    )
    metadata = models.JSONField(default=dict, blank=True, validators=[validate_metadata])
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)
    entitlements_blocked = models.BooleanField(
        default=False, help_text="Set by dunning (or staff): every feature check answers no."
    )
    entitlements_blocked_reason = models.CharField(max_length=255, blank=True)
    plan_changes_refused = models.BooleanField(
        default=False,
        help_text="Set by dunning: its subscriptions' plan and quantity changes are refused.",
    )
    plan_changes_refused_reason = models.CharField(max_length=255, blank=True)
    dunning_blocking = models.BooleanField(
        default=False,
        help_text="Set by dunning while the customer is in a state that blocks features: a "
        "subscription created meanwhile is blocked from its start.",
    )
    dunning_blocking_reason = models.CharField(max_length=255, blank=True)
    usage_billed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The end of the latest usage window billed (its draft or invoice exists): an "
        "event before it may belong to a billed window, and is handed to invoicing to refresh "
        "the draft or correct the invoice. Moved only by the billing writer, with BilledPeriod.",
    )
    # a test customer: billed on its test clock's frozen time, never by the live clock, and kept
    # out of live reports and live numbering series (integrations/testclocks.py)
    test_clock = models.ForeignKey(
        "billing.TestClock",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text="A test customer: billed on this test clock's time, not the real one.",
    )

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["created_at", "id"], name="customer_created_idx"),
            models.Index(fields=["email"], name="customer_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="customer_currency_upper"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_test(self) -> bool:
        return self.test_clock_id is not None
