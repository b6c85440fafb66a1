"""Input and output of the payout endpoints: payees, payout methods, payee customers, schedules
and payouts. Money goes out in the currency's decimals (`MoneyField`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from billing.api.serializers import UpperCaseField
from catalog.models import IntervalUnit
from catalog.validators import validate_currency
from payments.api.cash_serializers import MoneyField
from payments.models.payouts import (
    AmountKind,
    Payee,
    PayeeCustomer,
    Payout,
    PayoutBasisItem,
    PayoutCall,
    PayoutGateway,
    PayoutMethod,
    PayoutSchedule,
)

# ------------------------------------------------------------------------------------- input


class PayeeIn(serializers.Serializer[Any]):
    external_id = serializers.CharField(max_length=255)
    name = serializers.CharField(max_length=255)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    currency = UpperCaseField(min_length=3, max_length=3, validators=[validate_currency])
    timezone = serializers.CharField(
        max_length=64, required=False, default="UTC", help_text="IANA zone of its periods"
    )


class PayeePatchIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=255, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)


class PayoutMethodIn(serializers.Serializer[Any]):
    gateway = serializers.ChoiceField(choices=PayoutGateway.choices)
    token = serializers.CharField(
        max_length=255,
        help_text="sandbox: a sandbox token (tok_ok, tok_declined ...); manual: the bank "
        "account's reference staff pay to",
    )
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=255, required=False, allow_blank=True, default=""
    )


class PayeeCustomerIn(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=255, help_text="the customer's external id")


class PayoutScheduleIn(serializers.Serializer[Any]):
    interval_unit = serializers.ChoiceField(choices=IntervalUnit.choices)
    interval_count = serializers.IntegerField(
        min_value=1,
        max_value=366,
        default=1,
        help_text="at most 366 days, 52 weeks, 24 months or 5 years (`out_of_range`)",
    )
    anchor = serializers.DateField(
        help_text="local date (the payee's zone) the periods count from; at most a year back "
        "(`too_old`) and a year ahead (`too_far`)"
    )
    amount_kind = serializers.ChoiceField(choices=AmountKind.choices)
    fixed_amount = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, default=None
    )
    percentage = serializers.DecimalField(
        max_digits=7,
        decimal_places=4,
        required=False,
        allow_null=True,
        default=None,
        help_text="0 < p <= 100",
    )


class PayoutSchedulePatchIn(serializers.Serializer[Any]):
    fixed_amount = serializers.DecimalField(max_digits=20, decimal_places=4, required=False)
    percentage = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    active = serializers.BooleanField(required=False)


class PayoutCancelIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255)


# ------------------------------------------------------------------------------------- output


class PayeeOut(serializers.ModelSerializer[Payee]):
    class Meta:
        model = Payee
        fields = (
            "id", "external_id", "name", "email", "currency", "timezone", "state",
            "created_at", "updated_at", "archived_at",
        )  # fmt: skip


class PayoutMethodOut(serializers.ModelSerializer[PayoutMethod]):
    class Meta:
        model = PayoutMethod
        fields = (
            "id", "payee", "gateway", "token", "label", "is_default", "state", "created_at",
            "detached_at",
        )  # fmt: skip


class PayeeCustomerOut(serializers.ModelSerializer[PayeeCustomer]):
    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the customer's external id"
    )

    class Meta:
        model = PayeeCustomer
        fields = ("id", "payee", "customer", "created_at", "unlinked_at")


class PayoutScheduleOut(serializers.ModelSerializer[PayoutSchedule]):
    fixed_amount = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, read_only=True
    )
    percentage = serializers.DecimalField(
        max_digits=7, decimal_places=4, allow_null=True, read_only=True
    )

    class Meta:
        model = PayoutSchedule
        fields = (
            "id", "payee", "interval_unit", "interval_count", "anchor", "amount_kind",
            "fixed_amount", "percentage", "currency", "active", "next_period_start",
            "next_period_end", "created_at", "updated_at",
        )  # fmt: skip


class PayoutCallOut(serializers.ModelSerializer[PayoutCall]):
    class Meta:
        model = PayoutCall
        fields = (
            "attempt", "gateway", "action", "idempotency_key", "outcome", "reference", "reason",
            "message", "at",
        )  # fmt: skip


class PayoutOut(serializers.ModelSerializer[Payout]):
    payee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the payee's external id"
    )
    amount = MoneyField()
    payments_total = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, read_only=True
    )
    refunds_total = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, read_only=True
    )
    carried_in = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, read_only=True
    )
    carried_out = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, read_only=True
    )

    class Meta:
        model = Payout
        fields: tuple[str, ...] = (
            "id", "payee", "schedule", "period_start", "period_end", "amount_kind", "amount",
            "currency", "percentage", "payments_total", "refunds_total", "carried_in",
            "carried_out", "state", "method",
            "gateway", "gateway_reference", "attempts", "requested_at", "next_retry_at",
            "failure_code", "failure_message", "paid_at", "canceled_at", "cancel_reason",
            "created_at",
        )  # fmt: skip


class PayoutBasisItemOut(serializers.ModelSerializer[PayoutBasisItem]):
    amount = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)

    class Meta:
        model = PayoutBasisItem
        fields = ("payment", "refund", "amount")


class PayoutDetailOut(PayoutOut):
    calls = PayoutCallOut(many=True, read_only=True)
    basis_items = PayoutBasisItemOut(
        many=True,
        read_only=True,
        help_text="Percentage payouts: each payment counted (> 0) and each refund of a payment "
        "counted by the schedule (< 0).",
    )

    class Meta(PayoutOut.Meta):
        fields = (*PayoutOut.Meta.fields, "calls", "basis_items")


class ScheduleRunOut(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="payouts created (pending, then sent)")
    skipped = serializers.IntegerField(help_text="periods with nothing to pay")
