"""Payouts on the clock: the mirror image of automatic collection, exactly once.

1. **Due periods** (`payouts_create_due`, the clock hook's first step). A schedule's next period
   not yet paid out is kept on the schedule (`next_index`, `next_period_start`,
   `next_period_end`: an index for finding due schedules in one query, moved only here). For a
   chunk of schedules whose next period ended by `as_of` (locked, by id), every ended period is
   computed from the anchor (billing/periods.py: local midnights in the payee's zone, the
   month-end clamp, never from the previous period), catching up several periods after a
   downtime (at most MAX_PERIODS_PER_RUN per schedule and transaction; the next tick goes on).
   The payouts are written by ONE `INSERT ... ON CONFLICT (schedule, period_start) DO NOTHING`:
   the unique key is the exactly-once guarantee (what `BilledPeriod` is for billing), so two
   ticks at once, or a task run twice, never make a second payout. In the same transaction:
   Dr payout expense / Cr payouts payable for each payout created with an amount, the journal's
   `payout.created` (or `payout.skipped`), and the schedules' next period. After the commit the
   new payouts are queued for execution (EXECUTE_CHUNK a task). Switching a schedule off and
   archiving a payee create the payouts of the periods ended first, through the same code
   (`payouts_create_ended`) under the same schedule lock.

   The amount: fixed — the schedule's amount; percentage — what the payout COUNTED, recorded as
   its basis (`PayoutBasisItem`, INSERT ... SELECT in the same transaction): the succeeded
   payments, in the payee's currency, of the customers linked to the payee when each payment
   was recorded, recorded (see RECORDED below) before the period's end and from the
   schedule's `counts_from` (its first period's start), not counted by the schedule yet; and the
   succeeded refunds recorded before the period's end, not counted yet, of payments the schedule
   counted. net = payments - refunds + the negative net carried from the schedule's previous
   payout; amount = p% of the net when above 0, rounded once with `catalog.money.quantize`
   (half-up at the currency's exponent). A net of zero or less gives a payout `skipped` with
   amount 0 (kept, with its basis; no posting, never a negative payout) and a negative net is
   carried to the next payout (`carried_in` / `carried_out`). A payment or refund counts at
   most once per schedule (unique keys on the basis).

2. **Execution** (`payouts_execute`): claim — one transaction, payouts locked by id, pending and
   due (`next_retry_at` empty or past) → processing, attempt + 1, `requested_at`, the payee's
   default payout method — committed BEFORE any gateway call; then `gateway.payout` for each,
   outside any transaction, with the attempt's idempotency key (`<payout key>-a<attempt>`);
   then `payout_answers_record`, the ONE place answers become facts. A payout already claimed
   is never sent again by a claim: only the reconciler's `status` resolves it.

3. **Answers** (`payout_answers_record`): every answer is a `PayoutCall`; for the current
   attempt of a processing payout, succeeded → paid (Dr payouts payable / Cr cash,
   `payout.paid`); failed → `payout.failed`, and when retryable and attempts are left, pending
   again with `next_retry_at` = the failure + RETRY_DAYS[attempt - 1] days (1, 2, 4), else failed
   for staff (retry now or cancel); unknown → stays processing. Failures leave it payable.

4. **The reconciler** (`payouts_reconcile`): a processing payout sent more than
   `PAYMENTS_RECONCILE_AFTER_SECONDS` ago is asked its gateway's `status` with the attempt's key;
   `not_found` (the call never reached the gateway: a crash between claim and call) sends it
   again with the SAME key, which pays at most once.

The clock hook (`payouts_due`) runs step 1, then queues the executions due (retries whose time
came, and pending payouts whose task was lost) and the reconciler when something is stale.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from billing import periods
from billing.models import LedgerAccount
from billing.services import Posting, journal_write_many, ledger_post_many
from catalog.money import quantize
from core.audit import Actor, audit_context
from core.db import copy_insert
from payments.gateways.base import Gateway, GatewayError, Outcome, Result
from payments.gateways.registry import gateway as gateway_named
from payments.models.payouts import (
    AmountKind,
    Payee,
    PayeeState,
    Payout,
    PayoutCall,
    PayoutGateway,
    PayoutMethod,
    PayoutMethodState,
    PayoutSchedule,
    PayoutState,
)
from payments.services.collection import database_tag, reconcile_after

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PAYOUTER = Actor.system("payouts")
CLOCK_HOOK = "payments.payouts"
RETRY_DAYS = (1, 2, 4)  # days after a failed attempt; then failed for staff
SCHEDULE_CHUNK = 200  # schedules per creating transaction
MAX_PERIODS_PER_RUN = 400  # periods caught up per schedule and transaction
EXECUTE_CHUNK = 50  # payouts per execution task
NO_METHOD = "no_payout_method"


# ---------------------------------------------------------------------------------------------
# periods and amounts (pure)


def schedule_period(schedule: PayoutSchedule, payee: Payee, n: int) -> periods.Period:
    interval = periods.Interval(schedule.interval_unit, schedule.interval_count)
    return periods.period(schedule.anchor, interval, n, payee.timezone)


def percentage_amount(percentage: Decimal, net: Decimal, currency: str) -> Decimal:
    """p% of the net (payments less refunds), rounded once; 0 when the net is not above 0."""
    if net <= 0:
        return ZERO
    return max(quantize(percentage * net / HUNDRED, currency), ZERO)


def payout_key(schedule_id: int, period_start: datetime) -> str:
    """The payout's key (deterministic per schedule and period; the database's tag keeps two
    databases sharing one gateway namespace apart). Attempt n is sent as `<key>-a<n>`."""
    return f"{database_tag()}-payout-{schedule_id}-{int(period_start.timestamp())}"


# A payment's RECORDED instant, GREATEST(created_at, received_at): when the system learned of it
# as succeeded. Staff record a bank transfer with its `received_at` in the past (`created_at`
# is when it was recorded); an automatic payment is created when its charge is asked, and its
# `received_at` is when its success was recorded. The later of the two is never before the
# payment was a succeeded fact here, so a period already computed is never owed something
# recorded after it: that goes to the next period. A refund's: GREATEST(created_at,
# settled_at), `settled_at` being when its success was recorded.
#
# Each payment not yet counted by the schedule goes to the first of the schedule's new payouts
# whose period ends after it was recorded; the customer's link in place at that instant decides
# the payee.
_BASIS_PAYMENTS_SQL = """
INSERT INTO payments_payoutbasisitem (payout_id, schedule_id, payment_id, amount)
SELECT DISTINCT ON (w.schedule_id, p.id) w.payout_id, w.schedule_id, p.id, p.amount
FROM jsonb_to_recordset(%s::jsonb) AS w(payout_id bigint, schedule_id bigint,
    payee_id bigint, currency text, f timestamptz, e timestamptz)
JOIN payments_payeecustomer pc ON pc.payee_id = w.payee_id
JOIN payments_payment p ON p.customer_id = pc.customer_id
JOIN billing_customer c ON c.id = p.customer_id AND c.test_clock_id IS NULL  -- live money only
CROSS JOIN LATERAL (SELECT GREATEST(p.created_at, COALESCE(p.received_at, p.created_at)) AS at) t
WHERE p.state = 'succeeded' AND p.currency = w.currency
  AND t.at >= w.f AND t.at < w.e
  AND t.at >= pc.created_at AND (pc.unlinked_at IS NULL OR t.at < pc.unlinked_at)
  AND NOT EXISTS (SELECT 1 FROM payments_payoutbasisitem b
                   WHERE b.schedule_id = w.schedule_id AND b.payment_id = p.id)
ORDER BY w.schedule_id, p.id, w.e
"""

# Each refund not yet counted, of a payment this schedule counted (before or just now).
_BASIS_REFUNDS_SQL = """
INSERT INTO payments_payoutbasisitem (payout_id, schedule_id, refund_id, amount)
SELECT DISTINCT ON (w.schedule_id, r.id) w.payout_id, w.schedule_id, r.id, -r.amount
FROM jsonb_to_recordset(%s::jsonb) AS w(payout_id bigint, schedule_id bigint,
    payee_id bigint, currency text, f timestamptz, e timestamptz)
JOIN payments_payoutbasisitem pb ON pb.schedule_id = w.schedule_id AND pb.payment_id IS NOT NULL
JOIN payments_refund r ON r.payment_id = pb.payment_id
CROSS JOIN LATERAL (SELECT GREATEST(r.created_at, COALESCE(r.settled_at, r.created_at)) AS at) t
WHERE r.state = 'succeeded' AND r.currency = w.currency AND t.at < w.e
  AND NOT EXISTS (SELECT 1 FROM payments_payoutbasisitem b
                   WHERE b.schedule_id = w.schedule_id AND b.refund_id = r.id)
ORDER BY w.schedule_id, r.id, w.e
"""

_BASIS_TOTALS_SQL = """
SELECT payout_id, COALESCE(SUM(amount) FILTER (WHERE amount > 0), 0),
       COALESCE(-SUM(amount) FILTER (WHERE amount < 0), 0)
FROM payments_payoutbasisitem WHERE payout_id = ANY(%s::bigint[]) GROUP BY payout_id
"""

_CARRIES_SQL = """
SELECT DISTINCT ON (schedule_id) schedule_id, COALESCE(carried_out, 0)
FROM payments_payout WHERE schedule_id = ANY(%s::bigint[]) AND NOT (id = ANY(%s::bigint[]))
ORDER BY schedule_id, period_start DESC
"""

_AMOUNTS_SQL = """
UPDATE payments_payout o SET amount = r.amount, state = r.state,
    payments_total = r.payments_total, refunds_total = r.refunds_total,
    carried_in = r.carried_in, carried_out = r.carried_out
FROM jsonb_to_recordset(%s::jsonb) AS r(id bigint, amount numeric, state text,
    payments_total numeric, refunds_total numeric, carried_in numeric, carried_out numeric)
WHERE o.id = r.id
"""


def counts_from(schedule: PayoutSchedule, payee: Payee) -> datetime:
    """Payments recorded from this instant count for the schedule's percentage payouts."""
    return schedule.counts_from or schedule_period(schedule, payee, 0).start


def _percentage_basis(created: Sequence[Payout], schedules: dict[int, PayoutSchedule]) -> None:
    """Record what the new percentage payouts count (INSERT ... SELECT: payments, then refunds
    of counted payments), then their amounts: net = payments - refunds + the negative net
    carried from the schedule's previous payout; amount = p% of the net when above 0, rounded
    once; a negative net is carried to the next payout. Five statements for any number."""
    pct = sorted(
        (p for p in created if p.amount_kind == AmountKind.PERCENTAGE),
        key=lambda p: (p.schedule_id, p.period_start),
    )
    if not pct:
        return
    windows = json.dumps(
        [
            {"payout_id": p.pk, "schedule_id": p.schedule_id, "payee_id": p.payee_id,
             "currency": p.currency,
             "f": counts_from(schedules[p.schedule_id], p.payee).isoformat(),
             "e": p.period_end.isoformat()}
            for p in pct
        ]
    )  # fmt: skip
    ids = [p.pk for p in pct]
    with connection.cursor() as cursor:
        cursor.execute(_BASIS_PAYMENTS_SQL, [windows])
        cursor.execute(_BASIS_REFUNDS_SQL, [windows])
        cursor.execute(_BASIS_TOTALS_SQL, [ids])
        totals = {k: (Decimal(a), Decimal(b)) for k, a, b in cursor.fetchall()}
        cursor.execute(_CARRIES_SQL, [sorted({p.schedule_id for p in pct}), ids])
        carry = {k: Decimal(v) for k, v in cursor.fetchall()}
        rows = []
        for p in pct:
            schedule = schedules[p.schedule_id]
            assert schedule.percentage is not None
            paid, refunded = totals.get(p.pk, (ZERO, ZERO))
            carried_in = carry.get(p.schedule_id, ZERO)
            net = paid - refunded + carried_in
            p.amount = percentage_amount(schedule.percentage, net, p.currency)
            p.state = PayoutState.PENDING if p.amount > 0 else PayoutState.SKIPPED
            p.payments_total, p.refunds_total = paid, refunded
            p.carried_in, p.carried_out = carried_in, min(net, ZERO)
            carry[p.schedule_id] = p.carried_out
            rows.append(
                {"id": p.pk, "amount": str(p.amount), "state": p.state,
                 "payments_total": str(paid), "refunds_total": str(refunded),
                 "carried_in": str(carried_in), "carried_out": str(p.carried_out)}
            )  # fmt: skip
        cursor.execute(_AMOUNTS_SQL, [json.dumps(rows)])


# ---------------------------------------------------------------------------------------------
# 1. creating the payouts of ended periods


def _due_schedules(as_of: datetime) -> Any:
    return PayoutSchedule.objects.filter(
        active=True, next_period_end__lte=as_of, payee__state=PayeeState.ACTIVE
    )


def payouts_create_due(
    *, as_of: datetime, actor: Actor, schedule_ids: Sequence[int] | None = None
) -> dict[str, int]:
    """Payouts for every period ended by `as_of` of the due schedules (or of `schedule_ids`
    only), SCHEDULE_CHUNK schedules a transaction; see the module's note. Counts."""
    report: Counter[str] = Counter(created=0, skipped=0)
    after = 0
    while True:
        due = _due_schedules(as_of).filter(pk__gt=after)
        if schedule_ids is not None:
            due = due.filter(pk__in=list(schedule_ids))
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:SCHEDULE_CHUNK])
        if not ids:
            return dict(report)
        after = ids[-1]
        report.update(_create_chunk(ids, as_of=as_of, actor=actor))


def _create_chunk(ids: Sequence[int], *, as_of: datetime, actor: Actor) -> dict[str, int]:
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payouts due"):
        schedules = list(
            _due_schedules(as_of)
            .select_for_update(of=("self",))
            .select_related("payee")
            .filter(pk__in=list(ids))
            .order_by("pk")
        )
        return payouts_create_ended(schedules, as_of=as_of, actor=actor)


def payouts_create_ended(
    schedules: Sequence[PayoutSchedule], *, as_of: datetime, actor: Actor
) -> dict[str, int]:
    """The payouts of every period of `schedules` ended by `as_of` (at most
    MAX_PERIODS_PER_RUN each), in the caller's transaction: the schedules are LOCKED by the
    caller, their `payee` loaded. The clock, switching a schedule off and archiving a payee
    all create payouts through here. Counts."""
    planned: list[tuple[PayoutSchedule, periods.Period]] = []
    changed: list[PayoutSchedule] = []
    for s in schedules:
        n = s.next_index
        while n - s.next_index < MAX_PERIODS_PER_RUN:
            p = schedule_period(s, s.payee, n)
            if p.end > as_of:
                break
            planned.append((s, p))
            n += 1
        if n == s.next_index:
            continue
        following = schedule_period(s, s.payee, n)
        s.next_index, s.next_period_start = n, following.start
        s.next_period_end, s.updated_at = following.end, as_of
        changed.append(s)
    rows = []
    for s, p in planned:
        row: dict[str, Any] = {
            "payee_id": s.payee_id, "schedule_id": s.pk, "period_start": p.start.isoformat(),
            "period_end": p.end.isoformat(), "amount_kind": s.amount_kind,
            "currency": s.currency, "idempotency_key": payout_key(s.pk, p.start),
            "percentage": None, "payments_total": None, "refunds_total": None,
        }  # fmt: skip
        if s.amount_kind == AmountKind.PERCENTAGE:
            # amount and state come from the basis, once the payouts exist (below)
            row.update(percentage=str(s.percentage), amount="0", state=PayoutState.SKIPPED)
        else:
            assert s.fixed_amount is not None
            row.update(amount=str(quantize(s.fixed_amount, s.currency)), state=PayoutState.PENDING)
        rows.append(row)
    created = _insert(rows, as_of=as_of, actor=actor)
    _percentage_basis(created, {s.pk: s for s in schedules})
    PayoutSchedule.objects.bulk_update(
        changed, ["next_index", "next_period_start", "next_period_end", "updated_at"]
    )
    _created_write(created, as_of=as_of, actor=actor)
    return {
        "created": sum(1 for p in created if p.state == PayoutState.PENDING),
        "skipped": sum(1 for p in created if p.state == PayoutState.SKIPPED),
    }


def _insert(rows: list[dict[str, Any]], *, as_of: datetime, actor: Actor) -> list[Payout]:
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO payments_payout (
                payee_id, schedule_id, period_start, period_end, amount_kind, amount, currency,
                percentage, payments_total, refunds_total, state, gateway, gateway_reference,
                idempotency_key, attempts, failure_code, failure_message, cancel_reason,
                created_by, created_at, updated_at)
            SELECT r.payee_id, r.schedule_id, r.period_start, r.period_end, r.amount_kind,
                   r.amount, r.currency, r.percentage, r.payments_total, r.refunds_total,
                   r.state, '', '', r.idempotency_key, 0, '', '', '', %s, %s, %s
            FROM jsonb_to_recordset(%s::jsonb) AS r(
                payee_id bigint, schedule_id bigint, period_start timestamptz,
                period_end timestamptz, amount_kind text, amount numeric, currency text,
                percentage numeric, payments_total numeric, refunds_total numeric, state text,
                idempotency_key text)
            ON CONFLICT (schedule_id, period_start) DO NOTHING
            RETURNING id
            """,
            [actor.label, as_of, as_of, json.dumps(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return list(Payout.objects.select_related("payee").filter(pk__in=ids).order_by("pk"))


def payout_payload(payout: Payout) -> dict[str, Any]:
    return {
        "payout": payout.pk,
        "payee": payout.payee.external_id,
        "schedule": payout.schedule_id,
        "period_start": payout.period_start.isoformat(),
        "period_end": payout.period_end.isoformat(),
        "amount": str(quantize(payout.amount, payout.currency)),
        "currency": payout.currency,
        "amount_kind": payout.amount_kind,
        "payments_total": None if payout.payments_total is None else str(payout.payments_total),
        "refunds_total": None if payout.refunds_total is None else str(payout.refunds_total),
        "carried_in": None if payout.carried_in is None else str(payout.carried_in),
        "carried_out": None if payout.carried_out is None else str(payout.carried_out),
        "state": payout.state,
        "attempts": payout.attempts,
        "gateway": payout.gateway,
        "gateway_reference": payout.gateway_reference,
        "failure_code": payout.failure_code,
    }


def payout_event(kind: str, payout: Payout, as_of: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "subject_type": "payout",
        "subject_id": payout.pk,
        "payload": {**payout_payload(payout), **extra},
        "occurred_at": as_of,
    }


def payout_posting(
    payout: Payout, amounts: list[tuple[str, Decimal]], memo: str, at: datetime
) -> Posting:
    return Posting(
        customer_id=None, currency=payout.currency, amounts=amounts, document_type="payout",
        document_id=payout.pk, memo=f"payout #{payout.pk} to {payout.payee.external_id}: {memo}",
        at=at,
    )  # fmt: skip


def _created_write(created: Sequence[Payout], *, as_of: datetime, actor: Actor) -> None:
    owed = [p for p in created if p.state == PayoutState.PENDING]
    ledger_post_many(
        [
            payout_posting(
                p,
                [
                    (LedgerAccount.PAYOUT_EXPENSE, p.amount),
                    (LedgerAccount.PAYOUTS_PAYABLE, -p.amount),
                ],
                "earned",
                as_of,
            )
            for p in owed
        ]
    )
    journal_write_many(
        [
            payout_event(
                "payout.created" if p.state == PayoutState.PENDING else "payout.skipped", p, as_of
            )
            for p in created
        ],
        actor=actor,
    )
    executions_schedule([p.pk for p in owed])


def executions_schedule(payout_ids: Sequence[int]) -> None:
    """Queue the execution of payouts after the current transaction commits (at once outside
    one), EXECUTE_CHUNK a task."""
    ids = sorted(payout_ids)
    for i in range(0, len(ids), EXECUTE_CHUNK):
        transaction.on_commit(partial(_enqueue_execute, ids[i : i + EXECUTE_CHUNK]), robust=True)


def _enqueue_execute(payout_ids: list[int]) -> None:
    from payments.tasks.payouts import payouts_execute_task

    payouts_execute_task.delay(payout_ids)


# ---------------------------------------------------------------------------------------------
# 2. executing


@dataclass(frozen=True)
class PayoutAnswer:
    payout_id: int
    attempt: int
    action: str  # PayoutCall.Action
    gateway: str
    idempotency_key: str
    result: Result


def _claim(payout_ids: Sequence[int], *, as_of: datetime, actor: Actor) -> list[Payout]:
    """Pending payouts due → processing (attempt + 1, sent now, the payee's default method),
    one UPDATE ... RETURNING under row locks by id, committed before any gateway call. A payout
    whose payee has no active default method on an enabled gateway is not claimed to be sent:
    its attempt is recorded as failed (`no_payout_method`, retried like any retryable failure)
    in the same transaction, so no payout is ever processing without a gateway to ask."""
    enabled = [g for g in settings.PAYMENT_GATEWAYS if g in PayoutGateway.values]
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payout claimed"):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH c AS (
                    SELECT id FROM payments_payout
                    WHERE id = ANY(%s::bigint[]) AND state = 'pending'
                      AND (next_retry_at IS NULL OR next_retry_at <= %s)
                    ORDER BY id FOR UPDATE
                )
                , m AS (
                    SELECT o.id AS payout_id, pm.id AS method_id, pm.gateway
                    FROM c JOIN payments_payout o ON o.id = c.id
                    LEFT JOIN payments_payoutmethod pm
                        ON pm.payee_id = o.payee_id AND pm.is_default AND pm.state = 'active'
                        AND pm.gateway = ANY(%s)
                )
                UPDATE payments_payout p SET
                    state = 'processing', attempts = p.attempts + 1, requested_at = %s,
                    next_retry_at = NULL, updated_at = %s,
                    method_id = m.method_id, gateway = COALESCE(m.gateway, '')
                FROM m
                WHERE p.id = m.payout_id RETURNING p.id, m.method_id IS NULL
                """,
                [list(payout_ids), as_of, enabled, as_of, as_of],
            )
            rows = cursor.fetchall()
        claimed = list(
            Payout.objects.select_related("method", "payee")
            .filter(pk__in=[pk for pk, _ in rows])
            .order_by("pk")
        )
        without = {pk for pk, none in rows if none}
        _answers_write(
            [_no_method_answer(p) for p in claimed if p.pk in without], as_of=as_of, actor=actor
        )
        return [p for p in claimed if p.pk not in without]


def _no_method_answer(payout: Payout) -> PayoutAnswer:
    result = Result(
        Outcome.FAILED,
        reason=NO_METHOD,
        message="The payee has no active default payout method on an enabled gateway.",
        retryable=True,
    )
    return PayoutAnswer(
        payout.pk, payout.attempts, PayoutCall.Action.PAYOUT, "", payout.attempt_key(), result
    )


def _gateway(cache: dict[str, Gateway | GatewayError], name: str) -> Gateway | GatewayError:
    if name not in cache:
        try:
            cache[name] = gateway_named(name)
        except GatewayError as error:
            cache[name] = error
    return cache[name]


def _send(cache: dict[str, Gateway | GatewayError], payout: Payout) -> PayoutAnswer:
    """The gateway's `payout` for the payout's current attempt (no transaction open)."""
    key = payout.attempt_key()
    method = payout.method
    if method is None:
        return _no_method_answer(payout)
    gw = _gateway(cache, method.gateway)
    try:
        if isinstance(gw, GatewayError):
            raise gw
        result = gw.payout(
            token=method.token,
            amount=quantize(payout.amount, payout.currency),
            currency=payout.currency,
            idempotency_key=key,
            description=f"payout #{payout.pk} to {payout.payee.external_id}",
            metadata={"payout": payout.idempotency_key, "payee": payout.payee.external_id},
        )
    except GatewayError as error:
        result = Result(Outcome.FAILED, reason=error.code, message=error.message[:255])
    return PayoutAnswer(
        payout.pk, payout.attempts, PayoutCall.Action.PAYOUT, method.gateway, key, result
    )


def payouts_execute(*, payout_ids: Sequence[int], as_of: datetime, actor: Actor) -> dict[str, int]:
    """Send the due pending payouts among `payout_ids` (see the module's note): claim (one
    transaction), the gateways (none), record the answers (one transaction). Payouts not
    pending or not due are left alone. Counts by outcome."""
    claimed = _claim(payout_ids, as_of=as_of, actor=actor)
    cache: dict[str, Gateway | GatewayError] = {}
    answers = [_send(cache, p) for p in claimed]
    payout_answers_record(answers=answers, as_of=as_of, actor=actor)
    counts = {o.value: 0 for o in Outcome}
    for a in answers:
        counts[a.result.outcome.value] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# 3. recording the answers


def payout_answers_record(
    *, answers: Sequence[PayoutAnswer], as_of: datetime, actor: Actor
) -> list[Payout]:
    """The one place gateway answers about payouts become facts (see the module's note).
    Returns the payouts whose state changed."""
    if not answers:
        return []
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payout answer"):
        return _answers_write(answers, as_of=as_of, actor=actor)


def _answers_write(
    answers: Sequence[PayoutAnswer], *, as_of: datetime, actor: Actor
) -> list[Payout]:
    """`payout_answers_record` in the caller's transaction."""
    if not answers:
        return []
    ids = sorted({a.payout_id for a in answers})
    payouts = {
        p.pk: p
        for p in Payout.objects.select_for_update(of=("self",))
        .select_related("payee")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    copy_insert(
        [
            PayoutCall(
                payout_id=a.payout_id, attempt=a.attempt, gateway=a.gateway, action=a.action,
                idempotency_key=a.idempotency_key, outcome=a.result.outcome.value,
                reference=a.result.reference[:255], reason=a.result.reason[:64],
                message=a.result.message[:255], raw=a.result.raw, at=as_of,
            )
            for a in answers
            if a.payout_id in payouts
        ]
    )  # fmt: skip
    paid: list[Payout] = []
    failed: list[Payout] = []
    for a in answers:
        payout = payouts.get(a.payout_id)
        if payout is None or payout.state != PayoutState.PROCESSING:
            continue  # a repeated or late answer: recorded only
        if a.attempt != payout.attempts or a.result.outcome is Outcome.UNKNOWN:
            continue
        if a.action == PayoutCall.Action.STATUS and a.result.reason == "not_found":
            continue  # never reached the gateway: the reconciler sends it with the same key
        result = a.result
        payout.updated_at = as_of
        if result.outcome is Outcome.SUCCEEDED:
            payout.state = PayoutState.PAID
            payout.paid_at = as_of
            payout.gateway_reference = result.reference[:255]
            payout.failure_code = payout.failure_message = ""
            paid.append(payout)
            continue
        payout.failure_code = (result.reason or "failed")[:64]
        payout.failure_message = result.message[:255]
        if result.retryable and payout.attempts <= len(RETRY_DAYS):
            payout.state = PayoutState.PENDING
            payout.next_retry_at = as_of + timedelta(days=RETRY_DAYS[payout.attempts - 1])
        else:
            payout.state = PayoutState.FAILED
            payout.next_retry_at = None
        failed.append(payout)
    Payout.objects.bulk_update(
        paid + failed,
        ["state", "paid_at", "gateway_reference", "failure_code", "failure_message",
         "next_retry_at", "updated_at"],
    )  # fmt: skip
    ledger_post_many(
        [
            payout_posting(
                p,
                [(LedgerAccount.PAYOUTS_PAYABLE, p.amount), (LedgerAccount.CASH, -p.amount)],
                f"paid ({p.gateway} {p.gateway_reference})",
                as_of,
            )
            for p in paid
        ]
    )
    journal_write_many(
        [payout_event("payout.paid", p, as_of) for p in paid]
        + [
            payout_event(
                "payout.failed", p, as_of, failure_message=p.failure_message,
                retry_at=p.next_retry_at.isoformat() if p.next_retry_at else None,
                gives_up=p.state == PayoutState.FAILED,
            )
            for p in failed
        ],
        actor=actor,
    )  # fmt: skip
    return paid + failed


# ---------------------------------------------------------------------------------------------
# 4. the reconciler and the clock hook


def payouts_reconcile(*, as_of: datetime, actor: Actor) -> dict[str, int]:
    """Processing payouts sent at least `reconcile_after()` ago: the gateway's `status` with
    the attempt's key; a key it never saw is sent again with that key, holding the payout's row
    lock (skip locked: two reconcilers never send it at once). Counts."""
    before = as_of - reconcile_after()
    stale = list(
        Payout.objects.select_related("method", "payee")
        .filter(state=PayoutState.PROCESSING, requested_at__lte=before)
        .order_by("pk")
    )
    cache: dict[str, Gateway | GatewayError] = {}
    answers: list[PayoutAnswer] = []
    unseen: list[PayoutAnswer] = []
    for payout in stale:
        key = payout.attempt_key()
        gw = _gateway(cache, payout.gateway) if payout.gateway else None
        if gw is None or isinstance(gw, GatewayError):
            continue  # no gateway to ask (disabled since): ask again later
        try:
            status = gw.status(idempotency_key=key)
        except GatewayError as error:
            status = Result(Outcome.UNKNOWN, reason=error.code, message=error.message[:255])
        answer = PayoutAnswer(
            payout.pk, payout.attempts, PayoutCall.Action.STATUS, payout.gateway, key, status
        )
        if status.outcome is Outcome.FAILED and status.reason == "not_found":
            unseen.append(answer)
        else:
            answers.append(answer)
    changed = payout_answers_record(answers=answers, as_of=as_of, actor=actor)
    for asked in unseen:
        changed += _send_again(cache, asked, as_of=as_of, actor=actor)
    return {"asked": len(stale), "resolved": len(changed)}


def _send_again(
    cache: dict[str, Gateway | GatewayError],
    asked: PayoutAnswer,
    *,
    as_of: datetime,
    actor: Actor,
) -> list[Payout]:
    """Send a payout the gateway never saw (`asked`: its `status` answered not_found) again
    with the same key, under its row lock taken with SKIP LOCKED — a payout another reconciler
    is sending is left to it (and `asked` is not recorded) — and record both answers before the
    lock is released. The call is inside the transaction on purpose: the lock is what keeps a
    second sender out; the same key keeps the gateway from paying twice."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payout answer"):
        payout = (
            Payout.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("method", "payee")
            .filter(pk=asked.payout_id, state=PayoutState.PROCESSING, attempts=asked.attempt)
            .first()
        )
        if payout is None:
            return []
        return _answers_write([asked, _send(cache, payout)], as_of=as_of, actor=actor)


def _lost_or_due(as_of: datetime) -> Q:
    before = as_of - reconcile_after()
    return Q(state=PayoutState.PENDING) & (
        Q(next_retry_at__lte=as_of) | Q(next_retry_at__isnull=True, updated_at__lte=before)
    )


def payouts_due(as_of: datetime) -> dict[str, int]:
    """The clock hook: create the payouts of ended periods (queued after their commit), queue
    the pending payouts whose retry came or whose task was lost, and the reconciler when a
    payout has waited for its answer too long."""
    report = payouts_create_due(as_of=as_of, actor=PAYOUTER)
    due = list(
        Payout.objects.filter(_lost_or_due(as_of)).order_by("pk").values_list("pk", flat=True)
    )
    executions_schedule(due)
    stale = Payout.objects.filter(
        state=PayoutState.PROCESSING, requested_at__lte=as_of - reconcile_after()
    ).count()
    if stale:
        transaction.on_commit(partial(_enqueue_reconcile, as_of.isoformat()), robust=True)
    return {**report, "queued": len(due), "to_reconcile": stale}


def _enqueue_reconcile(as_of: str) -> None:
    from payments.tasks.payouts import payouts_reconcile_task

    payouts_reconcile_task.delay(as_of)


def active_default_method(payee_id: int) -> PayoutMethod | None:
    return PayoutMethod.objects.filter(
        payee_id=payee_id, is_default=True, state=PayoutMethodState.ACTIVE
    ).first()
