"""The billing writer: the one place that stores what the planner (invoicing/planner.py) decided.

`subscriptions_bill` bills a chunk of subscriptions up to an instant in one transaction; a
single subscription is a chunk of one, and the clock, `manage.py bill`, the tests and the
benchmark all come through here. Under the locks of the chunk's customers, then subscriptions,
in id order, it goes round by round, each round for the whole chunk at once:

1. the clock's edges that fall inside each subscription's current period (a start, a trial's
   end, a scheduled change and its proration lines, a set end date) are applied by the billing
   app's services (billing/lifecycle.py's rules);
2. the planner lists every subscription's due steps (`due_steps`) and their lines
   (`step_lines`), with one aggregate query per metric for all their usage windows;
3. the lines go onto the customers' drafts for their billing dates (created where missing),
   with COPY; each step is recorded in BilledPeriod (with its price book, and its invoice when it
   had lines: a step with nothing to bill makes no document; a free trial's start step whose
   price book issues a trial invoice has a zero line, so it makes one), the proration lines
   carried are marked invoiced, and each customer's `usage_billed_until` moves to the end of
   its latest billed window;
4. the periods that ended are ended: rolled into the next period, or canceled at their end.

A clock running late catches up round by round, each period billed as it went. Then, once per
touched draft, the coupons' discounts are computed from all of its lines (`invoice_discounts`)
and its totals recomputed. Taxes are per line at the line's own rate (invoicing/taxes.py: a rate
set on its charge, add-on, fee or product, else the customer's address rate); credit from the
balance is applied at finalization. The same functions refresh a draft's usage when late events
arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max

from billing import lifecycle
from billing.lifecycle import BILLABLE, FINISHED, PriceBook, State
from billing.models import CouponRedemption, Customer, ProrationLine, Subscription
from billing.models import SubscriptionChange as Change
from billing.periods import Period
from billing.services import (
    journal_write_many,
    subscription_edges_apply,
    subscriptions_period_end,
)
from catalog.models import Plan, PlanVersion
from catalog.selectors import tax_rates_in_use
from core.audit import Actor, audit_context
from core.db import AnyOf, bulk_update, copy_insert, copy_rows, insert_returning
from core.exceptions import ApplicationError, Conflict
from invoicing import planner, selectors
from invoicing.models import (
    BilledPeriod,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from invoicing.planner import ChargeTerms, LineSpec, Step
from invoicing.services.lines import (
    LINE_FIELDS,
    invoice_created,
    line_of,
    line_row,
    recompute_totals_many,
)
from invoicing.taxes import Rates

logger = logging.getLogger(__name__)

# the columns of a billed step as `_Writer.write` gives them (core.db.copy_rows)
PERIOD_FIELDS = (
    "subscription_id", "kind", "period_start", "period_end", "invoice_id", "plan_version_id",
    "created_at",
)  # fmt: skip
MAX_ROUNDS = 10_000  # a bound: every round moves each subscription with work forward in time


@dataclass
class BillingRun:
    """What one call of the writer did."""

    steps: int = 0
    rounds: int = 0
    drafts: set[int] = field(default_factory=set)
    touched: list[Invoice] = field(default_factory=list)  # the drafts it wrote to


def locked_subscriptions(subscription_ids: Sequence[int]) -> list[Subscription]:
    """Lock the chunk's customers, then its subscriptions, in id order (the order every service
    follows: customer, then subscription)."""
    ids = list(subscription_ids)
    customers = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=Subscription.objects.filter(AnyOf(F("pk"), ids)).values("customer_id"))
        .order_by("pk")
    }
    subs = list(Subscription.objects.select_for_update().filter(AnyOf(F("pk"), ids)).order_by("pk"))
    # their plans and price books, read once each and shared (a chunk has few)
    versions = {
        v.pk: v
        for v in PlanVersion.objects.filter(
            pk__in={s.plan_version_id for s in subs}
        ).select_related("plan__product")
    }
    plans = {v.plan_id: v.plan for v in versions.values()}
    if missing := {s.plan_id for s in subs} - set(plans):
        plans.update((p.pk, p) for p in Plan.objects.filter(pk__in=missing))
    set_customer = Subscription.customer.field.set_cached_value
    set_plan = Subscription.plan.field.set_cached_value
    set_version = Subscription.plan_version.field.set_cached_value
    for sub in subs:
        set_customer(sub, customers[sub.customer_id])
        set_plan(sub, plans[sub.plan_id])
        set_version(sub, versions[sub.plan_version_id])
    return subs


def subscriptions_bill(
    *, subscription_ids: Sequence[int], as_of: datetime, actor: Actor
) -> BillingRun:
    """Bill everything due by `as_of` for a chunk of subscriptions, in one transaction."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="billing run"):
        return bill_locked(locked_subscriptions(subscription_ids), as_of=as_of, actor=actor)


def bill_locked(
    subs: list[Subscription], *, as_of: datetime, actor: Actor, totals: bool = True
) -> BillingRun:
    """The rounds (see the module's note) for subscriptions locked by the caller. Without
    `totals`, the caller brings the touched drafts' totals up to date itself (finalization
    computes them again: the clock's chunk finalizes first, then updates the others)."""
    writer = _Writer(as_of=as_of, actor=actor)
    billed = selectors.billed_steps(subs)
    books: dict[int, PriceBook] = {}  # by plan version: the catalog does not change meanwhile
    for _ in range(MAX_ROUNDS):
        writer.run.rounds += 1
        edged = _edges(subs, as_of, actor, books)
        states = {sub.pk: sub.state(books) for sub in subs}
        writer.starts = selectors.start_terms(states.values(), billed, writer.fees)
        # the proration lines and add-ons waiting count for a finished subscription (a closing
        # step bills them) and for a period end step (it carries them): read for those only
        due: dict[int, list[Step]] = {
            sub.pk: planner.due_steps(
                states[sub.pk], frozenset(billed[sub.pk]), as_of, start=writer.starts.get(sub.pk)
            )
            for sub in subs
            if states[sub.pk].status not in FINISHED
        }
        pending = selectors.pending_lines(
            {
                sub_id: state
                for sub_id, state in states.items()
                if sub_id not in due or any(s.kind == planner.PERIOD_END for s in due[sub_id])
            }
        )
        items: list[tuple[Step, Subscription, State]] = []
        for sub in subs:
            state = states[sub.pk]
            if sub.pk not in due:
                due[sub.pk] = planner.due_steps(
                    state, frozenset(billed[sub.pk]), as_of, pending=sub.pk in pending,
                    start=writer.starts.get(sub.pk),
                )  # fmt: skip
            for step in due[sub.pk]:
                items.append((step, sub, state))
                billed[sub.pk].add(step.key)
        writer.write(items, pending)
        ended = [s for s in subs if s.status in BILLABLE and s.current_period_end <= as_of]
        if ended:
            subscriptions_period_end(subs=ended, as_of=as_of, actor=actor, peers=subs)
        if not (edged or items or ended):
            break
    writer.finish(totals=totals)
    return writer.run


def _edges(
    subs: list[Subscription], as_of: datetime, actor: Actor, books: dict[int, PriceBook]
) -> bool:
    """Apply the clock's edges inside the subscriptions' current periods (one query decides
    which have any; those are advanced one by one, rarely more than a few)."""
    live = [sub for sub in subs if sub.status not in FINISHED]
    if not live:
        return False
    scheduled: dict[int, list[tuple[datetime, int]]] = {}
    for sub_id, at, change_id in Change.objects.filter(
        AnyOf(F("subscription_id"), [sub.pk for sub in live]),
        status="scheduled",
        effective_at__lte=as_of,
    ).values_list("subscription_id", "effective_at", "id"):
        scheduled.setdefault(sub_id, []).append((at, change_id))
    moved = False
    for sub in live:
        edge = lifecycle.next_edge(
            sub.state(books),
            until=as_of,
            period_ends=False,
            trial_will_end_sent=sub.trial_will_end_sent,
            changes=scheduled.get(sub.pk, []),
        )
        if edge is not None:
            moved |= subscription_edges_apply(
                sub, until=as_of, actor=actor, period_ends=False, peers=subs
            )
    return moved


class _Writer:
    """The writes of one transaction: steps round by round, then discounts and totals once."""

    def __init__(self, *, as_of: datetime, actor: Actor) -> None:
        self.as_of = as_of
        self.actor = actor
        self.run = BillingRun()
        self.charges: dict[int, list[ChargeTerms]] = {}
        self.fees: dict[int, tuple[planner.OneTimeFee, ...]] = {}  # one-time fees by book
        self.starts: dict[int, planner.StartTerms] = {}  # the round's, by subscription
        self.drafts: dict[tuple[int, datetime], Invoice] = {}
        self.positions: dict[int, int] = {}
        self.rates = tax_rates_in_use()
        self.taxes = Rates(self.rates)  # a line's own rate (invoicing/taxes.py)

    def write(
        self,
        items: list[tuple[Step, Subscription, State]],
        pending: dict[int, list[LineSpec]],
    ) -> None:
        """Plan and store the round's steps; `pending` are the subscriptions' proration lines and
        add-ons waiting (the first period end or closing step of each carries them)."""
        if not items:
            return
        self.run.steps += len(items)
        # a fee in advance is billed at the terms of its period's start, even when a change
        # applied since (its proration lines count on that)
        earlier = selectors.advance_terms(
            [state for step, _, state in items if step.kind == planner.ADVANCE]
        )
        items = [
            (step, sub, planner.with_terms(state, *earlier[sub.pk]))
            if step.kind == planner.ADVANCE and sub.pk in earlier
            else (step, sub, state)
            for step, sub, state in items
        ]
        missing = {state.book.id for _, _, state in items} - set(self.charges)
        self.charges.update(selectors.charge_terms(missing))
        windows = planner.usage_windows(((step, state) for step, _, state in items), self.charges)
        usage = selectors.usage_of(windows, self.charges)
        # what invoices before the periods' ends billed of their usage (deducted)
        interim = selectors.interim_billed(
            (sub.pk, step.window.start) for step, sub, _ in items if step.kind == planner.PERIOD_END
        )
        planned: list[tuple[Step, Subscription, State, list[LineSpec]]] = []
        committed = _committed_periods(items)  # a plan's minimum commitment counts them
        for step, sub, state in items:
            carries = step.kind in (planner.PERIOD_END, planner.CLOSING)
            carried = pending.pop(sub.pk, []) if carries else []
            lines = planner.step_lines(
                step, state, self.charges[state.book.id], usage, carried,
                start=self.starts.get(sub.pk),
                earlier=committed.get((sub.pk, step.window.start), ()),
                interim=interim.get((sub.pk, step.window.start)),
            )  # fmt: skip
            if step.kind == planner.ADVANCE:  # billed in this round: counts for its period
                for key, found in committed.items():
                    if key[0] == sub.pk:
                        found.extend(lines)
            planned.append((step, sub, state, lines))
        self._drafts({(sub.customer, step.billing_date) for step, sub, _, ls in planned if ls})
        rows: list[tuple[object, ...]] = []
        periods: list[tuple[object, ...]] = []
        invoiced: list[int] = []
        billed_until: dict[int, datetime] = {}
        for step, sub, state, lines in planned:
            invoice = self.drafts.get((sub.customer_id, step.billing_date)) if lines else None
            if invoice is not None:
                for spec in lines:
                    rate = self.taxes.for_line(sub.customer, spec.tax_rate_id)
                    rows.append(line_row(spec, invoice, self._next_position(invoice), rate))
                    if spec.proration_line_id:
                        invoiced.append(spec.proration_line_id)
                self.run.drafts.add(invoice.pk)
            book = state.book
            if step.kind == planner.START and sub.pk in self.starts:
                book = self.starts[sub.pk].book  # the book it started with
            periods.append(
                (sub.pk, step.kind, step.window.start, step.window.end,
                 invoice.pk if invoice is not None else None, book.id, self.as_of)
            )  # fmt: skip
            if step.kind == planner.PERIOD_END:
                end = step.window.end
                billed_until[sub.customer_id] = max(end, billed_until.get(sub.customer_id, end))
        copy_rows(InvoiceLine, LINE_FIELDS, rows)
        copy_rows(BilledPeriod, PERIOD_FIELDS, periods)
        if invoiced:
            ProrationLine.objects.filter(AnyOf(F("pk"), invoiced)).update(invoiced_at=self.as_of)
        _usage_billed_until(billed_until)

    def _drafts(self, keys: set[tuple[Customer, datetime]]) -> None:
        """The customers' billing drafts for these dates, locked; created where missing (with
        their `invoice.created` events). A date whose invoice was finalized gets a new draft."""
        wanted = {(c.pk, at): c for c, at in keys if (c.pk, at) not in self.drafts}
        if not wanted:
            return
        found = Invoice.objects.select_for_update().filter(
            AnyOf(F("customer_id"), {c for c, _ in wanted}),
            kind=InvoiceKind.BILLING,
            status=InvoiceStatus.DRAFT,
            billing_date__in={at for _, at in wanted},
        )
        existing = [i for i in found if (i.customer_id, i.billing_date) in wanted]
        last = dict(
            InvoiceLine.objects.filter(AnyOf(F("invoice_id"), [i.pk for i in existing]))
            .values("invoice")
            .annotate(n=Max("position"))
            .values_list("invoice", "n")
        )
        for invoice in existing:
            invoice.customer = wanted[(invoice.customer_id, invoice.billing_date)]
            self.drafts[(invoice.customer_id, invoice.billing_date)] = invoice
            self.positions[invoice.pk] = last.get(invoice.pk, -1) + 1
        new = [
            Invoice(
                customer_id=customer.pk,
                kind=InvoiceKind.BILLING,
                currency=customer.currency,
                billing_date=at,
                grace_until=at + timedelta(days=customer.invoice_grace_period_days),
                created_at=self.as_of,
                updated_at=self.as_of,
                subtotal=Decimal(0),
                total=Decimal(0),
            )
            for (customer_id, at), customer in sorted(wanted.items(), key=lambda kv: kv[0])
            if (customer_id, at) not in self.drafts
        ]
        insert_returning(new)
        for invoice in new:
            invoice.customer = wanted[(invoice.customer_id, invoice.billing_date)]
            self.drafts[(invoice.customer_id, invoice.billing_date)] = invoice
            self.positions[invoice.pk] = 0
        journal_write_many(
            [invoice_created(invoice, invoice.customer) for invoice in new], actor=self.actor
        )

    def _next_position(self, invoice: Invoice) -> int:
        position = self.positions.get(invoice.pk, 0)
        self.positions[invoice.pk] = position + 1
        return position

    def finish(self, *, totals: bool) -> None:
        """Once per touched draft: its discounts from all of its lines, then its totals."""
        drafts = [i for i in self.drafts.values() if i.pk in self.run.drafts]
        drafts += drafts_discount(drafts)  # with the customers' other open drafts
        self.run.touched = drafts
        if totals:
            totals_update(drafts, self.as_of)


def _committed_periods(
    items: Sequence[tuple[Step, Subscription, State]],
) -> dict[tuple[int, datetime], list[LineSpec]]:
    """For the period end steps of price books with a minimum commitment: the fixed fees of
    their periods already invoiced (a fee in advance), by (subscription, window start). No query
    when no price book of the round has one."""
    wanted = {
        (sub.pk, step.window.start): state.period_at(step.window.start)
        for step, sub, state in items
        if step.kind == planner.PERIOD_END and state.book.minimum_commitment is not None
    }
    if not wanted:
        return {}
    found = selectors.period_fees((sub_id, p) for (sub_id, _), p in wanted.items())
    return {
        (sub_id, start): list(found.get((sub_id, period.start), []))
        for (sub_id, start), period in wanted.items()
    }


def _usage_billed_until(until: dict[int, datetime]) -> None:
    """Move customers' `usage_billed_until` forward to the end of their latest billed window,
    never back, in one statement (the caller holds their rows)."""
    if not until:
        return
    ids = sorted(until)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE billing_customer AS c SET usage_billed_until = v.until "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, until) "
            "WHERE c.id = v.id "
            "AND (c.usage_billed_until IS NULL OR c.usage_billed_until < v.until)",
            [ids, [until[i] for i in ids]],
        )


def drafts_discount(drafts: Sequence[Invoice]) -> list[Invoice]:
    """Compute the coupon discounts of drafts again from all of their lines, replacing their
    discount lines: together with every other open draft of their customers, in billing-date
    order (planner.discounts_in_order), so that a coupon's duration goes to the earliest however
    the drafts were written; each redemption's invoices, amount and status kept in step. Returns
    the other drafts whose discounts were computed again (their totals are the caller's)."""
    if not drafts:
        return []
    customer_ids = {d.customer_id for d in drafts}
    coupons = selectors.coupons_of(customer_ids, [d.pk for d in drafts])
    if not coupons:
        return []  # no coupon is active or on an open draft: these have no discount lines
    mine = {d.pk: d for d in drafts}
    others = list(
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(customer_id__in=customer_ids, kind=InvoiceKind.BILLING, status=InvoiceStatus.DRAFT)
        .exclude(pk__in=list(mine))
    )
    every = [*drafts, *others]
    ids = [d.pk for d in every]
    old = list(InvoiceLine.objects.filter(invoice__in=ids, kind=LineKind.DISCOUNT))
    InvoiceLine.objects.filter(pk__in=[line.pk for line in old]).delete()
    stored = list(
        InvoiceLine.objects.filter(invoice__in=ids)
        .exclude(kind=LineKind.DISCOUNT)
        .select_related("plan_version")
        .order_by("position", "id")
    )
    by_invoice: dict[int, list[InvoiceLine]] = {}
    for line in stored:
        by_invoice.setdefault(line.invoice_id, []).append(line)
    rates = Rates()
    new_rows: list[InvoiceLine] = []
    invoices_of: dict[int, set[int | None]] = {}
    given: dict[int, Decimal] = {}
    for customer_id in sorted(customer_ids):
        theirs = [d for d in every if d.customer_id == customer_id]
        lines = [
            (d.pk, d.billing_date, selectors.line_specs(by_invoice.get(d.pk, []))) for d in theirs
        ]
        found, allocated = planner.discounts_in_order(
            lines, coupons.get(customer_id, []), theirs[0].currency
        )
        invoices_of.update(allocated)
        for draft in theirs:
            position = max((line.position for line in by_invoice.get(draft.pk, [])), default=-1)
            for spec in found.get(draft.pk, []):
                assert spec.redemption_id is not None
                given[spec.redemption_id] = given.get(spec.redemption_id, Decimal(0)) - spec.amount
                position += 1
                rate = rates.for_line(draft.customer, spec.tax_rate_id)  # the lines' it discounts
                new_rows.append(line_of(spec, draft, position, rate))
    copy_insert(new_rows)
    windows_over = {  # months coupons of which a draft is dated at or after the window's end
        c.redemption_id
        for customer_id, theirs in coupons.items()
        for c in theirs
        if (end := c.window_end) is not None
        and any(d.billing_date >= end for d in every if d.customer_id == customer_id)
    }
    taken: dict[int, Decimal] = {}
    for line in old:
        if line.redemption_id is not None:
            taken[line.redemption_id] = taken.get(line.redemption_id, Decimal(0)) - line.amount
    redemptions = list(
        CouponRedemption.objects.select_for_update(of=("self",))
        .filter(pk__in=list(invoices_of))
        .select_related("coupon")
    )
    for r in redemptions:
        invoices = {i for i in invoices_of[r.pk] if i is not None}
        r.periods_applied = len(invoices)
        r.last_invoice_id = max(invoices) if invoices else None
        r.amount_discounted += given.get(r.pk, Decimal(0)) - taken.get(r.pk, Decimal(0))
        limit = {"once": 1, "repeating": r.coupon.duration_periods or 0}.get(r.coupon.duration)
        if r.status == CouponRedemption.Status.ACTIVE and limit and len(invoices) >= limit:
            r.status = CouponRedemption.Status.USED_UP
        elif r.status == CouponRedemption.Status.ACTIVE and r.pk in windows_over:
            r.status = CouponRedemption.Status.USED_UP  # a months coupon billed past its window
        elif r.status == CouponRedemption.Status.USED_UP and limit and len(invoices) < limit:
            r.status = CouponRedemption.Status.ACTIVE  # a draft's discount went away
    bulk_update(redemptions, ["periods_applied", "last_invoice_id", "amount_discounted", "status"])
    return others


def totals_update(invoices: Sequence[Invoice], as_of: datetime) -> None:
    """Subtotals, taxes and totals of drafts from their lines (one query), saved in one UPDATE."""
    if not invoices:
        return
    recompute_totals_many(invoices)
    for invoice in invoices:
        invoice.updated_at = as_of
    bulk_update(invoices, ["subtotal", "tax_total", "total", "amount_due", "updated_at"])


def draft_windows_rerate(invoice: Invoice, items: Sequence[BilledPeriod], as_of: datetime) -> None:
    """A draft (locked by the caller) whose billed windows got events after they were billed:
    their usage lines are planned again from the events stored now and the price book they were
    billed with, in place, then the draft's discounts and totals."""
    subs = {
        s.pk: s
        for s in Subscription.objects.filter(
            pk__in={i.subscription_id for i in items}
        ).select_related("plan", "plan_version__plan__product", "customer")
    }
    versions = {i.plan_version_id for i in items if i.plan_version_id}
    books = {
        v.pk: v.book()
        for v in PlanVersion.objects.filter(pk__in=versions).select_related("plan__product")
    }
    states: list[tuple[Step, State, BilledPeriod]] = []
    for item in items:
        sub = subs[item.subscription_id]
        state = sub.state()
        if item.plan_version_id in books:  # the price book it was billed with
            state = replace(state, book=books[item.plan_version_id])
        window = Period(item.period_start, item.period_end, -2)
        states.append((Step(sub.pk, planner.PERIOD_END, window, item.period_end), state, item))
    charges = selectors.charge_terms({state.book.id for _, state, _ in states})
    usage = selectors.usage_of(
        planner.usage_windows(((step, state) for step, state, _ in states), charges), charges
    )
    rates = Rates()
    rows = []
    interim = selectors.interim_billed((state.id, item.period_start) for _, state, item in states)
    for step, state, item in states:
        old = invoice.lines.filter(
            subscription_id=state.id,
            kind__in=[LineKind.USAGE, LineKind.MINIMUM],
            period_start=item.period_start,
        ).exclude(  # the lines billed before the period's end ("next"): kept, net of below
            explanation__has_key=planner.INTERIM_MARK
        )
        position = min((line.position for line in old), default=None)
        if position is None:
            position = (invoice.lines.aggregate(m=Max("position"))["m"] or -1) + 1
        old.delete()
        early = interim.get((state.id, item.period_start), {})
        specs = planner.usage_lines(state, step.window, charges[state.book.id], usage, early)
        if state.book.minimum_commitment is not None:  # its true-up, again (with the fees)
            period = state.period_at(step.window.start)
            fees = selectors.period_fees([(state.id, period)], invoice_id=invoice.pk)
            true_up = planner.commitment_line(
                state, step.window, [*fees.get((state.id, period.start), []),
                                     *[planner.interim_spec(state, step.window, b)
                                       for b in early.values()], *specs],
            )  # fmt: skip
            specs += [true_up] if true_up else []
        for spec in specs:
            rate = rates.for_line(invoice.customer, spec.tax_rate_id)
            line = line_of(spec, invoice, position, rate)
            line.explanation = {**line.explanation, "refreshed_at": as_of.isoformat()}
            rows.append(line)
    copy_insert(rows)
    totals_update([invoice, *drafts_discount([invoice])], as_of)


def stops_billing(exc: BaseException) -> bool:
    """Errors that are not one subscription's and must never become a refusal or a recorded
    failure: the task's time is up, or the database went. They propagate (the task is retried)."""
    return isinstance(exc, SoftTimeLimitExceeded | OperationalError | InterfaceError)


def subscription_catch_up(sub: Subscription, as_of: datetime, actor: Actor) -> None:
    """Bill a subscription (locked by the caller, with its customer) up to `as_of` before an
    action on it: registered with the billing app at start-up (billing.services
    .register_catch_up). A chunk of one, in the caller's transaction; if it cannot be billed,
    the action is refused (409 `billing_failed`) and the clock reports the subscription."""
    try:
        with transaction.atomic():
            bill_locked([sub], as_of=as_of, actor=actor)
    except ApplicationError:
        raise
    except Exception as exc:  # a time limit or a lost database goes on; a bug is logged
        if stops_billing(exc):
            raise
        logger.exception("catching up subscription %s to %s failed", sub.pk, as_of.isoformat())
        raise Conflict(
            f"Subscription #{sub.pk} could not be billed up to now ({type(exc).__name__}: "
            f"{exc}); nothing was changed. The billing clock reports it.",
            code="billing_failed",
        ) from exc
