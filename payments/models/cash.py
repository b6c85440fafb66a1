"""Money in and out: payments, their allocations to invoices, refunds and every gateway call.

A payment is money a customer sent (a charge of a payment method, or a bank transfer staff
record). It reaches invoices only through allocations. Its amount is always split as

    amount = applied + unapplied + to_balance + refunded from unapplied

where `applied` is the sum of its live allocations, `unapplied` the cash it still holds on the
customer's account, `to_balance` what was moved to the customer's credit balance. The columns
are kept by the services under row locks, and check constraints stand behind them: no payment
can be applied beyond its amount, whatever writes to it.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from billing.models import Customer
from catalog.models import Plan, tracked
from invoicing.models import CreditNote, Invoice
from payments.models.methods import PaymentMethod

ZERO = Decimal(0)


class PaymentState(models.TextChoices):
    PENDING = "pending"  # asked, answer not known yet (the reconciler asks the gateway)
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# FAILED -> SUCCEEDED exists for one case only: a gateway's late answer that the charge did
# take the money (a webhook or `status` after the payment was recorded failed, e.g. a search
# that had not caught up). The money was taken, so it is recorded (collection's
# `payment_answers_record`, with `payment.late_success`); nothing else moves a failed payment.
# A succeeded payment never goes back: a late failure is only recorded as a gateway call.
PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentState.PENDING: {PaymentState.SUCCEEDED, PaymentState.FAILED},
    PaymentState.SUCCEEDED: set(),
    PaymentState.FAILED: {PaymentState.SUCCEEDED},
}


class PaymentKind(models.TextChoices):
    AUTOMATIC = "automatic", "automatic collection"
    MANUAL = "manual", "recorded by staff"


@tracked()
class Payment(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=9, choices=PaymentKind.choices)
    state = models.CharField(max_length=9, choices=PaymentState.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    method = models.ForeignKey(
        PaymentMethod, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    gateway = models.CharField(max_length=16)
    gateway_reference = models.CharField(
        max_length=255,
        blank=True,
        help_text="The gateway's id of the charge, or the bank transfer's reference.",
    )
    idempotency_key = models.CharField(
        max_length=128,
        unique=True,
        help_text="What the gateway sees: a retried call never charges twice.",
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collection_payments",
        help_text="The invoice an automatic payment collects.",
    )
    attempt = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Automatic collection: 1 for the first charge, then retries.",
    )
    applied = models.DecimalField(max_digits=20, decimal_places=4, default=ZERO)
    unapplied = models.DecimalField(max_digits=20, decimal_places=4, default=ZERO)
    to_balance = models.DecimalField(max_digits=20, decimal_places=4, default=ZERO)
    refunded = models.DecimalField(max_digits=20, decimal_places=4, default=ZERO)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    retryable = models.BooleanField(default=False)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="A failed automatic payment: when the clock retries."
    )
    charge_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the charge was sent: after it, only the gateway's "
        "status may resolve the payment, never a second charge.",
    )
    received_at = models.DateTimeField(null=True, blank=True, help_text="When the money came.")
    memo = models.CharField(max_length=255, blank=True)
    created_by = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("invoice", "attempt"),
                condition=Q(invoice__isnull=False),
                name="payments_one_payment_per_invoice_attempt",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(
                condition=Q(applied__gte=0, unapplied__gte=0, to_balance__gte=0, refunded__gte=0),
                name="payments_parts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(applied__lte=F("amount") - F("unapplied") - F("to_balance")),
                name="payments_never_over_applied",
            ),
            models.CheckConstraint(
                condition=Q(refunded__lte=F("amount")), name="payments_refunds_within_amount"
            ),
            models.CheckConstraint(
                condition=Q(state="succeeded") | Q(applied=0, unapplied=0, to_balance=0),
                name="payments_only_succeeded_hold_cash",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "state"], name="payments_customer_state_idx"),
            models.Index(
                fields=["retry_at"],
                condition=Q(retry_at__isnull=False),
                name="payments_retry_due_idx",
            ),
            models.Index(
                fields=["state", "charge_requested_at"],
                condition=Q(state="pending"),
                name="payments_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"payment #{self.pk} {self.amount} {self.currency} ({self.state})"


@tracked()
class Allocation(models.Model):
    """A part of a payment applied to an invoice. Unapplying ends it (it is kept, with when and
    by whom); the payment's `applied` and the invoice's amount due move with it."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=255)
    unapplied_at = models.DateTimeField(null=True, blank=True)
    unapplied_by = models.CharField(max_length=255, blank=True)
    unapply_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_allocation_positive")
        ]
        indexes = [
            models.Index(
                fields=["invoice"],
                condition=Q(unapplied_at__isnull=True),
                name="payments_live_allocation_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} of payment #{self.payment_id} to invoice #{self.invoice_id}"


class RefundState(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RefundSource(models.TextChoices):
    UNAPPLIED = "unapplied", "the payment's unapplied cash (an overpayment)"
    CREDIT_BALANCE = "credit_balance", "the customer's credit balance (after a credit note)"


@tracked()
class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    currency = models.CharField(max_length=3)
    source = models.CharField(max_length=14, choices=RefundSource.choices)
    credit_note = models.ForeignKey(
        CreditNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        help_text="The credit note on a paid invoice that the refund pays out.",
    )
    state = models.CharField(max_length=9, choices=RefundState.choices)
    reason = models.CharField(max_length=255)
    idempotency_key = models.CharField(max_length=128, unique=True)
    gateway_reference = models.CharField(max_length=255, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    refund_requested_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_positive"),
            models.CheckConstraint(
                condition=Q(source="credit_balance") | Q(credit_note__isnull=True),
                name="payments_refund_credit_note_only_from_balance",
            ),
        ]

    def __str__(self) -> str:
        return f"refund #{self.pk} {self.amount} {self.currency} ({self.state})"


class GatewayCall(models.Model):
    """Every call to a gateway and its answer: the timeline of a payment or a refund.
    Append-only."""

    class Action(models.TextChoices):
        CHARGE = "charge"
        STATUS = "status"
        REFUND = "refund"
        WEBHOOK = "webhook"

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    gateway = models.CharField(max_length=16)
    action = models.CharField(max_length=7, choices=Action.choices)
    idempotency_key = models.CharField(max_length=128)
    outcome = models.CharField(max_length=9)
    reference = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=255, blank=True)
    raw = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ("at", "id")
        indexes = [models.Index(fields=["payment"], name="payments_call_payment_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.outcome} at {self.at:%Y-%m-%d %H:%M:%S}"


DEFAULT_RETRY_DAYS = (3, 5, 7)


@tracked()
class RetryPolicy(models.Model):
    """When failed automatic payments are tried again: days after the first failed attempt.
    One global policy (no plan) and optional ones per plan; without any row, 3, 5 and 7 days."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="retry_policy"
    )
    days = ArrayField(
        models.PositiveSmallIntegerField(),
        size=10,
        help_text="Days after the first failed attempt, ascending (empty: no retries).",
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "retry policies"
        constraints = [
            models.UniqueConstraint(
                Coalesce(F("plan"), Value(0)), name="payments_one_retry_policy_per_scope"
            )
        ]

    def __str__(self) -> str:
        scope = self.plan.code if self.plan_id and self.plan else "every plan"
        return f"{scope}: {', '.join(map(str, self.days)) or 'no retries'} days"
