"""Input and output of the refund endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from payments.models import Refund

MAX_ID = 2**63 - 1


class RefundCreditLineIn(serializers.Serializer[Any]):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="invoice line id")
    amount = serializers.DecimalField(
        max_digits=20, decimal_places=4, min_value=Decimal("0.0001"),
        help_text="what to credit on that line (without its tax)",
    )  # fmt: skip


class RefundIn(serializers.Serializer[Any]):
    amount = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, default=None,
        help_text="in the payment's currency; omit for the most that is refundable",
    )  # fmt: skip
    reason = serializers.CharField(max_length=255)
    credit_note = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None,
        help_text="pay out what this credit note (on an invoice this payment paid) put on the "
        "customer's credit balance",
    )  # fmt: skip
    credit_invoice = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None,
        help_text="issue a credit note on this invoice (one this payment paid) and refund what "
        "it puts on the customer's balance",
    )  # fmt: skip
    credit_lines = RefundCreditLineIn(
        many=True, required=False, allow_null=True, default=None,
        help_text="with credit_invoice: the lines and amounts to credit; omit to credit the "
        "whole invoice",
    )  # fmt: skip


class RefundOut(serializers.ModelSerializer[Refund]):
    customer = serializers.CharField(
        source="payment.customer.external_id", read_only=True,
        help_text="the customer's external id",
    )  # fmt: skip
    credit_note_number = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = (
            "id",
            "payment",
            "customer",
            "amount",
            "currency",
            "source",
            "credit_note",
            "credit_note_number",
            "state",
            "reason",
            "idempotency_key",
            "gateway_reference",
            "failure_code",
            "failure_message",
            "refund_requested_at",
            "settled_at",
            "created_by",
            "created_at",
            "updated_at",
        )

    def get_credit_note_number(self, refund: Refund) -> str | None:
        return refund.credit_note.number if refund.credit_note is not None else None
