"""Payment methods: what a customer pays with, kept as the gateway's token only.

A card number or an IBAN is never stored in full: the gateway holds it and gives us a token; we
keep the brand, the last four digits, the expiry and the holder's name for display. One method
per customer is its default (a partial unique constraint stands behind the services), and a
subscription may name another method of the same customer (`SubscriptionPaymentMethod`). A
method is detached, never deleted: payments made with it keep pointing at it.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from billing.models import Customer, Subscription
from catalog.models import tracked
from payments.gateways.registry import GATEWAY_NAMES

last4_validator = RegexValidator(r"^[0-9]{4}$", "Exactly four digits.", code="invalid_last4")


class PaymentMethodKind(models.TextChoices):
    CARD = "card"
    SEPA_DEBIT = "sepa_debit", "SEPA direct debit"
    BANK_TRANSFER = "bank_transfer", "bank transfer"


class PaymentMethodState(models.TextChoices):
    ACTIVE = "active"
    EXPIRED = "expired"
    FAILED_VERIFICATION = "failed_verification", "failed verification"


@tracked()
class PaymentMethod(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payment_methods")
    gateway = models.CharField(max_length=16, choices=[(name, name) for name in GATEWAY_NAMES])
    token = models.CharField(max_length=255, help_text="the gateway's token, never a card number")
    gateway_customer = models.CharField(
        max_length=255,
        blank=True,
        help_text="the gateway's customer the method is attached to (Stripe: its `cus_...` "
        "Customer, sent with every charge: Stripe reuses a PaymentMethod off session only "
        "through its Customer); empty when the gateway has none",
    )
    kind = models.CharField(max_length=16, choices=PaymentMethodKind.choices)
    brand = models.CharField(max_length=32, blank=True)
    last4 = models.CharField(max_length=4, blank=True, validators=[last4_validator])
    exp_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    exp_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    holder_name = models.CharField(max_length=200, blank=True)
    state = models.CharField(
        max_length=24, choices=PaymentMethodState.choices, default=PaymentMethodState.ACTIVE
    )
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    detached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("gateway", "token"), name="payments_method_token_unique_per_gateway"
            ),
            models.UniqueConstraint(
                fields=("customer",),
                condition=Q(is_default=True),
                name="payments_method_one_default_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(last4="") | Q(last4__regex=r"^[0-9]{4}$"),
                name="payments_method_last4_four_digits",
            ),
            models.CheckConstraint(
                condition=Q(exp_month__isnull=True, exp_year__isnull=True)
                | Q(exp_month__isnull=False, exp_year__isnull=False),
                name="payments_method_expiry_month_and_year",
            ),
            models.CheckConstraint(
                condition=~Q(is_default=True, detached_at__isnull=False),
                name="payments_method_detached_is_not_default",
            ),
        ]

    def __str__(self) -> str:
        label = " ".join(p for p in (self.brand, f"…{self.last4}" if self.last4 else "") if p)
        return f"{self.get_kind_display()} {label}".strip() + f" ({self.gateway})"

    @property
    def is_detached(self) -> bool:
        return self.detached_at is not None


@tracked()
class SubscriptionPaymentMethod(models.Model):
    """A subscription paid with another method of its customer than the customer's default."""

    subscription = models.OneToOneField(
        Subscription, on_delete=models.CASCADE, related_name="payment_method_override"
    )
    payment_method = models.ForeignKey(
        PaymentMethod, on_delete=models.PROTECT, related_name="subscription_overrides"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("subscription_id",)

    def __str__(self) -> str:
        return f"subscription {self.subscription_id} → {self.payment_method}"
