from decimal import Decimal

import pghistory
from django.db import models

from billing.models import CouponRedemption, Customer, Subscription
from catalog.models import Charge, PlanVersion, TaxRate
from core.audit import history_references_unindexed


class ClockLease(models.Model):
    """Work the clock has queued and not seen done: a tick does not queue it again until the task
    releases it or the lease runs out (a lost task is queued again then)."""

    kind = models.CharField(max_length=16)  # "subscription" | "invoice"
    object_id = models.BigIntegerField()
    token = models.CharField(max_length=64, help_text="The tick that queued it.")
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_lease_per_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class BillingFailure(models.Model):
    """A subscription the clock could not bill: what went wrong, since when, how often. The
    others of its chunk are billed; it is tried again at every tick until it bills, which marks
    the failure resolved."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="billing_failures"
    )
    as_of = models.DateTimeField(help_text="The instant the clock last tried to bill it for.")
    error = models.CharField(max_length=255, help_text="The kind of error.")
    message = models.TextField()
    traceback = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-last_failed_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_failure_per_subscription",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.subscription_id}: {self.error}"


class ClockTick(models.Model):
    """One run of the billing clock: when it ran, for which instant, and what it found to do."""

    as_of = models.DateTimeField(help_text="The instant the tick billed for.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True, help_text="host and process that ran it")
    task_id = models.CharField(max_length=255, blank=True)
    summary = models.JSONField(default=dict, help_text="What the tick found due and enqueued.")

    class Meta:
        ordering = ("-started_at",)
        indexes = [models.Index(fields=["-as_of"], name="clock_tick_as_of_idx")]

    def __str__(self) -> str:
        return f"tick {self.as_of:%Y-%m-%d %H:%M:%S}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft"
    OPEN = "open"  # finalized, numbered, awaiting payment
    PARTIALLY_PAID = "partially_paid", "partially paid"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class InvoiceKind(models.TextChoices):
    BILLING = "billing"  # the clock's: one draft per customer and billing date
    MANUAL = "manual"  # a draft made by hand (a one-off sale, a refund)
    CORRECTION = "correction"  # a supplementary invoice correcting a finalized one


INVOICE_TRANSITIONS: dict[str, set[str]] = {
    InvoiceStatus.DRAFT: {InvoiceStatus.OPEN, InvoiceStatus.PAID},
    InvoiceStatus.OPEN: {
        InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.PAID,
        InvoiceStatus.VOID,
        InvoiceStatus.UNCOLLECTIBLE,
    },
    # a payment unapplied from it: back to what its allocations make it
    InvoiceStatus.PARTIALLY_PAID: {
        InvoiceStatus.OPEN,
        InvoiceStatus.PAID,
        InvoiceStatus.UNCOLLECTIBLE,
    },
    # a written-off invoice stays written off (its receivable went to bad debt; a payment still
    # recovers it, and paid in full it is paid): never voided
    InvoiceStatus.UNCOLLECTIBLE: {InvoiceStatus.PAID},
    InvoiceStatus.PAID: {InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID},
    InvoiceStatus.VOID: set(),
}


class NumberSeries(models.Model):
    """A gapless counter per prefix and year, taken under a row lock at finalization."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "number series"
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_series_per_prefix_year")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Invoice(models.Model):
    """The clock bills a customer's steps of one billing date onto one draft (its subscriptions'
    periods that end or start then). A draft may change; once finalized (open) it never does:
    corrections are new documents."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.BILLING)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=14, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    # unique by a constraint (Meta), not unique=True: no varchar_pattern_ops ("_like") index
    # beside it, which no query uses (no LIKE 'x%' on numbers) and every finalization writes
    number = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001 - NULL: a draft
    billing_date = models.DateTimeField(help_text="The period end it bills (the billing date).")
    grace_until = models.DateTimeField(help_text="Late usage still lands in it until then.")
    subtotal = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))
    tax_total = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))
    total = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=Decimal(0),
        help_text="subtotal + exclusive taxes (inclusive taxes are inside the subtotal)",
    )
    credit_applied = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=Decimal(0),
        help_text="Taken from the customer's credit balance at finalization.",
    )
    amount_due = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=Decimal(0),
        help_text="total - credit applied - credit notes - payments applied (0 for a total "
        "below zero: carried to the balance).",
    )
    customer_snapshot = models.JSONField(default=dict, help_text="Frozen at finalization.")
    company_snapshot = models.JSONField(default=dict, help_text="Frozen at finalization.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finalized_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The finalized invoice this supplementary invoice corrects.",
        db_index=False,  # a partial index (Meta): nearly every invoice corrects none
    )
    pdf = models.FileField(upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-billing_date", "-id")
        constraints = [
            # a step arriving after its date's invoice was finalized goes on a new draft
            models.UniqueConstraint(
                fields=["customer", "billing_date"],
                condition=models.Q(status="draft", kind="billing"),
                name="one_billing_draft_per_customer_and_date",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_due__gte=0), name="invoice_amount_due_not_negative"
            ),
            # the name of unique=True's constraint, which it replaced (migration 0022)
            models.UniqueConstraint(fields=["number"], name="invoicing_invoice_number_key"),
        ]
        indexes = [
            models.Index(fields=["status", "grace_until"], name="invoice_due_idx"),
            models.Index(
                fields=["corrects"],
                condition=models.Q(corrects__isnull=False),
                name="invoice_corrects_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"


class LineKind(models.TextChoices):
    FIXED_FEE = "fixed_fee", "fixed fee"
    USAGE = "usage"
    MINIMUM = "minimum", "minimum commitment true-up"
    PRORATION = "proration"
    ONE_OFF = "one_off", "one-off"
    ONE_TIME = "one_time", "one-time fee"  # a price book's one-time fee (a setup fee)
    TRIAL = "trial", "free trial"  # the zero line of a free trial's invoice
    ADD_ON = "add_on", "add-on"
    DISCOUNT = "discount"
    # prepaid credit sold (a wallet top-up): untaxed, posted to prepaid_sold instead of revenue,
    # and its invoice never takes the credit balance (payments.services.wallets)
    PREPAID = "prepaid", "prepaid credit"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=9, choices=LineKind.choices)
    description = models.CharField(max_length=255)
    quantity = models.DecimalField(max_digits=38, decimal_places=12, default=Decimal(1))
    unit_amount = models.DecimalField(max_digits=28, decimal_places=12, null=True, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="rounded once")
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    metric_code = models.CharField(max_length=64, blank=True)
    explanation = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)
    tax_rate = models.ForeignKey(
        TaxRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tax_percentage = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal(0), help_text="as applied"
    )
    tax_inclusive = models.BooleanField(default=False)
    tax_category = models.CharField(
        max_length=14, blank=True, help_text="The rate's category as applied (exempt, ...)."
    )
    catalog_tax_rate = models.ForeignKey(
        TaxRate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The rate set on what priced the line (its charge, add-on, one-time fee or "
        "product), which overrides the customer's address rate; null: the address rate.",
    )
    tax_amount = models.DecimalField(
        max_digits=20, decimal_places=4, default=Decimal(0), help_text="rounded once per line"
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The price book that priced a fee, usage or minimum line.",
    )
    redemption = models.ForeignKey(
        CouponRedemption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        help_text="The coupon redemption a discount line comes from.",
    )
    charge = models.ForeignKey(
        Charge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The usage charge that priced a usage or minimum line (a coupon limited to "
        "charges covers it by this).",
    )

    class Meta:
        # grouped by subscription, in time order: the same order however the lines were billed
        # (one chunk or several, on time or in a catch-up); lines added by hand come last
        ordering = ("invoice", "subscription", "period_start", "position", "id")

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


# tracked like the others, its history's references unindexed (core.audit): a line's history is
# read by the line (pgh_obj), never by its invoice, subscription or price
pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    attrs=history_references_unindexed(
        InvoiceLine,
        "invoice",
        "subscription",
        "tax_rate",
        "catalog_tax_rate",
        "plan_version",
        "redemption",
        "charge",
    ),
)(InvoiceLine)


class BilledPeriod(models.Model):
    """What has been billed, and the idempotency key of billing: each subscription period is
    billed once, ever, for each kind: its advance fee (at its start) and its usage and arrears
    fee (at its end, or at a cut: `period_end` is then the cut). The only record of "billed":
    late usage is classified against it. A step with nothing to bill has no invoice."""

    class Kind(models.TextChoices):
        ADVANCE = "advance"
        PERIOD_END = "period_end", "period end"
        CLOSING = "closing"  # lines left waiting when it ended, after its last period was billed
        START = "start"  # at its start: one-time fees, and a free trial's zero invoice

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERIOD_END)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="billed_periods"
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The price book the step was billed with (re-rating uses it again).",
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "kind"], name="bill_each_period_once"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.subscription_id} {self.period_start:%Y-%m-%d} -> {self.invoice_id}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CreditNote(models.Model):
    """A credit against a finalized invoice (whole, or by line and amount), with its reason.
    Issued once and never edited; the invoice it credits never changes."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.CharField(max_length=32, unique=True)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=20, decimal_places=4, help_text="with its tax")
    tax_total = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))
    to_balance = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        default=Decimal(0),
        help_text="The part beyond what was still owed on the invoice, credited to the "
        "customer's balance.",
    )
    reason = models.CharField(max_length=255)
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The subscription whose cancellation it credits (a price book's "
        "cancellation_credit = credit_note).",
    )
    explanation = models.JSONField(
        default=dict,
        blank=True,
        help_text="How it was computed when it was issued for a rule (the period, the unused "
        "part, the formula).",
    )
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=255)

    class Meta:
        ordering = ("-issued_at", "-id")

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    description = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="positive: credited")
    tax_amount = models.DecimalField(
        max_digits=20, decimal_places=4, default=Decimal(0), help_text="its share of the tax"
    )

    class Meta:
        ordering = ("credit_note", "id")

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Correction(models.Model):
    """A re-rating of one billed period and metric: what was invoiced, what it comes to with the
    events stored now, and the document that settles the difference (a credit note on the
    original, or a supplementary invoice linked to it)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"  # waiting for finance's approval
        APPLIED = "applied"
        NOTHING = "nothing", "nothing to correct"

    class Kind(models.TextChoices):
        USAGE = "usage"  # a metric's usage and minimum lines
        DISCOUNT = "discount"  # the coupon discounts that follow them

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="usage_corrections")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.USAGE)
    metric_code = models.CharField(max_length=64, blank=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    quantity = models.DecimalField(
        max_digits=38,
        decimal_places=12,
        null=True,
        blank=True,
        help_text="Usage: the quantity the window comes to with the events stored now.",
    )
    invoiced = models.DecimalField(max_digits=20, decimal_places=4)
    recomputed = models.DecimalField(max_digits=20, decimal_places=4)
    difference = models.DecimalField(max_digits=20, decimal_places=4)
    status = models.CharField(max_length=8, choices=Status.choices)
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supplementary_invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    explanation = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.metric_code or self.kind} on {self.invoice}: {self.difference:+}"


class ReconciliationReport(models.Model):
    """A check of a window: events -> aggregates -> invoice lines -> invoice totals -> ledger."""

    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    created_at = models.DateTimeField()
    ok = models.BooleanField()
    checked = models.JSONField(default=dict, help_text="How many of each thing were checked.")
    mismatches = models.JSONField(default=list)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        state = "ok" if self.ok else f"{len(self.mismatches)} mismatches"
        return f"{self.window_start:%Y-%m-%d} to {self.window_end:%Y-%m-%d}: {state}"


# ---------------------------------------------------------------------------------- branding

BRAND_DEFAULTS = {"primary_color": "#1f4e79", "primary_text_color": "#ffffff",
                  "accent_color": "#2e75b6"}  # fmt: skip


@pghistory.track(pghistory.InsertEvent(), exclude=["data"])
class BrandLogo(models.Model):
    """A logo's bytes, keyed by their SHA-256: written once, never changed, so a finalized
    document that names a digest is rendered with the logo it was issued with."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=32)  # image/png | image/jpeg
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.content_type}, {self.width}×{self.height})"  # noqa: RUF001


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Branding(models.Model):
    """The company's name, logo and colours shown in the customer portal and on invoices and
    credit notes. One row (id 1); finalization freezes it into the invoice's company details."""

    display_name = models.CharField(
        max_length=100, blank=True, help_text="Empty: the company's name (settings.COMPANY)."
    )
    logo = models.ForeignKey(
        BrandLogo, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    primary_color = models.CharField(max_length=7, default=BRAND_DEFAULTS["primary_color"])
    primary_text_color = models.CharField(
        max_length=7, default=BRAND_DEFAULTS["primary_text_color"]
    )
    accent_color = models.CharField(max_length=7, default=BRAND_DEFAULTS["accent_color"])
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "branding"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="branding_one_row")]

    def __str__(self) -> str:
        return "Branding"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["document"])
class ImportRun(models.Model):
    """One customer's history imported from another system (invoicing/services/imports.py): the
    document as given, what it created and the invoices its replay produced. Its `key` makes a
    retried import do nothing twice."""

    key = models.CharField(max_length=100, unique=True, help_text="The import's idempotency key.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the document (canonical JSON).")
    document = models.JSONField()
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="import_runs"
    )
    subscriptions = models.ManyToManyField(Subscription, blank=True, related_name="import_runs")
    invoices = models.ManyToManyField(Invoice, blank=True, related_name="import_runs")
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    steps = models.PositiveIntegerField(default=0, help_text="Replay steps in the document.")
    done = models.PositiveIntegerField(default=0, help_text="Replay steps done.")
    billed_until = models.DateTimeField(help_text="The instant the replay bills up to (now).")
    error = models.TextField(blank=True)
    error_field = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    actor = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"import {self.key}"


class InterimBilling(models.Model):
    """Usage billed before its period's end (invoicing/services/interim.py): by a usage threshold
    reached (progressive billing) or by a charge paid in advance. One row per charge and billing:
    `billed_to` is what the charge's usage of the period had come to (rated) when it was billed,
    `amount` the part of it billed here (billed_to less what earlier rows billed). The period's
    end deducts the rows of its period, line by line. The unique keys make a retried task bill
    nothing twice (under the subscription's lock the amounts only grow)."""

    class Reason(models.TextChoices):
        THRESHOLD = "threshold", "usage threshold reached"
        IN_ADVANCE = "in_advance", "charge paid in advance"

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateTimeField(help_text="The billing period it bills part of.")
    charge = models.ForeignKey("catalog.Charge", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    threshold = models.DecimalField(
        max_digits=28, decimal_places=12, null=True, blank=True,
        help_text="The threshold level reached (progressive billing).",
    )  # fmt: skip
    amount = models.DecimalField(max_digits=20, decimal_places=4, help_text="billed here")
    billed_to = models.DecimalField(
        max_digits=20, decimal_places=4, help_text="the charge's period usage, rated, then"
    )
    quantity = models.DecimalField(max_digits=38, decimal_places=12)
    usage_until = models.DateTimeField(help_text="Usage counted up to this instant.")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="interim_billings")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("subscription", "period_start", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start", "charge", "billed_to"],
                name="interim_billed_once",
            ),
            models.UniqueConstraint(
                fields=["subscription", "period_start", "charge", "threshold"],
                condition=models.Q(threshold__isnull=False),
                name="interim_threshold_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.subscription_id} {self.period_start:%Y-%m-%d} {self.amount}"
