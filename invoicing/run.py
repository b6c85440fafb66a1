"""The billing run, set-based per chunk of subscriptions.

The clock hands each task a chunk of subscriptions with something due. The common case, a
subscription whose period ended and that has nothing else due (no scheduled change, end date,
cancellation, pause or catch-up of several periods), is billed for the whole chunk in one
transaction: its customers and subscriptions locked in id order, one aggregate query per metric
and window for all of them, every charge compiled once, the invoices, lines and `BilledPeriod`
rows written in one statement each, the subscriptions rolled into their next period, and the
journal events written together. The rest go one by one through `subscription_bill_due`, the
general path. Then the chunk's drafts that are ready are finalized together.

Exactly once: `BilledPeriod` (subscription, period start, kind) is unique and checked under the
locks, and a chunk commits all or nothing, so a task that crashes, is retried or runs twice
(two ticks) bills nothing twice: a second run finds nothing due and returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from billing.models import Customer, ProrationLine, Subscription, SubscriptionChange
from billing.periods import Period
from billing.services import (
    active_redemptions,
    journal_write_many,
    subscriptions_due,
    subscriptions_roll,
)
from catalog.selectors import tax_rates_in_use
from core.audit import Actor, audit_context
from core.db import bulk_update, copy_insert
from core.exceptions import Conflict
from invoicing import builder
from invoicing.models import BilledPeriod, Invoice, InvoiceLine, InvoiceStatus
from invoicing.services.clock import (
    final_periods_due,
    invoices_finalize_ready,
    subscription_bill_due,
)
from invoicing.services.lines import (
    BILLABLE,
    REDEMPTION_FIELDS,
    customers_marked_until,
    invoice_created,
    line_of,
    recompute_totals_many,
    tax_rate_of,
    use_redemptions,
)

logger = logging.getLogger(__name__)

PLAIN_STATUSES = {"active", "past_due"}


def subscriptions_bill_chunk(
    *, subscription_ids: Sequence[int], as_of: datetime, actor: Actor
) -> int:
    """Bill and advance what is due at `as_of` for a chunk of subscriptions, then finalize the
    chunk's drafts that are ready. Returns the number of billing steps taken."""
    steps = 0
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing run"):
        subs = _locked(subscription_ids)
        plain, rest = _split(subs, as_of)
        if plain:
            steps += _bill_plain(plain, as_of, actor)
    failed = []
    for sid in rest:
        try:
            steps += subscription_bill_due(subscription_id=sid, as_of=as_of, actor=actor)
        except Exception:  # one subscription's problem does not hold up the chunk
            logger.exception("billing subscription %s as of %s failed", sid, as_of)
            failed.append(sid)
    customer_ids = {sub.customer_id for sub in subs}
    drafts = list(
        Invoice.objects.filter(customer_id__in=customer_ids, status=InvoiceStatus.DRAFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    invoices_finalize_ready(invoice_ids=drafts, as_of=as_of, actor=actor)
    if failed:
        raise Conflict(f"Subscriptions {failed} could not be billed; see the worker's log.")
    return steps


def _locked(ids: Sequence[int]) -> list[Subscription]:
    """Lock the chunk's customers, then its subscriptions, in id order (the order every service
    follows: customer, then subscription)."""
    customer_ids = set(
        Subscription.objects.filter(pk__in=ids).values_list("customer_id", flat=True)
    )
    customers = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk")
    }
    subs = list(
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "plan_version__plan")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    for sub in subs:
        sub.customer = customers[sub.customer_id]
    return subs


def _split(subs: list[Subscription], as_of: datetime) -> tuple[list[Subscription], list[int]]:
    """The plain ones (one ended period to bill and roll, nothing else due), and the ids of the
    others that have anything due (for the general path). The rest have nothing to do."""
    ids = [sub.pk for sub in subs]
    due = set(subscriptions_due(as_of=as_of).filter(pk__in=ids).values_list("pk", flat=True))
    changes = set(
        SubscriptionChange.objects.filter(
            subscription__in=ids, status="scheduled", effective_at__lte=as_of
        ).values_list("subscription_id", flat=True)
    )
    billed = set(
        BilledPeriod.objects.filter(
            subscription__in=ids,
            period_start__gte=min((sub.current_period_start for sub in subs), default=as_of),
        ).values_list("subscription_id", "period_start", "kind")
    )
    final = set(final_periods_due(as_of=as_of).filter(pk__in=ids).values_list("pk", flat=True))
    plain: list[Subscription] = []
    rest: list[int] = []
    for sub in subs:
        advance = sub.plan_version.fee_timing == "advance"
        start = sub.current_period_start
        if (
            sub.status in PLAIN_STATUSES
            and sub.current_period_end <= as_of
            and not sub.cancel_at_period_end
            and (sub.ends_at is None or sub.ends_at > as_of)
            and sub.pk not in changes
            and (sub.pk, start, BilledPeriod.Kind.PERIOD_END) not in billed
            and (not advance or (sub.pk, start, BilledPeriod.Kind.ADVANCE) in billed)
            and sub.period_at(sub.current_period_end).end > as_of
            and (sub.pk, sub.current_period_end, BilledPeriod.Kind.ADVANCE) not in billed
        ):
            plain.append(sub)
        elif (
            sub.pk in due
            or sub.pk in final
            or (
                sub.status in BILLABLE
                and advance
                and start <= as_of
                and (sub.pk, start, BilledPeriod.Kind.ADVANCE) not in billed
            )
        ):
            rest.append(sub.pk)
    return plain, rest


def _bill_plain(subs: list[Subscription], as_of: datetime, actor: Actor) -> int:
    """Bill the ended period of each subscription (arrears fee, usage, pending proration lines),
    roll it into its next period, and bill that period's fee when it is billed in advance: all on
    the customer's draft for the period's end, in one write per table."""
    ended = [(sub, sub.period_at(sub.current_period_start)) for sub in subs]
    specs = builder.period_lines_many(ended)
    billed_periods = [(sub, BilledPeriod.Kind.PERIOD_END, period) for sub, period in ended]
    subscriptions_roll(subs=subs, as_of=as_of, actor=actor)
    for sub, period in ended:
        new = sub.period_at(sub.current_period_start)
        # the new period's advance fee goes onto the same draft (it starts when the old ends);
        # anything else is left to the general path (advance_fees_due finds it)
        if sub.plan_version.fee_timing == "advance" and new.start == period.end:
            fee = builder.advance_fee_line(sub, new)
            specs[sub.pk] = [*specs[sub.pk], *([fee] if fee else [])]
            billed_periods.append((sub, BilledPeriod.Kind.ADVANCE, new))
    invoices = _drafts({(sub.customer, period.end) for sub, period in ended}, as_of, actor)
    positions = _line_counts([i.pk for i in invoices.values()])
    rates = tax_rates_in_use()
    coupons = active_redemptions(
        [sub.customer_id for sub in subs], [i.pk for i in invoices.values()]
    )
    lines, redeemed = [], []
    for sub, period in ended:
        invoice = invoices[(sub.customer_id, period.end)]
        rate = tax_rate_of(sub.customer, rates)
        used = builder.discount_lines(
            sub, specs[sub.pk], coupons.get(sub.customer_id, []), invoice.pk
        )
        redeemed += use_redemptions(used, invoice)
        for spec in [*specs[sub.pk], *(spec for spec, _ in used)]:
            lines.append(line_of(spec, invoice, sub, positions.get(invoice.pk, 0), rate=rate))
            positions[invoice.pk] = positions.get(invoice.pk, 0) + 1
    copy_insert(lines)
    bulk_update(list({r.pk: r for r in redeemed}.values()), REDEMPTION_FIELDS)
    proration_ids = [s.proration_line_id for v in specs.values() for s in v if s.proration_line_id]
    if proration_ids:
        ProrationLine.objects.filter(pk__in=proration_ids).update(invoiced_at=as_of)
    copy_insert(
        [
            BilledPeriod(
                subscription=sub,
                kind=kind,
                period_start=period.start,
                period_end=period.end,
                invoice=invoices[(sub.customer_id, _billing_date(kind, period))],
                created_at=as_of,
            )
            for sub, kind, period in billed_periods
        ]
    )
    # events before a period's end now concern a draft: they refresh it
    customers_marked_until("usage_billed_until", {s.customer_id: p.end for s, p in ended})
    touched = list(invoices.values())
    recompute_totals_many(touched)
    for invoice in touched:
        invoice.updated_at = as_of
    bulk_update(touched, ["subtotal", "tax_total", "total", "amount_due", "updated_at"])
    return len(billed_periods)


def _billing_date(kind: str, period: Period) -> datetime:
    return period.start if kind == BilledPeriod.Kind.ADVANCE else period.end


def _drafts(
    keys: set[tuple[Customer, datetime]], as_of: datetime, actor: Actor
) -> dict[tuple[int, datetime], Invoice]:
    """The customers' drafts for these billing dates, locked; created (with their journal event)
    where missing. A finalized invoice on such a date is a conflict: the period needs a
    correction document."""
    customers = {c.pk: c for c, _ in keys}
    wanted = {(c.pk, at) for c, at in keys}
    found = {
        (i.customer_id, i.billing_date): i
        for i in Invoice.objects.select_for_update().filter(
            customer_id__in=customers, billing_date__in={at for _, at in keys}
        )
        if (i.customer_id, i.billing_date) in wanted
    }
    for (customer_id, at), invoice in found.items():
        if invoice.status != InvoiceStatus.DRAFT:
            raise Conflict(
                f"The invoice of {customers[customer_id].external_id} for {at.isoformat()} is "
                "already finalized; the period needs a correction document.",
                code="invoice_finalized",
            )
    new = Invoice.objects.bulk_create(
        Invoice(
            customer_id=customer_id,
            currency=customers[customer_id].currency,
            billing_date=at,
            grace_until=at + timedelta(days=customers[customer_id].invoice_grace_period_days),
            created_at=as_of,
            updated_at=as_of,
            subtotal=Decimal(0),
            total=Decimal(0),
        )
        for customer_id, at in sorted(wanted - set(found))
    )
    journal_write_many(
        [invoice_created(invoice, customers[invoice.customer_id]) for invoice in new], actor=actor
    )
    for invoice in new:
        found[(invoice.customer_id, invoice.billing_date)] = invoice
    for invoice in found.values():
        invoice.customer = customers[invoice.customer_id]
    return found


def _line_counts(invoice_ids: list[int]) -> dict[int, int]:
    return dict(
        InvoiceLine.objects.filter(invoice__in=invoice_ids)
        .values("invoice")
        .annotate(n=Count("id"))
        .values_list("invoice", "n")
    )
