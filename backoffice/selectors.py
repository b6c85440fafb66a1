"""Reads for the finance dashboard: every figure for one currency and a period of UTC months,
as of an instant given by the caller (views read the clock; nothing here does).

Each figure is one set-based query, whatever the number of rows (about a dozen statements for the
whole dashboard). Test customers (on a test clock) are left out of every money figure. They read
from the read replica when DATABASE_REPLICA_URL configures one (core.db.on_replica): the figures
may be a few seconds behind the primary.

- MRR and its movements: see backoffice/dashboard.py for the definition; `mrr_by_month` rebuilds
  every subscription's history in SQL (its segments between applied changes and price moves at
  renewals, ordered by (instant, kind, id), by window functions,
  the month ends by generate_series, trials and pauses), rounds each customer's month once,
  exactly (integer arithmetic on the normalized fees over a common denominator), then compares
  each customer's month with the one before (a full join of the customer-months with MRR > 0).
- Invoiced revenue: the totals (tax included) of invoices finalized in the month (void ones too:
  a month's figure does not change when an invoice is voided later), prepaid credit sold (wallet
  top-ups' `prepaid` lines) left out: it becomes revenue on the invoices it later pays, which
  count whole; net: less the credit notes issued in the month (by their issue date, whatever
  the invoice's month) and the invoices voided in the month (by `voided_at`).
- Collected revenue: succeeded payments by the month they were received, less succeeded refunds
  by the month they settled.
- Failed payments: invoices whose payment failed, each once (however many attempts failed), in
  the month of its first failure, for the amount that first failed; recovered: those paid now
  by a succeeded payment applied after that failure (an invoice a credit note cleared is not
  recovered). Recovery rate = recovered / failed.
- Dunning: customers by the dunning state they are in now.
- Usage: usage events by metric whose event time is in the period (every customer: usage is not
  money; the partitions outside the period are not read).
- Upcoming renewals: subscriptions that renew (active, trialing or past due, not canceling at
  period end, no end before) whose current period ends within 30 days of `as_of`, with the fixed
  fee of their next period (fee x quantity, rounded; usage not included): the plan and quantity
  of a change scheduled for the period's end, priced with the plan's published version in
  force when the next period starts (the clock's roll), else the current version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.db.models import Count, Sum

from backoffice.dashboard import (
    MOVEMENTS,
    ZERO,
    MonthFigures,
    instant_of,
    month_end,
    month_start,
    monthly_factor,
    months,
)
from catalog.money import from_minor_units, get_currency, quantize
from core.db import on_replica
from payments import reports

RENEWAL_DAYS = 30
RENEWALS_SHOWN = 10


def _rows(sql: str, params: dict[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    with on_replica() as alias, connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# ------------------------------------------------------------------------------- currencies


def dashboard_currencies() -> list[tuple[str, int]]:
    """Currencies with their number of finalized invoices, most first (then by code); the
    currencies of customers without an invoice yet follow with 0. One query."""
    rows = _rows(
        """
        SELECT c.currency, coalesce(i.n, 0) AS n
        FROM (SELECT DISTINCT currency FROM billing_customer WHERE test_clock_id IS NULL) AS c
        LEFT JOIN (SELECT currency, count(*) AS n FROM invoicing_invoice
                   WHERE finalized_at IS NOT NULL GROUP BY currency) AS i
               ON i.currency = c.currency
        ORDER BY n DESC, c.currency
        """,
        [],
    )
    return [(str(code), int(n)) for code, n in rows]


# ---------------------------------------------------------------------------------- MRR

_MRR_CTES = """
WITH subs AS (
    SELECT s.id, s.customer_id, s.start_at, s.trial_end, s.plan_version_id, s.quantity,
           coalesce(s.ended_at, s.canceled_at, s.ends_at) AS end_at
    FROM billing_subscription AS s
    JOIN billing_customer AS c ON c.id = s.customer_id
    WHERE c.currency = %(currency)s AND c.test_clock_id IS NULL AND s.start_at < %(until)s
),
ev AS (
    -- applied changes and price moves at renewals, in the clock's order (instant, kind, id):
    -- at one instant a change applies before the period rolls
    SELECT x.subscription_id AS sub, x.effective_at AS at, 1 AS k, x.id,
           x.applied_plan_version_id AS pv, coalesce(x.new_quantity, x.from_quantity) AS qty,
           x.from_plan_version_id AS from_pv, x.from_quantity
    FROM billing_subscriptionchange AS x
    JOIN subs ON subs.id = x.subscription_id
    WHERE x.status = 'applied'
    UNION ALL
    SELECT m.subscription_id, m.effective_at, 2, m.id, m.to_plan_version_id, NULL,
           m.from_plan_version_id, NULL
    FROM billing_subscriptionpricemove AS m
    JOIN subs ON subs.id = m.subscription_id
),
first_pv AS (SELECT DISTINCT ON (sub) sub, from_pv FROM ev ORDER BY sub, at, k, id),
first_qty AS (
    SELECT DISTINCT ON (sub) sub, from_quantity FROM ev WHERE k = 1 ORDER BY sub, at, id
),
seg0 AS (
    -- before the first event, the terms it changed or moved from; then each event's
    SELECT s.id AS sub, s.customer_id, s.start_at AS seg_from, 0 AS k, 0::bigint AS id,
           coalesce(f.from_pv, s.plan_version_id) AS pv,
           coalesce(q.from_quantity, s.quantity) AS qty
    FROM subs AS s
    LEFT JOIN first_pv AS f ON f.sub = s.id
    LEFT JOIN first_qty AS q ON q.sub = s.id
    UNION ALL
    SELECT ev.sub, s.customer_id, ev.at, ev.k, ev.id, ev.pv, ev.qty
    FROM ev JOIN subs AS s ON s.id = ev.sub
),
seg AS (
    -- a price move keeps the quantity in force: the last one set before it
    SELECT sub, customer_id, seg_from, k, id, pv,
           first_value(qty) OVER (PARTITION BY sub, grp ORDER BY seg_from, k, id) AS qty
    FROM (SELECT seg0.*,
                 count(qty) OVER (PARTITION BY sub ORDER BY seg_from, k, id) AS grp
          FROM seg0) AS z
),
segs AS (
    -- each segment's paid window (lo, hi]: after its start and its trial, up to its end (a
    -- segment cut to nothing by a later event at the same instant never counts)
    SELECT seg.customer_id, seg.sub, seg.pv, seg.qty,
           greatest(seg.seg_from, s.trial_end) AS lo,
           least(lead(seg.seg_from) OVER (PARTITION BY seg.sub
                                          ORDER BY seg.seg_from, seg.k, seg.id),
                 s.end_at) AS hi
    FROM seg JOIN subs AS s ON s.id = seg.sub
),
books AS (
    -- a price book's monthly fee x the common denominator x 10^(places + exponent): an integer
    SELECT pv.id, (pv.fixed_fee * f.num * div(%(lcm)s, f.den) * %(up)s)::{unit_type} AS unit
    FROM catalog_planversion AS pv
    JOIN catalog_plan AS pl ON pl.id = pv.plan_id
    CROSS JOIN LATERAL (
        SELECT CASE pl.interval_unit WHEN 'day' THEN 365 WHEN 'week' THEN 52 ELSE 1 END AS num,
               CASE pl.interval_unit WHEN 'month' THEN pl.interval_count
                    ELSE 12 * pl.interval_count END AS den
    ) AS f
    WHERE pl.currency = %(currency)s
),
month_ends AS MATERIALIZED (
    SELECT m::date AS month, least(m + interval '1 month', %(as_of)s) AS t
    FROM generate_series(
        date_trunc('month', (SELECT min(start_at) FROM subs)), %(last)s, interval '1 month'
    ) AS m
),
cm AS (
    SELECT x.customer_id, mo.month, sum(b.unit * x.qty) AS u
    FROM segs AS x
    JOIN books AS b ON b.id = x.pv
    JOIN month_ends AS mo ON mo.t > x.lo AND (x.hi IS NULL OR mo.t <= x.hi)
    WHERE NOT EXISTS (
        SELECT 1 FROM billing_subscriptionpause AS p
        WHERE p.subscription_id = x.sub AND p.paused_at < mo.t
          AND (p.resumed_at IS NULL OR p.resumed_at >= mo.t)
    )
    GROUP BY x.customer_id, mo.month
),
live AS (
    -- rounded half away from zero to the currency's minor unit, once, in integers: exact
    SELECT customer_id, month, div(2 * u + %(lcm_up)s, 2 * %(lcm_up)s)::bigint AS mrr FROM cm
),
paid AS (SELECT * FROM live WHERE mrr > 0),
w AS (
    SELECT customer_id, month, mrr,
           lag(month) OVER c AS prev_month, lag(mrr) OVER c AS prev_mrr,
           lead(month) OVER c AS next_month, first_value(month) OVER c AS first
    FROM paid
    WINDOW c AS (PARTITION BY customer_id ORDER BY month)
),
flow AS (
    SELECT customer_id, month, mrr AS cur,
           CASE WHEN prev_month = (month - interval '1 month')::date THEN prev_mrr ELSE 0 END
               AS prev,
           CASE WHEN prev_month = (month - interval '1 month')::date THEN
                     CASE WHEN mrr > prev_mrr THEN 'expansion'
                          WHEN mrr < prev_mrr THEN 'contraction' END
                WHEN first < month THEN 'reactivation' ELSE 'new' END AS kind
    FROM w
    UNION ALL
    SELECT customer_id, (month + interval '1 month')::date, 0, mrr, 'churn'
    FROM w WHERE next_month IS DISTINCT FROM (month + interval '1 month')::date
),
moves AS (SELECT * FROM flow WHERE month BETWEEN %(first)s AND %(last)s)
"""


def _mrr_ctes(params: dict[str, Any]) -> str:
    # the type is one of two constants chosen by _mrr_params, never input
    return _MRR_CTES.replace("{unit_type}", params["unit_type"])


def _mrr_params(currency: str, first: date, last: date, as_of: datetime) -> dict[str, Any]:
    """The query's parameters; the common denominator of the monthly factors is computed from
    the currency's plans (one small query)."""
    rows = _rows(
        """
        SELECT pl.interval_unit, pl.interval_count, max(scale(trim_scale(pv.fixed_fee))),
               max(pv.fixed_fee)
        FROM catalog_plan AS pl JOIN catalog_planversion AS pv ON pv.plan_id = pl.id
        WHERE pl.currency = %s GROUP BY 1, 2
        """,
        [currency],
    )
    lcm = math.lcm(*(monthly_factor(unit, count)[1] for unit, count, _, _ in rows)) if rows else 1
    # the decimals the fees have (12 at most): times 10^places, every fee is an integer
    places = max((int(d or 0) for _, _, d, _ in rows), default=0)
    exponent = get_currency(currency).exponent
    up = Decimal(10) ** (places + exponent)
    biggest = max((Decimal(fee or 0) for _, _, _, fee in rows), default=ZERO)
    return {
        "currency": currency,
        "as_of": as_of,
        "until": instant_of(last, as_of),
        "first": first,
        "last": month_start(last),
        "lcm": lcm,
        "up": up,
        "lcm_up": Decimal(lcm) * Decimal(10) ** places,
        # 64-bit integers (fast) unless a customer's sum could pass them (a million seats of
        # the biggest fee, daily): then numeric
        "unit_type": "bigint" if biggest * up * 365 * lcm * 10**6 < 2**62 else "numeric",
    }


def mrr_by_month(*, currency: str, first: date, last: date, as_of: datetime) -> list[MonthFigures]:
    """MRR, customers paying, and each movement (count and amount) of every month of the period
    (see backoffice/dashboard.py). Two queries."""
    params = _mrr_params(currency, first, last, as_of)
    rows = _rows(
        _mrr_ctes(params)  # noqa: S608 (constants; the values are parameters)
        + """
        SELECT month, 'mrr' AS kind, count(*), sum(mrr) FROM paid
        WHERE month BETWEEN %(first)s AND %(last)s GROUP BY month
        UNION ALL
        SELECT month, kind, count(*), sum(cur - prev) FROM moves
        WHERE kind IS NOT NULL GROUP BY month, kind
        """,
        params,
    )
    out = {m: MonthFigures(m) for m in months(first, last)}
    for month, kind, count, amount in rows:
        figures = out[month]
        value = from_minor_units(int(amount), currency)
        if kind == "mrr":
            figures.mrr, figures.customers = value, int(count)
        else:
            figures.amounts[kind], figures.counts[kind] = value, int(count)
    return list(out.values())


@dataclass(frozen=True)
class MrrRow:
    customer_id: int
    external_id: str
    name: str
    previous: Decimal
    current: Decimal
    kind: str

    @property
    def change(self) -> Decimal:
        return self.current - self.previous


def mrr_rows(
    *, currency: str, month: date, kind: str, as_of: datetime, limit: int = 1000
) -> tuple[list[MrrRow], int]:
    """The customers behind a month's figure: `kind` "mrr" (every customer paying at the month's
    end) or a movement; biggest change first, at most `limit`, and how many there are."""
    if kind != "mrr" and kind not in MOVEMENTS:
        raise ValueError(f"unknown figure {kind!r}")
    params = {**_mrr_params(currency, month, month, as_of), "kind": kind, "limit": limit}
    rows = _rows(
        _mrr_ctes(params)  # noqa: S608 (constants; the values are parameters)
        + """
        , picked AS (
            SELECT customer_id, prev, cur, kind FROM moves
            WHERE %(kind)s <> 'mrr' AND kind = %(kind)s
            UNION ALL
            SELECT customer_id, 0, mrr, 'mrr' FROM paid
            WHERE %(kind)s = 'mrr' AND month = %(first)s
        )
        SELECT c.id, c.external_id, c.name, p.prev, p.cur, p.kind, count(*) OVER ()
        FROM picked AS p JOIN billing_customer AS c ON c.id = p.customer_id
        ORDER BY abs(p.cur - p.prev) DESC, c.external_id
        LIMIT %(limit)s
        """,
        params,
    )
    total = int(rows[0][6]) if rows else 0
    return [
        MrrRow(
            customer_id=r[0],
            external_id=r[1],
            name=r[2],
            previous=from_minor_units(int(r[3]), currency),
            current=from_minor_units(int(r[4]), currency),
            kind=r[5],
        )
        for r in rows
    ], total


# ------------------------------------------------------------------------------- revenue


@dataclass
class RevenueMonth:
    month: date
    invoiced: Decimal = ZERO
    invoice_count: int = 0
    credited: Decimal = ZERO
    credit_note_count: int = 0
    voided: Decimal = ZERO
    void_count: int = 0
    collected: Decimal = ZERO
    payment_count: int = 0
    refunded: Decimal = ZERO
    refund_count: int = 0
    failed_count: int = 0
    failed_amount: Decimal = ZERO
    recovered_count: int = 0

    @property
    def net_invoiced(self) -> Decimal:
        return self.invoiced - self.credited - self.voided

    @property
    def net_collected(self) -> Decimal:
        return self.collected - self.refunded

    @property
    def recovery_rate(self) -> Decimal | None:
        """Recovered / failed, as a fraction rounded to 4 places (None: nothing failed)."""
        if not self.failed_count:
            return None
        return (Decimal(self.recovered_count) / Decimal(self.failed_count)).quantize(
            Decimal("0.0001")
        )


def revenue_by_month(*, currency: str, first: date, last: date) -> list[RevenueMonth]:
    """Invoiced, credited, collected, refunded and failed payments, month by month. One query."""
    params = {"currency": currency, "start": month_start(first), "end": month_end(last)}
    rows = _rows(
        """
        WITH tests AS (SELECT id FROM billing_customer WHERE test_clock_id IS NOT NULL),
        prepaid AS (
            -- prepaid credit sold (wallet top-ups): not revenue when sold, only once used
            SELECT l.invoice_id, sum(l.amount) AS amount FROM invoicing_invoiceline AS l
            WHERE l.kind = 'prepaid' GROUP BY l.invoice_id
        )
        SELECT 'invoiced', date_trunc('month', i.finalized_at),
               count(*) FILTER (WHERE i.total <> coalesce(pp.amount, 0)),
               coalesce(sum(i.total - coalesce(pp.amount, 0)), 0), 0
        FROM invoicing_invoice AS i LEFT JOIN prepaid AS pp ON pp.invoice_id = i.id
        WHERE i.currency = %(currency)s AND i.finalized_at >= %(start)s
          AND i.finalized_at < %(end)s
          AND i.customer_id NOT IN (SELECT id FROM tests)
        GROUP BY 2
        UNION ALL
        SELECT 'voided', date_trunc('month', i.voided_at),
               count(*) FILTER (WHERE i.total <> coalesce(pp.amount, 0)),
               coalesce(sum(i.total - coalesce(pp.amount, 0)), 0), 0
        FROM invoicing_invoice AS i LEFT JOIN prepaid AS pp ON pp.invoice_id = i.id
        WHERE i.currency = %(currency)s AND i.voided_at >= %(start)s
          AND i.voided_at < %(end)s AND i.finalized_at IS NOT NULL
          AND i.customer_id NOT IN (SELECT id FROM tests)
        GROUP BY 2
        UNION ALL
        SELECT 'credited', date_trunc('month', n.issued_at), count(*), sum(n.total), 0
        FROM invoicing_creditnote AS n JOIN invoicing_invoice AS i ON i.id = n.invoice_id
        WHERE n.currency = %(currency)s AND n.issued_at >= %(start)s AND n.issued_at < %(end)s
          AND i.customer_id NOT IN (SELECT id FROM tests)
        GROUP BY 2
        UNION ALL
        SELECT 'collected', date_trunc('month', p.received_at), count(*), sum(p.amount), 0
        FROM payments_payment AS p
        WHERE p.currency = %(currency)s AND p.state = 'succeeded'
          AND p.received_at >= %(start)s AND p.received_at < %(end)s
          AND p.customer_id NOT IN (SELECT id FROM tests)
        GROUP BY 2
        UNION ALL
        SELECT 'refunded', date_trunc('month', r.settled_at), count(*), sum(r.amount), 0
        FROM payments_refund AS r JOIN payments_payment AS p ON p.id = r.payment_id
        WHERE r.currency = %(currency)s AND r.state = 'succeeded'
          AND r.settled_at >= %(start)s AND r.settled_at < %(end)s
          AND p.customer_id NOT IN (SELECT id FROM tests)
        GROUP BY 2
        UNION ALL
        SELECT 'failed', date_trunc('month', f.first_at), count(*), sum(f.amount),
               count(*) FILTER (WHERE i.status = 'paid' AND EXISTS (
                   SELECT 1 FROM payments_allocation AS a
                   JOIN payments_payment AS q ON q.id = a.payment_id
                   WHERE a.invoice_id = f.invoice_id AND a.unapplied_at IS NULL
                     AND q.state = 'succeeded' AND a.created_at >= f.first_at))
        FROM (
            -- each invoice once (a payment without one on its own), at its first failure,
            -- for the amount that first failed
            SELECT p.invoice_id, min(p.created_at) AS first_at,
                   (array_agg(p.amount ORDER BY p.created_at, p.id))[1] AS amount
            FROM payments_payment AS p
            WHERE p.currency = %(currency)s AND p.state = 'failed' AND p.created_at < %(end)s
              AND p.customer_id NOT IN (SELECT id FROM tests)
            GROUP BY p.invoice_id, CASE WHEN p.invoice_id IS NULL THEN p.id END
        ) AS f
        LEFT JOIN invoicing_invoice AS i ON i.id = f.invoice_id
        WHERE f.first_at >= %(start)s
        GROUP BY 2
        """,
        params,
    )
    out = {m: RevenueMonth(m) for m in months(first, last)}
    for kind, at, count, amount, recovered in rows:
        r = out[at.date()]
        value = quantize(Decimal(amount), currency)
        if kind == "invoiced":
            r.invoiced, r.invoice_count = value, int(count)
        elif kind == "voided":
            r.voided, r.void_count = value, int(count)
        elif kind == "credited":
            r.credited, r.credit_note_count = value, int(count)
        elif kind == "collected":
            r.collected, r.payment_count = value, int(count)
        elif kind == "refunded":
            r.refunded, r.refund_count = value, int(count)
        else:
            r.failed_amount, r.failed_count, r.recovered_count = value, int(count), int(recovered)
    return list(out.values())


# ------------------------------------------------------------------------------- dunning


@dataclass(frozen=True)
class DunningCount:
    state_id: int
    code: str
    name: str
    position: int
    policy: str
    customers: int


def dunning_counts(*, currency: str) -> list[DunningCount]:
    """Customers of the currency in each dunning state now (states with none left out)."""
    rows = _rows(
        """
        SELECT st.id, st.code, st.name, st.position, pol.name, count(*)
        FROM payments_customerdunning AS d
        JOIN payments_dunningstate AS st ON st.id = d.state_id
        JOIN payments_dunningpolicy AS pol ON pol.id = st.policy_id
        JOIN billing_customer AS c ON c.id = d.customer_id
        WHERE c.currency = %s AND c.test_clock_id IS NULL
        GROUP BY st.id, st.code, st.name, st.position, pol.name
        ORDER BY pol.name, st.position
        """,
        [currency],
    )
    return [DunningCount(*row) for row in rows]


def dunning_customers(*, currency: str, state_id: int, limit: int = 1000) -> list[Any]:
    """The customers of the currency in a dunning state: (id, external id, name, entered)."""
    return _rows(
        """
        SELECT c.id, c.external_id, c.name, d.entered_at
        FROM payments_customerdunning AS d JOIN billing_customer AS c ON c.id = d.customer_id
        WHERE d.state_id = %s AND c.currency = %s AND c.test_clock_id IS NULL
        ORDER BY d.entered_at, c.external_id LIMIT %s
        """,
        [state_id, currency, limit],
    )


# --------------------------------------------------------------------------------- usage


@dataclass(frozen=True)
class UsageRow:
    metric_id: int
    code: str
    name: str
    aggregation: str
    events: int
    value_sum: Decimal | None


def usage_by_metric(*, first: date, last: date) -> list[UsageRow]:
    """Events and the sum of their values per metric, event time in the period."""
    rows = _rows(
        """
        SELECT m.id, m.code, m.name, m.aggregation, u.n, u.total
        FROM (SELECT metric_id, count(*) AS n, sum(value) AS total FROM billing_usageevent
              WHERE event_time >= %s AND event_time < %s GROUP BY metric_id) AS u
        JOIN catalog_billablemetric AS m ON m.id = u.metric_id
        ORDER BY m.code
        """,
        [month_start(first), month_end(last)],
    )
    return [UsageRow(*row) for row in rows]


# ------------------------------------------------------------------------------ renewals


@dataclass(frozen=True)
class Renewal:
    subscription_id: int
    customer_id: int
    external_id: str
    name: str
    plan: str
    status: str
    renews_at: datetime
    amount: Decimal


@dataclass
class Renewals:
    start: datetime
    end: datetime
    count: int = 0
    total: Decimal = ZERO
    rows: list[Renewal] = field(default_factory=list)


def renewals(
    *, currency: str, as_of: datetime, days: int = RENEWAL_DAYS, limit: int = RENEWALS_SHOWN
) -> Renewals:
    """Subscriptions renewing within `days` of `as_of`: how many, the sum of their next fixed
    fees (each rounded), and the first `limit` of them by date. One query."""
    end = as_of + timedelta(days=days)
    exponent = get_currency(currency).exponent
    rows = _rows(
        """
        SELECT s.id, c.id, c.external_id, c.name, pl.code, s.status, s.current_period_end,
               round(fee.fixed_fee * fee.quantity, %(exp)s) AS amount,
               count(*) OVER (), sum(round(fee.fixed_fee * fee.quantity, %(exp)s)) OVER ()
        FROM billing_subscription AS s
        JOIN billing_customer AS c ON c.id = s.customer_id
        JOIN catalog_planversion AS pv ON pv.id = s.plan_version_id
        -- a change scheduled for the period's end (one per instant) applies first
        LEFT JOIN billing_subscriptionchange AS ch
               ON ch.subscription_id = s.id AND ch.status = 'scheduled'
              AND ch.effective_at = s.current_period_end
        JOIN catalog_plan AS pl ON pl.id = coalesce(ch.new_plan_id, s.plan_id)
        -- the next period's price book: the plan's published version in force at its start
        -- (as the clock's roll picks it; without one the current version goes on)
        LEFT JOIN LATERAL (
            SELECT v.fixed_fee FROM catalog_planversion AS v
            WHERE v.plan_id = pl.id AND v.status = 'published'
              AND v.effective_from <= s.current_period_end
              AND (v.effective_until IS NULL OR v.effective_until > s.current_period_end)
            ORDER BY v.effective_from DESC LIMIT 1
        ) AS nv ON true
        CROSS JOIN LATERAL (
            SELECT coalesce(nv.fixed_fee, pv.fixed_fee) AS fixed_fee,
                   coalesce(ch.new_quantity, s.quantity) AS quantity
        ) AS fee
        WHERE c.currency = %(currency)s AND c.test_clock_id IS NULL
          AND s.status IN ('active', 'trialing', 'past_due') AND NOT s.cancel_at_period_end
          AND s.current_period_end >= %(start)s AND s.current_period_end < %(end)s
          AND (s.ends_at IS NULL OR s.ends_at > s.current_period_end)
        ORDER BY s.current_period_end, s.id
        LIMIT %(limit)s
        """,
        {"currency": currency, "start": as_of, "end": end, "exp": exponent, "limit": limit},
    )
    out = Renewals(start=as_of, end=end)
    if rows:
        out.count, out.total = int(rows[0][8]), quantize(Decimal(rows[0][9]), currency)
    out.rows = [
        Renewal(r[0], r[1], r[2], r[3], r[4], r[5], r[6], quantize(Decimal(r[7]), currency))
        for r in rows
    ]
    return out


# ---------------------------------------------------------------------------------- aging


def aging_of(*, currency: str, as_of: date) -> reports.CurrencyAging:
    """The AR aging of one currency on `as_of`: payments/reports.py's buckets and definition
    (its `_owing` invoices), without its top customers. One query."""
    aging = reports.CurrencyAging(currency)
    rows = (
        reports._owing(as_of)
        .filter(currency=currency)
        .values("bucket")
        .annotate(amount=Sum("amount_due"), n=Count("id"))
        .order_by("bucket")
    )
    for row in rows:
        if row["bucket"] == reports.WRITTEN_OFF:
            aging.written_off, aging.written_off_count = row["amount"], row["n"]
        else:
            aging.buckets[row["bucket"]] = row["amount"]
            aging.counts[row["bucket"]] = row["n"]
    return aging


# ----------------------------------------------------------------------------- dashboard


@dataclass
class Dashboard:
    currency: str
    first: date
    last: date
    as_of: datetime
    mrr: list[MonthFigures]
    revenue: list[RevenueMonth]
    aging: reports.CurrencyAging
    dunning: list[DunningCount]
    usage: list[UsageRow]
    renewals: Renewals

    @property
    def failed_count(self) -> int:
        return sum(r.failed_count for r in self.revenue)

    @property
    def recovered_count(self) -> int:
        return sum(r.recovered_count for r in self.revenue)

    @property
    def recovery_rate(self) -> Decimal | None:
        if not self.failed_count:
            return None
        return (Decimal(self.recovered_count) / Decimal(self.failed_count)).quantize(
            Decimal("0.0001")
        )


def dashboard(*, currency: str, first: date, last: date, as_of: datetime) -> Dashboard:
    """Every figure of the dashboard for `currency` over the months `first`..`last`."""
    with (
        on_replica() as alias,
        transaction.atomic(using=alias),
        connections[alias].cursor() as cursor,
    ):
        # the MRR's customer-months are sorted and hashed in memory, not on disk
        cursor.execute("SET LOCAL work_mem = '64MB'")
        return _dashboard(currency=currency, first=first, last=last, as_of=as_of)


def _dashboard(*, currency: str, first: date, last: date, as_of: datetime) -> Dashboard:
    aging = aging_of(currency=currency, as_of=as_of.date())
    return Dashboard(
        currency=currency,
        first=first,
        last=last,
        as_of=as_of,
        mrr=mrr_by_month(currency=currency, first=first, last=last, as_of=as_of),
        revenue=revenue_by_month(currency=currency, first=first, last=last),
        aging=aging,
        dunning=dunning_counts(currency=currency),
        usage=usage_by_metric(first=first, last=last),
        renewals=renewals(currency=currency, as_of=as_of),
    )
