"""Usage aggregation, in SQL. Never loads events into Python.

Per customer, metric and window [start, end) (an event exactly at `end` belongs to the next
window), optionally grouped by one event property:

- count:        the number of events;
- sum:          the sum of the metric's property;
- max:          its largest value;
- unique_count: the number of distinct values of the property;
- latest:       the value of the latest event in the window (by event time, then arrival);
- weighted_sum: time-weighted: each event's value is a change to a running level (+10 GB, -3 GB);
                the level carried in from before the window is the sum of all earlier values; the
                result is the level integrated over the window divided by the window's length,
                so 10 GB held for the whole period is 10, and for half of it 5.

The metric's filters ({"region": ["eu", "us"]}) keep only matching events. Each result carries
the number of events it read. Results feed the rating engine unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection

from catalog.models import BillableMetric


@dataclass(frozen=True)
class Aggregate:
    customer_id: int
    metric_code: str
    group: str | None
    quantity: Decimal
    events: int


EXPRESSIONS = {
    "count": "COUNT(*)",
    "sum": "COALESCE(SUM(value), 0)",
    "max": "COALESCE(MAX(value), 0)",
    "unique_count": "COUNT(DISTINCT properties ->> %(field)s)",
    "latest": "COALESCE((ARRAY_AGG(value ORDER BY event_time DESC, id DESC))[1], 0)",
}


def _filters(metric: BillableMetric, params: dict[str, Any]) -> str:
    clauses = []
    for i, (key, values) in enumerate(sorted((metric.filters or {}).items())):
        params[f"fk{i}"] = key
        params[f"fv{i}"] = list(values)
        clauses.append(f"AND properties ->> %(fk{i})s = ANY(%(fv{i})s)")
    return " ".join(clauses)


def aggregate(
    *,
    metric: BillableMetric,
    start: datetime,
    end: datetime,
    customer_ids: Sequence[int] | None = None,
    group_by: str | None = None,
) -> list[Aggregate]:
    """One set-based query for every customer (or the given ones)."""
    params: dict[str, Any] = {
        "metric": metric.pk,
        "start": start,
        "end": end,
        "field": metric.field_name,
        "group": group_by,
        "customers": list(customer_ids) if customer_ids is not None else None,
    }
    customer_clause = "AND customer_id = ANY(%(customers)s)" if customer_ids is not None else ""
    filters = _filters(metric, params)
    group_expr = "properties ->> %(group)s" if group_by else "NULL::text"
    if metric.aggregation == "weighted_sum":
        sql = _weighted_sql(customer_clause, filters, group_expr)
    else:
        expression = EXPRESSIONS[metric.aggregation]
        sql = f"""
            SELECT customer_id, {group_expr} AS grp, {expression} AS quantity, COUNT(*) AS events
            FROM billing_usageevent
            WHERE metric_id = %(metric)s AND event_time >= %(start)s AND event_time < %(end)s
              {customer_clause} {filters}
            GROUP BY 1, 2
        """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Aggregate(customer_id, metric.code, group, Decimal(quantity), int(events))
        for customer_id, group, quantity, events in rows
    ]


def _weighted_sql(customer_clause: str, filters: str, group_expr: str) -> str:
    return f"""
        WITH base AS (
            SELECT customer_id, {group_expr} AS grp, event_time, id, value
            FROM billing_usageevent
            WHERE metric_id = %(metric)s AND event_time < %(end)s {customer_clause} {filters}
        ),
        carried AS (
            SELECT customer_id, grp, %(start)s::timestamptz AS t, 0::bigint AS id,
                   SUM(value) AS delta, 0 AS counted
            FROM base WHERE event_time < %(start)s GROUP BY customer_id, grp
        ),
        points AS (
            SELECT * FROM carried
            UNION ALL
            SELECT customer_id, grp, event_time, id, value, 1
            FROM base WHERE event_time >= %(start)s
        ),
        levels AS (
            SELECT customer_id, grp, t, counted,
                   SUM(delta) OVER w AS level,
                   LEAD(t, 1, %(end)s::timestamptz) OVER w AS t_next
            FROM points
            WINDOW w AS (PARTITION BY customer_id, grp ORDER BY t, id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )
        SELECT customer_id, grp,
               SUM(level * EXTRACT(EPOCH FROM (t_next - t)))
                 / EXTRACT(EPOCH FROM (%(end)s::timestamptz - %(start)s::timestamptz)) AS quantity,
               SUM(counted) AS events
        FROM levels GROUP BY customer_id, grp
    """  # noqa: S608 - only fixed fragments are interpolated; values are parameters


Window = tuple[int, datetime, datetime]  # (customer id, start, end)

PAIRS = (
    "SELECT * FROM unnest(%(customers)s::bigint[], %(starts)s::timestamptz[], "
    "%(ends)s::timestamptz[]) AS w(cid, ws, we)"
)


def _pairs(metric: BillableMetric, windows: Sequence[Window]) -> tuple[dict[str, Any], str]:
    """The query parameters of (customer, window) pairs, and the metric's filters."""
    unique = sorted(set(windows))
    params: dict[str, Any] = {
        "metric": metric.pk,
        "field": metric.field_name,
        "customers": [w[0] for w in unique],
        "starts": [w[1] for w in unique],
        "ends": [w[2] for w in unique],
    }
    return params, _filters(metric, params)


def _per_window(
    metric: BillableMetric, windows: Sequence[Window], select: str
) -> list[tuple[Any, ...]]:
    """`select` over each pair's events (one query): rows of (customer, start, end, ...)."""
    params, filters = _pairs(metric, windows)
    sql = f"""
        WITH w AS ({PAIRS})
        SELECT w.cid, w.ws, w.we, {select}
        FROM w JOIN billing_usageevent e
          ON e.customer_id = w.cid AND e.metric_id = %(metric)s
         AND e.event_time >= w.ws AND e.event_time < w.we
        WHERE TRUE {filters}
        GROUP BY 1, 2, 3
    """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def aggregate_windows(
    *, metric: BillableMetric, windows: Sequence[Window]
) -> dict[Window, Aggregate]:
    """One metric over many (customer, window) pairs in one query, whatever their windows (a
    billing run's chunk): each pair's result, keyed by the pair. Pairs without events are
    absent (a quantity of 0)."""
    if not windows:
        return {}
    if metric.aggregation != "weighted_sum":
        rows = _per_window(metric, windows, f"{EXPRESSIONS[metric.aggregation]}, COUNT(*)")
    else:
        params, filters = _pairs(metric, windows)
        sql = f"""
            WITH w AS ({PAIRS}),
            base AS (
                SELECT w.cid, w.ws, w.we, e.event_time, e.id, e.value
                FROM w JOIN billing_usageevent e
                  ON e.customer_id = w.cid AND e.metric_id = %(metric)s AND e.event_time < w.we
                WHERE TRUE {filters}
            ),
            carried AS (
                SELECT cid, ws, we, ws AS t, 0::bigint AS id, SUM(value) AS delta, 0 AS counted
                FROM base WHERE event_time < ws GROUP BY cid, ws, we
            ),
            points AS (
                SELECT * FROM carried
                UNION ALL
                SELECT cid, ws, we, event_time, id, value, 1 FROM base WHERE event_time >= ws
            ),
            levels AS (
                SELECT cid, ws, we, t, counted, SUM(delta) OVER x AS level,
                       LEAD(t, 1, we) OVER x AS t_next
                FROM points
                WINDOW x AS (PARTITION BY cid, ws, we ORDER BY t, id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            )
            SELECT cid, ws, we,
                   SUM(level * EXTRACT(EPOCH FROM (t_next - t)))
                     / EXTRACT(EPOCH FROM (we - ws)) AS quantity,
                   SUM(counted) AS events
            FROM levels GROUP BY cid, ws, we
        """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = list(cursor.fetchall())
    return {
        (cid, ws, we): Aggregate(cid, metric.code, None, Decimal(quantity), int(events))
        for cid, ws, we, quantity, events in rows
    }


def transactions_windows(
    *, metric: BillableMetric, windows: Sequence[Window]
) -> dict[Window, list[Decimal]]:
    """Each (customer, window) pair's event values in time order, in one query (for charges
    priced per transaction)."""
    if not windows:
        return {}
    rows = _per_window(
        metric, windows, "ARRAY_AGG(COALESCE(e.value, 0) ORDER BY e.event_time, e.id)"
    )
    return {(cid, ws, we): [Decimal(v) for v in values] for cid, ws, we, values in rows}


def aggregate_one(
    *, metric: BillableMetric, customer_id: int, start: datetime, end: datetime
) -> Aggregate:
    found = aggregate(metric=metric, start=start, end=end, customer_ids=[customer_id])
    return found[0] if found else Aggregate(customer_id, metric.code, None, Decimal(0), 0)


def reproduce_sql(metric: BillableMetric, customer_id: int, start: datetime, end: datetime) -> str:
    """A query a person can run to check an aggregate (for explanations)."""
    expression = EXPRESSIONS.get(metric.aggregation, "(time-weighted: see billing/aggregation.py)")
    expression = expression.replace("%(field)s", f"'{metric.field_name}'")
    return (  # shown to people, never executed by us
        f"SELECT {expression}, COUNT(*) FROM billing_usageevent WHERE customer_id = {customer_id} "  # noqa: S608
        f"AND metric_id = {metric.pk} AND event_time >= '{start.isoformat()}' "
        f"AND event_time < '{end.isoformat()}'"
    )


def current_usage(*, customer_id: int, as_of: datetime) -> list[dict[str, Any]]:
    """For each live subscription of the customer: its current period, and for each usage charge
    of its price book the quantity so far and the estimated charge, with the explanation. A
    metering view: what the customer will be billed is the upcoming invoice (invoicing's
    planner), which this agrees with for a period's usage charges. A trial bills nothing."""
    from billing.enums import ENTITLED
    from billing.models import Subscription
    from catalog.pricing import Percentage
    from catalog.selectors import charge_rater

    result = []
    subscriptions = Subscription.objects.filter(
        customer_id=customer_id, status__in=ENTITLED
    ).select_related("plan", "plan_version__plan")
    for sub in subscriptions:
        start, end = sub.current_period_start, sub.current_period_end
        in_trial = sub.trial_end is not None and end <= sub.trial_end
        charges = []
        for charge in sub.plan_version.charges.select_related("metric", "plan_version__plan"):
            found = aggregate_one(
                metric=charge.metric, customer_id=customer_id, start=start, end=end
            )
            rater = charge_rater(charge=charge)
            if isinstance(rater, Percentage) and rater.per_transaction:
                window = (customer_id, start, end)
                values = transactions_windows(metric=charge.metric, windows=[window])
                rating = rater.rate_transactions(values.get(window, []))
            else:
                rating = rater.rate(found.quantity)
            explanation: dict[str, Any] = rating.explanation()
            amount = "0" if in_trial else str(rating.total)  # with a minimum's true-up
            explanation.update(
                metric=charge.metric.code,
                aggregation=charge.metric.aggregation,
                window={"start": start.isoformat(), "end": end.isoformat()},
                event_count=found.events,
                query=reproduce_sql(charge.metric, customer_id, start, end),
            )
            if in_trial:
                explanation["trial"] = "in its trial: not billed"
            charges.append(
                {
                    "metric": charge.metric.code,
                    "name": charge.display_name or charge.metric.name,
                    "quantity": str(found.quantity),
                    "events": found.events,
                    "estimated_amount": amount,
                    "currency": sub.plan.currency,
                    "explanation": explanation,
                }
            )
        result.append(
            {
                "subscription": sub.pk,
                "plan_version": sub.plan_version.label,
                "period_start": start,
                "period_end": end,
                "as_of": as_of,
                "charges": charges,
            }
        )
    return result
