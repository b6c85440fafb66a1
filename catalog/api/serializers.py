from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers

from catalog.models import (
    AddOn,
    BillableMetric,
    Charge,
    Coupon,
    Feature,
    FeeTiming,
    Plan,
    PlanVersion,
    PricingModel,
    Product,
    TaxRate,
    VersionFeature,
)

# ----------------------------------------------------------------------------------- outputs


class ProductOut(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ("id", "code", "name", "description", "created_at", "updated_at", "archived_at")


class PlanOut(serializers.ModelSerializer[Plan]):
    product: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="null: no product"
    )

    class Meta:
        model = Plan
        fields = (
            "id", "code", "name", "description", "product", "currency", "interval_unit",
            "interval_count", "calendar_aligned", "created_at", "updated_at", "archived_at",
        )  # fmt: skip


class MetricOut(serializers.ModelSerializer[BillableMetric]):
    class Meta:
        model = BillableMetric
        fields = (
            "id", "code", "name", "description", "aggregation", "field_name", "filters",
            "allow_negative", "created_at", "updated_at", "archived_at",
        )  # fmt: skip


class FeatureOut(serializers.ModelSerializer[Feature]):
    class Meta:
        model = Feature
        fields = ("id", "code", "name", "description", "kind", "created_at", "updated_at")


class ChargeOut(serializers.ModelSerializer[Charge]):
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    params = serializers.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        model = Charge
        fields = ("id", "metric", "pricing_model", "params", "display_name", "minimum_amount")


class VersionFeatureOut(serializers.ModelSerializer[VersionFeature]):
    feature: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = VersionFeature
        fields = ("feature", "enabled", "limit")


class PlanVersionOut(serializers.ModelSerializer[PlanVersion]):
    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    plan_id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    charges = ChargeOut(many=True, read_only=True)
    features = VersionFeatureOut(many=True, read_only=True)

    class Meta:
        model = PlanVersion
        fields = (
            "id", "plan", "plan_id", "number", "label", "status", "effective_from",
            "effective_until", "fixed_fee", "fee_timing", "trial_days", "note", "charges",
            "features", "created_at", "updated_at", "published_at", "copied_from",
        )  # fmt: skip


class CouponOut(serializers.ModelSerializer[Coupon]):
    plans: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Coupon
        fields = (
            "id", "code", "name", "kind", "percent_off", "amount_off", "currency", "duration",
            "duration_periods", "max_redemptions", "redeem_by", "plans", "created_at",
            "updated_at", "archived_at",
        )  # fmt: skip


class AddOnOut(serializers.ModelSerializer[AddOn]):
    class Meta:
        model = AddOn
        fields = (
            "id", "code", "name", "description", "currency", "amount", "created_at",
            "updated_at", "archived_at",
        )  # fmt: skip


class TaxRateOut(serializers.ModelSerializer[TaxRate]):
    class Meta:
        model = TaxRate
        fields = (
            "id", "code", "name", "percentage", "inclusive", "country", "region",
            "description", "created_at", "updated_at", "archived_at",
        )  # fmt: skip


class TimelineRowOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    effective_from = serializers.DateTimeField()
    effective_until = serializers.DateTimeField(allow_null=True)
    fixed_fee = serializers.DecimalField(max_digits=28, decimal_places=12)
    charges = serializers.IntegerField()
    note = serializers.CharField()


# ------------------------------------------------------------------------------------ inputs


class ProductIn(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = ("code", "name", "description")


class UpperCaseField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data)).upper()


class PlanIn(serializers.ModelSerializer[Plan]):
    product: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Product.objects.all(), required=False, allow_null=True
    )
    currency = UpperCaseField(min_length=3, max_length=3)

    class Meta:
        model = Plan
        fields = (
            "code", "name", "description", "product", "currency", "interval_unit",
            "interval_count", "calendar_aligned",
        )  # fmt: skip

    def validate_currency(self, value: str) -> str:
        from catalog.validators import validate_currency

        validate_currency(value)
        return value


class MetricIn(serializers.ModelSerializer[BillableMetric]):
    filters = serializers.JSONField(required=False, default=dict)

    class Meta:
        model = BillableMetric
        fields = (
            "code", "name", "description", "aggregation", "field_name", "filters", "allow_negative",
        )  # fmt: skip


class FeatureIn(serializers.ModelSerializer[Feature]):
    class Meta:
        model = Feature
        fields = ("code", "name", "description", "kind")


class AddOnIn(serializers.ModelSerializer[AddOn]):
    currency = UpperCaseField(min_length=3, max_length=3)

    class Meta:
        model = AddOn
        fields = ("code", "name", "description", "currency", "amount")

    def validate_currency(self, value: str) -> str:
        from catalog.validators import validate_currency

        validate_currency(value)
        return value


class TaxRateIn(serializers.ModelSerializer[TaxRate]):
    class Meta:
        model = TaxRate
        fields = ("code", "name", "percentage", "inclusive", "country", "region", "description")


class CouponIn(serializers.ModelSerializer[Coupon]):
    plans: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all(), many=True, required=False
    )

    class Meta:
        model = Coupon
        fields = (
            "code", "name", "kind", "percent_off", "amount_off", "currency", "duration",
            "duration_periods", "max_redemptions", "redeem_by", "plans",
        )  # fmt: skip


class ChargeIn(serializers.Serializer[Any]):
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=BillableMetric.objects.all()
    )
    pricing_model = serializers.ChoiceField(choices=PricingModel.choices)
    params = serializers.JSONField(encoder=DjangoJSONEncoder)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    minimum_amount = serializers.DecimalField(
        max_digits=28, decimal_places=12, required=False, allow_null=True, min_value=0
    )


class VersionFeatureIn(serializers.Serializer[Any]):
    feature: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Feature.objects.all()
    )
    enabled = serializers.BooleanField(required=False, default=True)
    limit = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, min_value=0
    )


class PlanVersionIn(serializers.Serializer[Any]):
    effective_from = serializers.DateTimeField()
    effective_until = serializers.DateTimeField(required=False, allow_null=True)
    fixed_fee = serializers.DecimalField(
        max_digits=28, decimal_places=12, required=False, min_value=0
    )
    fee_timing = serializers.ChoiceField(choices=FeeTiming.choices, required=False)
    trial_days = serializers.IntegerField(min_value=0, max_value=730, required=False)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)
    charges = ChargeIn(many=True, required=False)
    features = VersionFeatureIn(many=True, required=False)


class PlanVersionCreateIn(PlanVersionIn):
    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all()
    )


class CopyIn(serializers.Serializer[Any]):
    effective_from = serializers.DateTimeField(required=False, allow_null=True)


class PreviewIn(serializers.Serializer[Any]):
    metric = serializers.CharField(help_text="The code of the charged metric.")
    quantity = serializers.DecimalField(
        max_digits=30, decimal_places=12, required=False, min_value=0
    )
    transactions = serializers.ListField(
        child=serializers.DecimalField(max_digits=30, decimal_places=12, min_value=0),
        required=False,
        max_length=10000,
        help_text="Per-transaction amounts, for percentage charges with per-transaction fees.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("quantity" in attrs) == ("transactions" in attrs):
            raise serializers.ValidationError(
                {"quantity": ["Give either quantity or transactions."]}
            )
        return attrs


class RateIn(serializers.Serializer[Any]):
    """A stateless rating: any pricing model and parameters, one quantity."""

    pricing_model = serializers.ChoiceField(choices=PricingModel.choices)
    params = serializers.JSONField(encoder=DjangoJSONEncoder)
    currency = UpperCaseField(min_length=3, max_length=3)
    quantity = serializers.DecimalField(max_digits=30, decimal_places=12, required=False)
    transactions = serializers.ListField(
        child=serializers.DecimalField(max_digits=30, decimal_places=12),
        required=False,
        max_length=10000,
    )
    minimum_amount = serializers.DecimalField(
        max_digits=28, decimal_places=12, required=False, allow_null=True
    )


class RatingOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    quantity = serializers.CharField()
    amount = serializers.CharField(help_text="exact")
    amount_rounded = serializers.CharField(help_text="the line, rounded once")
    true_up = serializers.CharField(help_text="minimum-commitment true-up, exact")
    true_up_rounded = serializers.CharField()
    total = serializers.CharField(help_text="the rounded lines added up")
    explanation = serializers.JSONField()
