"""Payouts: the other side of a two-sided platform, the mirror image of charges.

A payee (a seller, a partner) is paid on a schedule: every N days, weeks, months or years from an
anchor (a local date in the payee's time zone, with the month-end clamp of billing/periods.py).
Each ended period gives exactly one payout (UNIQUE (schedule, period_start), as BilledPeriod
does for billing): a fixed amount, or a percentage of what the payee's customers paid in the
period less what was refunded to them in it. The clock creates the payouts, posts them payable,
and sends them through the payout method's gateway; see payments/services/payouts_run.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from billing.models import Customer
from catalog.models import IntervalUnit, tracked

ZERO = Decimal(0)


class PayeeState(models.TextChoices):
    ACTIVE = "active"
    ARCHIVED = "archived"


@tracked()
class Payee(models.Model):
    external_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    currency = models.CharField(max_length=3, help_text="What the payee is paid in.")
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="The zone its schedules' periods are counted in."
    )
    state = models.CharField(max_length=8, choices=PayeeState.choices, default=PayeeState.ACTIVE)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("external_id",)

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class PayoutGateway(models.TextChoices):
    SANDBOX = "sandbox", "sandbox (deterministic by token)"
    MANUAL = "manual", "manual (a bank transfer staff make)"


class PayoutMethodState(models.TextChoices):
    ACTIVE = "active"
    DETACHED = "detached"


@tracked()
class PayoutMethod(models.Model):
    """Where a payee's money goes: a sandbox token, or (manual) the bank account staff pay."""

    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="payout_methods")
    gateway = models.CharField(max_length=16, choices=PayoutGateway.choices)
    token = models.CharField(
        max_length=255,
        help_text="The sandbox token (tok_ok ...), or for the manual gateway the bank "
        "account's reference staff pay to (an IBAN, an internal label).",
    )
    label = models.CharField(max_length=255, blank=True)
    is_default = models.BooleanField(default=False)
    state = models.CharField(
        max_length=8, choices=PayoutMethodState.choices, default=PayoutMethodState.ACTIVE
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    detached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("payee_id", "-is_default", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("payee",),
                condition=Q(is_default=True),
                name="payments_one_default_payout_method",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(state="active"),
                name="payments_default_payout_method_active",
            ),
        ]

    def __str__(self) -> str:
        shown = self.label or self.token
        return f"{self.gateway} {shown}" + (" (default)" if self.is_default else "")


@tracked()
class PayeeCustomer(models.Model):
    """A customer whose payments count for a payee's percentage payouts, from `created_at` (when
    it was linked) until `unlinked_at` (removing a link keeps the row: a payment counts for the
    payee whose link was in place when the payment was recorded). One current link a customer."""

    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="customer_links")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payee_links")
    created_at = models.DateTimeField(help_text="When the link started counting (linked at).")
    unlinked_at = models.DateTimeField(
        null=True, blank=True, help_text="When it stopped counting (removed); empty: current."
    )

    class Meta:
        ordering = ("payee_id", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("customer",),
                condition=Q(unlinked_at__isnull=True),
                name="payments_one_current_payee_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(unlinked_at__isnull=True) | Q(unlinked_at__gte=models.F("created_at")),
                name="payments_payee_customer_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["customer"], name="payments_payeecust_cust_idx")]

    def __str__(self) -> str:
        return f"customer #{self.customer_id} of payee #{self.payee_id}"


class AmountKind(models.TextChoices):
    FIXED = "fixed", "a fixed amount"
    PERCENTAGE = "percentage", "a percentage of the customers' payments less refunds"


@tracked()
class PayoutSchedule(models.Model):
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="schedules")
    interval_unit = models.CharField(max_length=5, choices=IntervalUnit.choices)
    interval_count = models.PositiveSmallIntegerField(default=1)
    anchor = models.DateField(
        help_text="Local date (the payee's zone) the periods are counted from: the first "
        "period starts at its midnight."
    )
    amount_kind = models.CharField(max_length=10, choices=AmountKind.choices)
    fixed_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    percentage = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="0 < p <= 100"
    )
    currency = models.CharField(max_length=3, help_text="The payee's currency.")
    active = models.BooleanField(default=True)
    next_index = models.IntegerField(
        default=0, help_text="n of the next period the clock has not paid out."
    )
    next_period_start = models.DateTimeField()
    next_period_end = models.DateTimeField(
        help_text="When the next period ends: the clock pays it out at or after this instant."
    )
    switched_off_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last switched off (empty: never)."
    )
    counts_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Percentage basis: payments recorded from this instant count (empty: the "
        "first period's start; moved on when it resumes after periods entirely off).",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("payee_id", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_count__gte=1), name="payments_payout_interval_positive"
            ),
            models.CheckConstraint(
                condition=(
                    Q(amount_kind="fixed", fixed_amount__gt=0, percentage__isnull=True)
                    | Q(
                        amount_kind="percentage",
                        fixed_amount__isnull=True,
                        percentage__gt=0,
                        percentage__lte=100,
                    )
                ),
                name="payments_payout_schedule_amount",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_period_end"],
                condition=Q(active=True),
                name="payments_payout_sched_due_idx",
            )
        ]

    def __str__(self) -> str:
        every = f"{self.interval_count} {self.interval_unit}(s)"
        what = (
            f"{self.fixed_amount} {self.currency}"
            if self.amount_kind == AmountKind.FIXED
            else f"{self.percentage}%"
        )
        return f"schedule #{self.pk}: {what} every {every}"


class PayoutState(models.TextChoices):
    PENDING = "pending"  # to send (at next_retry_at when set)
    PROCESSING = "processing"  # sent: the gateway's answer is awaited (or asked by `status`)
    PAID = "paid"
    FAILED = "failed"  # gave up: staff retry or cancel it
    CANCELED = "canceled"
    SKIPPED = "skipped"  # nothing to pay (a percentage of nothing, or less): no money moves


PAYOUT_TRANSITIONS: dict[str, set[str]] = {
    PayoutState.PENDING: {PayoutState.PROCESSING, PayoutState.CANCELED},
    PayoutState.PROCESSING: {PayoutState.PAID, PayoutState.PENDING, PayoutState.FAILED},
    PayoutState.FAILED: {PayoutState.PENDING, PayoutState.CANCELED},
    PayoutState.PAID: set(),
    PayoutState.CANCELED: set(),
    PayoutState.SKIPPED: set(),
}
UNPAID = (PayoutState.PENDING, PayoutState.PROCESSING, PayoutState.FAILED)  # still payable


@tracked()
class Payout(models.Model):
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="payouts")
    schedule = models.ForeignKey(PayoutSchedule, on_delete=models.PROTECT, related_name="payouts")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    amount_kind = models.CharField(max_length=10, choices=AmountKind.choices)
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    currency = models.CharField(max_length=3)
    percentage = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    payments_total = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Percentage payouts: the customers' payments newly recorded (see the basis).",
    )
    refunds_total = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Percentage payouts: the refunds of counted payments newly recorded.",
    )
    carried_in = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Percentage payouts: the negative net carried from the previous payout (<= 0).",
    )
    carried_out = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Percentage payouts: the negative net carried to the next payout (<= 0).",
    )
    state = models.CharField(max_length=10, choices=PayoutState.choices)
    method = models.ForeignKey(
        PayoutMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="payouts"
    )
    gateway = models.CharField(max_length=16, blank=True)
    gateway_reference = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(
        max_length=128,
        unique=True,
        help_text="The payout's key; attempt n is sent as <key>-a<n>.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current attempt was sent."
    )
    next_retry_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=255, blank=True)
    created_by = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-period_start", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("schedule", "period_start"), name="payments_one_payout_per_period"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(state="skipped", amount=0),
                name="payments_payout_amount_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["payee", "state"], name="payments_payout_payee_idx"),
            models.Index(
                fields=["state", "next_retry_at"],
                condition=Q(state__in=["pending", "processing"]),
                name="payments_payout_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"payout #{self.pk} {self.amount} {self.currency} ({self.state})"

    def attempt_key(self, attempt: int | None = None) -> str:
        """What the gateway sees for attempt `attempt` (default: the current one)."""
        return f"{self.idempotency_key}-a{attempt if attempt is not None else self.attempts}"


class PayoutCall(models.Model):
    """Every call to a gateway about a payout, and its answer: the payout's timeline.
    Append-only."""

    class Action(models.TextChoices):
        PAYOUT = "payout"
        STATUS = "status"

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="calls")
    attempt = models.PositiveSmallIntegerField()
    gateway = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=6, choices=Action.choices)
    idempotency_key = models.CharField(max_length=140)
    outcome = models.CharField(max_length=9)
    reference = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=255, blank=True)
    raw = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "id")
        indexes = [models.Index(fields=["payout"], name="payments_payoutcall_payout_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.outcome} at {self.at:%Y-%m-%d %H:%M:%S}"


class PayoutBasisItem(models.Model):
    """What a percentage payout counted: each payment (amount > 0) and each refund of a payment
    counted by the same schedule (amount < 0). A payment or refund counts once per schedule
    (the unique keys). Append-only, written with the payout in one transaction."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="basis_items")
    schedule = models.ForeignKey(
        PayoutSchedule, on_delete=models.PROTECT, related_name="basis_items"
    )
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=20, decimal_places=4)

    class Meta:
        ordering = ("payout_id", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("schedule", "payment"),
                condition=Q(payment__isnull=False),
                name="payments_basis_payment_once",
            ),
            models.UniqueConstraint(
                fields=("schedule", "refund"),
                condition=Q(refund__isnull=False),
                name="payments_basis_refund_once",
            ),
            models.CheckConstraint(
                condition=(
                    Q(payment__isnull=False, refund__isnull=True, amount__gt=0)
                    | Q(payment__isnull=True, refund__isnull=False, amount__lt=0)
                ),
                name="payments_basis_payment_or_refund",
            ),
        ]
        indexes = [models.Index(fields=["payout"], name="payments_basis_payout_idx")]

    def __str__(self) -> str:
        what = f"payment #{self.payment_id}" if self.payment_id else f"refund #{self.refund_id}"
        return f"{what}: {self.amount}"
