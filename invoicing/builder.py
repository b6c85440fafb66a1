"""The invoice builder: the lines that bill one subscription period. It reads (aggregates in SQL,
price books, pending proration lines) and returns explained, rounded lines; it writes nothing.

Rules (work in progress for the invoicing issue; what is built so far):
- usage charges of the period [start, end) are rated with the subscription's price book (the
  version in force for it), each line rounded once; a minimum commitment adds a true-up line;
- a fixed fee billed in arrears is charged for the period from `fee_since` (the last change of
  plan or quantity) to its end, by the second; the part before was charged by the change's
  proration lines;
- the subscription's pending proration lines (credits and charges) are carried onto the invoice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing import periods
from billing.aggregation import Aggregate, aggregate, reproduce_sql
from billing.models import CouponRedemption, ProrationLine, Subscription, UsageEvent
from billing.periods import Period
from billing.proration import share
from catalog.models import BillableMetric, Charge
from catalog.money import quantize
from catalog.pricing import Percentage, Rater, plain
from catalog.selectors import charge_rater
from catalog.tax import CouponTerms, discounts
from invoicing.models import LineKind


@dataclass
class LineSpec:
    kind: str
    description: str
    amount: Decimal  # rounded once
    quantity: Decimal = Decimal(1)
    unit_amount: Decimal | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    metric_code: str = ""
    explanation: dict[str, Any] = field(default_factory=dict)
    proration_line_id: int | None = None


def usage_lines(sub: Subscription, period: Period) -> list[LineSpec]:
    return usage_lines_many([(sub, period)])[sub.pk]


def usage_lines_many(items: Sequence[tuple[Subscription, Period]]) -> dict[int, list[LineSpec]]:
    """The usage lines of many subscription periods (a billing run's chunk) by subscription id:
    one aggregate query per metric and window for all their customers, each charge compiled once."""
    charges: dict[int, list[Charge]] = {}
    for charge in (
        Charge.objects.filter(plan_version__in={sub.plan_version_id for sub, _ in items})
        .select_related("metric", "plan_version__plan")
        .order_by("position", "id")
    ):
        charges.setdefault(charge.plan_version_id, []).append(charge)
    raters: dict[int, Rater] = {}
    wanted: dict[tuple[int, datetime, datetime], set[int]] = {}
    metrics: dict[int, BillableMetric] = {}
    for sub, period in items:
        for charge in charges.get(sub.plan_version_id, []):
            metrics[charge.metric_id] = charge.metric
            wanted.setdefault((charge.metric_id, period.start, period.end), set()).add(
                sub.customer_id
            )
    found: dict[tuple[int, int, datetime, datetime], Aggregate] = {}
    for (metric_id, start, end), customers in wanted.items():
        for row in aggregate(
            metric=metrics[metric_id], start=start, end=end, customer_ids=sorted(customers)
        ):
            found[(metric_id, row.customer_id, start, end)] = row
    result: dict[int, list[LineSpec]] = {}
    for sub, period in items:
        lines = result.setdefault(sub.pk, [])
        for charge in charges.get(sub.plan_version_id, []):
            if charge.pk not in raters:
                raters[charge.pk] = charge_rater(charge=charge)
            key = (charge.metric_id, sub.customer_id, period.start, period.end)
            none = Aggregate(sub.customer_id, charge.metric.code, None, Decimal(0), 0)
            lines += _charge_lines(sub, period, charge, raters[charge.pk], found.get(key, none))
    return result


def _charge_lines(
    sub: Subscription, period: Period, charge: Charge, rater: Rater, found: Aggregate
) -> list[LineSpec]:
    metric = charge.metric
    if isinstance(rater, Percentage) and rater.per_transaction:
        values = list(
            UsageEvent.objects.filter(
                customer_id=sub.customer_id,
                metric=metric,
                event_time__gte=period.start,
                event_time__lt=period.end,
            )
            .order_by("event_time", "id")
            .values_list("value", flat=True)
        )
        rating = rater.rate_transactions([v or Decimal(0) for v in values])
    else:
        rating = rater.rate(found.quantity)
    explanation = rating.explanation()
    explanation.update(
        metric=metric.code,
        aggregation=metric.aggregation,
        window={"start": period.start.isoformat(), "end": period.end.isoformat()},
        event_count=found.events,
        query=reproduce_sql(metric, sub.customer_id, period.start, period.end),
    )
    name = charge.display_name or metric.name
    lines = [
        LineSpec(
            kind=LineKind.USAGE,
            description=f"{name} ({plain(found.quantity)})",
            amount=rating.rounded,
            quantity=found.quantity,
            period_start=period.start,
            period_end=period.end,
            metric_code=metric.code,
            explanation=explanation,
        )
    ]
    if rating.true_up:
        lines.append(
            LineSpec(
                kind=LineKind.MINIMUM,
                description=f"{name}: minimum commitment true-up",
                amount=rating.rounded_true_up,
                period_start=period.start,
                period_end=period.end,
                metric_code=metric.code,
                explanation=explanation["minimum_commitment"],
            )
        )
    return lines


def fee_reference(sub: Subscription, period: Period) -> Period:
    """The full period a fee is a share of: the period itself, or for a calendar-aligned first
    period (a stub) the whole interval it is part of, so the stub is prorated."""
    if period.index != -1 or (sub.trial_end is not None and period.end <= sub.trial_end):
        return period
    return periods.period_at(sub.billing_anchor, sub.interval, period.start, sub.zone)


def fee_line(
    sub: Subscription, period: Period, start: datetime, end: datetime, timing: str
) -> LineSpec | None:
    version = sub.plan_version
    reference = fee_reference(sub, period)
    exact, seconds = share(version.fixed_fee * sub.quantity, start, end, reference)
    if not exact:
        return None
    return LineSpec(
        kind=LineKind.FIXED_FEE,
        description=f"{sub.plan.name} x {sub.quantity}",
        amount=quantize(exact, sub.plan.currency),
        quantity=Decimal(sub.quantity),
        unit_amount=version.fixed_fee,
        period_start=start,
        period_end=end,
        explanation={
            "rule": f"fixed fee in {timing}, by the second"
            + (" from the last change of plan or quantity" if timing == "arrears" else ""),
            "price_version": version.label,
            "formula": f"{plain(version.fixed_fee)} x {sub.quantity} x {seconds} / "
            f"{reference.seconds} s = {plain(exact)}",
        },
    )


def arrears_fee_line(sub: Subscription, period: Period) -> LineSpec | None:
    if sub.plan_version.fee_timing != "arrears" or not sub.plan_version.fixed_fee:
        return None
    return fee_line(sub, period, max(sub.fee_since, period.start), period.end, "arrears")


def advance_fee_line(sub: Subscription, period: Period) -> LineSpec | None:
    """The fee of a period billed at its start: the whole period, or from the start's day for a
    calendar-aligned first period, or up to a set end date within it."""
    if sub.plan_version.fee_timing != "advance" or not sub.plan_version.fixed_fee:
        return None
    start_day = periods.local_midnight(periods.local_date(sub.start_at, sub.zone), sub.zone)
    end = period.end if sub.ends_at is None else min(period.end, sub.ends_at)
    return fee_line(sub, period, max(period.start, start_day), end, "advance")


def proration_lines(sub: Subscription) -> list[LineSpec]:
    return proration_lines_many([sub]).get(sub.pk, [])


def proration_lines_many(subs: Sequence[Subscription]) -> dict[int, list[LineSpec]]:
    """The pending (not yet invoiced) proration lines of the subscriptions, by subscription id."""
    result: dict[int, list[LineSpec]] = {}
    pending = ProrationLine.objects.filter(
        subscription__in=[sub.pk for sub in subs], invoiced_at__isnull=True
    ).order_by("id")
    for line in pending:
        result.setdefault(line.subscription_id, []).append(
            LineSpec(
                kind=LineKind.ADD_ON if line.kind == "add_on" else LineKind.PRORATION,
                description=line.description,
                amount=line.amount_rounded,
                period_start=line.period_start,
                period_end=line.period_end,
                explanation=line.explanation,
                proration_line_id=line.pk,
            )
        )
    return result


DISCOUNTED = {LineKind.FIXED_FEE, LineKind.USAGE, LineKind.MINIMUM}


def discount_lines(
    sub: Subscription,
    specs: Sequence[LineSpec],
    redemptions: Sequence[CouponRedemption],
    invoice_id: int,
    *,
    again: bool = False,
) -> list[tuple[LineSpec, CouponRedemption]]:
    """The coupon discounts of a subscription's billed lines (see catalog/tax.py), each with the
    redemption it comes from: redemptions of the customer for this subscription or for all of
    them, on the coupon's plans. A fixed amount discounts an invoice once."""
    eligible = []
    for r in redemptions:
        coupon = r.coupon
        plans = {p.pk for p in coupon.plans.all()}
        if r.subscription_id not in (None, sub.pk) or (plans and sub.plan_id not in plans):
            continue
        live = r.status == "active" or (
            coupon.kind == "percent" and r.last_invoice_id == invoice_id
        )
        if not again and (not live or (coupon.kind == "fixed" and r.last_invoice_id == invoice_id)):
            continue  # `again`: recomputing the discounts this invoice already has
        eligible.append(r)
    charged = [spec for spec in specs if spec.kind in DISCOUNTED]
    base = sum((spec.amount for spec in charged), Decimal(0))
    if not eligible or base <= 0:
        return []
    terms = [
        CouponTerms(r.coupon.code, r.coupon.kind, r.coupon.percent_off, r.coupon.amount_off,
                    r.coupon.currency)
        for r in eligible
    ]  # fmt: skip
    by_code = {r.coupon.code: r for r in eligible}
    starts = [s.period_start for s in charged if s.period_start]
    ends = [s.period_end for s in charged if s.period_end]
    found = []
    for d in discounts(base, terms, sub.plan.currency):
        r = by_code[d.code]
        coupon = r.coupon
        found.append(
            (
                LineSpec(
                    kind=LineKind.DISCOUNT,
                    description=f"{coupon.name} ({coupon.code})",
                    amount=d.amount,
                    period_start=min(starts) if starts else None,
                    period_end=max(ends) if ends else None,
                    explanation={
                        "rule": "coupon on the period's fees, usage and minimums",
                        "coupon": coupon.code,
                        "kind": coupon.kind,
                        "percent_off": str(coupon.percent_off) if coupon.percent_off else None,
                        "amount_off": str(coupon.amount_off) if coupon.amount_off else None,
                        "duration": coupon.duration,
                        "duration_periods": coupon.duration_periods,
                        "base": str(d.base),
                        "formula": d.formula,
                        "redemption_id": r.pk,
                    },
                ),
                r,
            )
        )
    return found


def final_lines(sub: Subscription, period: Period) -> list[LineSpec]:
    """The last part of a period cut short by a cancellation or an end date (`period` ends
    then): its usage and the pending proration lines, and for an end date the arrears fee up to
    it (a cancellation charged or credited the fee in its own proration lines)."""
    lines = [*usage_lines(sub, period), *proration_lines(sub)]
    if sub.status == "ended" and sub.plan_version.fee_timing == "arrears":
        whole = sub.period_at(period.start)
        fee = fee_line(sub, whole, max(sub.fee_since, period.start), period.end, "arrears")
        lines = [*([fee] if fee else []), *lines]
    return lines


def period_lines(sub: Subscription, period: Period) -> list[LineSpec]:
    return period_lines_many([(sub, period)])[sub.pk]


def period_lines_many(items: Sequence[tuple[Subscription, Period]]) -> dict[int, list[LineSpec]]:
    """The lines that bill ended periods: the arrears fee, the usage, the pending proration
    lines; by subscription id."""
    usage = usage_lines_many(items)
    prorations = proration_lines_many([sub for sub, _ in items])
    result = {}
    for sub, period in items:
        fee = arrears_fee_line(sub, period)
        result[sub.pk] = [*([fee] if fee else []), *usage[sub.pk], *prorations.get(sub.pk, [])]
    return result
