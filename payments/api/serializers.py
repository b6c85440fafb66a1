"""Input and output of the payment method endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from payments.gateways.registry import GATEWAY_NAMES
from payments.models import (
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodState,
    SubscriptionPaymentMethod,
)


class PaymentMethodOut(serializers.ModelSerializer[PaymentMethod]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the customer's external id"
    )

    class Meta:
        model = PaymentMethod
        fields = (
            "id",
            "customer",
            "gateway",
            "token",
            "gateway_customer",
            "kind",
            "brand",
            "last4",
            "exp_month",
            "exp_year",
            "holder_name",
            "state",
            "is_default",
            "created_at",
            "updated_at",
            "detached_at",
        )
        read_only_fields = ("gateway_customer",)  # set by the setup or on creation only


class PaymentMethodIn(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=255, help_text="the customer's external id")
    gateway = serializers.ChoiceField(choices=list(GATEWAY_NAMES))
    token = serializers.CharField(
        max_length=255,
        help_text="the gateway's token for the card or account; never its number or IBAN",
    )
    gateway_customer = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="Stripe only: the Stripe Customer (`cus_...`) you attached this PaymentMethod "
        "to yourself. Stripe charges a saved PaymentMethod off session only through its "
        "Customer: collection sends it with every charge. Cards saved in the portal get theirs "
        "from the setup. Read-only afterwards.",
    )
    kind = serializers.ChoiceField(choices=PaymentMethodKind.choices)
    brand = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    last4 = serializers.RegexField(
        r"^[0-9]{4}$", required=False, allow_blank=True, default="",
        help_text="the last four digits, for display (exactly 4 digits, or empty)",
    )  # fmt: skip
    exp_month = serializers.IntegerField(
        min_value=1, max_value=12, required=False, allow_null=True, default=None
    )
    exp_year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, allow_null=True, default=None
    )
    holder_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class PaymentMethodPatchIn(serializers.Serializer[Any]):
    holder_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    exp_month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    exp_year = serializers.IntegerField(
        min_value=2000, max_value=2100, required=False, allow_null=True
    )
    state = serializers.ChoiceField(choices=PaymentMethodState.choices, required=False)


class SubscriptionPaymentMethodIn(serializers.Serializer[Any]):
    payment_method = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="the id of an active payment method of the subscription's customer",
    )


class SubscriptionPaymentMethodOut(serializers.ModelSerializer[SubscriptionPaymentMethod]):
    payment_method = PaymentMethodOut(read_only=True)

    class Meta:
        model = SubscriptionPaymentMethod
        fields = ("subscription", "payment_method", "created_at", "updated_at")
