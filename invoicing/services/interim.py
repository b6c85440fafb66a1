"""Interim billing: usage billed before its period ends, through the one writer.

Two reasons, one rule (invoicing/planner.py `interim_due`): for a subscription's current
period, each charge bills its usage accrued so far (the same SQL aggregates and raters as the
period's end) less what the period's interim billings billed of it already.

- Progressive (threshold) billing: when the usage of the charges in arrears reaches a usage
  threshold of the price book (catalog.UsageThreshold) higher than any reached in the period, an
  invoice bills it at once.
- A charge paid in advance (its params `pay_in_advance: true`, `invoice: "own" | "next"`) bills
  its new usage as its events arrive: on an invoice at once ("own"), or as a line on the
  customer's next invoice ("next": the draft of the period's end, which the clock completes).

Each billing of a charge is an InterimBilling row (unique keys: a retried task bills nothing
twice); the period's end bills its usage net of them, line by line. An invoice at once is a
billing draft dated at the instant, finalized by the clock's rule (its grace period, the one
"complete" check) in the same transaction when it is due. Triggered after events are accepted
(one task per customer, deduplicated: `interim_enqueue`) and by the clock's tick (a safety net:
`interim_tick` queues the same tasks for `interim_due_customers`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import redis
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from redis.exceptions import RedisError

from billing.lifecycle import BILLABLE, State
from billing.models import Subscription
from billing.selectors import clock_scope
from billing.services import journal_write
from catalog.models import Charge, UsageThreshold
from catalog.pricing import plain
from core.audit import CLOCK, Actor, audit_context
from core.db import AnyOf
from invoicing import planner, selectors
from invoicing.models import InterimBilling, Invoice
from invoicing.services.lines import line_of
from invoicing.services.writer import _Writer, bill_locked, locked_subscriptions, stops_billing
from invoicing.taxes import Rates

logger = logging.getLogger(__name__)

THRESHOLD_REACHED = "invoice.threshold_reached"


def interim_terms() -> Q:
    """Subscriptions whose price book bills usage before its period's end (a usage threshold,
    or a charge paid in advance)."""
    return Q(
        Exists(UsageThreshold.objects.filter(plan_version=OuterRef("plan_version")))
        | Exists(
            Charge.objects.filter(
                plan_version=OuterRef("plan_version"), params__pay_in_advance=True
            )
        )
    )


def interim_customers(customer_ids: Iterable[int]) -> list[int]:
    """Among customers, those with a live subscription billing usage before its period's end
    (one query)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    # the ids as one array parameter: a batch's 5,000 customers as `IN (%s, %s, ...)` cost more
    # to build and plan than the query itself
    return sorted(
        set(
            Subscription.objects.filter(
                AnyOf(F("customer_id"), ids), interim_terms(), status__in=BILLABLE
            ).values_list("customer_id", flat=True)
        )
    )


def customer_interim_bill(*, customer_id: int, as_of: datetime, actor: Actor) -> list[int]:
    """Bill what a customer's subscriptions owe before their periods' ends at `as_of`, in one
    transaction: each is first billed up to `as_of` by the writer (its periods current), then
    its interim parts written. Returns the ids of the invoices written to."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="interim billing"):
        ids = list(
            Subscription.objects.filter(
                interim_terms(), customer_id=customer_id, status__in=BILLABLE
            ).values_list("pk", flat=True)
        )
        if not ids:
            return []
        subs = locked_subscriptions(ids)
        bill_locked(subs, as_of=as_of, actor=actor)
        return interim_bill_locked(subs, as_of=as_of, actor=actor)


def interim_bill_locked(
    subs: Sequence[Subscription], *, as_of: datetime, actor: Actor
) -> list[int]:
    """The interim parts of subscriptions locked by the caller (with their customers), written
    through the writer's drafts: lines, InterimBilling rows, discounts and totals, the journal;
    then the customers' drafts that are due finalized by the clock's rule."""
    from invoicing.services.clock import drafts_finalize_locked  # the clock imports the writer

    states = {sub.pk: sub.state() for sub in subs}
    live = {
        pk: state
        for pk, state in states.items()
        if planner.interim_window(state, as_of) is not None
    }
    if not live:
        return []
    books = {state.book.id for state in live.values()}
    charges = selectors.charge_terms(books)
    thresholds = selectors.usage_thresholds(books)
    windows: dict[int, set[tuple[int, datetime, datetime]]] = {}
    for state in live.values():
        for charge in charges[state.book.id]:
            windows.setdefault(charge.metric_id, set()).add(
                (state.customer_id, state.period.start, as_of)
            )
    usage = selectors.usage_of(windows, charges)
    billed = selectors.interim_billed((pk, state.period.start) for pk, state in live.items())
    writer = _Writer(as_of=as_of, actor=actor)
    planned: list[tuple[Subscription, State, planner.InterimPart]] = []
    for sub in subs:
        found = live.get(sub.pk)
        if found is None:
            continue
        state = found
        parts = planner.interim_due(
            state, as_of, charges[state.book.id], usage,
            billed.get((sub.pk, state.period.start), {}), thresholds.get(state.book.id, ()),
        )  # fmt: skip
        planned += [(sub, state, part) for part in parts]
    if not planned:
        return []

    def date(state: State, part: planner.InterimPart) -> datetime:
        return state.period.end if part.invoice == "next" else as_of

    writer._drafts({(sub.customer, date(state, part)) for sub, state, part in planned})
    rates = Rates(writer.rates)
    rows = []
    records: list[InterimBilling] = []
    reached: dict[tuple[int, Decimal], list[planner.InterimPart]] = {}
    for sub, state, part in planned:
        invoice = writer.drafts[(sub.customer_id, date(state, part))]
        rate = rates.for_line(sub.customer, part.line.tax_rate_id)
        rows.append(line_of(part.line, invoice, writer._next_position(invoice), rate))
        writer.run.drafts.add(invoice.pk)
        records.append(
            InterimBilling(
                subscription_id=sub.pk,
                period_start=state.period.start,
                charge_id=part.charge_id,
                reason=part.reason,
                threshold=part.threshold,
                amount=part.line.amount,
                billed_to=part.billed_to,
                quantity=part.quantity,
                usage_until=as_of,
                invoice=invoice,
                created_at=as_of,
            )
        )
        if part.threshold is not None:
            reached.setdefault((sub.pk, part.threshold), []).append(part)
    for row in rows:
        row.save(force_insert=True)
    InterimBilling.objects.bulk_create(records)  # the unique keys: never billed twice
    for (sub_id, level), parts in sorted(reached.items()):
        sub = next(s for s in subs if s.pk == sub_id)
        state = live[sub_id]
        invoice = writer.drafts[(sub.customer_id, as_of)]
        journal_write(
            type=THRESHOLD_REACHED,
            subject_type="invoice",
            subject_id=invoice.pk,
            payload=_threshold_payload(sub, state, invoice, level, parts),
            actor=actor,
            occurred_at=as_of,
        )
    writer.finish(totals=True)
    drafts_finalize_locked(
        customer_ids={sub.customer_id for sub, _, _ in planned}, as_of=as_of, actor=actor
    )
    return sorted(writer.run.drafts)


def _threshold_payload(
    sub: Subscription,
    state: State,
    invoice: Invoice,
    level: Decimal,
    parts: Sequence[planner.InterimPart],
) -> dict[str, Any]:
    return {
        "invoice_id": invoice.pk,
        "subscription_id": sub.pk,
        "customer": sub.customer.external_id,
        "currency": state.book.currency,
        "threshold": plain(level),
        "period": {"start": state.period.start.isoformat(), "end": state.period.end.isoformat()},
        "amount": str(sum((p.line.amount for p in parts), Decimal(0))),
        "charges": [
            {"charge_id": p.charge_id, "amount": str(p.line.amount), "usage": str(p.billed_to)}
            for p in parts
        ],
    }


def interim_due_customers(*, as_of: datetime, test_clock: int | None = None) -> list[int]:
    """The clock's safety net: customers of the clock scope with a live subscription billing
    usage before its period's end (their tasks find what is due; nothing when nothing is)."""
    return sorted(
        set(
            Subscription.objects.filter(
                interim_terms(),
                clock_scope(test_clock),
                status__in=BILLABLE,
                current_period_start__lte=as_of,
                current_period_end__gt=as_of,
            ).values_list("customer_id", flat=True)
        )
    )


# ---------------------------------------------------------------------------------- triggers

QUEUED_KEY = "interim:queued:{}"
QUEUED_SECONDS = 600  # a mark whose task was lost expires: then the clock's tick queues it again


def _redis() -> Any:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def interim_enqueue(customers: Mapping[int, datetime]) -> list[int]:
    """After a batch of events committed (billing.services.register_usage_accepted): one task
    per customer billing usage before its periods' ends, unless one is queued and not started
    yet (a mark in Redis, cleared by the task as it starts: it will see these events). One
    query; nothing is rated here. Returns the customers whose task was queued."""
    return _queue(interim_customers(customers))


def _queue(customer_ids: Iterable[int]) -> list[int]:
    """A task per customer (invoicing.customer_interim_bill, billing at the worker's now),
    unless the customer's mark says one is queued and not started yet."""
    from invoicing.tasks import customer_interim_bill_task  # the tasks import this module

    queued = []
    client = _redis()
    for customer_id in customer_ids:
        try:
            fresh = bool(
                client.set(QUEUED_KEY.format(customer_id), "1", nx=True, ex=QUEUED_SECONDS)
            )
        except RedisError:  # no deduplication then: a second task bills nothing twice
            fresh = True
        if fresh:
            customer_interim_bill_task.delay(customer_id)
            queued.append(customer_id)
    return queued


def interim_dequeued(customer_id: int) -> None:
    """A customer's interim task starts: events accepted from now on queue another."""
    try:
        _redis().delete(QUEUED_KEY.format(customer_id))
    except RedisError:
        logger.warning("could not clear the interim mark of customer %s", customer_id)


def interim_tick(as_of: datetime, *, test_clock: int | None = None) -> dict[str, int]:
    """The clock's tick hook, a safety net for lost tasks: every customer with a live
    subscription billing usage before its periods' ends gets its task queued (deduplicated by
    the same Redis mark as ingestion's; a customer with nothing new to bill gets nothing). The
    tick itself runs one query, whatever the number of customers.

    A test clock's advance is its customers' worker (their tasks would find the clock
    advancing and leave it to the advance): it bills them here at the clock's instant, one
    transaction each. A customer's failure is logged and the others go on, except the errors
    that stop billing (a time limit, the database gone: `stops_billing`), raised."""
    customers = interim_due_customers(as_of=as_of, test_clock=test_clock)
    if test_clock is None:
        return {"interim_queued": len(_queue(customers))}
    billed = failed = 0
    for customer_id in customers:
        try:
            billed += bool(customer_interim_bill(customer_id=customer_id, as_of=as_of, actor=CLOCK))
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:  # one customer's bug never stops the others; the next retries
            if stops_billing(exc):
                raise
            logger.exception("interim billing of customer %s failed", customer_id)
            failed += 1
    return {"interim_invoiced": billed, "interim_failed": failed}
