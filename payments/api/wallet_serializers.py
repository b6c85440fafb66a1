"""Wallet serializers: input and output kept apart."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from billing.models import CustomerBalanceTransaction
from payments.models import CreditGrant, WalletSettings


def money(**extra: Any) -> serializers.DecimalField:
    """An amount in the customer's currency (its decimals are checked by the services)."""
    return serializers.DecimalField(max_digits=20, decimal_places=4, **extra)


class GrantIn(serializers.Serializer[Any]):
    amount = money(help_text="positive, in the customer's currency")
    reason = serializers.CharField(max_length=255)
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="omit: the credit never expires"
    )


class TopUpIn(serializers.Serializer[Any]):
    amount = money(help_text="credit to buy, positive, in the customer's currency")


class SettingsIn(serializers.Serializer[Any]):
    """The whole setting (a PUT): null threshold and amount with the top-up off clear them."""

    auto_top_up = serializers.BooleanField()
    threshold = money(allow_null=True, help_text="a balance below it triggers the top-up")
    top_up_amount = money(allow_null=True, help_text="what each top-up buys")


class GrantOut(serializers.ModelSerializer[CreditGrant]):
    top_up_invoice: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    consumed = money(read_only=True)

    class Meta:
        model = CreditGrant
        fields = (
            "id",
            "source",
            "currency",
            "amount",
            "remaining",
            "consumed",
            "amount_expired",
            "expires_at",
            "expired_at",
            "top_up_invoice",
            "reason",
            "created_by",
            "granted_at",
        )


class SettingsOut(serializers.ModelSerializer[WalletSettings]):
    class Meta:
        model = WalletSettings
        fields = ("auto_top_up", "threshold", "top_up_amount", "updated_at", "updated_by")


class WalletSettingsOut(serializers.Serializer[Any]):
    auto_top_up = serializers.BooleanField()
    threshold = money(allow_null=True)
    top_up_amount = money(allow_null=True)


class WalletOut(serializers.Serializer[Any]):
    customer_id = serializers.IntegerField()
    currency = serializers.CharField()
    balance = money(help_text="the whole credit balance")
    in_grants = money(help_text="what live grants still hold")
    next_expiry = serializers.DateTimeField(allow_null=True)
    expiring_next = money()
    settings = WalletSettingsOut()
    unpaid_top_ups = serializers.ListField(
        child=serializers.CharField(), help_text="numbers of top-up invoices being collected"
    )
    grants = GrantOut(many=True, help_text="the latest 50 grants; all: wallet/grants/")


class HistoryOut(serializers.ModelSerializer[CustomerBalanceTransaction]):
    class Meta:
        model = CustomerBalanceTransaction
        fields = (
            "id",
            "kind",
            "amount",
            "currency",
            "balance_after",
            "document_type",
            "document_id",
            "reason",
            "created_by",
            "created_at",
        )
