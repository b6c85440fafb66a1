"""Input and output of the portal configuration endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal.models import PortalConfiguration, PortalConfigurationPlan
from portal.services.configuration import MAX_PLANS, NAME_MAX

PLANS_HELP = (
    "ids of the plans customers may switch to, in the order they are offered (the full list; "
    "each must exist and not be archived). Plans of any currency may be listed: each customer "
    "is offered those in its own currency. Empty with allow_plan_change: no plan is offered."
)


class PortalConfigurationIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=NAME_MAX)
    is_default = serializers.BooleanField(
        required=False, help_text="true: the default for customers without one of their own "
        "(the previous default stops being it); false on the default is refused",
    )  # fmt: skip
    allow_plan_change = serializers.BooleanField(required=False, help_text="default true")
    allow_cancel = serializers.BooleanField(
        required=False, help_text="cancel at period end and undo it; default true"
    )
    allow_payment_method_update = serializers.BooleanField(required=False, help_text="default true")
    allow_billing_details_update = serializers.BooleanField(
        required=False, help_text="default true"
    )
    plans = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=MAX_PLANS, required=False,
        help_text=PLANS_HELP,
    )  # fmt: skip


class PortalConfigurationPatchIn(PortalConfigurationIn):
    name = serializers.CharField(max_length=NAME_MAX, required=False)


class PlanOfferedOut(serializers.ModelSerializer[PortalConfigurationPlan]):
    id = serializers.IntegerField(source="plan.id")
    code = serializers.CharField(source="plan.code")
    name = serializers.CharField(source="plan.name")
    currency = serializers.CharField(source="plan.currency")
    archived = serializers.SerializerMethodField()

    class Meta:
        model = PortalConfigurationPlan
        fields = ("id", "code", "name", "currency", "position", "archived")

    def get_archived(self, row: PortalConfigurationPlan) -> bool:
        """An archived plan stays listed but is offered to no one."""
        return row.plan.archived_at is not None


class PortalConfigurationOut(serializers.ModelSerializer[PortalConfiguration]):
    plans = PlanOfferedOut(source="plan_rows", many=True)

    class Meta:
        model = PortalConfiguration
        fields = (
            "id", "name", "is_default", "allow_plan_change", "allow_cancel",
            "allow_payment_method_update", "allow_billing_details_update", "plans",
            "created_at", "updated_at",
        )  # fmt: skip


class CustomerPortalConfigurationIn(serializers.Serializer[Any]):
    configuration = serializers.IntegerField(min_value=1)


class CustomerPortalConfigurationOut(serializers.Serializer[Any]):
    customer = serializers.IntegerField()
    configuration = serializers.IntegerField(
        allow_null=True, help_text="the customer's own configuration; null: the default"
    )
    applies = PortalConfigurationOut(
        allow_null=True, help_text="the configuration that applies (its own, else the default)"
    )
