"""Input and output of the retry endpoints: retry policies and "retry now"."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from payments.models import Payment
from payments.services.retries import MAX_DAYS, MAX_RETRIES, EffectivePolicy


class RetryPolicyIn(serializers.Serializer[Any]):
    days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_DAYS),
        max_length=MAX_RETRIES,
        allow_empty=True,
        help_text=f"Days after the invoice's FIRST failed automatic attempt (not between "
        f"attempts), ascending, no duplicates, each 1 to {MAX_DAYS}, at most {MAX_RETRIES}; "
        "empty: no retries.",
    )


class RetryPolicyOut(serializers.Serializer[EffectivePolicy]):
    plan_id = serializers.SerializerMethodField(help_text="the plan of a plan's own policy")
    plan = serializers.SerializerMethodField(help_text="the plan's code")
    days = serializers.ListField(child=serializers.IntegerField())
    scope = serializers.ChoiceField(
        choices=["plan", "global", "default"],
        help_text="where the days come from: the plan's own policy, the global policy, or the "
        "built-in default (3, 5, 7) when no global policy was set",
    )
    updated_at = serializers.SerializerMethodField()

    def get_plan_id(self, obj: EffectivePolicy) -> int | None:
        return obj.policy.plan_id if obj.policy is not None else None

    def get_plan(self, obj: EffectivePolicy) -> str | None:
        if obj.policy is None or obj.policy.plan is None:
            return None
        return obj.policy.plan.code

    def get_updated_at(self, obj: EffectivePolicy) -> str | None:
        return obj.policy.updated_at.isoformat() if obj.policy is not None else None


class RetryPaymentIn(serializers.Serializer[Any]):
    payment_method = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Charge this payment method of the invoice's customer (attached, active, on "
        "an enabled gateway that charges: a bank transfer on the manual gateway is refused, "
        "`gateway_cannot_charge`) instead of the one collection would resolve; allowed even when "
        "the customer's automatic collection is off. Omitted: the method the invoice would be "
        "charged to now.",
    )


class RetryPaymentOut(serializers.ModelSerializer[Payment]):
    """The attempt just made: pending until the gateway answers (after the commit)."""

    customer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="external_id", read_only=True, help_text="the customer's external id"
    )

    class Meta:
        model = Payment
        fields = (
            "id",
            "customer",
            "invoice",
            "attempt",
            "state",
            "amount",
            "currency",
            "method",
            "gateway",
            "created_at",
        )
