"""Usage ingestion: events per second through POST /api/v1/events/batch over real HTTP against
gunicorn and PostgreSQL, and in the same run the raw COPY rate of the same rows into the same
table, with the ratio. Then the aggregation of one billing period of N events across customers
and 3 metrics, in SQL.

    .venv/bin/python bench/ingestion.py [--events 600000] [--batch 5000] [--senders 4] [--rounds 3]
                                         [--aggregate-events 10000000] [--profile DIR]

--profile DIR: py-spy samples of the gunicorn workers during the HTTP rounds (DIR/gunicorn.txt,
collapsed stacks) and the server's pg_stat_statements of the rounds (DIR/statements.txt); slower
under the profiler. BENCH_DB names the scratch database (two runs side by side).

Targets: >= 20,000 events/s over HTTP on two cores, ratio to COPY >= 0.25; aggregating 10,000,000
events of 10,000 customers and 3 metrics in <= 5 s.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import services  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from common import (  # noqa: E402
    bench_env,
    connect,
    manage,
    recreate_database,
    start_gunicorn,
    statements_report,
    statements_reset,
    with_db,
)

DB = os.environ.get("BENCH_DB", "billing_bench_ingestion")
CUSTOMERS = 10_000
# the previous calendar month: inside the API's window into the past (USAGE_MAX_AGE_MONTHS)
PERIOD_END = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
PERIOD_START = (PERIOD_END - timedelta(days=1)).replace(day=1)


SEED = """
from datetime import UTC, datetime
from django.utils import timezone
from billing.models import Customer
from billing.services import api_key_create, usage_partitions_ensure
from catalog import services as c
from core.audit import Actor
a = Actor.system("bench"); now = timezone.now()
for code, agg, field in [("api_calls", "sum", "calls"), ("storage_gb", "sum", "gb"),
                         ("requests", "count", "")]:
    c.metric_create(actor=a, as_of=now, data={"code": code, "name": code, "aggregation": agg,
                                                "field_name": field})
Customer.objects.bulk_create(
    [Customer(external_id=f"c{i}", name=f"Customer {i}", currency="USD", created_at=now,
              updated_at=now) for i in range(N)], batch_size=5000)
usage_partitions_ensure(months=[datetime.fromisoformat(m) for m in MONTHS])
print(api_key_create(name="bench", actor=a, as_of=now)[1])
"""


def make_events(count: int, offset: int) -> list[dict[str, object]]:
    span = (PERIOD_END - PERIOD_START).total_seconds()
    metrics = (("api_calls", "calls"), ("storage_gb", "gb"), ("requests", None))
    events = []
    for n in range(offset, offset + count):
        code, field = metrics[n % 3]
        at = PERIOD_START + timedelta(seconds=(n * 7919) % int(span))
        event: dict[str, object] = {
            "event_id": f"e{n}",
            "customer": f"c{n % CUSTOMERS}",
            "metric": code,
            "event_time": at.isoformat(),
        }
        if field:
            event["properties"] = {field: n % 97, "region": "eu" if n % 2 else "us"}
        events.append(event)
    return events


def http_ingest(port: int, key: str, bodies: list[bytes], senders: int) -> tuple[float, int]:
    accepted = 0
    lock = threading.Lock()
    queue = list(bodies)

    def sender() -> None:
        nonlocal accepted
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            conn.request(
                "POST",
                "/api/v1/events/batch",
                body=body,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            payload = json.loads(response.read())
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {payload}")
            with lock:
                accepted += payload["accepted"]
        conn.close()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, accepted


def copy_rows(
    conn,
    events: list[dict[str, object]],
    customer_ids: dict[str, int],  # type: ignore[no-untyped-def]
    metric_ids: dict[str, int],
) -> float:
    now = datetime.now(UTC)
    buffer = io.StringIO()
    for e in events:
        props = e.get("properties") or {}
        value = next((str(v) for k, v in props.items() if k in ("calls", "gb")), "\\N")  # type: ignore[union-attr]
        buffer.write(
            f"{customer_ids[e['customer']]}\t{metric_ids[e['metric']]}\tcopy-{e['event_id']}\t"
            f"{e['event_time']}\t{now.isoformat()}\t{value}\t{json.dumps(props)}\tf\n"
        )
    data = buffer.getvalue()
    start = time.perf_counter()
    with (
        conn.cursor() as cursor,
        cursor.copy(
            "COPY billing_usageevent (customer_id, metric_id, event_id, event_time, received_at, "
            "value, properties, late) FROM STDIN"
        ) as copy,
    ):
        copy.write(data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=600_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--aggregate-events", type=int, default=10_000_000)
    parser.add_argument("--profile", type=Path, help="a folder for the profiles (see above)")
    args = parser.parse_args()
    started = services.ensure()
    base = started.database_url
    env = bench_env(recreate_database(base, DB), started.redis_url)
    server = None
    try:
        manage(env, "migrate", "-v", "0")
        seed = manage(
            env,
            "shell",
            "-c",
            SEED.replace("range(N)", f"range({CUSTOMERS})").replace(
                "MONTHS", repr([PERIOD_START.isoformat(), PERIOD_END.isoformat()])
            ),
            capture=True,
        )
        key = seed.strip().splitlines()[-1]
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        server, port = start_gunicorn(
            env,
            workers=args.workers,
            threads=1,
            profile=args.profile / "gunicorn.txt" if args.profile else None,
        )
        warm = make_events(args.batch, 10**9)
        http_ingest(port, key, [json.dumps({"events": warm}).encode()], 1)
        profiled = bool(args.profile) and statements_reset(with_db(base, DB))
        with connect(with_db(base, DB)) as conn:
            customer_ids = dict(
                conn.execute("SELECT external_id, id FROM billing_customer").fetchall()
            )
            metric_ids = dict(
                conn.execute("SELECT code, id FROM catalog_billablemetric").fetchall()
            )
        rounds = []
        per_round = args.events // args.rounds
        for r in range(args.rounds):
            events = make_events(per_round, r * per_round)
            bodies = [
                json.dumps({"events": events[i : i + args.batch]}).encode()
                for i in range(0, len(events), args.batch)
            ]
            seconds, accepted = http_ingest(port, key, bodies, args.senders)
            assert accepted == per_round, (accepted, per_round)
            _again, dup_accepted = http_ingest(port, key, bodies[:2], args.senders)
            assert dup_accepted == 0, "resending stored nothing"
            with connect(with_db(base, DB)) as conn:
                copy_seconds = copy_rows(conn, events, customer_ids, metric_ids)
            http_rate, copy_rate = accepted / seconds, per_round / copy_seconds
            rounds.append((http_rate / copy_rate, http_rate, copy_rate))
            print(
                f"round {r + 1}: HTTP {accepted:,} events in {seconds:.2f} s = {http_rate:,.0f}/s; "
                f"COPY of the same rows into the same table {copy_rate:,.0f}/s; "
                f"ratio {http_rate / copy_rate:.2f}"
            )
        ratio, http_rate, copy_rate = sorted(rounds)[len(rounds) // 2]
        print(
            f"median round: HTTP POST /events/batch {http_rate:,.0f} events/s ({args.batch} per "
            f"request, {args.senders} senders, gunicorn {args.workers} workers); COPY "
            f"{copy_rate:,.0f} events/s; ratio {ratio:.2f}"
        )
        if profiled:
            statements_report(with_db(base, DB), args.profile / "statements.txt")
        # py-spy writes its samples on SIGINT, then stops gunicorn
        server.send_signal(signal.SIGINT if args.profile else signal.SIGTERM)
        server.wait(timeout=60)
        server = None
        aggregate_benchmark(with_db(base, DB), args.aggregate_events)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        recreate_database(base, DB, drop_only=True)
        services.release(started)


def aggregate_benchmark(url: str, total: int) -> None:
    """Fill one period with `total` events (set-based SQL, not timed), then aggregate it."""
    with connect(url) as conn:
        conn.execute("TRUNCATE billing_usageevent")
        metric_ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM catalog_billablemetric ORDER BY code"
            ).fetchall()
        ]
        first = conn.execute("SELECT min(id) FROM billing_customer").fetchone()[0]
        fill = time.perf_counter()
        step = 2_000_000
        for low in range(0, total, step):
            conn.execute(
                """
                INSERT INTO billing_usageevent
                    (customer_id, metric_id, event_id, event_time, received_at, value, properties)
                SELECT %s + (n %% 10000), (%s::bigint[])[1 + n %% 3], 'a' || n,
                       %s::timestamptz + make_interval(secs => (n * 7919) %% 2678400),
                       now(), n %% 97, '{}'::jsonb
                FROM generate_series(%s::bigint, %s::bigint) AS n
                """,
                [first, metric_ids, PERIOD_START, low, min(total, low + step) - 1],
            )
        conn.execute("VACUUM ANALYZE billing_usageevent")
        fill = time.perf_counter() - fill
        print(
            f"aggregation data: {total:,} events, 10,000 customers, 3 metrics "
            f"(filled in {fill:.0f} s, not counted)"
        )
    env_url = url
    code = """
import time
from datetime import datetime, timedelta
from billing.aggregation import aggregate
from catalog.models import BillableMetric
start = datetime.fromisoformat(START)
end = start + timedelta(seconds=2678400)  # the 31 days the fill spreads events over
runs = []
for _ in range(3):
    t = time.perf_counter(); rows = 0; events = 0
    for metric in BillableMetric.objects.order_by("code"):
        found = aggregate(metric=metric, start=start, end=end)
        rows += len(found); events += sum(a.events for a in found)
    runs.append(time.perf_counter() - t)
print(f"aggregated {events:,} events into {rows:,} (customer, metric) quantities: "
      f"best {min(runs):.2f} s, runs {', '.join(f'{r:.2f}' for r in runs)} s")
if events != TOTAL:
    raise SystemExit(f"aggregated {events:,} events, filled {TOTAL:,}")
# the billing writer's form: the same period as (customer, start, end) pairs, one query per
# metric; it must give the same quantities
from billing.aggregation import aggregate_windows
from billing.models import Customer
ids = list(Customer.objects.values_list("id", flat=True))
runs, mismatches = [], 0
for _ in range(3):
    t = time.perf_counter(); pairs = 0
    for metric in BillableMetric.objects.order_by("code"):
        found = aggregate_windows(metric=metric, windows=[(c, start, end) for c in ids])
        pairs += len(found)
        if _ == 0:
            whole = {a.customer_id: a.quantity for a in aggregate(metric=metric, start=start,
                                                                  end=end)}
            mismatches += sum(1 for (c, _s, _e), a in found.items() if whole[c] != a.quantity)
            mismatches += len(set(whole) ^ {c for c, _s, _e in found})
    runs.append(time.perf_counter() - t)
print(f"the same by (customer, window) pairs as the billing writer reads them: {pairs:,} "
      f"quantities, best {min(runs):.2f} s; {mismatches} differ from the above")
if mismatches:
    raise SystemExit("aggregate_windows disagrees with aggregate")
"""
    env = {**os.environ, "DATABASE_URL": env_url, "DEBUG": "false", "SECRET_KEY": "x" * 50}
    code = code.replace("START", repr(PERIOD_START.isoformat())).replace("TOTAL", str(total))
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True
    )


if __name__ == "__main__":
    main()
