"""Reads of the invoicing app: the planner's inputs (price books' charges, usage aggregates of
windows, pending lines, billed steps, coupons), and the upcoming invoice, which is the planner
run forward for "now" without writing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import F, Q

from billing.aggregation import (
    aggregate_windows,
    prorated_windows,
    reproduce_sql,
    transactions_windows,
)
from billing.lifecycle import BILLABLE, FINISHED, State
from billing.models import (
    CouponRedemption,
    Customer,
    ProrationLine,
    Subscription,
    SubscriptionChange,
)
from billing.periods import Period
from catalog.models import BillableMetric, Charge, OneTimeFee, PlanVersion, UsageThreshold
from catalog.money import quantize
from catalog.pricebook import PriceBook
from catalog.selectors import charge_rater
from catalog.tax import line_tax
from core.db import AnyOf, id_array
from invoicing import planner
from invoicing.models import (
    BRAND_DEFAULTS,
    BilledPeriod,
    Branding,
    CreditNote,
    CreditNoteLine,
    InterimBilling,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from invoicing.planner import Billed, ChargeTerms, Coupon, LineSpec, Usage
from invoicing.taxes import Rates, Taxed, breakdown


def charge_terms(book_ids: Iterable[int]) -> dict[int, list[ChargeTerms]]:
    """The usage charges of price books, each compiled once, by book (plan version) id."""
    found: dict[int, list[ChargeTerms]] = {book: [] for book in book_ids}
    if not found:
        return found
    charges = (
        Charge.objects.filter(plan_version__in=list(found))
        .select_related("metric", "plan_version__plan__product", "phase")
        .order_by("position", "id")
    )
    product_rates = {
        c.plan_version_id: c.plan_version.plan.product.tax_rate_id
        if c.plan_version.plan.product
        else None
        for c in charges
    }
    for charge in charges:
        metric = charge.metric
        found[charge.plan_version_id].append(
            ChargeTerms(
                id=charge.pk,
                metric_id=metric.pk,
                metric_code=metric.code,
                name=charge.display_name or metric.name,
                aggregation=metric.aggregation,
                rater=charge_rater(charge=charge),
                reproduce=partial(reproduce_sql, metric),
                # the charge's own rate, else its plan's product's (None: the address's)
                tax_rate_id=charge.tax_rate_id or product_rates[charge.plan_version_id],
                recurring=metric.recurring,
                prorated=(
                    (charge.plan_version.proration_unit, charge.plan_version.proration_change_day)
                    if charge.params.get("prorated") is True
                    else None
                ),
                phase=charge.phase.position if charge.phase is not None else None,
            )
        )
    return found


def usage_of(
    windows: Mapping[int, set[tuple[int, datetime, datetime]]],
    charges: Mapping[int, Sequence[ChargeTerms]],
) -> Usage:
    """The SQL aggregates of each metric over its windows: one query per metric, whatever the
    windows (and one more for a metric some charge prices per transaction)."""
    if not windows:
        return Usage()
    per_transaction = {
        c.metric_id for terms in charges.values() for c in terms if c.per_transaction
    }
    aggregates: dict[planner.Window, Any] = {}
    transactions: dict[planner.Window, Sequence[Decimal]] = {}
    prorations = {  # metric -> the (unit, change day) its prorated charges use
        (c.metric_id, c.prorated) for terms in charges.values() for c in terms if c.prorated
    }
    prorated: dict[tuple[str, str, int, int, datetime, datetime], Any] = {}
    for metric in BillableMetric.objects.filter(pk__in=list(windows)).order_by("pk"):
        pairs = sorted(windows[metric.pk])
        for (cid, start, end), row in aggregate_windows(metric=metric, windows=pairs).items():
            aggregates[(metric.pk, cid, start, end)] = row
        if metric.pk in per_transaction:
            for (cid, start, end), values in transactions_windows(
                metric=metric, windows=pairs
            ).items():
                transactions[(metric.pk, cid, start, end)] = values
        for metric_id, (unit, change_day) in sorted(prorations):
            if metric_id != metric.pk:
                continue
            held = prorated_windows(metric=metric, windows=pairs, unit=unit, change_day=change_day)
            for (cid, start, end), row in held.items():
                prorated[(unit, change_day, metric.pk, cid, start, end)] = row
    return Usage(aggregates, transactions, prorated)


def pending_lines(states: Mapping[int, State]) -> dict[int, list[LineSpec]]:
    """The subscriptions' proration lines and add-ons not invoiced yet, oldest first."""
    found: dict[int, list[LineSpec]] = {}
    if not states:
        return found
    rows = ProrationLine.objects.filter(
        AnyOf(F("subscription_id"), list(states)), invoiced_at__isnull=True
    ).order_by("id")
    for row in rows:
        found.setdefault(row.subscription_id, []).append(
            planner.pending_spec(
                states[row.subscription_id],
                kind=row.kind,
                description=row.description,
                amount=row.amount_rounded,
                start=row.period_start,
                end=row.period_end,
                explanation=row.explanation,
                proration_line_id=row.pk,
                tax_rate_id=row.tax_rate_id,
            )
        )
    return found


def advance_terms(states: Sequence[State]) -> dict[int, planner.AdvanceTerms]:
    """For subscriptions whose current period's fee in advance is not billed yet: the price
    book, quantity and phase walk it is billed at, when a change applied since it fell due (a
    clock running late, or a change made before the first tick) — the terms that change started
    from; its proration lines count on the fee being billed at them."""
    wanted = {s.id: s for s in states if s.book.fee_timing == "advance"}
    if not wanted:
        return {}
    found: dict[int, planner.AdvanceTerms] = {}
    rows = (
        SubscriptionChange.objects.filter(
            AnyOf(F("subscription_id"), list(wanted)),
            status="applied",
            effective_at__gt=min(planner.advance_date(s) for s in wanted.values()),
        )
        .select_related("from_plan_version__plan__product")
        .order_by("effective_at", "id")
    )
    for change in rows:
        state = wanted[change.subscription_id]
        if change.subscription_id in found or change.from_plan_version is None:
            continue
        if planner.advance_date(state) < change.effective_at < state.period.end:
            found[change.subscription_id] = (
                change.from_plan_version.book(),
                change.from_quantity,
                change.from_phase_start_period,  # the walk then (a "restart" moved it since)
            )
    return found


def billed_steps(subs: Sequence[Subscription]) -> dict[int, set[tuple[datetime, str]]]:
    """The billed steps (period start, kind) of subscriptions, from their current periods on."""
    found: dict[int, set[tuple[datetime, str]]] = {sub.pk: set() for sub in subs}
    if not subs:
        return found
    since = min(sub.current_period_start for sub in subs)
    rows = BilledPeriod.objects.filter(
        Q(period_start__gte=since) | Q(kind=BilledPeriod.Kind.START),  # a start: once, ever
        AnyOf(F("subscription_id"), list(found)),
    ).values_list("subscription_id", "period_start", "kind")
    for sub_id, start, kind in rows:
        found[sub_id].add((start, kind))
    return found


def one_time_fees(book_ids: Iterable[int]) -> dict[int, tuple[planner.OneTimeFee, ...]]:
    """The one-time fees of price books (plan versions), in their order, by book id."""
    found: dict[int, list[planner.OneTimeFee]] = {book: [] for book in book_ids}
    if not found:
        return {}
    for fee in OneTimeFee.objects.filter(plan_version__in=list(found)).order_by("position", "id"):
        found[fee.plan_version_id].append(
            planner.OneTimeFee(fee.pk, fee.name, fee.amount, fee.prorate, fee.tax_rate_id)
        )
    return {book: tuple(fees) for book, fees in found.items()}


def start_terms(
    states: Iterable[State],
    billed: Mapping[int, Iterable[tuple[datetime, str]]],
    fees: dict[int, tuple[planner.OneTimeFee, ...]] | None = None,
) -> dict[int, planner.StartTerms]:
    """What subscriptions still at their start (planner.at_start) and whose start step is not
    billed bill then: the price book they started with (the one a change applied since their
    start moved them from, else their own) and its one-time fees. `fees` is a cache by book id
    (filled here). Others are left out: they have no start step to plan."""
    wanted = {
        s.id: s
        for s in states
        if planner.at_start(s) and (s.start_at, planner.START) not in set(billed.get(s.id, ()))
    }
    if not wanted:
        return {}
    books = {sid: s.book for sid, s in wanted.items()}
    moved: set[int] = set()
    for change in (
        SubscriptionChange.objects.filter(
            AnyOf(F("subscription_id"), list(wanted)),
            status="applied",
            effective_at__gte=min(s.start_at for s in wanted.values()),
            from_plan_version__isnull=False,
        )
        .select_related("from_plan_version__plan__product")
        .order_by("effective_at", "id")
    ):
        sid = change.subscription_id
        if sid in moved or change.effective_at < wanted[sid].start_at:
            continue
        moved.add(sid)
        assert change.from_plan_version is not None
        books[sid] = change.from_plan_version.book()
    cache = {} if fees is None else fees
    cache.update(one_time_fees({b.id for b in books.values()} - set(cache)))
    return {sid: planner.StartTerms(book, cache.get(book.id, ())) for sid, book in books.items()}


# coupons_of's statement: fixed text, values as parameters
COUPONS_SQL = """
    SELECT r.id, r.customer_id, r.status, r.subscription_id, r.redeemed_at,
        c.code, c.name, c.kind, c.percent_off, c.amount_off, c.currency, c.duration,
        c.duration_periods, c.duration_months, cu.timezone,
        ARRAY(SELECT p.plan_id FROM catalog_coupon_plans p WHERE p.coupon_id = r.coupon_id),
        ARRAY(SELECT m.code FROM catalog_coupon_metrics cm JOIN catalog_billablemetric m
            ON m.id = cm.billablemetric_id WHERE cm.coupon_id = r.coupon_id),
        ARRAY(SELECT ch.charge_id FROM catalog_coupon_charges ch WHERE ch.coupon_id = r.coupon_id),
        ARRAY(SELECT ARRAY[s.id, s.parent_id] FROM billing_subscription s
            WHERE s.customer_id = r.customer_id AND s.parent_id IS NOT NULL),
        ARRAY(SELECT DISTINCT l.invoice_id FROM invoicing_invoiceline l
            WHERE l.redemption_id = r.id)
    FROM billing_couponredemption r
    JOIN catalog_coupon c ON c.id = r.coupon_id
    JOIN billing_customer cu ON cu.id = r.customer_id
    WHERE r.customer_id = ANY(%(customers)s::bigint[])
        AND (r.status = %(active)s OR EXISTS (
            SELECT 1 FROM invoicing_invoiceline l JOIN invoicing_invoice i ON i.id = l.invoice_id
            WHERE l.redemption_id = r.id AND (
                l.invoice_id = ANY(%(invoices)s::bigint[])
                OR (i.status = %(draft)s AND i.kind = %(billing)s))))
    ORDER BY r.redeemed_at, r.id"""


def coupons_of(
    customer_ids: Iterable[int], invoice_ids: Iterable[int] = ()
) -> dict[int, list[Coupon]]:
    """The customers' coupons that may discount an invoice: active ones, and those that
    discount one of `invoice_ids` or an open draft of theirs (its place may move to an earlier
    draft), oldest first, each with the invoices it has discounted.

    One statement of fixed text (a billing chunk asks it for 200 customers that mostly have no
    coupon: the ORM's compile of the same query with its subqueries cost more than running it),
    the coupon, its plans and limits, the customer's zone and subscription items and the
    redemption's invoices read together."""
    customers = id_array(customer_ids)
    if customers == "{}":
        return {}
    params = {
        "customers": customers,
        "invoices": id_array(invoice_ids),
        "active": CouponRedemption.Status.ACTIVE.value,
        "draft": InvoiceStatus.DRAFT.value,
        "billing": InvoiceKind.BILLING.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(COUPONS_SQL, params)
        rows = cursor.fetchall()
    found: dict[int, list[Coupon]] = {}
    for (
        redemption_id,
        customer_id,
        status,
        subscription_id,
        redeemed_at,
        code,
        name,
        kind,
        percent_off,
        amount_off,
        currency,
        duration,
        duration_periods,
        duration_months,
        zone,
        plan_ids,
        metric_codes,
        charge_ids,
        item_parents,
        discounted,
    ) in rows:
        found.setdefault(customer_id, []).append(
            Coupon(
                redemption_id=redemption_id,
                code=code,
                name=name,
                kind=kind,
                percent_off=percent_off,
                amount_off=amount_off,
                currency=currency or "",
                duration=duration,
                duration_periods=duration_periods,
                status=status,
                subscription_id=subscription_id,
                plan_ids=frozenset(plan_ids),
                discounted=frozenset(discounted),
                redeemed_at=redeemed_at,
                metric_codes=frozenset(metric_codes),
                charge_ids=frozenset(charge_ids),
                duration_months=duration_months,
                zone=zone,
                item_parents=frozenset((item, parent) for item, parent in item_parents),
            )
        )
    return found


def period_fees(
    wanted: Iterable[tuple[int, Period]], *, invoice_id: int | None = None
) -> dict[tuple[int, datetime], list[LineSpec]]:
    """For a plan's minimum commitment (planner.commitment_line): the fixed fee lines already on
    invoices (not void) of each (subscription, period) wanted, by (subscription, period start);
    with `invoice_id` (a draft refreshed) also the proration lines of that invoice. A
    cancellation (or end date) credited by a credit note (`cancellation_credit` = credit_note)
    counts as the proration line it replaces: each line of a credit note naming the
    subscription, over the part it credited, as a negative proration line of that period."""
    periods: dict[int, list[Period]] = {}
    for sub_id, period in wanted:
        periods.setdefault(sub_id, []).append(period)
    found: dict[tuple[int, datetime], list[LineSpec]] = {}
    if not periods:
        return found
    kinds = Q(kind=planner.FIXED_FEE)
    if invoice_id is not None:
        kinds |= Q(kind=planner.PRORATION, invoice_id=invoice_id)
    rows = (
        InvoiceLine.objects.filter(kinds, subscription_id__in=list(periods))
        .filter(period_start__gte=min(p.start for ps in periods.values() for p in ps))
        .exclude(invoice__status=InvoiceStatus.VOID)
        .select_related("plan_version")
        .order_by("invoice_id", "position", "id")
    )
    for row in rows:
        if row.subscription_id is None or row.period_start is None or row.period_end is None:
            continue
        sub_id = row.subscription_id
        for period in periods[sub_id]:
            if period.start <= row.period_start and row.period_end <= period.end:
                found.setdefault((sub_id, period.start), []).extend(line_specs([row]))
    for spec in cancellation_credit_specs(list(periods)):
        owner, start, end = spec.subscription_id, spec.period_start, spec.period_end
        assert owner is not None
        assert start is not None
        assert end is not None
        for period in periods[owner]:
            if period.start <= start and end <= period.end:
                found.setdefault((owner, period.start), []).append(spec)
    return found


def cancellation_credit_specs(subscription_ids: Sequence[int]) -> list[LineSpec]:
    """The lines of the credit notes that credited these subscriptions' cancellations or end
    dates (invoicing/services/cancellation.py), each as the proration line it replaced: kind
    proration, minus the amount credited (before tax), over the part credited (the credit's
    `part` in the note's explanation, else the credited invoice line's period)."""
    rows = (
        CreditNoteLine.objects.filter(credit_note__subscription_id__in=subscription_ids)
        .select_related("credit_note", "invoice_line__plan_version")
        .order_by("credit_note_id", "id")
    )
    specs = []
    for row in rows:
        note = row.credit_note
        part = (note.explanation or {}).get("part") or {}
        invoice_line = row.invoice_line
        start = part.get("start") or (invoice_line.period_start if invoice_line else None)
        end = part.get("end") or (invoice_line.period_end if invoice_line else None)
        if start is None or end is None:
            continue
        version = invoice_line.plan_version if invoice_line else None
        specs.append(
            LineSpec(
                kind=planner.PRORATION,
                description=f"{row.description} (credit note {note.number})",
                amount=-row.amount,
                period_start=datetime.fromisoformat(start) if isinstance(start, str) else start,
                period_end=datetime.fromisoformat(end) if isinstance(end, str) else end,
                explanation={"credit_note": note.number, "rule": note.explanation.get("rule")},
                subscription_id=note.subscription_id,
                book_id=version.pk if version else None,
                plan_id=version.plan_id if version else None,
            )
        )
    return specs


def line_specs(lines: Iterable[InvoiceLine]) -> list[LineSpec]:
    """Stored lines as the planner sees them (to compute an invoice's discounts again)."""
    return [
        LineSpec(
            kind=line.kind,
            description=line.description,
            amount=line.amount,
            quantity=line.quantity,
            unit_amount=line.unit_amount,
            period_start=line.period_start,
            period_end=line.period_end,
            metric_code=line.metric_code,
            explanation=line.explanation,
            subscription_id=line.subscription_id,
            book_id=line.plan_version_id,
            plan_id=line.plan_version.plan_id if line.plan_version else None,
            redemption_id=line.redemption_id,
            charge_id=line.charge_id,
            tax_rate_id=line.catalog_tax_rate_id,
        )
        for line in lines
    ]


def published_books(plan_ids: Iterable[int]) -> dict[int, list[PriceBook]]:
    found: dict[int, list[PriceBook]] = {}
    versions = PlanVersion.objects.filter(plan_id__in=set(plan_ids), status="published")
    for version in versions.select_related("plan__product").order_by("effective_from"):
        found.setdefault(version.plan_id, []).append(version.book())
    return found


# -------------------------------------------------------------------------- upcoming invoice


def upcoming_invoice(*, customer_id: int, as_of: datetime) -> dict[str, Any]:
    """The next invoice the clock will issue for the customer if nothing else happens (no more
    usage, no new change): the planner runs its subscriptions forward from `as_of` through their
    scheduled changes, trial ends, period ends and cancellations (without writing) to the
    earliest billing date with a step due, and plans that date's lines as the clock will, with
    the usage stored so far, the pending proration lines and add-ons, the lines already on that
    date's draft, the discounts, taxes and the credit the balance would apply."""
    customer = Customer.objects.get(pk=customer_id)
    subs = list(
        Subscription.objects.filter(customer=customer)
        .filter(~Q(status__in=FINISHED) | Q(ended_at__gt=F("current_period_start")))
        .select_related("plan", "plan_version__plan__product", "customer")
        .order_by("pk")
    )
    states = {sub.pk: sub.state() for sub in subs}
    billed = {k: frozenset(v) for k, v in billed_steps(subs).items()}
    changes: dict[int, list[planner.ScheduledChange]] = {}
    for change in SubscriptionChange.objects.filter(
        subscription__in=list(states), status="scheduled"
    ).order_by("effective_at", "id"):
        changes.setdefault(change.subscription_id, []).append(
            planner.ScheduledChange(
                change.pk, change.effective_at, change.new_plan_id, change.new_quantity,
                change.prorate, change.phase,
            )
        )  # fmt: skip
    plan_ids = {s.book.plan_id for s in states.values()} | {
        c.plan_id for found in changes.values() for c in found if c.plan_id
    }
    books = published_books(plan_ids)
    stored = pending_lines(states)
    start = advance_terms(list(states.values()))
    # a pending subscription's start step: planned as it will be once started
    starting = start_terms(
        [s if s.status != "pending" else replace(s, status="active") for s in states.values()],
        billed,
    )
    ahead = [
        p
        for sub in subs
        for p in _planned_ahead(
            states[sub.pk], billed[sub.pk], as_of, changes.get(sub.pk, []), books,
            sub.trial_will_end_sent, pending=sub.pk in stored, start_terms=start.get(sub.pk),
            start=starting.get(sub.pk),
        )
    ]  # fmt: skip
    charges = charge_terms({p.state.book.id for p in ahead})
    # the first billing date with anything to bill (a step with no lines makes no invoice)
    billing_date: datetime | None = None
    draft: Invoice | None = None
    specs: list[LineSpec] = []
    for date in sorted({p.step.billing_date for p in ahead}):
        planned = [p for p in ahead if p.step.billing_date == date]
        usage = usage_of(
            planner.usage_windows(((p.step, p.state) for p in planned), charges), charges
        )
        draft = Invoice.objects.filter(
            customer=customer, kind=InvoiceKind.BILLING, status=InvoiceStatus.DRAFT,
            billing_date=date,
        ).first()  # fmt: skip
        specs = []
        if draft is not None:
            specs += line_specs(
                draft.lines.exclude(kind=planner.DISCOUNT).select_related("plan_version")
            )
        committed = [  # a plan's minimum commitment counts its period's fees, as the writer
            (p.state.id, p.state.period_at(p.step.window.start))
            for p in planned
            if p.step.kind == planner.PERIOD_END and p.state.book.minimum_commitment is not None
        ]
        fees = period_fees(committed)
        interim = interim_billed(  # what invoices before the periods' ends billed (deducted)
            (p.state.id, p.step.window.start) for p in planned if p.step.kind == planner.PERIOD_END
        )
        advanced: dict[int, list[LineSpec]] = {}
        for p in planned:
            pending: list[LineSpec] = []
            if p.step.kind in (planner.PERIOD_END, planner.CLOSING):
                pending = [*stored.pop(p.state.id, []), *p.prorations]
            before: list[LineSpec] = []
            if p.step.kind == planner.PERIOD_END and p.state.book.minimum_commitment is not None:
                period = p.state.period_at(p.step.window.start)
                before = [*fees.get((p.state.id, period.start), []),
                           *advanced.get(p.state.id, [])]  # fmt: skip
            lines = planner.step_lines(
                p.step, p.state, charges.get(p.state.book.id, []), usage, pending,
                start=starting.get(p.state.id), earlier=before,
                interim=interim.get((p.state.id, p.step.window.start)),
            )  # fmt: skip
            if p.step.kind == planner.ADVANCE:
                advanced.setdefault(p.state.id, []).extend(lines)
            specs += lines
        if specs:
            billing_date = date
            break
    else:
        draft, specs = None, []
    if billing_date is not None:
        # the discounts as the writer computes them: with the customer's other open drafts, in
        # billing-date order
        others = [
            o
            for o in Invoice.objects.filter(
                customer=customer, kind=InvoiceKind.BILLING, status=InvoiceStatus.DRAFT
            )
            if draft is None or o.pk != draft.pk
        ]
        stored_lines: dict[int, list[InvoiceLine]] = {}
        for row in (
            InvoiceLine.objects.filter(invoice__in=others)
            .exclude(kind=planner.DISCOUNT)
            .select_related("plan_version")
        ):
            stored_lines.setdefault(row.invoice_id, []).append(row)
        ids = [o.pk for o in others] + ([draft.pk] if draft else [])
        coupons = coupons_of([customer.pk], ids).get(customer.pk, [])
        this = draft.pk if draft else None
        found, _ = planner.discounts_in_order(
            [
                *[(o.pk, o.billing_date, line_specs(stored_lines.get(o.pk, []))) for o in others],
                (this, billing_date, specs),
            ],
            coupons,
            customer.currency,
        )
        specs += found.get(this, [])
    # each line at its own rate, as the writer taxes it (invoicing/taxes.py)
    rates = Rates()
    rate = rates.address(customer)
    rows: list[dict[str, Any]] = []
    taxed: list[Taxed] = []
    exclusive = Decimal(0)
    for line in specs:
        own = rates.for_line(customer, line.tax_rate_id)
        tax = line_tax(
            line.amount,
            own.percentage if own else Decimal(0),
            own.inclusive if own else False,
            customer.currency,
        )
        exclusive += tax.exclusive_amount
        taxed.append(
            Taxed(own, tax.percentage, tax.inclusive, own.category if own else "", line.amount,
                  tax.amount)
        )  # fmt: skip
        rows.append(
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "metric_code": line.metric_code,
                "amount": line.amount,
                "tax_amount": tax.amount,
                "tax_rate_code": own.code if own else None,
                "tax_category": own.category if own else "",
                "period_start": line.period_start,
                "period_end": line.period_end,
                "explanation": line.explanation,
            }
        )
    subtotal = sum((row["amount"] for row in rows), Decimal(0))
    tax_total = sum((row["tax_amount"] for row in rows), Decimal(0))
    total = subtotal + exclusive
    # the balance as finalization will find it: drafts dated before this one take their part first
    available = customer.balance
    if billing_date is not None:
        for earlier in Invoice.objects.filter(
            customer=customer, status=InvoiceStatus.DRAFT, billing_date__lt=billing_date
        ).order_by("billing_date", "id"):
            taken = min(available, earlier.total) if earlier.total > 0 else Decimal(0)
            available += -taken + max(-earlier.total, Decimal(0))
    credit = min(available, total) if total > 0 else Decimal(0)
    return {
        "customer": customer.external_id,
        "currency": customer.currency,
        "as_of": as_of,
        "billing_date": billing_date,
        "lines": rows,
        "subtotal": subtotal,
        "tax_total": tax_total,
        "tax_rate": str(rate) if rate else None,
        "tax_breakdown": breakdown(taxed),
        "total": total,
        "credit_applied": credit,
        "amount_due": max(total - credit, Decimal(0)),
    }


def _planned_ahead(
    state: State,
    billed: Billed,
    as_of: datetime,
    changes: Sequence[planner.ScheduledChange],
    books: Mapping[int, Sequence[PriceBook]],
    trial_will_end_sent: bool,
    *,
    pending: bool = False,
    start_terms: planner.AdvanceTerms | None = None,
    start: planner.StartTerms | None = None,
    dates: int = 3,
) -> list[planner.Planned]:
    """The subscription's steps of its next few billing dates, run forward from `as_of`."""
    planned: list[planner.Planned] = []
    horizon = planner.next_step_at(state, billed, pending=pending, start=start)
    for _ in range(1000):  # bounded: every pass moves the horizon forward
        if horizon is None:
            return planned
        horizon = max(horizon, as_of)
        planned, after = planner.simulate(
            state, billed, horizon, changes=changes, books=books,
            trial_will_end_sent=trial_will_end_sent, pending=pending, start_terms=start_terms,
            start=start,
        )  # fmt: skip
        if len({p.step.billing_date for p in planned}) >= dates:
            return planned
        done = billed | {p.step.key for p in planned}
        carried = any(p.step.kind in (planner.PERIOD_END, planner.CLOSING) for p in planned)
        later = planner.next_step_at(
            after, frozenset(done), pending=pending and not carried, start=start
        )
        if later is None or later <= horizon:
            return planned
        horizon = later
    return planned


# ----------------------------------------------------------------------- is a draft complete


def drafts_pending(invoices: Sequence[Invoice]) -> dict[int, list[tuple[int, datetime]]]:
    """The one "is this draft complete" check, used by the clock, the API and the admin: for
    each of the clock's drafts, the subscriptions of its customer that may still bill a step
    dated on or before its billing date (with that date): a period ending or starting then, a
    fee in advance after a roll, a start or a trial's end then, the last part of a period cut
    short. A draft is complete when none is left; drafts made by hand and corrections are always
    complete."""
    result: dict[int, list[tuple[int, datetime]]] = {i.pk: [] for i in invoices}
    billing = [i for i in invoices if i.kind == InvoiceKind.BILLING]
    if not billing:
        return result
    latest = max(i.billing_date for i in billing)
    # only those that may have a step by then (the pure check below decides): a narrowing in SQL
    may = (
        Q(status="pending", start_at__lte=latest)
        | Q(status="trialing", trial_end__lte=latest)
        | (
            Q(status__in=BILLABLE)
            & (
                Q(current_period_end__lte=latest)
                | Q(ends_at__lte=latest)
                | Q(plan_version__fee_timing="advance", current_period_start__lte=latest)
            )
        )
        | Q(status__in=FINISHED, ended_at__gt=F("current_period_start"), ended_at__lte=latest)
        | Q(status__in=FINISHED, ended_at__lte=latest, proration_lines__invoiced_at__isnull=True)
    )
    subs = list(
        Subscription.objects.filter(customer_id__in={i.customer_id for i in billing})
        .filter(may)
        .distinct()
        .select_related("plan", "plan_version__plan__product", "customer")
        .order_by("pk")
    )
    billed = billed_steps(subs)
    states = {sub.pk: sub.state() for sub in subs}
    waiting = pending_lines(states) if subs else {}
    starting = start_terms(states.values(), billed)
    upcoming = [
        (
            sub.customer_id,
            sub.pk,
            planner.next_step_at(
                states[sub.pk],
                frozenset(billed[sub.pk]),
                pending=sub.pk in waiting,
                start=starting.get(sub.pk),
            ),
        )
        for sub in subs
    ]
    for invoice in billing:
        result[invoice.pk] = [
            (sub_id, at)
            for customer_id, sub_id, at in upcoming
            if customer_id == invoice.customer_id and at is not None and at <= invoice.billing_date
        ]
    return result


def drafts_ready(invoices: Sequence[Invoice]) -> list[int]:
    """The ids of the drafts that are complete (see `drafts_pending`), in the given order."""
    pending = drafts_pending(invoices)
    return [invoice.pk for invoice in invoices if not pending[invoice.pk]]


# ------------------------------------------------------------------- a customer's documents


def customer_invoices(*, customer_id: int, limit: int = 20) -> tuple[list[Invoice], int]:
    """The customer's latest invoices (newest billing date first) and how many it has: two
    queries, however many there are."""
    invoices = Invoice.objects.filter(customer_id=customer_id)
    return list(invoices.order_by("-billing_date", "-id")[:limit]), invoices.count()


def customer_credit_notes(*, customer_id: int, limit: int = 20) -> tuple[list[CreditNote], int]:
    """The credit notes on the customer's invoices (newest first, each with its invoice) and how
    many there are: two queries."""
    notes = CreditNote.objects.filter(invoice__customer_id=customer_id)
    latest = notes.select_related("invoice").order_by("-issued_at", "-id")[:limit]
    return list(latest), notes.count()


def customer_subscriptions(*, customer_id: int) -> list[Subscription]:
    """The customer's subscriptions with their plan and price book, live ones first: one
    query."""
    return list(
        Subscription.objects.filter(customer_id=customer_id)
        .select_related("plan", "plan_version__plan__product")
        .order_by(F("ended_at").desc(nulls_first=True), "-start_at", "-id")
    )


def branding_current() -> Branding:
    """The company's brand now (the row, or the defaults while staff have not set one); its
    `display_name` filled in with the company's name when empty."""
    from django.conf import settings

    brand = Branding.objects.filter(pk=1).first()
    if brand is None:
        brand = Branding(pk=1, **BRAND_DEFAULTS)
    if not brand.display_name:
        brand.display_name = str(settings.COMPANY["name"])
    return brand


def brand_snapshot(brand: Branding) -> dict[str, str]:
    """What an invoice freezes of the brand with its company details (finalization)."""
    from django.conf import settings

    return {
        "name": brand.display_name or str(settings.COMPANY["name"]),
        "logo_sha256": brand.logo_id or "",
        "primary_color": brand.primary_color,
        "primary_text_color": brand.primary_text_color,
        "accent_color": brand.accent_color,
    }


# ------------------------------------------------------------------------ interim billing


def interim_billed(
    keys: Iterable[tuple[int, datetime]],
) -> dict[tuple[int, datetime], dict[int, planner.InterimBilled]]:
    """What interim billings (InterimBilling: thresholds reached, charges paid in advance) billed
    of each (subscription, period start), by charge: one query."""
    wanted = set(keys)
    found: dict[tuple[int, datetime], dict[int, planner.InterimBilled]] = {}
    if not wanted:
        return found
    rows = (
        InterimBilling.objects.filter(
            AnyOf(F("subscription_id"), {s for s, _ in wanted}),
            period_start__in={p for _, p in wanted},
        )
        .select_related("charge__metric", "invoice", "charge__plan_version__plan__product")
        .order_by("id")
    )
    for row in rows:
        key = (row.subscription_id, row.period_start)
        if key not in wanted:
            continue
        charge = row.charge
        label = row.invoice.number or f"draft #{row.invoice_id}"
        old = found.setdefault(key, {}).get(charge.pk)
        product = charge.plan_version.plan.product
        amount, billed_to = (quantize(v, row.invoice.currency) for v in (row.amount, row.billed_to))
        found[key][charge.pk] = planner.InterimBilled(
            charge_id=charge.pk,
            name=charge.display_name or charge.metric.name,
            metric_code=charge.metric.code,
            amount=(old.amount if old else Decimal(0)) + amount,
            billed_to=max(billed_to, old.billed_to) if old else billed_to,
            threshold=max(
                (t for t in (row.threshold, old.threshold if old else None) if t is not None),
                default=None,
            ),
            invoices=(*(old.invoices if old else ()), *(() if old and label in old.invoices
                      else (label,))),
            tax_rate_id=charge.tax_rate_id or (product.tax_rate_id if product else None),
        )  # fmt: skip
    return found


def usage_thresholds(book_ids: Iterable[int]) -> dict[int, tuple[planner.Threshold, ...]]:
    """The usage thresholds of price books (progressive billing), by book id."""
    found: dict[int, list[planner.Threshold]] = {}
    for row in UsageThreshold.objects.filter(plan_version__in=list(book_ids)).order_by("amount"):
        found.setdefault(row.plan_version_id, []).append(
            planner.Threshold(row.amount, row.recurring)
        )
    return {k: tuple(v) for k, v in found.items()}
