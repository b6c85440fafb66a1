"""Reads of the invoicing app."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from billing.models import (
    Customer,
    Subscription,
)
from billing.periods import Period
from billing.services import (
    active_redemptions,
)
from catalog.tax import line_tax
from invoicing import builder
from invoicing.services.lines import BILLABLE, tax_rate_of


def upcoming_invoice(*, customer_id: int, as_of: datetime) -> dict[str, Any]:
    """What the customer would be billed if its current periods ended now: each live
    subscription's usage so far, its period's fee, and its pending proration lines."""
    customer = Customer.objects.get(pk=customer_id)
    lines: list[builder.LineSpec] = []
    subs = Subscription.objects.filter(customer=customer, status__in=BILLABLE).select_related(
        "plan", "plan_version__plan", "customer"
    )
    redemptions = active_redemptions([customer.pk]).get(customer.pk, [])
    rate = tax_rate_of(customer)
    for sub in subs:
        period = sub.period_at(sub.current_period_start)
        so_far = Period(period.start, min(as_of, period.end), period.index)
        fee = builder.fee_line(
            sub, period, max(sub.fee_since, period.start), period.end, sub.plan_version.fee_timing
        )
        specs = [*([fee] if fee else []), *builder.usage_lines(sub, so_far)]
        specs += builder.proration_lines(sub)
        lines += specs + [spec for spec, _ in builder.discount_lines(sub, specs, redemptions, 0)]
    rows: list[dict[str, Any]] = []
    for line in lines:
        tax = line_tax(
            line.amount,
            rate.percentage if rate else Decimal(0),
            rate.inclusive if rate else False,
            customer.currency,
        )
        rows.append(
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "amount": line.amount,
                "tax_amount": tax.amount,
                "period_start": line.period_start,
                "period_end": line.period_end,
                "explanation": line.explanation,
                "exclusive_tax": tax.exclusive_amount,
            }
        )
    subtotal = sum((row["amount"] for row in rows), Decimal(0))
    tax_total = sum((row["tax_amount"] for row in rows), Decimal(0))
    total = subtotal + sum((row.pop("exclusive_tax") for row in rows), Decimal(0))
    credit = min(customer.balance, total) if total > 0 else Decimal(0)
    return {
        "customer": customer.external_id,
        "currency": customer.currency,
        "as_of": as_of,
        "lines": rows,
        "subtotal": subtotal,
        "tax_total": tax_total,
        "tax_rate": str(rate) if rate else None,
        "total": total,
        "credit_applied": credit,
        "amount_due": max(total - credit, Decimal(0)),
    }
