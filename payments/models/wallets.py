"""Wallets: prepaid credit a customer bought or was granted, on top of its credit balance.

The customer's credit balance (`Customer.balance`, moved only by `CustomerBalanceTransaction`s)
stays the one source of truth of what the customer holds. A `CreditGrant` records where a part of
it came from (granted by staff, or bought with a paid top-up invoice), how much of that part is
left (`remaining`) and when it expires. Invoices take the balance at finalization as before; the
wallet then attributes what they took to the grants, soonest-expiring first (see
payments.services.wallets). `WalletSettings` holds a customer's automatic top-up: when its balance
falls below `threshold`, a top-up invoice of `top_up_amount` is issued and charged to its default
payment method.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from billing.models import Customer
from catalog.models import tracked
from invoicing.models import Invoice

ZERO = Decimal(0)


class GrantSource(models.TextChoices):
    GRANTED = "granted", "granted by staff"
    PURCHASED = "purchased", "bought by a top-up"


@tracked()
class CreditGrant(models.Model):
    """A part of a customer's credit balance: its origin, what is left of it, its expiry.

    amount = remaining + consumed by invoices + amount_expired (consumption restored by a void
    goes back to `remaining`). A bought grant names its paid top-up invoice (unique: a top-up
    grants its credit once)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_grants")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=20, decimal_places=4)
    remaining = models.DecimalField(
        max_digits=20, decimal_places=4, help_text="not yet used by invoices nor expired"
    )
    source = models.CharField(max_length=9, choices=GrantSource.choices)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="empty: the credit never expires"
    )
    top_up_invoice = models.OneToOneField(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_grant",
        help_text="the paid top-up invoice that bought it",
    )
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.CharField(max_length=255)
    granted_at = models.DateTimeField()
    expired_at = models.DateTimeField(null=True, blank=True)
    amount_expired = models.DecimalField(max_digits=20, decimal_places=4, default=ZERO)

    class Meta:
        ordering = ("-granted_at", "-id")
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(expired_at__isnull=True, expires_at__isnull=False),
                name="grant_expiry_due_idx",
            ),
            models.Index(fields=["customer", "granted_at"], name="grant_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, amount_expired__gte=0)
                & Q(remaining__lte=F("amount") - F("amount_expired")),
                name="grant_remaining_bounds",
            ),
            models.CheckConstraint(
                condition=Q(source="purchased", top_up_invoice__isnull=False)
                | Q(source="granted", top_up_invoice__isnull=True),
                name="grant_purchased_has_invoice",
            ),
            models.CheckConstraint(
                condition=Q(expired_at__isnull=True) | Q(remaining=0),
                name="grant_expired_nothing_left",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount} {self.currency}"

    @property
    def consumed(self) -> Decimal:
        return self.amount - self.remaining - self.amount_expired


@tracked()
class WalletSettings(models.Model):
    """A customer's wallet: automatic top-up, and how far its balance movements were attributed
    to its grants (`attributed_through`, the last balance transaction handled)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.PROTECT, related_name="wallet_settings"
    )
    auto_top_up = models.BooleanField(
        default=False,
        help_text="Issue a top-up invoice (charged to the default payment method) when the "
        "balance falls below the threshold.",
    )
    threshold = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True,
        help_text="in the customer's currency",
    )  # fmt: skip
    top_up_amount = models.DecimalField(
        max_digits=20, decimal_places=4, null=True, blank=True,
        help_text="in the customer's currency",
    )  # fmt: skip
    attributed_through = models.BigIntegerField(
        default=0, editable=False, help_text="the last balance transaction attributed to grants"
    )
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "wallet settings"
        verbose_name_plural = "wallet settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_top_up=False)
                | Q(threshold__isnull=False, top_up_amount__isnull=False),
                name="wallet_auto_top_up_complete",
            ),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=0),
                name="wallet_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(top_up_amount__isnull=True) | Q(top_up_amount__gt=0),
                name="wallet_top_up_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"wallet of {self.customer}"
