from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers

from catalog.models import (
    AddOn,
    BillableMetric,
    BillingPolicy,
    CancellationCredit,
    ChangeDay,
    Charge,
    Coupon,
    Feature,
    FeeTiming,
    OneTimeFee,
    PhaseKind,
    Plan,
    PlanChangePolicy,
    PlanPhase,
    PlanVersion,
    PricingModel,
    Product,
    ProrationUnit,
    TaxRate,
    UsageThreshold,
    VersionFeature,
)

# ----------------------------------------------------------------------------------- outputs


TAX_RATE_HELP = (
    "The code of a tax rate that overrides the customer's address rate for what is billed under "
    "it (null: the address rate). Most specific first: a charge's, an add-on's or a one-time "
    "fee's rate, then the plan's product's, then the address's; a tax-exempt customer is never "
    "taxed."
)


def _tax_rate_field(*, read_only: bool = False) -> serializers.SlugRelatedField[Any]:
    if read_only:
        return serializers.SlugRelatedField(
            slug_field="code", read_only=True, allow_null=True, help_text=TAX_RATE_HELP
        )
    return serializers.SlugRelatedField(
        slug_field="code", queryset=TaxRate.objects.all(), required=False, allow_null=True,
        help_text=TAX_RATE_HELP,
    )  # fmt: skip


class ProductOut(serializers.ModelSerializer[Product]):
    tax_rate = _tax_rate_field(read_only=True)

    class Meta:
        model = Product
        fields = (
            "id", "code", "name", "description", "tax_rate", "created_at", "updated_at",
            "archived_at",
        )  # fmt: skip


CANCELLATION_POLICY_HELP = (
    'When a cancellation takes effect: "" as the caller asks (at once by default), "immediate" '
    '(at once), "end_of_term" (at the end of the current period), "illegal" (refused).'
)
CANCELLATION_CREDIT_HELP = (
    "How a cancellation at once credits the unused part of a fee paid in advance: "
    '"proration_line" (a negative line on the next invoice) or "credit_note" (a credit note on '
    "the finalized invoice that billed the fee; a proration line while it is a draft)."
)


class PlanOut(serializers.ModelSerializer[Plan]):
    product: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="null: no product"
    )

    class Meta:
        model = Plan
        fields = (
            "id", "code", "name", "description", "product", "currency", "interval_unit",
            "interval_count", "calendar_aligned", "created_at", "updated_at", "archived_at",
            "cancellation_policy",
        )  # fmt: skip
        extra_kwargs = {"cancellation_policy": {"help_text": CANCELLATION_POLICY_HELP}}


class MetricOut(serializers.ModelSerializer[BillableMetric]):
    class Meta:
        model = BillableMetric
        fields = (
            "id", "code", "name", "description", "aggregation", "field_name", "filters",
            "allow_negative", "recurring", "created_at", "updated_at", "archived_at",
        )  # fmt: skip


class FeatureOut(serializers.ModelSerializer[Feature]):
    class Meta:
        model = Feature
        fields = ("id", "code", "name", "description", "kind", "created_at", "updated_at")


PARAMS_HELP = (
    "The pricing model's parameters (decimals as strings or integers; catalog/pricing.py). "
    'per_unit: {"unit_price"}. graduated and volume: {"tiers": [{"from", "to" (null on the '
    'last), "unit_price", "flat_fee"}], "flat_fee_at_zero": true|false (optional, a JSON '
    "boolean: bill the first tier's flat fee at quantity 0, as Stripe does; default false, a "
    'quantity of 0 costs nothing)}. graduated_percentage: {"tiers": [{"from", "to", "rate" '
    '(percent), "flat_fee"}]}: each tier\'s rate applies to the part of the amount inside it, '
    'its flat fee once when the amount reaches into it (Lago). package: {"package_size", '
    '"package_price", "free_units"}. percentage: {"rate" (percent), "fixed_fee", '
    '"min_per_transaction", "max_per_transaction", "free_transactions", "free_amount"}: '
    "free_amount is the first part of the period's amount free of the rate; with "
    "per-transaction parameters the free allowance (free_transactions, free_amount) is spent "
    'in time order and ends with whichever runs out first. flat: {"amount"}.'
)


class ChargeOut(serializers.ModelSerializer[Charge]):
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    params = serializers.JSONField(encoder=DjangoJSONEncoder, help_text=PARAMS_HELP)
    tax_rate = _tax_rate_field(read_only=True)
    phase = serializers.IntegerField(
        source="phase_position",
        read_only=True,
        allow_null=True,
        help_text="The position of the phase it applies in (null: every phase).",
    )

    class Meta:
        model = Charge
        fields = (
            "id", "metric", "pricing_model", "params", "display_name", "minimum_amount",
            "tax_rate", "phase",
        )  # fmt: skip


class PlanPhaseOut(serializers.ModelSerializer[PlanPhase]):
    class Meta:
        model = PlanPhase
        fields = ("position", "name", "kind", "periods", "fixed_fee")


class VersionFeatureOut(serializers.ModelSerializer[VersionFeature]):
    feature: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = VersionFeature
        fields = ("feature", "enabled", "limit")


class OneTimeFeeOut(serializers.ModelSerializer[OneTimeFee]):
    tax_rate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="null: the rate of the plan's product, else the customer's address rate",
    )

    class Meta:
        model = OneTimeFee
        fields = ("id", "name", "amount", "prorate", "tax_rate")


USAGE_THRESHOLDS_HELP = (
    "Progressive (threshold) billing: when the period's usage of the charges billed in arrears "
    "(rated) reaches a level higher than any reached in the period, an invoice bills it at once "
    "and the period's end bills the rest. Each {amount, recurring, name}: several one-off "
    "amounts and at most one recurring one (every `amount` more after the highest one-off, or "
    "from 0). Amounts above 0, at most the currency's decimals. Empty: none."
)


class UsageThresholdOut(serializers.ModelSerializer[UsageThreshold]):
    class Meta:
        model = UsageThreshold
        fields = ("amount", "recurring", "name")


PHASES_HELP = (
    "Plan phases in order (Kill Bill's TRIAL / DISCOUNT / FIXEDTERM / EVERGREEN): a subscription "
    "walks through them from its first paid period, each lasting `periods` whole billing "
    "periods (null: open-ended, the last phase only) at its own fixed_fee (instead of the "
    "version's), with the charges without a phase and its own. When every phase has periods, "
    "the subscription ends with the last one (a fixed term). Empty: no phases."
)


class PlanVersionOut(serializers.ModelSerializer[PlanVersion]):
    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    plan_id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    charges = ChargeOut(many=True, read_only=True)
    features = VersionFeatureOut(many=True, read_only=True)
    one_time_fees = OneTimeFeeOut(
        many=True, read_only=True, help_text="Billed once, at a subscription's start."
    )
    phases = PlanPhaseOut(many=True, read_only=True, help_text=PHASES_HELP)
    usage_thresholds = UsageThresholdOut(many=True, read_only=True, help_text=USAGE_THRESHOLDS_HELP)

    class Meta:
        model = PlanVersion
        fields = (
            "phases",
            "id", "plan", "plan_id", "number", "label", "status", "effective_from",
            "effective_until", "fixed_fee", "fee_timing", "trial_days", "note", "charges",
            "features", "created_at", "updated_at", "published_at", "copied_from",
            "trial_invoice", "one_time_fees", "cancellation_credit",
            "proration_unit", "proration_change_day", "minimum_commitment",
            "usage_thresholds",
        )  # fmt: skip


class CouponOut(serializers.ModelSerializer[Coupon]):
    plans: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    metrics: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Only the usage of these metrics (codes; empty: no limit by metric).",
    )
    charges: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Only these charges of price books (ids; empty: no limit by charge).",
    )

    class Meta:
        model = Coupon
        fields = (
            "id", "code", "name", "kind", "percent_off", "amount_off", "currency", "duration",
            "duration_periods", "duration_months", "max_redemptions", "redeem_by", "plans",
            "metrics", "charges", "created_at", "updated_at", "archived_at",
        )  # fmt: skip


class AddOnOut(serializers.ModelSerializer[AddOn]):
    tax_rate = _tax_rate_field(read_only=True)

    class Meta:
        model = AddOn
        fields = (
            "id", "code", "name", "description", "currency", "amount", "tax_rate", "created_at",
            "updated_at", "archived_at",
        )  # fmt: skip


class TaxRateOut(serializers.ModelSerializer[TaxRate]):
    class Meta:
        model = TaxRate
        fields = (
            "id", "code", "name", "percentage", "inclusive", "country", "region", "category",
            "legal_mention", "description", "created_at", "updated_at", "archived_at",
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
    tax_rate = _tax_rate_field()

    class Meta:
        model = Product
        fields = ("code", "name", "description", "tax_rate")


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
            "interval_count", "calendar_aligned", "cancellation_policy",
        )  # fmt: skip
        extra_kwargs = {"cancellation_policy": {"help_text": CANCELLATION_POLICY_HELP}}

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
            "recurring",
        )  # fmt: skip


class FeatureIn(serializers.ModelSerializer[Feature]):
    class Meta:
        model = Feature
        fields = ("code", "name", "description", "kind")


class AddOnIn(serializers.ModelSerializer[AddOn]):
    currency = UpperCaseField(min_length=3, max_length=3)
    tax_rate = _tax_rate_field()

    class Meta:
        model = AddOn
        fields = ("code", "name", "description", "currency", "amount", "tax_rate")

    def validate_currency(self, value: str) -> str:
        from catalog.validators import validate_currency

        validate_currency(value)
        return value


class TaxRateIn(serializers.ModelSerializer[TaxRate]):
    class Meta:
        model = TaxRate
        fields = (
            "code", "name", "percentage", "inclusive", "country", "region", "category",
            "legal_mention", "description",
        )  # fmt: skip
        extra_kwargs = {
            "category": {
                "help_text": "standard or reduced; zero (zero-rated), exempt and reverse_charge "
                "have percentage 0, and exempt and reverse_charge a legal_mention."
            }
        }


class CouponIn(serializers.ModelSerializer[Coupon]):
    plans: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all(), many=True, required=False
    )
    metrics: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=BillableMetric.objects.all(),
        many=True,
        required=False,
        help_text="Limit the coupon to the usage of these metrics (codes, as the plans).",
    )
    charges: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        queryset=Charge.objects.all(),
        many=True,
        required=False,
        help_text="Limit the coupon to these charges (ids, of price books of its plans).",
    )

    class Meta:
        model = Coupon
        fields = (
            "code", "name", "kind", "percent_off", "amount_off", "currency", "duration",
            "duration_periods", "duration_months", "max_redemptions", "redeem_by", "plans",
            "metrics", "charges",
        )  # fmt: skip


class ChargeIn(serializers.Serializer[Any]):
    metric: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=BillableMetric.objects.all()
    )
    pricing_model = serializers.ChoiceField(choices=PricingModel.choices)
    params = serializers.JSONField(encoder=DjangoJSONEncoder, help_text=PARAMS_HELP)
    display_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    minimum_amount = serializers.DecimalField(
        max_digits=28, decimal_places=12, required=False, allow_null=True, min_value=0
    )
    tax_rate = _tax_rate_field()
    phase = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Only in the version's phase at this position (0: the first); null or "
        "absent: in every phase.",
    )


class PlanPhaseIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(
        choices=PhaseKind.choices, required=False, help_text="Informative (default evergreen)."
    )
    periods = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        allow_null=True,
        help_text="Whole billing periods; null or absent: open-ended (the last phase only).",
    )
    fixed_fee = serializers.DecimalField(
        max_digits=28, decimal_places=12, min_value=0, required=False
    )


class UsageThresholdIn(serializers.Serializer[Any]):
    amount = serializers.DecimalField(
        max_digits=28, decimal_places=12, help_text="In the plan's currency, above 0."
    )
    recurring = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Every `amount` more after the highest one-off threshold (at most one).",
    )
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class VersionFeatureIn(serializers.Serializer[Any]):
    feature: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Feature.objects.all()
    )
    enabled = serializers.BooleanField(required=False, default=True)
    limit = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True, min_value=0
    )


class OneTimeFeeIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=28, decimal_places=12, min_value=0)
    prorate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A share of the first paid period when that is a part of one (a stub).",
    )
    tax_rate: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TaxRate.objects.all(),
        required=False,
        allow_null=True,
        help_text="The code of a tax rate for the fee's line (null: the rate of the plan's "
        "product, else the customer's address rate).",
    )


PRORATION_UNIT_HELP = (
    '"second" (default): a fee is split by the second (Stripe); "day": by whole days of the '
    "customer's time zone (Kill Bill, Lago, Chargebee): fee x days used / days in the period."
)
CHANGE_DAY_HELP = (
    'With proration_unit "day": "new" (default), the day of a change (a change of plan or '
    'quantity, a cancellation, an end date, a pause) is billed at the new terms; "old", at the '
    'old terms (the new ones from the next midnight). "old" with "second" is refused (400).'
)
MINIMUM_COMMITMENT_HELP = (
    "A minimum per billing period over the fixed fee and all usage charges (their own minimums "
    "and the period's proration lines included), before coupons and taxes, in the plan's "
    "currency (0 or more, at most its decimals); prorated for a part of a period by "
    "proration_unit. When the period bills less, its period end invoice has a "
    '"minimum" line: "<plan>: minimum commitment true-up". null: none.'
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
    trial_invoice = serializers.BooleanField(
        required=False, help_text="Issue a zero invoice when a free trial starts."
    )
    one_time_fees = OneTimeFeeIn(
        many=True, required=False, help_text="Billed once, at a subscription's start."
    )
    phases = PlanPhaseIn(many=True, required=False, help_text=PHASES_HELP)
    usage_thresholds = UsageThresholdIn(many=True, required=False, help_text=USAGE_THRESHOLDS_HELP)
    cancellation_credit = serializers.ChoiceField(
        choices=CancellationCredit.choices, required=False, help_text=CANCELLATION_CREDIT_HELP
    )
    proration_unit = serializers.ChoiceField(
        choices=ProrationUnit.choices, required=False, help_text=PRORATION_UNIT_HELP
    )
    proration_change_day = serializers.ChoiceField(
        choices=ChangeDay.choices, required=False, help_text=CHANGE_DAY_HELP
    )
    minimum_commitment = serializers.DecimalField(
        max_digits=28,
        decimal_places=12,
        required=False,
        allow_null=True,
        min_value=0,
        help_text=MINIMUM_COMMITMENT_HELP,
    )


class PlanVersionCreateIn(PlanVersionIn):
    plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all()
    )


POLICY_HELP = (
    '"immediate": the change takes effect at once (prorated); "end_of_term": at the end of the '
    'current period; "illegal": refused. It replaces the price heuristic of a change asked '
    '"auto"; a change asked "now" or "period_end" that contradicts it is refused.'
)


class PlanChangePolicyOut(serializers.ModelSerializer[PlanChangePolicy]):
    from_plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    to_plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = PlanChangePolicy
        fields = ("id", "from_plan", "to_plan", "policy", "created_at", "updated_at")
        extra_kwargs = {"policy": {"help_text": POLICY_HELP}}


class PlanChangePolicyIn(serializers.ModelSerializer[PlanChangePolicy]):
    from_plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all(), help_text="the plan changed from"
    )
    to_plan: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Plan.objects.all(), help_text="the plan changed to"
    )
    policy = serializers.ChoiceField(choices=BillingPolicy.choices, help_text=POLICY_HELP)

    class Meta:
        model = PlanChangePolicy
        fields = ("from_plan", "to_plan", "policy")
        validators: list[Any] = []  # the pair's uniqueness: the service's 400 on to_plan


class PlanChangePolicyUpdateIn(serializers.Serializer[Any]):
    policy = serializers.ChoiceField(choices=BillingPolicy.choices, help_text=POLICY_HELP)


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
    params = serializers.JSONField(encoder=DjangoJSONEncoder, help_text=PARAMS_HELP)
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
