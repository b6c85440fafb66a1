"""Input and output of the cash application endpoints: payments, allocations, unapplied cash.

Money goes out as a string with exactly the currency's ISO 4217 decimals (`"120.00"` USD,
`"1500"` JPY, `"1.250"` KWD), read from the row's own currency; it comes in as a JSON number or
a string, and the services refuse more decimals than the currency has (`too_many_decimals`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from billing.api.serializers import UpperCaseField
from catalog.money import quantize
from catalog.validators import validate_currency
from payments.models import Allocation, GatewayCall, Payment, Refund

MAX_ID = 2**63 - 1


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d+(\.\d+)?$",
        "description": "an amount with exactly its currency's decimals",
    }
)
class MoneyField(serializers.Field):  # type: ignore[type-arg]
    """A read-only amount shown in its currency's decimals; the currency is the attribute
    `currency_source` of the same object (a dotted path)."""

    def __init__(self, *, currency_source: str = "currency", **kwargs: Any) -> None:
        self.currency_source = currency_source.split(".")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> tuple[Any, str]:
        amount = super().get_attribute(instance)
        currency: Any = instance
        for name in self.currency_source:
            currency = getattr(currency, name)
        return amount, str(currency)

    def to_representation(self, value: tuple[Decimal, str]) -> str:
        amount, currency = value
        return str(quantize(amount, currency))


# ------------------------------------------------------------------------------------- output


class PaymentAllocationOut(serializers.ModelSerializer[Allocation]):
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True)
    amount = MoneyField(currency_source="payment.currency")
    live = serializers.SerializerMethodField(
        help_text="true while applied; false once taken back (unapplied_at/by/reason say when, "
        "who and why)"
    )

    class Meta:
        model = Allocation
        fields = (
            "id",
            "invoice",
            "invoice_number",
            "amount",
            "live",
            "created_at",
            "created_by",
            "unapplied_at",
            "unapplied_by",
            "unapply_reason",
        )

    def get_live(self, obj: Allocation) -> bool:
        return obj.unapplied_at is None


class PaymentAttemptOut(serializers.ModelSerializer[GatewayCall]):
    class Meta:
        model = GatewayCall
        fields = ("id", "gateway", "action", "outcome", "reason", "message", "reference", "at")


class PaymentRefundOut(serializers.ModelSerializer[Refund]):
    amount = MoneyField()

    class Meta:
        model = Refund
        fields = (
            "id",
            "amount",
            "currency",
            "state",
            "source",
            "credit_note",
            "reason",
            "created_at",
            "settled_at",
        )


class PaymentOut(serializers.ModelSerializer[Payment]):
    """A payment as a list shows it."""

    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the customer's external id"
    )
    amount = MoneyField(help_text="what the customer sent")
    applied = MoneyField(help_text="the sum of its live allocations")
    unapplied = MoneyField(help_text="cash it still holds on the customer's account")
    to_balance = MoneyField(help_text="moved to the customer's credit balance")
    refunded = MoneyField(help_text="paid back through the gateway")
    reference = serializers.CharField(
        source="gateway_reference",
        help_text="the gateway's id of the charge, or the bank transfer's reference",
    )

    class Meta:
        model = Payment
        fields: tuple[str, ...] = (
            "id",
            "customer",
            "kind",
            "state",
            "currency",
            "amount",
            "applied",
            "unapplied",
            "to_balance",
            "refunded",
            "gateway",
            "reference",
            "method",
            "invoice",
            "attempt",
            "retry_at",
            "failure_code",
            "failure_message",
            "received_at",
            "memo",
            "created_by",
            "created_at",
            "updated_at",
        )


class PaymentDetailOut(PaymentOut):
    """A payment with its timeline."""

    allocations = PaymentAllocationOut(many=True, read_only=True)
    attempts = PaymentAttemptOut(
        source="calls",
        many=True,
        read_only=True,
        help_text="every call to the gateway, oldest first",
    )
    refunds = PaymentRefundOut(many=True, read_only=True)

    class Meta(PaymentOut.Meta):
        fields = (*PaymentOut.Meta.fields, "allocations", "attempts", "refunds")


class UnappliedCashOut(serializers.Serializer[Any]):
    customer = serializers.CharField(source="customer.external_id")
    currency = serializers.CharField(source="customer.currency")
    total = MoneyField(
        currency_source="customer.currency", help_text="the unapplied cash of all its payments"
    )
    payments = PaymentOut(many=True, help_text="the payments holding it, oldest received first")


# -------------------------------------------------------------------------------------- input


class AllocationIn(serializers.Serializer[Any]):
    invoice = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="the id of an open invoice of the customer"
    )
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        help_text="omit: all the invoice still owes, up to what the payment holds",
    )


def allocations_field(**kwargs: Any) -> serializers.ListSerializer[Any]:
    """At least one allocation, at most 500, each invoice once (the service refuses a repeat)."""
    return serializers.ListSerializer(
        child=AllocationIn(), allow_empty=False, max_length=500, **kwargs
    )


class PaymentRecordIn(serializers.Serializer[Any]):
    customer = serializers.CharField(max_length=255, help_text="the customer's external id")
    amount = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="above zero, in the currency's decimals"
    )
    currency = UpperCaseField(
        min_length=3,
        max_length=3,
        validators=[validate_currency],
        help_text="ISO 4217; must be the customer's",
    )
    received_at = serializers.DateTimeField(help_text="when the money came; not in the future")
    reference = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="",
        help_text="the bank transfer's or cheque's reference",
    )  # fmt: skip
    memo = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    allocations = allocations_field(
        required=False,
        help_text="the invoices to apply it to, in this order; not with `apply`",
    )
    apply = serializers.ChoiceField(
        choices=[("oldest_first", "oldest_first"), ("none", "none")],
        required=False,
        help_text="without `allocations`: `oldest_first` applies it to the customer's open "
        "invoices oldest due first; `none` (the default) keeps it all unapplied",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "allocations" in attrs and "apply" in attrs:
            raise serializers.ValidationError(
                {
                    "apply": serializers.ErrorDetail(
                        "Give `allocations` or `apply`, not both.", code="conflicting"
                    )
                }
            )
        return attrs


class PaymentApplyIn(serializers.Serializer[Any]):
    allocations = allocations_field(
        required=False,
        help_text="the invoices to apply it to, in this order; omit: the customer's open "
        "invoices oldest due first",
    )


class UnapplyIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255, help_text="why it is taken back")


class MoveToBalanceIn(serializers.Serializer[Any]):
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        help_text="omit: all the unapplied cash",
    )
    reason = serializers.CharField(max_length=255)
