"""The catalog: what can be sold and at what price, effective-dated.

Plan (currency, billing interval) -> PlanVersion, the price book (effective_from / effective_until,
fixed fee, trial, charges, features). A published version is immutable: a price change is a new
version. Versions of one plan never overlap (a PostgreSQL exclusion constraint stands behind the
services' checks).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pghistory
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Func, Q

from catalog.pricebook import PriceBook
from catalog.validators import validate_currency
from core.validators import validate_country

# Prices are DecimalField(max_digits=28, decimal_places=12): unit prices keep 12 decimal places.
code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_.-]*$",
    "Use lower-case letters, digits and _ . - (starting with a letter or digit).",
    code="invalid_code",
)


def tracked() -> Any:
    """History on every change (fresh trackers for each model: they are bound to it)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()
    )


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()


class Int8Range(Func):
    """A one-value range: lets plain GiST (no btree_gist extension) compare plan ids."""

    function = "INT8RANGE"
    output_field = models.BigIntegerField()


class IntervalUnit(models.TextChoices):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class FeeTiming(models.TextChoices):
    ADVANCE = "advance", "in advance"
    ARREARS = "arrears", "in arrears"


class Aggregation(models.TextChoices):
    COUNT = "count"
    SUM = "sum"
    MAX = "max"
    UNIQUE_COUNT = "unique_count", "unique count"
    LATEST = "latest"
    WEIGHTED_SUM = "weighted_sum", "weighted sum (time-weighted)"


class PricingModel(models.TextChoices):
    PER_UNIT = "per_unit", "per unit"
    GRADUATED = "graduated"
    VOLUME = "volume"
    PACKAGE = "package"
    PERCENTAGE = "percentage"
    GRADUATED_PERCENTAGE = "graduated_percentage", "graduated percentage"
    FLAT = "flat", "flat fee"


class ProrationUnit(models.TextChoices):
    SECOND = "second", "by the second"
    DAY = "day", "by whole days"


class ChangeDay(models.TextChoices):
    NEW = "new", "the day of a change is billed at the new terms"
    OLD = "old", "the day of a change is billed at the old terms"


class CancellationCredit(models.TextChoices):
    PRORATION_LINE = "proration_line", "a proration line on the next invoice"
    CREDIT_NOTE = "credit_note", "a credit note on the invoice that billed it"


class BillingPolicy(models.TextChoices):
    """Kill Bill's billing policies for a change of plan or a cancellation."""

    IMMEDIATE = "immediate", "at once"
    END_OF_TERM = "end_of_term", "at the end of the period"
    ILLEGAL = "illegal", "refused"


class TaxCategory(models.TextChoices):
    STANDARD = "standard"
    REDUCED = "reduced"
    ZERO = "zero", "zero-rated"
    EXEMPT = "exempt"
    REVERSE_CHARGE = "reverse_charge", "reverse charge"


class VersionStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"


@tracked()
class Product(models.Model):
    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tax_rate = models.ForeignKey(
        "TaxRate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Overrides the customer's address rate for what is sold under this product.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.name


@tracked()
class Plan(models.Model):
    """What a subscription is to. Its price book lives in its versions."""

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    currency = models.CharField(max_length=3, validators=[validate_currency])
    interval_unit = models.CharField(max_length=5, choices=IntervalUnit.choices)
    interval_count = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    calendar_aligned = models.BooleanField(
        default=False,
        help_text="Periods start on calendar boundaries (the 1st of the month, Jan 1, Mondays); "
        "the first period runs from the start to the first boundary and is prorated.",
    )
    cancellation_policy = models.CharField(
        max_length=11,
        choices=BillingPolicy.choices,
        blank=True,
        default="",
        help_text="When a cancellation takes effect (empty: as the caller asks).",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def interval_label(self) -> str:
        unit = self.interval_unit
        return (
            f"every {unit}" if self.interval_count == 1 else f"every {self.interval_count} {unit}s"
        )


@tracked()
class PlanVersion(models.Model):
    """A price book: immutable once published. In force on [effective_from, effective_until)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateTimeField()
    effective_until = models.DateTimeField(
        null=True, blank=True, help_text="Empty: until a later version takes over."
    )
    fixed_fee = models.DecimalField(max_digits=28, decimal_places=12, default=Decimal(0))
    fee_timing = models.CharField(
        max_length=7, choices=FeeTiming.choices, default=FeeTiming.ADVANCE
    )
    trial_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(730)])
    proration_unit = models.CharField(
        max_length=6, choices=ProrationUnit.choices, default=ProrationUnit.SECOND
    )
    proration_change_day = models.CharField(
        max_length=3,
        choices=ChangeDay.choices,
        default=ChangeDay.NEW,
        help_text="With proration by whole days: which terms the day of a change is billed at.",
    )
    minimum_commitment = models.DecimalField(
        max_digits=28,
        decimal_places=12,
        null=True,
        blank=True,
        help_text="Minimum per period over the fixed fee and all charges (prorated for a part).",
    )
    trial_invoice = models.BooleanField(
        default=False, help_text="Issue a zero invoice when a free trial starts."
    )
    cancellation_credit = models.CharField(
        max_length=14,
        choices=CancellationCredit.choices,
        default=CancellationCredit.PRORATION_LINE,
        help_text="How the unused part of a fee paid in advance is credited on a cancellation.",
    )
    note = models.CharField(max_length=255, blank=True, help_text="Why this version exists.")
    phase_count = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="How many phases it has (kept by the services)."
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        ordering = ("plan", "number")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gt=models.F("effective_from")),
                name="plan_version_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="plan_version_published_at",
            ),
            ExclusionConstraint(
                name="plan_versions_never_overlap",
                expressions=[
                    (
                        Int8Range("plan", "plan", RangeBoundary(inclusive_upper=True)),
                        RangeOperators.OVERLAPS,
                    ),
                    (
                        TsTzRange("effective_from", "effective_until", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"

    def clean(self) -> None:
        if self.effective_until is not None and self.effective_until <= self.effective_from:
            raise ValidationError(
                {"effective_until": "The end of a version must come after its start."},
                code="until_before_from",
            )

    def validate_constraints(self, exclude: Any = None) -> None:
        """The status and overlap constraints are the publishing service's to check (with the
        plan locked), and PostgreSQL's to enforce; forms and full_clean check the range above."""

    @property
    def label(self) -> str:
        return f"{self.plan.code}@v{self.number}"

    def book(self) -> PriceBook:
        """This version as billing reads it (a plain value; needs its plan loaded)."""
        return PriceBook(
            id=self.pk,
            plan_id=self.plan_id,
            plan_name=self.plan.name,
            label=self.label,
            currency=self.plan.currency,
            fixed_fee=self.fixed_fee,
            fee_timing=self.fee_timing,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            proration_unit=self.proration_unit,
            proration_change_day=self.proration_change_day,
            minimum_commitment=self.minimum_commitment,
            trial_invoice=self.trial_invoice,
            cancellation_credit=self.cancellation_credit,
            # the plan's product's rate: load `plan__product` with the version (select_related)
            tax_rate_id=self.plan.product.tax_rate_id if self.plan.product else None,
            # its phases: read only for a version that has some (`phase_count`), so a version
            # without phases costs no query
            phases=tuple((p.periods, p.fixed_fee, p.name or p.kind) for p in self.phases.all())
            if self.phase_count
            else (),
        )

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class PhaseKind(models.TextChoices):
    """Kill Bill's phase types: informative (the durations and fees decide the billing)."""

    TRIAL = "trial"
    DISCOUNT = "discount"
    FIXED_TERM = "fixed_term", "fixed term"
    EVERGREEN = "evergreen"


@tracked()
class PlanPhase(models.Model):
    """A phase of a price book (Kill Bill's TRIAL / DISCOUNT / FIXEDTERM / EVERGREEN, Stripe's
    schedule phases): a subscription walks through a book's phases in order from its first paid
    period, each lasting `periods` whole billing periods (empty: open-ended, the last one only)
    at its own fixed fee, with the book's charges without a phase and its own. When every
    phase has a duration, the subscription ends when the last one does (a fixed term)."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=PhaseKind.choices, default=PhaseKind.EVERGREEN)
    periods = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How many billing periods it lasts (empty: open-ended; the last phase only).",
    )
    fixed_fee = models.DecimalField(max_digits=28, decimal_places=12, default=Decimal(0))

    class Meta:
        ordering = ("plan_version", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "position"], name="plan_phase_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(periods__isnull=True) | Q(periods__gte=1), name="plan_phase_periods"
            ),
        ]

    def __str__(self) -> str:
        length = "open-ended" if self.periods is None else f"{self.periods} periods"
        return f"{self.position + 1}. {self.name or self.get_kind_display()} ({length})"


@tracked()
class BillableMetric(models.Model):
    """What usage events are measured by: an aggregation of one property over a window."""

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    aggregation = models.CharField(max_length=12, choices=Aggregation.choices)
    field_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The event property aggregated (not used by count).",
    )
    filters = models.JSONField(
        default=dict,
        blank=True,
        help_text='Only events whose properties match: {"region": ["eu", "us"]}.',
    )
    recurring = models.BooleanField(
        default=False,
        help_text="The quantity carries from period to period instead of starting from zero "
        "(seats, units held): sum and unique count metrics.",
    )
    allow_negative = models.BooleanField(
        default=False,
        help_text="Accept events whose value is negative (refunds, releases): they lower the "
        "quantity and the bill. Off: such events are refused. For sum, max and latest metrics.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@tracked()
class Charge(models.Model):
    """A usage charge of a price book: a metric priced by a model with its parameters."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="charges")
    metric = models.ForeignKey(BillableMetric, on_delete=models.PROTECT, related_name="charges")
    pricing_model = models.CharField(max_length=24, choices=PricingModel.choices)
    params = models.JSONField(
        encoder=DjangoJSONEncoder, help_text="The pricing model's parameters (see the README)."
    )
    display_name = models.CharField(max_length=200, blank=True)
    minimum_amount = models.DecimalField(
        max_digits=28,
        decimal_places=12,
        null=True,
        blank=True,
        help_text="Minimum commitment per period (true-up).",
    )
    tax_rate = models.ForeignKey(
        "TaxRate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Overrides the product's and the customer's address rate for this charge.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    phase = models.ForeignKey(
        "PlanPhase",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="charges",
        help_text="Only in this phase of the price book (empty: in every phase).",
    )

    class Meta:
        ordering = ("plan_version", "position", "id")
        constraints = [
            # one charge per metric: for the whole book, or per phase (the catalog services also
            # refuse a metric charged both for the whole book and in a phase)
            models.UniqueConstraint(
                fields=["plan_version", "metric"],
                condition=Q(phase__isnull=True),
                name="one_charge_per_metric_per_version",
            ),
            models.UniqueConstraint(
                fields=["phase", "metric"],
                condition=Q(phase__isnull=False),
                name="one_charge_per_metric_per_phase",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"{self.metric.code} ({self.pricing_model})"

    @property
    def phase_position(self) -> int | None:
        """The position of its phase in the price book (None: every phase)."""
        return self.phase.position if self.phase is not None else None


@tracked()
class Feature(models.Model):
    """Something a plan entitles to: on/off, or up to a numeric limit."""

    class Kind(models.TextChoices):
        BOOLEAN = "boolean"
        LIMIT = "limit"

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@tracked()
class VersionFeature(models.Model):
    """A feature entry of a price book: enabled or not, and its limit (empty: unlimited)."""

    plan_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="features")
    feature = models.ForeignKey(Feature, on_delete=models.PROTECT, related_name="entries")
    enabled = models.BooleanField(default=True)
    limit = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ("plan_version", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version", "feature"], name="one_entry_per_feature_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.feature.code}={self.limit if self.limit is not None else self.enabled}"


@tracked()
class Coupon(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent"
        FIXED = "fixed", "fixed amount"

    class Duration(models.TextChoices):
        ONCE = "once"
        REPEATING = "repeating", "N periods"
        MONTHS = "months", "N months"
        FOREVER = "forever"

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    percent_off = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    amount_off = models.DecimalField(max_digits=28, decimal_places=12, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, validators=[validate_currency])
    duration = models.CharField(max_length=9, choices=Duration.choices)
    duration_periods = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A calendar window from the redemption (months)."
    )
    max_redemptions = models.PositiveIntegerField(null=True, blank=True)
    redeem_by = models.DateTimeField(null=True, blank=True)
    plans = models.ManyToManyField(
        Plan, blank=True, related_name="coupons", help_text="Empty: any plan."
    )
    metrics = models.ManyToManyField(
        BillableMetric,
        blank=True,
        related_name="coupons",
        help_text="Only the usage of these metrics (empty: no limit by metric).",
    )
    charges: models.ManyToManyField[Charge, Any] = models.ManyToManyField(
        "Charge",
        blank=True,
        related_name="coupons",
        help_text="Only these charges (empty: no limit by charge).",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="percent", percent_off__isnull=False, amount_off__isnull=True)
                    | Q(kind="fixed", amount_off__isnull=False, percent_off__isnull=True)
                    & ~Q(currency="")
                ),
                name="coupon_kind_matches_value",
            ),
            models.CheckConstraint(
                condition=Q(duration="repeating", duration_periods__gte=1)
                | (~Q(duration="repeating") & Q(duration_periods__isnull=True)),
                name="coupon_duration_periods",
            ),
            models.CheckConstraint(
                condition=Q(duration="months", duration_months__gte=1)
                | (~Q(duration="months") & Q(duration_months__isnull=True)),
                name="coupon_duration_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@tracked()
class AddOn(models.Model):
    """A one-off priced item that can be added to an invoice."""

    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    amount = models.DecimalField(max_digits=28, decimal_places=12)
    tax_rate = models.ForeignKey(
        "TaxRate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Overrides the customer's address rate for this add-on.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("code",)
        verbose_name = "add-on"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@tracked()
class TaxRate(models.Model):
    code = models.CharField(max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(max_length=200)
    percentage = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    inclusive = models.BooleanField(
        default=False, help_text="Inclusive: prices already contain the tax."
    )
    country = models.CharField(
        max_length=2, blank=True, validators=[validate_country], help_text="ISO 3166-1 alpha-2"
    )
    region = models.CharField(max_length=100, blank=True)
    category = models.CharField(
        max_length=14, choices=TaxCategory.choices, default=TaxCategory.STANDARD
    )
    legal_mention = models.CharField(
        max_length=255,
        blank=True,
        help_text='Printed on invoices taxed at this rate ("Reverse charge: Art. 196 ...").',
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        kind = "incl." if self.inclusive else "excl."
        return f"{self.name} {format(self.percentage.normalize(), 'f')}% {kind}"

    def clean(self) -> None:
        """Zero-rated, exempt and reverse-charge rates tax nothing (percentage 0); exempt and
        reverse-charge supplies must say why on the invoice (their legal mention)."""
        errors: dict[str, str] = {}
        untaxed = (TaxCategory.ZERO, TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE)
        if self.category in untaxed and self.percentage is not None and self.percentage != 0:
            errors["percentage"] = f"A {self.get_category_display()} rate has percentage 0."
        needs = (TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE)
        if self.category in needs and not (self.legal_mention or "").strip():
            errors["legal_mention"] = (
                f"A {self.get_category_display()} rate needs its legal mention (printed on the "
                "invoice)."
            )
        if errors:
            raise ValidationError(errors)


@tracked()
class OneTimeFee(models.Model):
    """A one-time fee of a price book (a setup fee): billed once, at the subscription's start, on
    its first invoice; prorated (a share of the first period it starts in) or in full."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="one_time_fees"
    )
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=28, decimal_places=12)
    prorate = models.BooleanField(
        default=False, help_text="A share of the first period when it is a part of one."
    )
    tax_rate = models.ForeignKey(
        "TaxRate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("plan_version", "position", "id")
        verbose_name = "one-time fee"

    def __str__(self) -> str:
        return self.name


@tracked()
class PlanChangePolicy(models.Model):
    """When a change from one plan to another takes effect (Kill Bill's IMMEDIATE / END_OF_TERM /
    ILLEGAL). An explicit policy replaces the price heuristic of a change asked "automatic"."""

    from_plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="change_policies")
    to_plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    policy = models.CharField(max_length=11, choices=BillingPolicy.choices)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("from_plan", "to_plan")
        verbose_name_plural = "plan change policies"
        constraints = [
            models.UniqueConstraint(
                fields=["from_plan", "to_plan"], name="one_change_policy_per_plan_pair"
            ),
            models.CheckConstraint(
                condition=~Q(from_plan=models.F("to_plan")), name="change_policy_two_plans"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_plan.code} -> {self.to_plan.code}: {self.policy}"


@tracked()
class UsageThreshold(models.Model):
    """Progressive (threshold) billing: when a subscription's usage accrued in its current period
    (its charges billed in arrears, rated) reaches `amount`, an invoice bills it at once; the
    period's end deducts what such invoices billed. Several one-off thresholds and at most one
    `recurring` one (every `amount` more, after the highest one-off threshold), as Lago's."""

    plan_version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="usage_thresholds"
    )
    amount = models.DecimalField(max_digits=28, decimal_places=12)
    recurring = models.BooleanField(
        default=False, help_text="Every `amount` more, after the highest one-off threshold."
    )
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("plan_version", "recurring", "amount", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_version"],
                condition=Q(recurring=True),
                name="one_recurring_threshold_per_version",
            ),
            models.UniqueConstraint(
                fields=["plan_version", "amount"],
                condition=Q(recurring=False),
                name="usage_threshold_amount_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="usage_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{'every ' if self.recurring else ''}{self.amount}"
