"""Usage aggregation, in SQL. Never loads events into Python.

Per customer, metric and window [start, end) (an event exactly at `end` belongs to the next
window), optionally grouped by one event property:

- count:        the number of events;
- sum:          the sum of the metric's property;
- max:          its largest value;
- unique_count: the number of distinct values of the property present at the window's end: each
                event adds its value (operation "add", the default) or takes it away
                ("remove"); a value counts when its last event in the window (by event time,
                then arrival) is an add. So users a, b, c added and b removed count 2; a value
                only removed counts nothing (never below zero); removed then added again, it
                counts. Without removes this is COUNT(DISTINCT value), as before;
- latest:       the value of the latest event in the window (by event time, then arrival);
- weighted_sum: time-weighted: each event's value is a change to a running level (+10 GB, -3 GB);
                the level carried in from before the window is the sum of all earlier values; the
                result is the level integrated over the window divided by the window's length,
                so 10 GB held for the whole period is 10, and for half of it 5.

Recurring metrics (BillableMetric.recurring: sum and unique count): the quantity carries from
period to period instead of starting from zero. A window's quantity is computed over all of the
customer's events before the window's end since its subscription started (`SUBSCRIPTION_SINCE`:
an earlier, ended subscription's level is not carried), not only the window's: a recurring sum
is the level at the end (+5 seats, then -2: 3, in that window and every later one with no
event), a recurring unique count the values added and not removed by the end (whenever they were
added). A window reports the number of its own events. Reading the customer's history of the
metric is an index range scan on (customer, metric, time).

Prorated (a charge's `prorated: true`, on a recurring metric: `prorated_windows`): each unit is
billed for the share of the period it was held. The level over the window (the carried level at
its start, then each event's change: a sum's value; a unique count's value entering or leaving
the set) is integrated, by the second or by whole days (the price book's proration unit: the
fee's days, billing/proration.py `Rule`: local days of the customer's time zone, a change counted
from the local midnight starting its day, or with the change-day rule "old" from the next one; a
window's end, a cancellation, by the same rule), and divided by the length of the period the
window is a share of (the planner's `fee_reference`, as for the fixed fee). 5 seats held for a
30-day period and 3 more from day 11: (5 x 10 + 8 x 20) / 30 = 7 = 5 + 3 x 20/30. The pricing
model rates that prorated quantity (for graduated and volume prices, the tiers apply to it).

The metric's filters ({"region": ["eu", "us"]}) keep only matching events. Each result carries
the number of events it read (in its window). Results feed the rating engine unchanged. One SQL
per metric serves the billing writer, the upcoming invoice, current usage and `reproduce_sql`,
the query shown to people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
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
    # a prorated quantity's terms: the level integrated over the window ("integral", in unit x
    # "unit"), the window's length in that unit and the segments (start, level, length)
    proration: dict[str, Any] | None = field(default=None, compare=False, hash=False)


EXPRESSIONS = {
    "count": "COUNT(*)",
    "sum": "COALESCE(SUM(value), 0)",
    "max": "COALESCE(MAX(value), 0)",
    "unique_count": "COUNT(DISTINCT properties ->> %(field)s)",  # without removes
    "latest": "COALESCE((ARRAY_AGG(value ORDER BY event_time DESC, id DESC))[1], 0)",
}
# a window counts its own events (a recurring metric reads earlier ones too)
IN_WINDOW = "COUNT(*) FILTER (WHERE event_time >= ws)"


def _quantity_sql(metric: BillableMetric, source: str) -> str:
    """The quantity of each (customer, window, group) from `source`: a query of rows (cid, ws,
    we, grp, event_time, id, value, operation, v), v the property a unique count reads. The one
    SQL of every non-time-weighted aggregate, for one window or many."""
    if metric.aggregation == "unique_count":
        # each value's last event (by time, then arrival) decides whether it is present
        return f"""
            WITH src AS ({source}),
            per_value AS (
                SELECT cid, ws, we, grp, v,
                       (ARRAY_AGG(operation ORDER BY event_time DESC, id DESC))[1] AS last_op,
                       {IN_WINDOW} AS n
                FROM src GROUP BY cid, ws, we, grp, v
            )
            SELECT cid, ws, we, grp,
                   COUNT(*) FILTER (WHERE last_op = 'add' AND v IS NOT NULL) AS quantity,
                   SUM(n) AS events
            FROM per_value GROUP BY cid, ws, we, grp
        """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
    expression = EXPRESSIONS[metric.aggregation]
    return f"""
        WITH src AS ({source})
        SELECT cid, ws, we, grp, {expression} AS quantity, {IN_WINDOW} AS events
        FROM src GROUP BY cid, ws, we, grp
    """  # noqa: S608 - only fixed fragments are interpolated; values are parameters


# Where a recurring metric's history starts for a window: the start of the customer's earliest
# subscription live at the window's end (started before it, not ended before it), so a new
# subscription does not carry the level of the customer's earlier, ended ones (Lago scopes a
# recurring metric to its subscription). No such subscription (a bare window): the whole history.
SUBSCRIPTION_SINCE = """COALESCE((
    SELECT MIN(s.start_at) FROM billing_subscription s
    WHERE s.customer_id = {cid} AND s.start_at < {we}
      AND (s.ended_at IS NULL OR s.ended_at >= {we})), '-infinity'::timestamptz)"""


def _carries(metric: BillableMetric) -> bool:
    """A recurring metric reads every earlier event of the customer, not only the window's."""
    return metric.recurring and metric.aggregation in ("sum", "unique_count")


SOURCE_COLUMNS = "e.event_time, e.id, e.value, e.operation, e.properties ->> %(field)s AS v"


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
    customer_clause = (
        "AND customer_id = ANY(%(customers)s::bigint[])" if customer_ids is not None else ""
    )
    filters = _filters(metric, params)
    group_expr = "properties ->> %(group)s" if group_by else "NULL::text"
    if metric.aggregation == "weighted_sum":
        sql = _weighted_sql(customer_clause, filters, group_expr)
    else:
        since = "AND e.event_time >= %(start)s"
        if _carries(metric):
            bound = SUBSCRIPTION_SINCE.format(cid="e.customer_id", we="%(end)s::timestamptz")
            since = f"AND e.event_time >= {bound}"
        source = f"""
            SELECT e.customer_id AS cid, %(start)s::timestamptz AS ws, %(end)s::timestamptz AS we,
                   {group_expr.replace("properties", "e.properties")} AS grp, {SOURCE_COLUMNS}
            FROM billing_usageevent e
            WHERE e.metric_id = %(metric)s {since} AND e.event_time < %(end)s
              {customer_clause.replace("customer_id", "e.customer_id")} {filters}
        """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
        sql = f"SELECT cid, grp, quantity, events FROM ({_quantity_sql(metric, source)}) AS q"  # noqa: S608
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


def _window_source(metric: BillableMetric, filters: str, *, carries: bool = False) -> str:
    """The events of each (customer, window) pair, as `_quantity_sql` reads them (with every
    earlier event for a recurring metric)."""
    since = "" if carries or _carries(metric) else "AND e.event_time >= w.ws"
    if carries or _carries(metric):
        since = f"AND e.event_time >= {SUBSCRIPTION_SINCE.format(cid='w.cid', we='w.we')}"
    return f"""
        WITH w AS ({PAIRS})
        SELECT w.cid, w.ws, w.we, NULL::text AS grp, {SOURCE_COLUMNS}
        FROM w JOIN billing_usageevent e
          ON e.customer_id = w.cid AND e.metric_id = %(metric)s
         {since} AND e.event_time < w.we
        WHERE TRUE {filters}
    """  # noqa: S608 - only fixed fragments are interpolated; values are parameters


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
        params, filters = _pairs(metric, windows)
        sql = _quantity_sql(metric, _window_source(metric, filters))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT cid, ws, we, quantity, events FROM ({sql}) AS q", params)  # noqa: S608
            rows = list(cursor.fetchall())
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


def prorated_windows(
    *,
    metric: BillableMetric,
    windows: Sequence[Window],
    unit: str = "second",
    change_day: str = "new",
) -> dict[Window, Aggregate]:
    """A recurring metric's level held over each (customer, window) pair, in one query: the
    level integrated over the window (unit x seconds, or unit x whole days) with its segments.
    Each result's quantity is that integral over the window's own length; the planner divides
    it by the length of the whole period the window is a share of (`prorated_quantity`).

    By whole days the days are the fee's (billing/proration.py `Rule`): local days in the
    customer's time zone (the subscription's), every change instant (and the window's ends: a
    cut by a cancellation) moved to a local midnight by the change-day rule. The SQL returns
    each window's level at each instant it changes (one row per window); Python snaps and
    counts them with `Rule`, the one function the fee uses."""
    if not windows:
        return {}
    params, filters = _pairs(metric, windows)
    if metric.aggregation == "unique_count":
        # a value's change: +1 when it enters the set (an add while absent), -1 when it leaves
        delta = """CASE WHEN v IS NULL THEN 0 ELSE (operation = 'add')::int - COALESCE(
            LAG((operation = 'add')::int)
              OVER (PARTITION BY cid, ws, we, v ORDER BY event_time, id),
            0) END"""
    else:
        delta = "COALESCE(value, 0)"
    # the level carried into the window: every earlier event (of its subscription)
    source = _window_source(metric, filters, carries=True)
    levels = f"""
        WITH src AS ({source}),
        deltas AS (SELECT cid, ws, we, event_time, id, {delta} AS delta FROM src),
        points AS (
            SELECT cid, ws, we, ws AS t, 0::bigint AS id, SUM(delta) AS delta, 0 AS counted
            FROM deltas WHERE event_time < ws GROUP BY cid, ws, we
            UNION ALL
            SELECT cid, ws, we, event_time, id, delta, 1 FROM deltas WHERE event_time >= ws
        ),
        levels AS (
            SELECT cid, ws, we, t, id, counted, SUM(delta) OVER x AS level,
                   LEAD(t, 1, we) OVER x AS t_next
            FROM points
            WINDOW x AS (PARTITION BY cid, ws, we ORDER BY t, id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        )"""  # noqa: S608 - only fixed fragments are interpolated; values are parameters
    if unit == "day":
        return _by_day(metric, params, levels, change_day)
    sql = f"""{levels},
        segments AS (SELECT *, EXTRACT(EPOCH FROM (t_next - t)) AS held FROM levels)
        SELECT cid, ws, we, SUM(level * held) AS integral,
               EXTRACT(EPOCH FROM (we - ws)) AS length, SUM(counted) AS events,
               (ARRAY_AGG(json_build_array(t, level, held) ORDER BY t, id)
                  FILTER (WHERE held > 0))[1:{MAX_SEGMENTS}] AS segments
        FROM segments GROUP BY cid, ws, we
    """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = list(cursor.fetchall())
    found = {}
    for cid, ws, we, integral, length, events, segments in rows:
        integral, length = Decimal(integral), Decimal(length)
        found[(cid, ws, we)] = Aggregate(
            cid,
            metric.code,
            None,
            integral / length if length else Decimal(0),
            int(events),
            proration={
                "unit": unit,
                "integral": integral,
                "window_length": length,
                "segments": [
                    {"from": start, "level": str(level), "held": str(held)}
                    for start, level, held in (segments or [])
                ],
            },
        )
    return found


def _by_day(
    metric: BillableMetric, params: dict[str, Any], levels: str, change_day: str
) -> dict[Window, Aggregate]:
    """Whole local days (see `prorated_windows`): the level after the last change at each
    instant, per window, with the customer's time zone; the days counted by `Rule`."""
    from billing.proration import DAY, Rule

    sql = f"""{levels},
        last AS (
            SELECT DISTINCT ON (cid, ws, we, t) cid, ws, we, t, level
            FROM levels ORDER BY cid, ws, we, t, id DESC
        ),
        counted AS (SELECT cid, ws, we, SUM(counted) AS events FROM levels GROUP BY cid, ws, we)
        SELECT l.cid, l.ws, l.we, c.timezone, n.events,
               ARRAY_AGG(l.t ORDER BY l.t), ARRAY_AGG(l.level ORDER BY l.t)
        FROM last l JOIN counted n USING (cid, ws, we)
        JOIN billing_customer c ON c.id = l.cid
        GROUP BY l.cid, l.ws, l.we, c.timezone, n.events
    """  # noqa: S608 - only fixed fragments are interpolated; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = list(cursor.fetchall())
    found = {}
    for cid, ws, we, zone, events, instants, values in rows:
        rule = Rule(DAY, change_day, zone)
        lo, hi = rule.snap(ws), rule.snap(we)  # a window cut by a cancellation: by the rule
        integral, segments = Decimal(0), list[dict[str, Any]]()
        for i, (at, level) in enumerate(zip(instants, values, strict=True)):
            after = instants[i + 1] if i + 1 < len(instants) else we
            first = min(max(rule.snap(at), lo), hi)
            held = rule.count(first, min(max(rule.snap(after), lo), hi))
            if held <= 0:
                continue
            integral += Decimal(level) * held
            if len(segments) < MAX_SEGMENTS:
                segments.append({"from": first.isoformat(), "level": str(level), "held": str(held)})
        length = Decimal(rule.count(lo, hi))
        found[(cid, ws, we)] = Aggregate(
            cid,
            metric.code,
            None,
            integral / length if length else Decimal(0),
            int(events),
            proration={
                "unit": DAY,
                "time_zone": zone,
                "integral": integral,
                "window_length": length,
                "segments": segments,
            },
        )
    return found


MAX_SEGMENTS = 100  # the segments an explanation lists
QUANTITY_PLACES = Decimal("1e-12")  # a prorated quantity is kept to 12 places (half up)


def prorated_quantity(found: Aggregate, reference_length: Decimal) -> Decimal:
    """The prorated quantity of a window: its level integrated over it, divided by the length of
    the whole period it is a share of (in the same unit), kept to 12 decimal places."""
    assert found.proration is not None
    if not reference_length:
        return Decimal(0)
    exact: Decimal = found.proration["integral"] / reference_length
    return exact.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)


def reference_length(
    start: datetime, end: datetime, unit: str, zone: str = "UTC", change_day: str = "new"
) -> Decimal:
    """A period's length in the proration unit: seconds, or whole local days of `zone` (the
    fee's count: billing/proration.py `Rule.count`)."""
    from billing.proration import Rule

    if unit == "day":
        return Decimal(Rule(unit, change_day, zone).count(start, end))
    return Decimal(int((end - start).total_seconds()))


def proration_reference(state: Any, window: Any) -> Any:
    """The period a prorated charge's window is a share of: as the fixed fee's, the
    subscription's `fee_reference` of its current period (a stub's whole interval) when the
    window lies in it, else of the window itself. One helper for the planner and
    `current_usage` (state: billing.lifecycle.State, window: billing.periods.Period)."""
    whole = state.period
    inside = whole.start <= window.start and window.end <= whole.end
    return state.fee_reference(whole if inside else window)


def prorated_terms(
    found: Aggregate | None,
    reference: tuple[datetime, datetime],
    unit: str,
    change_day: str,
    zone: str = "UTC",
) -> tuple[Decimal, dict[str, Any]]:
    """A prorated charge's quantity and its explanation: the segments of the level held over
    the window, and the formula (level x held + ...) / the reference period's length (by day:
    local days of `zone`, the subscription's time zone)."""
    length = reference_length(reference[0], reference[1], unit, zone, change_day)
    unit_name = "s" if unit != "day" else "days"
    if found is None or found.proration is None:
        quantity, segments, parts = Decimal(0), [], ["0"]
    else:
        quantity = prorated_quantity(found, length)
        segments = found.proration["segments"]
        parts = [f"{_plain(x['level'])} x {_plain(x['held'])}" for x in segments] or ["0"]
    explanation: dict[str, Any] = {
        "rule": "prorated: each unit billed for the share of the period it was held "
        + (
            "(by the second)"
            if unit != "day"
            else f"(by whole days; the day of a change "
            f"at the {'new' if change_day != 'old' else 'old'} level)"
        ),
        "unit": unit,
        "reference_period": {"start": reference[0].isoformat(), "end": reference[1].isoformat()},
        "reference_length": f"{_plain(str(length))} {unit_name}",
        **({"time_zone": zone} if unit == "day" else {}),
        "segments": segments,
        "formula": f"({' + '.join(parts)}) / {_plain(str(length))} = {_plain(str(quantity))}",
    }
    if found is not None and found.proration is not None and len(segments) >= MAX_SEGMENTS:
        explanation["segments_note"] = f"the first {MAX_SEGMENTS} segments"
    return quantity, explanation


def _plain(text: str) -> str:
    value = Decimal(text)
    return format(value.normalize(), "f") if value else "0"


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
    """A query a person can run to check an aggregate (for explanations): for a unique count or
    a recurring metric, the very SQL the writer runs (`_quantity_sql`) with the values written
    in; it returns the quantity and the window's number of events."""
    if metric.aggregation == "unique_count" or _carries(metric):
        field = metric.field_name.replace("'", "''")
        since = f"AND event_time >= '{start.isoformat()}' "
        if _carries(metric):
            bound = SUBSCRIPTION_SINCE.format(
                cid=str(customer_id), we=f"'{end.isoformat()}'::timestamptz"
            )
            since = f"AND event_time >= {' '.join(bound.split())} "
        source = (
            f"SELECT customer_id AS cid, '{start.isoformat()}'::timestamptz AS ws, "  # noqa: S608
            f"'{end.isoformat()}'::timestamptz AS we, NULL::text AS grp, event_time, id, value, "
            f"operation, properties ->> '{field}' AS v FROM billing_usageevent "
            f"WHERE customer_id = {customer_id} AND metric_id = {metric.pk} {since}"
            f"AND event_time < '{end.isoformat()}'"
        )
        sql = " ".join(_quantity_sql(metric, source).split())
        return f"SELECT quantity, events FROM ({sql}) AS q"  # noqa: S608 - shown, never run
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
    planner), which this agrees with for a period's usage charges. A trial bills nothing.
    Set-based: the queries do not grow with the subscriptions (one for the charges, then one
    per metric and kind of rating, over every subscription's window)."""
    from billing.enums import ENTITLED
    from billing.models import Subscription
    from catalog.models import Charge
    from catalog.pricing import Percentage
    from catalog.selectors import charge_rater

    result = []
    subscriptions = list(
        Subscription.objects.filter(customer_id=customer_id, status__in=ENTITLED).select_related(
            "plan", "plan_version__plan__product", "customer"
        )
    )
    by_version: dict[int, list[Charge]] = {}
    for charge in Charge.objects.filter(
        plan_version__in={sub.plan_version_id for sub in subscriptions}
    ).select_related("metric", "plan_version__plan"):
        by_version.setdefault(charge.plan_version_id, []).append(charge)
    # what each metric is read for, over every subscription's window: the quantities, the
    # transactions (per-transaction percentages), the level held (prorated, by book's terms)
    raters: dict[int, Any] = {}
    plain: dict[int, tuple[BillableMetric, set[Window]]] = {}
    each: dict[int, tuple[BillableMetric, set[Window]]] = {}
    held_by: dict[tuple[int, str, str], tuple[BillableMetric, set[Window]]] = {}
    for sub in subscriptions:
        window = (customer_id, sub.current_period_start, sub.current_period_end)
        book = sub.plan_version
        for charge in by_version.get(sub.plan_version_id, []):
            rater = raters[charge.pk] = charge_rater(charge=charge)
            plain.setdefault(charge.metric_id, (charge.metric, set()))[1].add(window)
            if isinstance(rater, Percentage) and rater.per_transaction:
                each.setdefault(charge.metric_id, (charge.metric, set()))[1].add(window)
            elif rater.prorated:
                key = (charge.metric_id, book.proration_unit, book.proration_change_day)
                held_by.setdefault(key, (charge.metric, set()))[1].add(window)
    quantities = {
        (metric.pk, *window): found
        for metric, windows in plain.values()
        for window, found in aggregate_windows(metric=metric, windows=sorted(windows)).items()
    }
    transactions = {
        (metric.pk, *window): values
        for metric, windows in each.values()
        for window, values in transactions_windows(metric=metric, windows=sorted(windows)).items()
    }
    held_levels = {
        (key, *window): held
        for key, (metric, windows) in held_by.items()
        for window, held in prorated_windows(
            metric=metric, windows=sorted(windows), unit=key[1], change_day=key[2]
        ).items()
    }
    for sub in subscriptions:
        start, end = sub.current_period_start, sub.current_period_end
        in_trial = sub.trial_end is not None and end <= sub.trial_end
        charges = []
        for charge in by_version.get(sub.plan_version_id, []):
            window = (customer_id, start, end)
            found = quantities.get((charge.metric_id, *window)) or Aggregate(
                customer_id, charge.metric.code, None, Decimal(0), 0
            )
            rater = raters[charge.pk]
            proration = None
            if isinstance(rater, Percentage) and rater.per_transaction:
                rating = rater.rate_transactions(transactions.get((charge.metric_id, *window), []))
            elif rater.prorated:  # the current period, as the upcoming invoice prorates it
                book = sub.plan_version
                key = (charge.metric_id, book.proration_unit, book.proration_change_day)
                held = held_levels.get((key, *window))
                state = sub.state()
                reference = proration_reference(state, state.period)  # a stub: its interval
                quantity, proration = prorated_terms(
                    held,
                    (reference.start, reference.end),
                    book.proration_unit,
                    book.proration_change_day,
                    state.zone,
                )
                found = Aggregate(customer_id, charge.metric.code, None, quantity, found.events)
                rating = rater.rate(quantity)
            else:
                rating = rater.rate(found.quantity)
            explanation: dict[str, Any] = rating.explanation()
            if proration is not None:
                explanation["proration"] = proration
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
