"""What a customer holds besides subscriptions: a credit balance and redeemed coupons."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.db import models
from django.db.models import Q

from billing.models.customers import Customer
from billing.models.subscriptions import Subscription
from catalog.models import Coupon


class BalanceKind(models.TextChoices):
    GRANT = "grant", "credit granted by staff"
    PREPAID = "prepaid", "prepaid credit bought"
    ADJUSTMENT = "adjustment", "adjustment by staff"
    APPLIED = "applied", "applied to an invoice"
    CARRIED = "carried", "credit carried from an invoice below zero"
    CREDIT_NOTE = "credit_note", "credit note on a settled invoice"
    RESTORED = "restored", "restored by a void"
    OVERPAYMENT = "overpayment", "overpayment moved from unapplied cash"
    REFUNDED = "refunded", "refunded to the customer"
    EXPIRED = "expired", "expired credit"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CustomerBalanceTransaction(models.Model):
    """One movement of a customer's credit balance (positive: credit added; negative: used).
    Append-only; `balance_after` is the balance once it was applied."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="balance_transactions"
    )
    kind = models.CharField(max_length=11, choices=BalanceKind.choices)
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    currency = models.CharField(max_length=3)
    balance_after = models.DecimalField(max_digits=20, decimal_places=4)
    document_type = models.CharField(max_length=32, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.CharField(max_length=255)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CouponRedemption(models.Model):
    """A coupon applied to a customer's invoices: to one subscription, or to all of them (within
    the coupon's plans). It discounts each billing of their periods until its duration is used."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        USED_UP = "used_up", "used up"
        REMOVED = "removed"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="redemptions")
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemptions",
        help_text="Empty: every subscription of the customer (on the coupon's plans).",
    )
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.ACTIVE)
    periods_applied = models.PositiveIntegerField(
        default=0, help_text="Invoices it has discounted so far."
    )
    last_invoice_id = models.BigIntegerField(null=True, blank=True)
    redeemed_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    amount_discounted = models.DecimalField(max_digits=20, decimal_places=4, default=Decimal(0))

    class Meta:
        ordering = ("-redeemed_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "coupon"],
                condition=Q(status="active"),
                name="one_active_redemption_per_coupon",
            )
        ]

    def __str__(self) -> str:
        return f"{self.coupon.code} for {self.customer.external_id}"
