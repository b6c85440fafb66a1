"""Usage ingestion: check every event, deduplicate by (customer, event id), store the accepted
ones in one transaction per call (COPY into a temporary table, then one statement), flag late
ones, and report each event: accepted, duplicate or rejected (with the field and the reason).

Deduplication holds under concurrent submission: the accepted keys are inserted into
billing_usageeventkey with ON CONFLICT DO NOTHING in the same statement that inserts the events,
so of two requests carrying the same event exactly one stores it (the other waits for the first
to commit, then sees a conflict and reports a duplicate).

Exactly-once billing with the billing writer (invoicing/writer.py): the batch's transaction
first takes its customers' rows FOR KEY SHARE (in id order), and the writer holds each customer
of its chunk FOR UPDATE from before it aggregates a window until it has recorded it as billed
(BilledPeriod) and moved the customer's `usage_billed_until` to its end, in one transaction.
The two lock modes conflict, so a batch and a billing of the same customer never overlap: either
the batch commits first, and the writer's aggregates (read after its lock) include its events;
or the writer commits first, and the batch, reading `usage_billed_until` under its lock, sees
each event before it as possibly billed already and journals it (`usage.late_received`, in the
same transaction) for invoicing to re-rate the window: its draft refreshed, or a correction of
its invoice. Batches share the lock with each other: ingestion stays concurrent.

Event times are bounded (issue 11): the API takes the current UTC month and the previous
USAGE_MAX_AGE_MONTHS (`usage_window_start`); older usage is loaded with `manage.py usage_backfill`.
Ingestion through the API never creates a partition: the clock keeps the window's months and the
next ones ready (`usage_partitions_ahead`); an event of a month whose partition the clock has not
created yet waits in the default partition, and the clock moves it into the month's partition when
it creates it. Only a backfill (an operator's command) creates the partitions of older months.

Every event carries its `operation` ("add", or "remove" for a unique count's value), stored in the
same statement. A late event of a recurring metric (its quantity carries from period to period)
or of a time-weighted one changes every window after it too: it is classified late in the same
way (its time before `usage_billed_until`), and the correction handler re-rates every billed
window from its time on (invoicing/services/corrections.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction

from billing.metering import UNREPRESENTABLE, Checked, MetricDef, Problem, check_event
from billing.services.journal import journal_write
from catalog.models import BillableMetric
from core.audit import Actor
from core.db import id_array, lock_id
from core.validators import storable_text

# how JSON integers are read: as int up to 19 characters (within 64 bits, whatever the sign),
# beyond as exact decimals: Python refuses int() of more than 4,300 digits, which would fail the
# whole body for one event (check_event then refuses that event's value as out of range)
_INT_DIGITS = 19

_known_partitions: set[str] = set()

# The batch is COPied into a temporary table created in the batch's transaction (dropped at its
# end: nothing outlives the transaction, as a PgBouncer in transaction mode requires), then one
# statement: its customers' rows taken FOR KEY SHARE in id order (the lock shared with other
# batches and exclusive of the billing writer, see the module's note), each event classified
# against the customer's `usage_billed_until` read under that lock, the keys deduplicated, the
# events stored. It returns only the events that are not plainly accepted: duplicates, those of
# a customer archived meanwhile, and the late ones. (Was: one JSON document unpacked by
# json_to_recordset in the statement, 3.4 times the cost of COPY a row.)
INCOMING_SQL = """
CREATE TEMP TABLE usage_incoming (
    position integer, customer_id bigint, metric_id bigint, event_id varchar,
    event_time timestamptz, value numeric, properties jsonb, received_at timestamptz,
    operation varchar
) ON COMMIT DROP
"""
NULL = "\\N"  # in COPY's text format
INCOMING_COLUMNS = (
    "position, customer_id, metric_id, event_id, event_time, value, properties, received_at, "
    "operation"
)
INSERT_SQL = """
WITH locked AS (
    SELECT id, usage_billed_until, archived_at FROM billing_customer
    WHERE id = ANY(%s::bigint[])  -- an index lookup, whatever the join settings below
    ORDER BY id FOR KEY SHARE
),
valid AS (
    SELECT i.*, (l.usage_billed_until IS NOT NULL AND i.event_time < l.usage_billed_until) AS late
    FROM usage_incoming i JOIN locked l ON l.id = i.customer_id
    WHERE l.archived_at IS NULL
),
keys AS (
    INSERT INTO billing_usageeventkey (customer_id, event_id)
    SELECT customer_id, event_id FROM valid
    ON CONFLICT DO NOTHING
    RETURNING customer_id, event_id
),
stored AS (
    INSERT INTO billing_usageevent
        (customer_id, metric_id, event_id, event_time, received_at, value, properties, late,
         operation)
    SELECT v.customer_id, v.metric_id, v.event_id, v.event_time, v.received_at, v.value,
           v.properties, v.late, v.operation
    FROM valid v JOIN keys k ON k.customer_id = v.customer_id AND k.event_id = v.event_id
    ORDER BY v.position  -- ids in batch order: same-instant events keep their order (ties by id)
)
SELECT id, NULL::varchar, 'archived' FROM locked WHERE archived_at IS NOT NULL
UNION ALL
SELECT customer_id, event_id, 'duplicate' FROM (
    SELECT customer_id, event_id FROM valid EXCEPT ALL SELECT customer_id, event_id FROM keys
) AS d
UNION ALL
SELECT customer_id, event_id, 'late' FROM valid WHERE late
"""


@dataclass
class Outcome:
    index: int
    event_id: str | None
    status: str  # accepted | duplicate | rejected
    errors: list[dict[str, str]] = field(default_factory=list)
    late: bool = False

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "index": self.index,
            "event_id": self.event_id,
            "status": self.status,
        }
        if self.errors:
            body["errors"] = self.errors
        if self.late:
            body["late"] = True
        return body


@dataclass
class Report:
    outcomes: list[Outcome]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.count("accepted"),
            "duplicates": self.count("duplicate"),
            "rejected": self.count("rejected"),
            "events": [o.as_dict() for o in self.outcomes],
        }


def metric_definitions() -> dict[str, MetricDef]:
    return {
        m.code: MetricDef(m.id, m.code, m.aggregation, m.field_name, m.allow_negative, m.recurring)
        for m in BillableMetric.objects.filter(archived_at__isnull=True)
    }


def month_start(instant: datetime) -> datetime:
    utc = instant.astimezone(UTC)
    return datetime(utc.year, utc.month, 1, tzinfo=UTC)


def next_month(start: datetime) -> datetime:
    return datetime(start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC)


def previous_month(start: datetime) -> datetime:
    return datetime(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1, tzinfo=UTC)


def usage_window_start(*, as_of: datetime) -> datetime:
    """The earliest event time the API takes at `as_of`: the start of the UTC month
    USAGE_MAX_AGE_MONTHS before the current one (2: from January 1 on March 15)."""
    start = month_start(as_of)
    for _ in range(settings.USAGE_MAX_AGE_MONTHS):
        start = previous_month(start)
    return start


TOO_OLD = (
    "the API takes the current month and the previous {months} (USAGE_MAX_AGE_MONTHS), in UTC; "
    "load older usage with manage.py usage_backfill."
)


def _months(instants: Iterable[datetime]) -> set[datetime]:
    """The distinct UTC months of many instants (cheap for the common UTC ones)."""
    utc_months: set[tuple[int, int]] = set()
    others: set[datetime] = set()
    for instant in instants:
        if instant.utcoffset() == ZERO:
            utc_months.add((instant.year, instant.month))
        else:
            others.add(month_start(instant))
    return others | {datetime(y, m, 1, tzinfo=UTC) for y, m in utc_months}


ZERO = timedelta(0)


def usage_partitions_ensure(*, months: Iterable[datetime]) -> list[str]:
    """Create the monthly partitions (UTC months) that do not exist yet. Each in its own short
    transaction, outside the callers': DDL locks the parent table briefly. Events of the month
    that wait in the default partition (stored before the clock created their month) are moved
    into the new partition in the same transaction. Called by the clock and the backfill only."""
    created = []
    for start in sorted({month_start(m) for m in months}):
        name = f"billing_usageevent_y{start.year:04d}m{start.month:02d}"
        if name in _known_partitions:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            # one creator at a time: concurrent requests for a new month wait, then find it
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id("usage-partitions")])
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
            row = cursor.fetchone()
            if not (row and row[0]):
                _partition_create(cursor, name, start, next_month(start))
                created.append(name)
            # remembered only once committed: a rolled-back DDL must be tried again
            transaction.on_commit(partial(_known_partitions.add, name))
    return created


def _partition_create(cursor: Any, name: str, start: datetime, end: datetime) -> None:
    # no event can land in the default partition meanwhile (the parent locked first, then its
    # partitions, in the order of writers: no deadlock; readers are not blocked)
    cursor.execute("LOCK TABLE billing_usageevent IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM billing_usageevent_default "
        "WHERE event_time >= %s AND event_time < %s)",
        [start, end],
    )
    row = cursor.fetchone()
    if not (row and row[0]):
        cursor.execute(
            f"CREATE TABLE {name} PARTITION OF billing_usageevent FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )
        return
    # PostgreSQL refuses a partition whose rows sit in the default: move them first
    cursor.execute(f"CREATE TABLE {name} (LIKE billing_usageevent INCLUDING DEFAULTS)")
    cursor.execute(  # the name is made of the month's numbers only
        f"WITH moved AS (DELETE FROM billing_usageevent_default WHERE event_time >= %s "  # noqa: S608
        f"AND event_time < %s RETURNING *) INSERT INTO {name} SELECT * FROM moved",
        [start, end],
    )
    cursor.execute(
        f"ALTER TABLE billing_usageevent ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
        [start, end],
    )


def usage_partitions_ahead(*, as_of: datetime, months: int = 3) -> list[str]:
    """The clock keeps the partitions of the API's window (usage_window_start: the previous
    USAGE_MAX_AGE_MONTHS), of this month and of the next `months` ready: ingestion through the
    API creates none."""
    starts = [usage_window_start(as_of=as_of)]
    last = month_start(as_of)
    for _ in range(months):
        last = next_month(last)
    while starts[-1] < last:
        starts.append(next_month(starts[-1]))
    return usage_partitions_ensure(months=starts)


UsageAccepted = Callable[[Mapping[int, datetime]], object]
_on_accepted: list[UsageAccepted] = []


def register_usage_accepted(func: UsageAccepted) -> None:
    """Called after the commit of a batch with events accepted (not late), with their customers
    and the instant each was received at (invoicing's interim billing enqueues its tasks: no
    rating on the ingestion path). Registered at start-up by a higher app."""
    if func not in _on_accepted:
        _on_accepted.append(func)


def _accepted(customers: dict[int, datetime]) -> None:
    for func in _on_accepted:
        func(customers)


def usage_ingest(
    *,
    events: Sequence[Any],
    actor: Actor,
    as_of: datetime,
    metrics: dict[str, MetricDef] | None = None,
    backfill: bool = False,
    earliest: datetime | None = None,
) -> Report:
    """Check, deduplicate and store a batch. Nothing of a rejected event is stored; every accepted
    event is stored when this returns (one transaction).

    Through the API (`backfill` false) events before `usage_window_start` are refused and no
    partition is created. A backfill takes events from `earliest` (None: any representable
    time) and creates the partitions of their months.

    A test customer's events are received at its test clock's time, not `as_of`: their
    event_time is checked against that time (not after it beyond the margin, not before its
    usage window) and stored with it as received_at (billing.selectors.customer_as_of)."""
    metrics = metrics if metrics is not None else metric_definitions()
    margin = timedelta(seconds=settings.USAGE_FUTURE_MARGIN_SECONDS)
    if backfill:
        too_old = "the backfill's --since."
    else:
        too_old = TOO_OLD.format(months=settings.USAGE_MAX_AGE_MONTHS)
    windows: dict[datetime, datetime | None] = {}  # an instant -> the earliest event time
    customers = _customers_named(events)
    outcomes: list[Outcome] = []
    checked: list[tuple[int, Checked]] = []
    received: dict[int, datetime] = {}  # index -> received at (a test customer's clock time)
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(events):
        name = raw.get("customer") if isinstance(raw, dict) else None
        named = customers.get(name) if isinstance(name, str) else None
        now = named[2] if named is not None and named[2] is not None else as_of
        if not backfill and now not in windows:
            windows[now] = usage_window_start(as_of=now)
        result = check_event(
            raw,
            metrics=metrics,
            now=now,
            future_margin=margin,
            earliest=earliest if backfill else windows[now],
            too_old=too_old,
        )
        received[index] = now
        if isinstance(result, Problem):
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            echoed = event_id if isinstance(event_id, str) and storable_text(event_id) else None
            outcomes.append(Outcome(index, echoed, "rejected", [result.as_dict()]))
            continue
        key = (result.customer, result.event_id)
        if key in seen:
            outcomes.append(Outcome(index, result.event_id, "duplicate"))
            continue
        seen.add(key)
        outcomes.append(Outcome(index, result.event_id, "pending"))
        checked.append((index, result))
    if not checked:
        return Report(outcomes)
    found: list[tuple[int, Checked, int]] = []
    for index, event in checked:
        customer = customers.get(event.customer)
        if customer is None or customer[1] is not None:
            _reject_customer(outcomes[index], event, known=customer is not None)
            continue
        found.append((index, event, customer[0]))
    if not found:
        return Report(outcomes)
    if backfill:  # the API's window is kept ready by the clock
        usage_partitions_ensure(months=_months(e.event_time for _, e, _ in found))
    dumps, escape = orjson.dumps, _copy_escape
    received_text = {at: at.isoformat() for at in set(received.values())}  # as_of, test clocks
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        # the statement's joins of the batch with its new keys (RETURNING rows PostgreSQL cannot
        # estimate) as hash joins, never a nested loop of 5,000 x 5,000: only for this batch's
        # statement (sent with the CREATE, set back with the DROP: no extra round trip)
        cursor.execute("SET LOCAL enable_nestloop = off; " + INCOMING_SQL)
        # COPY's text format written here in one string: psycopg's write_row (Python, value by
        # value) costs twice the statement's own JSON unpacking it replaces
        data = "".join(
            f"{position}\t{customer_id}\t{event.metric.id}\t{escape(event.event_id)}\t"
            f"{event.event_time.isoformat()}\t"
            f"{NULL if event.value is None else event.value}\t"
            f"{escape(dumps(event.properties, default=str).decode())}\t"  # decimals as text
            f"{received_text[received[index]]}\t{event.operation}\n"
            for position, (index, event, customer_id) in enumerate(found)
        )
        with cursor.cursor.copy(f"COPY usage_incoming ({INCOMING_COLUMNS}) FROM STDIN") as copy:
            copy.write(data)
        customer_ids = id_array(sorted({customer_id for _, _, customer_id in found}))
        cursor.execute(INSERT_SQL, [customer_ids])
        rows = cursor.fetchall()
        # ON COMMIT DROP alone would leave it to a caller's enclosing transaction (a test's)
        cursor.execute("DROP TABLE usage_incoming; SET LOCAL enable_nestloop = on")
        archived: set[int] = set()
        duplicates: set[tuple[int, str]] = set()
        late: set[tuple[int, str]] = set()
        for customer_id, event_id, what in rows:
            if what == "archived":
                archived.add(customer_id)
            elif what == "duplicate":
                duplicates.add((customer_id, event_id))
            else:
                late.add((customer_id, event_id))
        late_by_customer: dict[int, list[Checked]] = {}
        late_at: dict[int, datetime] = {}
        for index, event, customer_id in found:
            stored_key = (customer_id, event.event_id)
            if customer_id in archived:  # archived meanwhile
                _reject_customer(outcomes[index], event, known=True)
            elif stored_key in duplicates:
                outcomes[index].status = "duplicate"
            else:
                outcomes[index].status = "accepted"
                if stored_key in late:
                    outcomes[index].late = True
                    late_by_customer.setdefault(customer_id, []).append(event)
                    late_at[customer_id] = received[index]
        for customer_id, late_events in late_by_customer.items():
            _record_late(customer_id, late_events, actor, late_at[customer_id])
        accepted = {
            customer_id: received[index]
            for index, _, customer_id in found
            if outcomes[index].status == "accepted" and not outcomes[index].late
        }
        if accepted and _on_accepted:
            transaction.on_commit(partial(_accepted, accepted))
    return Report(outcomes)


def _copy_escape(text: str) -> str:
    """Text as a value of COPY's text format (backslash, tab, newline, carriage return escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _customers_named(
    events: Sequence[Any],
) -> dict[str, tuple[int, datetime | None, datetime | None]]:
    """The customers the events name (external id -> id, archived at, and for a test customer
    its test clock's time), in one query."""
    names = sorted(
        {
            raw["customer"]
            for raw in events
            if isinstance(raw, dict)
            and isinstance(raw.get("customer"), str)
            and storable_text(raw["customer"])
        }
    )
    if not names:
        return {}
    with connection.cursor() as cursor:  # one JSON parameter: no per-value quoting client-side
        cursor.execute(
            "SELECT c.external_id, c.id, c.archived_at, t.frozen_time FROM billing_customer c "
            "LEFT JOIN billing_testclock t ON t.id = c.test_clock_id "
            "WHERE c.external_id IN (SELECT json_array_elements_text(%s::json))",
            [orjson.dumps(names).decode()],
        )
        return {external_id: (pk, archived, frozen) for external_id, pk, archived, frozen in cursor}


def _reject_customer(outcome: Outcome, event: Checked, *, known: bool) -> None:
    why = "archived_customer" if known else "unknown_customer"
    text = "Archived customer" if known else "No customer"
    outcome.status = "rejected"
    outcome.errors = [{"field": "customer", "code": why, "message": f"{text} {event.customer!r}."}]


def _record_late(customer_id: int, events: list[Checked], actor: Actor, as_of: datetime) -> None:
    """Journal a customer's events whose time falls before the end of its latest billed window
    (`usage.late_received`): invoicing re-rates the billed windows they fall in (the draft's
    lines refreshed, or a correction of the finalized invoice)."""
    times = [e.event_time for e in events]
    journal_write(
        type="usage.late_received",
        subject_type="customer",
        subject_id=customer_id,
        payload={
            "count": len(events),
            "metrics": sorted({e.metric.code for e in events}),
            "earliest": min(times).isoformat(),
            "latest": max(times).isoformat(),
            "event_ids": [e.event_id for e in events[:1000]],
        },
        actor=actor,
        occurred_at=as_of,
    )


def _json_int(text: str) -> int | Decimal:
    return int(text) if len(text) <= _INT_DIGITS else Decimal(text)


def _json_number(text: str) -> Any:
    try:
        return Decimal(text)
    except ArithmeticError:  # decimal.InvalidOperation: 1E-99999999999999999999
        return UNREPRESENTABLE


def parse_json_body(body: bytes | str) -> Any:
    """JSON with decimals kept exact (never floats), integers of any length read without failing
    the document (beyond 64 bits as exact decimals). Strings are taken as they are: an event's
    unstorable text is that event's own rejection (check_event)."""
    return json.loads(body, parse_float=_json_number, parse_int=_json_int)
