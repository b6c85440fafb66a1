"""Input and output of the dunning endpoints: policies with their states, a customer's
assignment and status, its transitions."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from payments.models.dunning import (
    DUNNING_TEMPLATES,
    MAX_ATTEMPTS,
    MAX_DAYS,
    ActionWhen,
    DunningPolicy,
    DunningState,
    DunningTransition,
    SubscriptionAction,
)
from payments.services.dunning_policies import MAX_STATES


class DunningStateIn(serializers.Serializer[Any]):
    position = serializers.IntegerField(
        min_value=1, max_value=100, required=False,
        help_text="1 is the mildest; left out: the state's place in the list",
    )  # fmt: skip
    code = serializers.CharField(
        max_length=50, required=False, help_text="slug; left out: made from the name. States "
        "are matched by code when a policy is changed (a kept code keeps its customers)",
    )  # fmt: skip
    name = serializers.CharField(max_length=100)
    min_days_past_due = serializers.IntegerField(
        min_value=0, max_value=MAX_DAYS, required=False, allow_null=True,
        help_text="days past the due date of the oldest overdue invoice, in the customer's "
        "time zone",
    )  # fmt: skip
    min_amount_overdue = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, coerce_to_string=True,
        help_text="total overdue at least this, in the customer's currency",
    )  # fmt: skip
    amount_currency = serializers.CharField(
        max_length=3, required=False, allow_blank=True,
        help_text="empty: the amount is read in each customer's currency; a code: the amount "
        "condition holds only for customers billed in that currency",
    )  # fmt: skip
    min_failed_attempts = serializers.IntegerField(
        min_value=1, max_value=MAX_ATTEMPTS, required=False, allow_null=True,
        help_text="failed automatic payments of the overdue invoices",
    )  # fmt: skip
    email_template = serializers.ChoiceField(
        choices=["", *DUNNING_TEMPLATES], required=False, allow_blank=True,
        help_text="e-mail sent on entering the state (empty: none)",
    )  # fmt: skip
    block_entitlements = serializers.BooleanField(required=False)
    refuse_plan_changes = serializers.BooleanField(required=False)
    subscription_action = serializers.ChoiceField(
        choices=SubscriptionAction.choices, required=False
    )
    subscription_action_when = serializers.ChoiceField(choices=ActionWhen.choices, required=False)
    mark_uncollectible = serializers.BooleanField(required=False)
    publish_event = serializers.BooleanField(required=False)


class DunningPolicyIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False)
    states = DunningStateIn(many=True, max_length=MAX_STATES)  # type: ignore[call-arg]


class DunningPolicyPatchIn(DunningPolicyIn):
    name = serializers.CharField(max_length=100, required=False)
    states = DunningStateIn(  # type: ignore[call-arg]
        many=True, required=False, max_length=MAX_STATES
    )


class DunningStateOut(serializers.ModelSerializer[DunningState]):
    class Meta:
        model = DunningState
        fields = (
            "id", "position", "code", "name", "min_days_past_due", "min_amount_overdue",
            "amount_currency", "min_failed_attempts", "email_template", "block_entitlements",
            "refuse_plan_changes", "subscription_action", "subscription_action_when",
            "mark_uncollectible", "publish_event",
        )  # fmt: skip


class DunningPolicyOut(serializers.ModelSerializer[DunningPolicy]):
    states = DunningStateOut(many=True, read_only=True)

    class Meta:
        model = DunningPolicy
        fields = ("id", "name", "description", "is_default", "states", "created_at",
                  "updated_at")  # fmt: skip


class DunningTransitionOut(serializers.ModelSerializer[DunningTransition]):
    invoices: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = DunningTransition
        fields = (
            "id", "sequence", "direction", "as_of", "policy", "policy_name", "from_code",
            "from_name", "to_code", "to_name", "to_position", "reason", "days_past_due",
            "amount_overdue", "currency", "failed_attempts", "invoices", "email_template",
            "block_entitlements", "refuse_plan_changes", "subscription_action",
            "subscription_action_when", "mark_uncollectible", "subscriptions_changed", "actor",
        )  # fmt: skip


class AssignmentIn(serializers.Serializer[Any]):
    policy = serializers.IntegerField(
        allow_null=True, help_text="the policy's id; null: the default policy"
    )


class SituationOut(serializers.Serializer[Any]):
    days_past_due = serializers.IntegerField()
    amount_overdue = serializers.DecimalField(max_digits=20, decimal_places=4)
    currency = serializers.CharField()
    failed_attempts = serializers.IntegerField()
    invoices = serializers.ListField(child=serializers.IntegerField(), source="invoice_ids")


class StateRefOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class PolicyRefOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DunningStatusOut(serializers.Serializer[Any]):
    customer = serializers.IntegerField(source="customer_id")
    policy = PolicyRefOut(allow_null=True, help_text="the policy that applies")
    policy_assigned = serializers.BooleanField(
        source="assigned", help_text="false: the default policy applies"
    )
    state = StateRefOut(allow_null=True, help_text="the state the customer is in (null: none)")
    entered_at = serializers.DateTimeField(allow_null=True)
    evaluated_at = serializers.DateTimeField(allow_null=True)
    situation = SituationOut(help_text="overdue now")
    transitions = DunningTransitionOut(many=True, help_text="the latest first (at most 50)")
