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

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing import periods
from billing.aggregation import aggregate_one, reproduce_sql
from billing.models import ProrationLine, Subscription, UsageEvent
from billing.periods import Period
from billing.proration import share
from catalog.money import quantize
from catalog.pricing import Percentage, plain
from catalog.selectors import charge_rater
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
    lines: list[LineSpec] = []
    version = sub.plan_version
    for charge in version.charges.select_related("metric").order_by("position", "id"):
        metric = charge.metric
        rater = charge_rater(charge=charge)
        found = aggregate_one(
            metric=metric, customer_id=sub.customer_id, start=period.start, end=period.end
        )
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
        lines.append(
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
        )
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
    return [
        LineSpec(
            kind=LineKind.PRORATION,
            description=line.description,
            amount=line.amount_rounded,
            period_start=line.period_start,
            period_end=line.period_end,
            explanation=line.explanation,
            proration_line_id=line.pk,
        )
        for line in ProrationLine.objects.filter(subscription=sub, invoiced_at__isnull=True)
    ]


def period_lines(sub: Subscription, period: Period) -> list[LineSpec]:
    fee = arrears_fee_line(sub, period)
    return [*([fee] if fee else []), *usage_lines(sub, period), *proration_lines(sub)]
