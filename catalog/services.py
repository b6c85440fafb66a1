"""Writes of the catalog. Each public service is one transaction with its audit context.

Price books: a plan version is created as a draft (with its charges and features), may be edited
while draft, and is then published for a range [effective_from, effective_until). Publishing an
open-ended version after an open-ended one closes the earlier one where the new one starts.
A published version never changes again (but for that closing of its end); a price change is a
new version, made by copying the one in force and editing the copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Max

from catalog.models import (
    AddOn,
    BillableMetric,
    ChangeDay,
    Charge,
    Coupon,
    Feature,
    OneTimeFee,
    PhaseKind,
    Plan,
    PlanChangePolicy,
    PlanPhase,
    PlanVersion,
    Product,
    TaxRate,
    UsageThreshold,
    VersionFeature,
    VersionStatus,
)
from catalog.money import get_currency, quantize
from catalog.pricing import PricingError, compile_charge
from catalog.selectors import REFUSED, publish_outcome
from core import events
from core.audit import Actor, audit_context
from core.exceptions import Conflict, NotFound, TransitionNotAllowed, ValidationFailed

M = TypeVar("M", bound=models.Model)

SUBJECTS = {
    Product: "product",
    Plan: "plan",
    BillableMetric: "metric",
    Feature: "feature",
    AddOn: "addon",
    TaxRate: "tax_rate",
    Coupon: "coupon",
    PlanVersion: "plan_version",
    PlanChangePolicy: "plan_change_policy",
}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's own columns as JSON values (decimals as text, instants in ISO 8601)."""
    data = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # type: ignore[no-any-return]


def _event(
    obj: models.Model,
    what: str,
    *,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """`<subject>.<what>` in the journal, with the object as it is now (and what changed)."""
    subject = SUBJECTS[type(obj)]
    payload: dict[str, Any] = {subject: snapshot(obj)}
    if changes is not None:
        payload["changes"] = json.loads(json.dumps(changes, cls=DjangoJSONEncoder))
    events.record(
        type=f"{subject}.{what}",
        subject_type=subject,
        subject_id=obj.pk,
        payload=payload,
        actor=actor,
        occurred_at=as_of,
    )


def _full_clean(obj: models.Model, *, prefix: str = "", exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if not prefix:
            raise
        raise ValidationError(
            {f"{prefix}.{field}": errors for field, errors in exc.message_dict.items()}
        ) from None


def _save_new(obj: M, *, unique_field: str = "code") -> M:
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError as exc:
        if unique_field in str(exc):
            value = getattr(obj, unique_field)
            raise ValidationFailed(
                f"A {obj._meta.verbose_name} with {unique_field} {value!r} already exists.",
                field=unique_field,
                code="unique",
            ) from None
        raise
    return obj


def _check_fields(
    model: type[models.Model], data: Mapping[str, Any], allowed: Sequence[str]
) -> None:
    for key in data:
        if key not in allowed:
            raise ValidationFailed(f"Unknown {model._meta.verbose_name} field {key!r}.", field=key)


def _create_simple(
    model: type[M],
    allowed: Sequence[str],
    *,
    actor: Actor,
    as_of: datetime,
    data: Mapping[str, Any],
    reason: str,
) -> M:
    _check_fields(model, data, allowed)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        obj = model(**data, created_at=as_of, updated_at=as_of)
        _full_clean(obj)
        _save_new(obj)
        _event(obj, "created", actor=actor, as_of=as_of)
        return obj


PRODUCT_FIELDS = ("code", "name", "description", "tax_rate")
PLAN_FIELDS = (
    "code",
    "name",
    "description",
    "product",
    "currency",
    "interval_unit",
    "interval_count",
    "calendar_aligned",
    "cancellation_policy",
)
METRIC_FIELDS = (
    "code", "name", "description", "aggregation", "field_name", "filters", "allow_negative",
    "recurring",
)  # fmt: skip
FEATURE_FIELDS = ("code", "name", "description", "kind")
ADDON_FIELDS = ("code", "name", "description", "currency", "amount", "tax_rate")
TAX_FIELDS = (
    "code", "name", "percentage", "inclusive", "country", "region", "category", "legal_mention",
    "description",
)  # fmt: skip
COUPON_FIELDS = (
    "code", "name", "kind", "percent_off", "amount_off", "currency", "duration",
    "duration_periods", "duration_months", "max_redemptions", "redeem_by",
)  # fmt: skip
MAX_COUPON_MONTHS = 120  # a months coupon's window: 1 to 10 years


def check_tax_rate(rate: Any, field: str = "tax_rate") -> None:
    """A rate set on a product, charge, add-on or one-time fee (it overrides the customer's
    address rate for what is sold under it): a tax rate in use, not an archived one."""
    if rate is None:
        return
    if not isinstance(rate, TaxRate):
        raise ValidationFailed("tax_rate is a tax rate.", field=field)
    if rate.archived_at is not None:
        raise ValidationFailed(
            f"The tax rate {rate.code} is archived: set a rate in use.", field=field,
            code="archived",
        )  # fmt: skip


# A fixed amount of a price book (a phase's fee, a usage threshold, a one-time fee) is billed as
# an invoice line: DecimalField(20, 4), 16 digits before the point, as the invoice's totals. Below
# 10^15 a line with its tax (at most 100%) and the invoice's other lines still fit.
MAX_BOOK_AMOUNT = Decimal(10) ** 15


def check_book_amount(amount: Decimal, currency: str, field: str, what: str) -> None:
    """A fixed amount of a price book: in the currency's precision, and small enough that the
    invoice billing it can store it (MAX_BOOK_AMOUNT)."""
    if abs(amount) >= MAX_BOOK_AMOUNT:
        raise ValidationFailed(
            f"{what} is too large: at most {MAX_BOOK_AMOUNT - 1:,} {currency}.",
            field=field,
            code="max_value",
        )
    if quantize(amount, currency) != amount:
        places = get_currency(currency).exponent
        raise ValidationFailed(
            f"{what} has more decimals than {currency} allows ({places}).", field=field
        )


def product_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> Product:
    check_tax_rate(data.get("tax_rate"))
    return _create_simple(
        Product, PRODUCT_FIELDS, actor=actor, as_of=as_of, data=data, reason=reason
    )


def plan_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> Plan:
    data = dict(data)
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].upper()
    return _create_simple(Plan, PLAN_FIELDS, actor=actor, as_of=as_of, data=data, reason=reason)


def _check_metric(metric: BillableMetric) -> None:
    if metric.aggregation != "count" and not metric.field_name:
        raise ValidationFailed(
            f"A {metric.aggregation} metric needs the event property it reads.",
            field="field_name",
            code="required",
        )
    if metric.aggregation == "count" and metric.field_name:
        raise ValidationFailed(
            "A count metric counts events; it reads no property.", field="field_name"
        )
    if metric.allow_negative and metric.aggregation not in ("sum", "max", "latest"):
        raise ValidationFailed(
            "allow_negative applies to sum, max and latest metrics: a count reads no number, and "
            "a weighted sum's values are changes to a level, negative when it falls.",
            field="allow_negative",
        )
    if metric.recurring and metric.aggregation not in ("sum", "unique_count"):
        raise ValidationFailed(
            "recurring applies to sum and unique count metrics (seats, units held): a weighted "
            "sum already carries its level from period to period, and a count, max or latest "
            "measures each period on its own.",
            field="recurring",
        )
    filters = metric.filters
    if not isinstance(filters, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and v and all(isinstance(x, str) for x in v)
        for k, v in filters.items()
    ):
        raise ValidationFailed(
            'filters maps a property to the list of values kept: {"region": ["eu", "us"]}.',
            field="filters",
        )


def metric_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> BillableMetric:
    _check_fields(BillableMetric, data, METRIC_FIELDS)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        metric = BillableMetric(**data, created_at=as_of, updated_at=as_of)
        _full_clean(metric)
        _check_metric(metric)
        _save_new(metric)
        _event(metric, "created", actor=actor, as_of=as_of)
        return metric


def metric_update(
    *, metric_id: int, actor: Actor, as_of: datetime, changes: Mapping[str, Any], reason: str = ""
) -> BillableMetric:
    """Name and description may always change; what it measures only while no published price
    book charges it (past invoices must stay reproducible)."""
    _check_fields(BillableMetric, changes, (*METRIC_FIELDS, "archived"))
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        metric = _locked(BillableMetric, metric_id)
        changes = dict(changes)
        _archive_change(metric, changes, as_of)
        measuring = {"code", "aggregation", "field_name", "filters", "recurring"} & {
            f for f, v in changes.items() if getattr(metric, f) != v
        }
        if measuring and metric.charges.filter(plan_version__status="published").exists():
            field = sorted(measuring)[0]
            raise Conflict(
                f"{field} cannot change: a published price book charges this metric. "
                "Create a new metric instead.",
                field=field,
            )
        diff = _diff(metric, changes)
        if not diff:
            return metric
        for field, value in changes.items():
            setattr(metric, field, value)
        metric.updated_at = as_of
        _full_clean(metric)
        _check_metric(metric)
        metric.save()
        _event(metric, "updated", actor=actor, as_of=as_of, changes=diff)
    return metric


def feature_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> Feature:
    return _create_simple(
        Feature, FEATURE_FIELDS, actor=actor, as_of=as_of, data=data, reason=reason
    )


def addon_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> AddOn:
    data = {**data, "currency": str(data.get("currency", "")).upper()}
    check_tax_rate(data.get("tax_rate"))
    return _create_simple(AddOn, ADDON_FIELDS, actor=actor, as_of=as_of, data=data, reason=reason)


def tax_rate_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> TaxRate:
    return _create_simple(TaxRate, TAX_FIELDS, actor=actor, as_of=as_of, data=data, reason=reason)


def coupon_create(
    *,
    actor: Actor,
    as_of: datetime,
    data: Mapping[str, Any],
    plan_ids: Sequence[int] = (),
    metric_ids: Sequence[int] = (),
    charge_ids: Sequence[int] = (),
    reason: str = "",
) -> Coupon:
    """A coupon, on `plan_ids` (none: any plan), limited to the usage of `metric_ids` and/or
    `charge_ids` (none: the fees, usage and minimums of the invoice)."""
    _check_fields(Coupon, data, COUPON_FIELDS)
    data = dict(data)
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].upper()
    kind = data.get("kind")
    if kind == Coupon.Kind.PERCENT and data.get("percent_off") is None:
        raise ValidationFailed("A percent coupon needs percent_off.", field="percent_off")
    if kind == Coupon.Kind.PERCENT and data.get("amount_off") is not None:
        raise ValidationFailed("A percent coupon has no amount_off.", field="amount_off")
    if kind == Coupon.Kind.FIXED:
        if data.get("amount_off") is None:
            raise ValidationFailed("A fixed coupon needs amount_off.", field="amount_off")
        if not data.get("currency"):
            raise ValidationFailed("A fixed coupon needs its currency.", field="currency")
        if data.get("percent_off") is not None:
            raise ValidationFailed("A fixed coupon has no percent_off.", field="percent_off")
    coupon_duration_check(
        data.get("duration"), data.get("duration_periods"), data.get("duration_months")
    )
    if data.get("redeem_by") is not None and data["redeem_by"] <= as_of:
        raise ValidationFailed("redeem_by must be in the future.", field="redeem_by")
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        coupon = Coupon(**data, created_at=as_of, updated_at=as_of)
        _full_clean(coupon)
        _save_new(coupon)
        plans = list(Plan.objects.filter(pk__in=plan_ids))
        missing = set(plan_ids) - {p.pk for p in plans}
        if missing:
            raise ValidationFailed(f"No plan with id {sorted(missing)[0]}.", field="plans")
        coupon.plans.set(plans)
        _set_coupon_limits(coupon, metric_ids, charge_ids)
        _coupon_event(coupon, "created", actor=actor, as_of=as_of)
    return coupon


def coupon_duration_check(duration: Any, periods: Any, months: Any) -> None:
    """A repeating coupon lasts 1 or more periods; a months coupon 1 to MAX_COUPON_MONTHS
    calendar months; neither count on another duration. (The admin's form asks it too.)"""
    if duration == Coupon.Duration.REPEATING and not periods:
        raise ValidationFailed(
            "A repeating coupon needs duration_periods (1 or more).", field="duration_periods"
        )
    if duration != Coupon.Duration.REPEATING and periods is not None:
        raise ValidationFailed(
            "duration_periods applies to repeating coupons only.", field="duration_periods"
        )
    if duration == Coupon.Duration.MONTHS and (months is None or months < 1):
        raise ValidationFailed(
            f"A months coupon needs duration_months (1 to {MAX_COUPON_MONTHS}).",
            field="duration_months",
        )
    if duration != Coupon.Duration.MONTHS and months is not None:
        raise ValidationFailed(
            "duration_months applies to months coupons only.", field="duration_months"
        )
    if months is not None and months > MAX_COUPON_MONTHS:
        raise ValidationFailed(
            f"duration_months is at most {MAX_COUPON_MONTHS} (10 years).", field="duration_months"
        )


def _limits(coupon: Coupon) -> tuple[list[int], list[int]]:
    return (
        sorted(coupon.metrics.values_list("pk", flat=True)),
        sorted(coupon.charges.values_list("pk", flat=True)),
    )


def _set_coupon_limits(
    coupon: Coupon,
    metric_ids: Sequence[int] | None,
    charge_ids: Sequence[int] | None,
    *,
    redeemed: bool = False,
) -> dict[str, list[Any]]:
    """Limit the coupon to metrics and/or charges (None: unchanged). A charge belongs to a price
    book (draft or published) of one of the coupon's plans, when it has plans, and to a plan of
    its currency for a fixed amount. Once redeemed, the limits may only widen: metrics or
    charges added, or all taken off (no limit); never what customers were sold taken away.
    Returns the diff {"metrics"/"charges": [before, after]}."""
    before_metrics, before_charges = _limits(coupon)
    metrics_after, charges_after = before_metrics, before_charges
    if metric_ids is not None:
        found_metrics = list(BillableMetric.objects.filter(pk__in=metric_ids))
        missing = set(metric_ids) - {m.pk for m in found_metrics}
        if missing:
            raise ValidationFailed(f"No metric with id {sorted(missing)[0]}.", field="metrics")
        metrics_after = sorted(m.pk for m in found_metrics)
    if charge_ids is not None:
        charges_after = sorted(set(charge_ids))
    charges = list(Charge.objects.filter(pk__in=charges_after).select_related("plan_version__plan"))
    missing = set(charges_after) - {c.pk for c in charges}
    if missing:
        raise ValidationFailed(f"No charge with id {sorted(missing)[0]}.", field="charges")
    plan_ids = set(coupon.plans.values_list("pk", flat=True))
    for charge in sorted(charges, key=lambda c: c.pk):
        plan = charge.plan_version.plan
        if plan_ids and plan.pk not in plan_ids:
            raise ValidationFailed(
                f"Charge {charge.pk} is of plan {plan.code}, which the coupon does not cover.",
                field="charges",
            )
        if coupon.kind == Coupon.Kind.FIXED and plan.currency != coupon.currency:
            raise ValidationFailed(
                f"Charge {charge.pk} is of plan {plan.code} in {plan.currency}; the coupon is in "
                f"{coupon.currency}.",
                field="charges",
            )
    diff: dict[str, list[Any]] = {}
    if metrics_after != before_metrics:
        diff["metrics"] = [before_metrics, metrics_after]
    if charges_after != before_charges:
        diff["charges"] = [before_charges, charges_after]
    if redeemed and diff:
        was_limited = bool(before_metrics or before_charges)
        unlimited = not metrics_after and not charges_after
        widens = (
            was_limited
            and set(metrics_after) >= set(before_metrics)
            and set(charges_after) >= set(before_charges)
        )
        if not (unlimited or widens):
            field = "metrics" if "metrics" in diff else "charges"
            raise Conflict(
                f"{field} cannot narrow: the coupon was redeemed. Its limits may only widen "
                "(metrics or charges added, or all taken off).",
                field=field,
                code="immutable",
            )
    if "metrics" in diff:
        coupon.metrics.set(metrics_after)
    if "charges" in diff:
        coupon.charges.set(charges_after)
    return diff


def _coupon_event(
    coupon: Coupon,
    what: str,
    *,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """`coupon.<what>`, with its plans (codes), metrics (codes) and charges (ids) beside it."""
    payload: dict[str, Any] = {
        "coupon": snapshot(coupon),
        "plans": sorted(coupon.plans.values_list("code", flat=True)),
        "metrics": sorted(coupon.metrics.values_list("code", flat=True)),
        "charges": sorted(coupon.charges.values_list("pk", flat=True)),
    }
    if changes is not None:
        payload["changes"] = json.loads(json.dumps(changes, cls=DjangoJSONEncoder))
    events.record(
        type=f"coupon.{what}",
        subject_type="coupon",
        subject_id=coupon.pk,
        payload=payload,
        actor=actor,
        occurred_at=as_of,
    )


# ----------------------------------------------------------------------------------- updates


def _diff(obj: models.Model, changes: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} of the changes that change something; a relation by its id."""

    def plain(value: Any) -> Any:
        return value.pk if isinstance(value, models.Model) else value

    return {
        field: [plain(getattr(obj, field)), plain(value)]
        for field, value in changes.items()
        if getattr(obj, field) != value
    }


def _archive_change(obj: models.Model, changes: dict[str, Any], as_of: datetime) -> None:
    """`archived: true/false` archives (from now on: no new sales) or restores."""
    if "archived" not in changes:
        return
    archived = changes.pop("archived")
    if not isinstance(archived, bool):
        raise ValidationFailed("archived is true or false.", field="archived")
    if archived != (getattr(obj, "archived_at") is not None):  # noqa: B009
        changes["archived_at"] = as_of if archived else None


def _update_simple(
    model: type[M],
    *,
    obj_id: int,
    editable: Sequence[str],
    frozen: Mapping[str, str],
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any],
    reason: str,
    check: Any = None,
) -> M:
    """Change the `editable` fields of a catalog object; a field of `frozen` is refused with its
    reason when its value would change. One transaction, audited, journaled as `<x>.updated`."""
    allowed = (*editable, *frozen, *(("archived",) if hasattr(model, "archived_at") else ()))
    _check_fields(model, changes, allowed)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        obj = _locked(model, obj_id)
        wanted = dict(changes)
        _archive_change(obj, wanted, as_of)
        for field, why in frozen.items():
            if field in wanted and getattr(obj, field) != wanted[field]:
                raise Conflict(f"{field} cannot change: {why}", field=field, code="immutable")
        diff = _diff(obj, wanted)
        if not diff:
            return obj
        for field, value in wanted.items():
            setattr(obj, field, value)
        obj.updated_at = as_of  # type: ignore[attr-defined]
        _full_clean(obj)
        if check is not None:
            check(obj, diff)
        obj.save()
        _event(obj, "updated", actor=actor, as_of=as_of, changes=diff)
    return obj


CODE_FROZEN = "it identifies the object in the API and in past documents."


def product_update(
    *, product_id: int, actor: Actor, as_of: datetime, changes: Mapping[str, Any], reason: str = ""
) -> Product:
    """Name, description, its tax rate (for what is billed from now on) and `archived`. The code
    never changes."""
    if "tax_rate" in changes:
        check_tax_rate(changes["tax_rate"])
    return _update_simple(
        Product, obj_id=product_id, editable=("name", "description", "tax_rate"),
        frozen={"code": CODE_FROZEN}, actor=actor, as_of=as_of, changes=changes, reason=reason,
    )  # fmt: skip


SOLD_PLAN_FIELDS = ("currency", "interval_unit", "interval_count", "calendar_aligned")


def _check_plan(plan: Plan, diff: Mapping[str, Any]) -> None:
    sold = sorted(set(diff) & set(SOLD_PLAN_FIELDS))
    if sold and plan.versions.filter(status=VersionStatus.PUBLISHED).exists():
        raise Conflict(
            f"{sold[0]} cannot change: a published price book of {plan.code} was sold in it. "
            "Create a new plan instead.",
            field=sold[0],
            code="immutable",
        )


def plan_update(
    *, plan_id: int, actor: Actor, as_of: datetime, changes: Mapping[str, Any], reason: str = ""
) -> Plan:
    """Name, description, product, cancellation policy and `archived` always; currency and
    interval only while no price book of the plan is published."""
    changes = dict(changes)
    if isinstance(changes.get("currency"), str):
        changes["currency"] = changes["currency"].upper()
    return _update_simple(
        Plan, obj_id=plan_id,
        editable=("name", "description", "product", "cancellation_policy", *SOLD_PLAN_FIELDS),
        frozen={"code": CODE_FROZEN}, actor=actor, as_of=as_of, changes=changes, reason=reason,
        check=_check_plan,
    )  # fmt: skip


def _check_feature(feature: Feature, diff: Mapping[str, Any]) -> None:
    if "kind" in diff and feature.entries.exists():
        raise Conflict(
            "kind cannot change: a price book grants this feature. Create a new feature instead.",
            field="kind",
            code="immutable",
        )


def feature_update(
    *, feature_id: int, actor: Actor, as_of: datetime, changes: Mapping[str, Any], reason: str = ""
) -> Feature:
    """Name and description; the kind only while no price book grants the feature."""
    return _update_simple(
        Feature, obj_id=feature_id, editable=("name", "description", "kind"),
        frozen={"code": CODE_FROZEN}, actor=actor, as_of=as_of, changes=changes, reason=reason,
        check=_check_feature,
    )  # fmt: skip


def addon_update(
    *, addon_id: int, actor: Actor, as_of: datetime, changes: Mapping[str, Any], reason: str = ""
) -> AddOn:
    """Name, description, the amount (for lines added from now on: lines already added keep
    theirs) and `archived`. The currency never changes: create the add-on in the other one."""
    changes = dict(changes)
    if isinstance(changes.get("currency"), str):
        changes["currency"] = changes["currency"].upper()
    if "tax_rate" in changes:
        check_tax_rate(changes["tax_rate"])
    return _update_simple(
        AddOn, obj_id=addon_id, editable=("name", "description", "amount", "tax_rate"),
        frozen={"code": CODE_FROZEN,
                "currency": "create an add-on in the other currency instead."},
        actor=actor, as_of=as_of, changes=changes, reason=reason,
    )  # fmt: skip


RATE_FROZEN = "create a new tax rate for the new figure and archive this one."


def tax_rate_update(
    *, tax_rate_id: int, actor: Actor, as_of: datetime, changes: Mapping[str, Any], reason: str = ""
) -> TaxRate:
    """Name, description, where it applies (country, region) and `archived`. The percentage
    and whether it is included in prices never change (invoices were taxed with them): a new
    rate is a new tax rate, and the old one is archived."""
    changes = dict(changes)
    if isinstance(changes.get("country"), str):
        changes["country"] = changes["country"].upper()
    return _update_simple(
        TaxRate, obj_id=tax_rate_id, editable=("name", "description", "country", "region"),
        frozen={"code": CODE_FROZEN, "percentage": RATE_FROZEN, "inclusive": RATE_FROZEN,
                "category": RATE_FROZEN, "legal_mention": RATE_FROZEN},
        actor=actor, as_of=as_of, changes=changes, reason=reason,
    )  # fmt: skip


COUPON_TERMS = "it is what customers redeemed; create a new coupon with other terms."


def coupon_update(
    *,
    coupon_id: int,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any],
    plan_ids: Sequence[int] | None = None,
    metric_ids: Sequence[int] | None = None,
    charge_ids: Sequence[int] | None = None,
    reason: str = "",
) -> Coupon:
    """Name, how many times and until when it can be redeemed, the plans it applies to, its
    limits to metrics and charges (once redeemed, only widened: see `_set_coupon_limits`), and
    `archived`; the discount's terms never change."""
    changes = dict(changes)
    if changes.get("redeem_by") is not None and changes["redeem_by"] <= as_of:
        raise ValidationFailed("redeem_by must be in the future.", field="redeem_by")
    terms = (
        "kind", "percent_off", "amount_off", "currency", "duration", "duration_periods",
        "duration_months",
    )  # fmt: skip
    _check_fields(Coupon, changes, ("name", "max_redemptions", "redeem_by", "archived", "code",
                                    *terms))  # fmt: skip
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        coupon = _locked(Coupon, coupon_id)
        wanted = dict(changes)
        _archive_change(coupon, wanted, as_of)
        for field in (*terms, "code"):
            if field in wanted and getattr(coupon, field) != wanted[field]:
                why = CODE_FROZEN if field == "code" else COUPON_TERMS
                raise Conflict(f"{field} cannot change: {why}", field=field, code="immutable")
        diff = _diff(coupon, wanted)
        if plan_ids is not None:
            plans = list(Plan.objects.filter(pk__in=plan_ids))
            missing = set(plan_ids) - {p.pk for p in plans}
            if missing:
                raise ValidationFailed(f"No plan with id {sorted(missing)[0]}.", field="plans")
            before = sorted(coupon.plans.values_list("pk", flat=True))
            if before != sorted(p.pk for p in plans):
                diff["plans"] = [before, sorted(p.pk for p in plans)]
                coupon.plans.set(plans)
        if plan_ids is not None or metric_ids is not None or charge_ids is not None:
            # the charges are checked against the plans it covers now
            redeemed = coupon.redemptions.exists()
            diff.update(_set_coupon_limits(coupon, metric_ids, charge_ids, redeemed=redeemed))
        if not diff:
            return coupon
        for field, value in wanted.items():
            setattr(coupon, field, value)
        coupon.updated_at = as_of
        _full_clean(coupon)
        coupon.save()
        _coupon_event(coupon, "updated", actor=actor, as_of=as_of, changes=diff)
    return coupon


# ------------------------------------------------------------------------ plan change policies

CHANGE_POLICY_FIELDS = ("from_plan", "to_plan", "policy")


def _check_change_policy(item: PlanChangePolicy) -> None:
    """A pair of two plans a subscription can move between (same currency and interval), each
    pair once."""
    if item.from_plan_id == item.to_plan_id:
        raise ValidationFailed(
            "A change policy is for a change between two plans; a change of quantity on the "
            "same plan is not governed by plan pairs.",
            field="to_plan",
            code="same_plan",
        )
    source, target = item.from_plan, item.to_plan
    if source.currency != target.currency:
        raise ValidationFailed(
            f"{source.code} is priced in {source.currency}, {target.code} in {target.currency}: "
            "a subscription cannot change between them.",
            field="to_plan",
            code="currency_mismatch",
        )
    intervals = {(p.interval_unit, p.interval_count) for p in (source, target)}
    if len(intervals) > 1:
        raise ValidationFailed(
            f"{source.code} and {target.code} are billed on different intervals: a "
            "subscription cannot change between them.",
            field="to_plan",
            code="interval_mismatch",
        )
    taken = PlanChangePolicy.objects.filter(from_plan=source, to_plan=target).exclude(pk=item.pk)
    if taken.exists():
        raise ValidationFailed(
            f"The change from {source.code} to {target.code} already has a policy; edit it.",
            field="to_plan",
            code="unique",
        )


def plan_change_policy_create(
    *, actor: Actor, as_of: datetime, data: Mapping[str, Any], reason: str = ""
) -> PlanChangePolicy:
    """When a change from `from_plan` to `to_plan` takes effect: immediate, end_of_term, or
    illegal (refused). Journaled as `plan_change_policy.created`."""
    _check_fields(PlanChangePolicy, data, CHANGE_POLICY_FIELDS)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        item = PlanChangePolicy(**data, created_at=as_of, updated_at=as_of)
        _full_clean(item)
        _check_change_policy(item)
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError as exc:  # the same pair created at the same time
            if "one_change_policy_per_plan_pair" not in str(exc):
                raise
            raise ValidationFailed(
                "This pair of plans already has a policy.", field="to_plan", code="unique"
            ) from None
        _event(item, "created", actor=actor, as_of=as_of)
    return item


def plan_change_policy_update(
    *,
    policy_id: int,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any],
    reason: str = "",
) -> PlanChangePolicy:
    """The policy of a pair; the pair itself never changes (delete it and create another)."""
    frozen = "it names the pair; delete this policy and create one for the other pair."
    return _update_simple(
        PlanChangePolicy, obj_id=policy_id, editable=("policy",),
        frozen={"from_plan": frozen, "to_plan": frozen}, actor=actor, as_of=as_of,
        changes=changes, reason=reason,
    )  # fmt: skip


def plan_change_policy_delete(
    *, policy_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> None:
    """Without a policy, a change between the two plans is timed as the caller asks (or by the
    price heuristic for "auto"). Journaled as `plan_change_policy.deleted` with what it was."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        item = _locked(PlanChangePolicy, policy_id)
        events.record(
            type="plan_change_policy.deleted",
            subject_type="plan_change_policy",
            subject_id=item.pk,
            payload={"plan_change_policy": snapshot(item)},
            actor=actor,
            occurred_at=as_of,
        )
        item.delete()


# ------------------------------------------------------------------------------- price books


def _locked(model: type[M], pk: int) -> M:
    try:
        return model._default_manager.select_for_update().get(pk=pk)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise NotFound(f"No {model._meta.verbose_name} with id {pk}.") from None


def _build_charges(
    version: PlanVersion,
    charges: Sequence[Mapping[str, Any]],
    phases: Sequence[PlanPhase] | None = None,
) -> list[Charge]:
    """A price book's charges. `phases`: the book's phases (None: its saved ones), which a
    charge's `phase` (a position) refers to: a charge with a phase applies only in it."""
    built: list[Charge] = []
    seen: set[int] = set()
    if phases is None:
        phases = list(version.phases.all()) if version.pk else []
    phased: set[tuple[int, int]] = set()  # (metric id, phase position) charged in a phase
    for index, spec in enumerate(charges):
        path = f"charges[{index}]"
        unknown = sorted(
            set(spec)
            - {"metric", "pricing_model", "params", "display_name", "minimum_amount", "tax_rate",
               "phase"}
        )  # fmt: skip
        if unknown:
            raise ValidationFailed(
                f"Unknown charge field {unknown[0]!r}.", field=f"{path}.{unknown[0]}"
            )
        metric = spec.get("metric")
        if not isinstance(metric, BillableMetric):
            raise ValidationFailed("Each charge needs a billable metric.", field=f"{path}.metric")
        phase = _charge_phase(spec.get("phase"), phases, f"{path}.phase")
        if phase is None:
            if metric.pk in seen:
                raise ValidationFailed(
                    f"The metric {metric.code} is charged twice in this price book.",
                    field=f"{path}.metric",
                )
            seen.add(metric.pk)
        else:
            if (metric.pk, phase.position) in phased:
                raise ValidationFailed(
                    f"The metric {metric.code} is charged twice in phase {phase.position}.",
                    field=f"{path}.metric",
                )
            phased.add((metric.pk, phase.position))
        if metric.pk in seen and any(m == metric.pk for m, _ in phased):
            raise ValidationFailed(
                f"The metric {metric.code} is charged in every phase and in a phase: limit "
                "each of its charges to a phase, or keep one for the whole price book.",
                field=f"{path}.phase",
                code="charged_twice",
            )
        charge = Charge(
            plan_version=version,
            metric=metric,
            pricing_model=spec.get("pricing_model", ""),
            params=spec.get("params", {}),
            display_name=spec.get("display_name", "") or "",
            minimum_amount=spec.get("minimum_amount"),
            tax_rate=spec.get("tax_rate"),
            position=index,
            phase=phase,
        )
        check_tax_rate(spec.get("tax_rate"), f"{path}.tax_rate")
        _full_clean(charge, prefix=path, exclude=["plan_version", "phase"])
        try:
            compile_charge(
                charge.pricing_model,
                charge.params,
                currency=version.plan.currency,
                minimum=charge.minimum_amount,
            )
        except InvalidOperation:  # an amount computed from the params overflows
            raise ValidationFailed(
                "The amount is too large: it overflows what an amount holds.",
                field=f"{path}.params",
                code="amount_too_large",
            ) from None
        except PricingError as exc:
            field = f"{path}.params" + (f".{exc.field}" if exc.field else "")
            if exc.field in ("model", "minimum"):
                field = f"{path}.{'pricing_model' if exc.field == 'model' else 'minimum_amount'}"
            raise ValidationFailed(exc.message, field=field, code="invalid_pricing") from None
        if charge.params.get("prorated") is True and not metric.recurring:
            raise ValidationFailed(
                f"prorated applies to a charge on a recurring metric: {metric.code} is not "
                "recurring (its quantity starts from zero each period).",
                field=f"{path}.params.prorated",
                code="invalid_pricing",
            )
        built.append(charge)
    return built


def _charge_phase(value: Any, phases: Sequence[PlanPhase], field: str) -> PlanPhase | None:
    """The phase a charge's `phase` (a position in the book's phases; None: every phase)
    names."""
    if value is None:
        return None
    if isinstance(value, PlanPhase):
        value = value.position
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("phase is a phase's position (0 for the first).", field=field)
    if not 0 <= value < len(phases):
        raise ValidationFailed(
            f"No phase at position {value}: the price book has {len(phases)} phase(s).",
            field=field,
            code="unknown_phase",
        )
    return phases[value]


PHASE_SPEC = ("name", "kind", "periods", "fixed_fee")


def _build_phases(version: PlanVersion, phases: Sequence[Mapping[str, Any]]) -> list[PlanPhase]:
    """A price book's phases, in order: each a whole number of billing periods (at least one)
    or open-ended (the last one only), its fixed fee in the plan's currency's precision."""
    built: list[PlanPhase] = []
    currency = version.plan.currency
    for index, spec in enumerate(phases):
        path = f"phases[{index}]"
        unknown = sorted(set(spec) - set(PHASE_SPEC))
        if unknown:
            raise ValidationFailed(
                f"Unknown phase field {unknown[0]!r}.", field=f"{path}.{unknown[0]}"
            )
        periods = spec.get("periods")
        if periods is not None and (
            isinstance(periods, bool) or not isinstance(periods, int) or periods < 1
        ):
            raise ValidationFailed(
                "periods is a whole number of billing periods, at least 1 (empty: open-ended).",
                field=f"{path}.periods",
            )
        if periods is None and index != len(phases) - 1:
            raise ValidationFailed(
                "Only the last phase is open-ended: give this one its periods.",
                field=f"{path}.periods",
                code="open_ended_not_last",
            )
        phase = PlanPhase(
            plan_version=version,
            position=index,
            name=spec.get("name", "") or "",
            kind=spec.get("kind") or PhaseKind.EVERGREEN,
            periods=periods,
            fixed_fee=spec.get("fixed_fee", Decimal(0)),
        )
        _full_clean(phase, prefix=path, exclude=["plan_version"])
        if phase.fixed_fee < 0:
            raise ValidationFailed(
                "A phase's fixed fee is not negative.", field=f"{path}.fixed_fee"
            )
        check_book_amount(phase.fixed_fee, currency, f"{path}.fixed_fee", "The fixed fee")
        built.append(phase)
    return built


PHASE_COLUMNS = ("position", "name", "kind", "periods", "fixed_fee")


def _phase_specs(version: PlanVersion) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "kind": p.kind, "periods": p.periods, "fixed_fee": p.fixed_fee}
        for p in version.phases.all()
    ]


ONE_TIME_FEE_SPEC = ("name", "amount", "prorate", "tax_rate")


def _build_one_time_fees(
    version: PlanVersion, fees: Sequence[Mapping[str, Any]]
) -> list[OneTimeFee]:
    """A price book's one-time fees (a setup fee): billed once, at a subscription's start; each
    amount in the plan's currency's precision, its rate one in use."""
    built: list[OneTimeFee] = []
    currency = version.plan.currency
    for index, spec in enumerate(fees):
        path = f"one_time_fees[{index}]"
        unknown = sorted(set(spec) - set(ONE_TIME_FEE_SPEC))
        if unknown:
            raise ValidationFailed(
                f"Unknown one-time fee field {unknown[0]!r}.", field=f"{path}.{unknown[0]}"
            )
        if not spec.get("name"):
            raise ValidationFailed("Each one-time fee needs a name.", field=f"{path}.name")
        if spec.get("amount") is None:
            raise ValidationFailed("Each one-time fee needs an amount.", field=f"{path}.amount")
        rate = spec.get("tax_rate")
        check_tax_rate(rate, f"{path}.tax_rate")
        fee = OneTimeFee(
            plan_version=version,
            name=spec["name"],
            amount=spec["amount"],
            prorate=bool(spec.get("prorate", False)),
            tax_rate=rate,
            position=index,
        )
        _full_clean(fee, prefix=path, exclude=["plan_version"])
        if fee.amount < 0:
            raise ValidationFailed(
                "A one-time fee is not negative (a credit is a coupon).", field=f"{path}.amount"
            )
        check_book_amount(fee.amount, currency, f"{path}.amount", "The one-time fee")
        built.append(fee)
    return built


THRESHOLD_SPEC = ("amount", "recurring", "name")


def _build_thresholds(
    version: PlanVersion, thresholds: Sequence[Mapping[str, Any]]
) -> list[UsageThreshold]:
    """A price book's usage thresholds (progressive billing): amounts above 0 in the plan's
    currency's precision, each one-off amount once, at most one recurring (Lago's rule)."""
    built: list[UsageThreshold] = []
    seen: set[Decimal] = set()
    recurring = False
    currency = version.plan.currency
    for index, spec in enumerate(thresholds):
        path = f"usage_thresholds[{index}]"
        unknown = sorted(set(spec) - set(THRESHOLD_SPEC))
        if unknown:
            raise ValidationFailed(
                f"Unknown usage threshold field {unknown[0]!r}.", field=f"{path}.{unknown[0]}"
            )
        if spec.get("amount") is None:
            raise ValidationFailed("Each usage threshold needs an amount.", field=f"{path}.amount")
        item = UsageThreshold(
            plan_version=version,
            amount=spec["amount"],
            recurring=spec.get("recurring", False),
            name=spec.get("name", "") or "",
        )
        _full_clean(item, prefix=path, exclude=["plan_version"])
        if item.amount <= 0:
            raise ValidationFailed("A usage threshold is above 0.", field=f"{path}.amount")
        check_book_amount(item.amount, currency, f"{path}.amount", "The threshold")
        if item.recurring:
            if recurring:
                raise ValidationFailed(
                    "A price book has at most one recurring threshold.",
                    field=f"{path}.recurring",
                )
            recurring = True
        elif item.amount in seen:
            raise ValidationFailed(
                f"The threshold {item.amount} is listed twice.", field=f"{path}.amount"
            )
        else:
            seen.add(item.amount)
        built.append(item)
    return built


def _build_features(
    version: PlanVersion, features: Sequence[Mapping[str, Any]]
) -> list[VersionFeature]:
    built: list[VersionFeature] = []
    seen: set[int] = set()
    for index, spec in enumerate(features):
        path = f"features[{index}]"
        feature = spec.get("feature")
        if not isinstance(feature, Feature):
            raise ValidationFailed("Each entry needs a feature.", field=f"{path}.feature")
        if feature.pk in seen:
            raise ValidationFailed(f"{feature.code} is listed twice.", field=f"{path}.feature")
        seen.add(feature.pk)
        limit = spec.get("limit")
        if feature.kind == Feature.Kind.BOOLEAN and limit is not None:
            raise ValidationFailed(
                f"{feature.code} is on/off: it takes no limit.", field=f"{path}.limit"
            )
        entry = VersionFeature(
            plan_version=version, feature=feature, enabled=spec.get("enabled", True), limit=limit
        )
        _full_clean(entry, prefix=path, exclude=["plan_version"])
        built.append(entry)
    return built


VERSION_FIELDS = (
    "effective_from",
    "effective_until",
    "fixed_fee",
    "fee_timing",
    "trial_days",
    "trial_invoice",
    "cancellation_credit",
    "proration_unit",
    "proration_change_day",
    "minimum_commitment",
    "note",
)


def _check_version_terms(version: PlanVersion) -> None:
    """The proration rule and the minimum commitment of a price book: a minimum of 0 or more
    in the plan's currency's precision; the day of a change ("old") only with proration by
    whole days (by the second no day is split: refused rather than ignored)."""
    minimum = version.minimum_commitment
    currency = version.plan.currency
    if minimum is not None:
        if minimum < 0:
            raise ValidationFailed(
                "The minimum commitment cannot be negative.", field="minimum_commitment"
            )
        if quantize(minimum, currency) != minimum:
            raise ValidationFailed(
                f"The minimum commitment has more decimals than {currency} allows "
                f"({get_currency(currency).exponent}).",
                field="minimum_commitment",
            )
    if version.proration_change_day == ChangeDay.OLD and version.proration_unit != "day":
        raise ValidationFailed(
            'proration_change_day "old" (the day of a change at the old terms) needs '
            'proration_unit "day": by the second no day is split.',
            field="proration_change_day",
        )


def plan_version_create(
    *,
    plan_id: int,
    actor: Actor,
    as_of: datetime,
    data: Mapping[str, Any],
    charges: Sequence[Mapping[str, Any]] = (),
    features: Sequence[Mapping[str, Any]] = (),
    copied_from_id: int | None = None,
    one_time_fees: Sequence[Mapping[str, Any]] = (),
    reason: str = "",
    usage_thresholds: Sequence[Mapping[str, Any]] = (),
    phases: Sequence[Mapping[str, Any]] = (),
) -> PlanVersion:
    """A new draft price book for a plan, numbered after the plan's last version. `phases`:
    its plan phases in order (see PlanPhase); a charge's `phase` is a position in them."""
    _check_fields(PlanVersion, data, VERSION_FIELDS)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        version = _create_version(
            plan_id=plan_id, as_of=as_of, data=data, charges=charges, features=features,
            copied_from_id=copied_from_id, one_time_fees=one_time_fees,
            usage_thresholds=usage_thresholds, phases=phases,
        )  # fmt: skip
        _version_event(version, "created", actor=actor, as_of=as_of)
    return version


def _version_event(
    version: PlanVersion,
    what: str,
    *,
    actor: Actor,
    as_of: datetime,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """`plan_version.<what>`, with its charges and features (what a price book is)."""
    payload: dict[str, Any] = {
        "plan_version": snapshot(version),
        "plan": version.plan.code,
        "charges": [
            {**snapshot(c), "metric": c.metric.code}
            for c in version.charges.select_related("metric")
        ],
        "features": [
            {**snapshot(e), "feature": e.feature.code}
            for e in version.features.select_related("feature")
        ],
        "one_time_fees": [snapshot(f) for f in version.one_time_fees.all()],
        "usage_thresholds": [snapshot(t) for t in version.usage_thresholds.all()],
        "phases": [snapshot(p) for p in version.phases.all()],
    }
    if changes is not None:
        payload["changes"] = json.loads(json.dumps(changes, cls=DjangoJSONEncoder))
    events.record(
        type=f"plan_version.{what}",
        subject_type="plan_version",
        subject_id=version.pk,
        payload=payload,
        actor=actor,
        occurred_at=as_of,
    )


def _create_version(
    *,
    plan_id: int,
    as_of: datetime,
    data: Mapping[str, Any],
    charges: Sequence[Mapping[str, Any]],
    features: Sequence[Mapping[str, Any]],
    copied_from_id: int | None,
    one_time_fees: Sequence[Mapping[str, Any]] = (),
    usage_thresholds: Sequence[Mapping[str, Any]] = (),
    phases: Sequence[Mapping[str, Any]] = (),
) -> PlanVersion:
    plan = _locked(Plan, plan_id)
    if plan.archived_at is not None:
        raise Conflict(f"Plan {plan.code} is archived.", field="plan")
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        status=VersionStatus.DRAFT,
        created_at=as_of,
        updated_at=as_of,
        copied_from_id=copied_from_id,
        **data,
    )
    _full_clean(version, exclude=["plan", "copied_from"])
    _check_version_terms(version)
    built_phases = _build_phases(version, phases)
    version.phase_count = len(built_phases)
    built_charges = _build_charges(version, charges, built_phases)
    built_features = _build_features(version, features)
    built_fees = _build_one_time_fees(version, one_time_fees)
    built_thresholds = _build_thresholds(version, usage_thresholds)
    version.save(force_insert=True)
    for phase in built_phases:
        phase.plan_version = version
        phase.save(force_insert=True)
    for charge in built_charges:
        charge.plan_version = version
        charge.phase = charge.phase  # its phase, saved above
        charge.save(force_insert=True)
    for entry in built_features:
        entry.plan_version = version
        entry.save(force_insert=True)
    for fee in built_fees:
        fee.plan_version = version
        fee.save(force_insert=True)
    for threshold in built_thresholds:
        threshold.plan_version = version
        threshold.save(force_insert=True)
    return version


def plan_version_update(
    *,
    version_id: int,
    actor: Actor,
    as_of: datetime,
    data: Mapping[str, Any],
    charges: Sequence[Mapping[str, Any]] | None = None,
    features: Sequence[Mapping[str, Any]] | None = None,
    one_time_fees: Sequence[Mapping[str, Any]] | None = None,
    reason: str = "",
    usage_thresholds: Sequence[Mapping[str, Any]] | None = None,
    phases: Sequence[Mapping[str, Any]] | None = None,
) -> PlanVersion:
    """Edit a draft. Charges, features, one-time fees and phases, when given, replace the
    draft's lists (new phases keep the draft's charges, by their phase's position)."""
    _check_fields(PlanVersion, data, VERSION_FIELDS)
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason):
        version = _locked(PlanVersion, version_id)
        if version.is_published:
            raise TransitionNotAllowed(
                f"{version.label} is published and cannot change; copy it to a new version.",
            )
        diff: dict[str, Any] = _diff(version, data)
        for field, value in data.items():
            setattr(version, field, value)
        version.updated_at = as_of
        _full_clean(version, exclude=["plan", "copied_from"])
        _check_version_terms(version)
        new_phases = None
        if phases is not None:
            new_phases = _build_phases(version, phases)
            if _rows(version.phases.all(), PHASE_COLUMNS) == _rows(new_phases, PHASE_COLUMNS):
                new_phases = None
        if charges is not None or new_phases is not None:
            specs = charges if charges is not None else _charge_specs(version)
            built = _build_charges(version, specs, new_phases)
            if new_phases is not None:
                if version.charges.filter(phase__isnull=False).exists():
                    _refuse_if_coupons_limited_to(version)
                version.charges.filter(phase__isnull=False).delete()  # with their phases
                version.phases.all().delete()
                for phase in new_phases:
                    phase.save(force_insert=True)
                for charge in built:
                    charge.phase = charge.phase  # its phase, saved above
                version.phase_count = len(new_phases)
                diff["phases"] = "replaced"
            if _rows(version.charges.all(), CHARGE_COLUMNS) != _rows(built, CHARGE_COLUMNS):
                _refuse_if_coupons_limited_to(version)
                version.charges.all().delete()
                Charge.objects.bulk_create(built)
                diff["charges"] = "replaced"
        if features is not None:
            entries = _build_features(version, features)
            if _rows(version.features.all(), FEATURE_COLUMNS) != _rows(entries, FEATURE_COLUMNS):
                version.features.all().delete()
                VersionFeature.objects.bulk_create(entries)
                diff["features"] = "replaced"
        if one_time_fees is not None:
            fees = _build_one_time_fees(version, one_time_fees)
            if _rows(version.one_time_fees.all(), FEE_COLUMNS) != _rows(fees, FEE_COLUMNS):
                version.one_time_fees.all().delete()
                OneTimeFee.objects.bulk_create(fees)
                diff["one_time_fees"] = "replaced"
        if usage_thresholds is not None:
            built_thresholds = _build_thresholds(version, usage_thresholds)
            old = version.usage_thresholds.order_by("recurring", "amount", "id")
            new = sorted(built_thresholds, key=lambda t: (t.recurring, t.amount))
            if _rows(old, THRESHOLD_COLUMNS) != _rows(new, THRESHOLD_COLUMNS):
                version.usage_thresholds.all().delete()
                UsageThreshold.objects.bulk_create(built_thresholds)
                diff["usage_thresholds"] = "replaced"
        if not diff:
            return version
        version.save()
        _version_event(version, "updated", actor=actor, as_of=as_of, changes=diff)
    return version


CHARGE_COLUMNS = (
    "metric_id", "pricing_model", "params", "display_name", "minimum_amount", "tax_rate_id",
    "position", "phase_position",
)  # fmt: skip
FEATURE_COLUMNS = ("feature_id", "enabled", "limit")
FEE_COLUMNS = ("name", "amount", "prorate", "tax_rate_id", "position")
THRESHOLD_COLUMNS = ("amount", "recurring", "name")


def _rows(objects: Any, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows compared by value (decimals by value, so 1 == 1.000000000000)."""
    return [tuple(getattr(o, c) for c in columns) for o in objects]


def _charge_specs(version: PlanVersion) -> list[dict[str, Any]]:
    return [
        {
            "metric": c.metric,
            "pricing_model": c.pricing_model,
            "params": c.params,
            "display_name": c.display_name,
            "minimum_amount": c.minimum_amount,
            "tax_rate": c.tax_rate,
            "phase": c.phase.position if c.phase is not None else None,
        }
        for c in version.charges.select_related("metric", "tax_rate", "phase")
    ]


def _one_time_fee_specs(version: PlanVersion) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "amount": f.amount, "prorate": f.prorate, "tax_rate": f.tax_rate}
        for f in version.one_time_fees.select_related("tax_rate")
    ]


def _threshold_specs(version: PlanVersion) -> list[dict[str, Any]]:
    return [
        {"amount": t.amount, "recurring": t.recurring, "name": t.name}
        for t in version.usage_thresholds.all()
    ]


def _feature_specs(version: PlanVersion) -> list[dict[str, Any]]:
    return [
        {"feature": e.feature, "enabled": e.enabled, "limit": e.limit}
        for e in version.features.select_related("feature")
    ]


def plan_version_copy(
    *,
    version_id: int,
    actor: Actor,
    as_of: datetime,
    effective_from: datetime | None = None,
    reason: str = "",
) -> PlanVersion:
    """A new draft with the same fee, trial, charges, features and one-time fees: the way to
    change a price."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason or "copy"):
        try:
            source = PlanVersion.objects.select_related("plan").get(pk=version_id)
        except PlanVersion.DoesNotExist:
            raise NotFound(f"No plan version with id {version_id}.") from None
        data = {
            "effective_from": effective_from or source.effective_from,
            "effective_until": None,
            "fixed_fee": source.fixed_fee,
            "fee_timing": source.fee_timing,
            "trial_days": source.trial_days,
            "trial_invoice": source.trial_invoice,
            "cancellation_credit": source.cancellation_credit,
            "proration_unit": source.proration_unit,
            "proration_change_day": source.proration_change_day,
            "minimum_commitment": source.minimum_commitment,
            "note": f"copy of v{source.number}",
        }
        copy = _create_version(
            plan_id=source.plan_id,
            as_of=as_of,
            data=data,
            charges=_charge_specs(source),
            features=_feature_specs(source),
            copied_from_id=source.pk,
            one_time_fees=_one_time_fee_specs(source),
            usage_thresholds=_threshold_specs(source),
            phases=_phase_specs(source),
        )
        _version_event(copy, "created", actor=actor, as_of=as_of)
    return copy


def plan_version_publish(
    *, version_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> PlanVersion:
    """Put a draft in force on [effective_from, effective_until). An open-ended version that
    started before it is closed at its start; any other overlap is refused."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason or "publish"):
        try:
            plan_id = PlanVersion.objects.values_list("plan_id", flat=True).get(pk=version_id)
        except PlanVersion.DoesNotExist:
            raise NotFound(f"No plan version with id {version_id}.") from None
        _locked(Plan, plan_id)  # one publisher per plan at a time
        version = _locked(PlanVersion, version_id)
        if version.is_published:
            raise TransitionNotAllowed(f"{version.label} is already published.")
        _build_charges(version, _charge_specs(version))  # still valid?
        start, end = version.effective_from, version.effective_until
        published = PlanVersion.objects.filter(plan_id=plan_id, status=VersionStatus.PUBLISHED)
        touched = publish_outcome(version, published.select_for_update().order_by("effective_from"))
        for other, what in touched:
            if what == REFUSED:
                other_end = other.effective_until
                until = "open-ended" if other_end is None else f"until {other_end.isoformat()}"
                raise Conflict(
                    f"{version.label} [{start.isoformat()}, "
                    f"{'open-ended' if end is None else end.isoformat()}) overlaps {other.label} "
                    f"(from {other.effective_from.isoformat()}, {until}).",
                    field="effective_from",
                    code="overlapping_versions",
                )
        for other, _closes in touched:
            other.effective_until = start  # superseded from our start on
            other.updated_at = as_of
            other.save(update_fields=["effective_until", "updated_at"])
            _version_event(
                other, "closed", actor=actor, as_of=as_of,
                changes={"effective_until": [None, start], "superseded_by": version.pk},
            )  # fmt: skip
        version.status = VersionStatus.PUBLISHED
        version.published_at = as_of
        version.updated_at = as_of
        version.save(update_fields=["status", "published_at", "updated_at"])
        _version_event(version, "published", actor=actor, as_of=as_of)
    return version


def _refuse_if_coupons_limited_to(version: PlanVersion) -> None:
    """A draft's charges are replaced or deleted with it: refused while a coupon is limited to
    one of them (its limit would silently go, and an emptied limit means no limit)."""
    limited = (
        Coupon.charges.through.objects.filter(charge__plan_version=version)
        .select_related("coupon")
        .order_by("charge_id")
        .first()
    )
    if limited is not None:
        raise Conflict(
            f"Charge {limited.charge_id} of {version.label} limits coupon {limited.coupon.code}: "
            "take it off the coupon first.",
            field="charges",
            code="coupon_limited_to_charge",
        )


def plan_version_discard(
    *, version_id: int, actor: Actor, as_of: datetime, reason: str = ""
) -> None:
    """Delete a draft (published versions are never deleted)."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason=reason or "discard"):
        version = _locked(PlanVersion, version_id)
        if version.is_published:
            raise TransitionNotAllowed(f"{version.label} is published and cannot be deleted.")
        _version_event(version, "discarded", actor=actor, as_of=as_of)
        _refuse_if_coupons_limited_to(version)
        version.delete()
