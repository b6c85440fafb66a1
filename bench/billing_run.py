"""The standard billing run (../shared/WORKLOAD.md) through the product's own clock path.

    .venv/bin/python bench/billing_run.py [--customers 10000] [--concurrency 2]

Seeds (not timed) the "Pro" plan, N customers subscribed from month M's first day and 100 raw
events per customer in month M (COPY), then starts a Celery worker with `--concurrency` processes,
sends the clock tick for M+1's first day (again every TICK_SECONDS, as beat would, until every
invoice is finalized), and prints seconds from the first tick to the last finalization, invoices
per second, and checks every invoice against the workload's formula (one per customer, its total
49.00 + max(0, api_calls(i) - 10,000) x 0.002 + storage_gb(i) x 0.10, and the sum): the script
exits non-zero on any mismatch. PDFs go to their own queue (CELERY_PDF_QUEUE) and are not rendered
during the run; afterwards a worker on that queue renders them, timed from the first PDF rendered
to the last of the first --pdfs (their `pdf_rendered_at`), with the worker already started.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import services  # noqa: E402
from common import bench_env, connect, manage, recreate_database  # noqa: E402

DB = os.environ.get("BENCH_DB", "billing_bench_run")  # another name: two runs side by side
TICK_SECONDS = 60  # beat's interval here (300 s in production): one tick does the whole run
M = datetime(2026, 1, 1, tzinfo=UTC)
M1 = datetime(2026, 2, 1, tzinfo=UTC)

SEED = """
from datetime import UTC, datetime
from decimal import Decimal
from django.utils import timezone
from billing.models import Customer, Subscription
from catalog import services as c
from core.audit import Actor
a = Actor.system("bench")
M, M1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
calls = c.metric_create(actor=a, as_of=M, data={"code": "api_calls", "name": "API calls",
                                                 "aggregation": "sum", "field_name": "calls"})
gb = c.metric_create(actor=a, as_of=M, data={"code": "storage_gb", "name": "Storage",
                                              "aggregation": "sum", "field_name": "gb"})
pro = c.plan_create(actor=a, as_of=M, data={"code": "pro", "name": "Pro", "currency": "USD",
                                             "interval_unit": "month", "interval_count": 1})
v = c.plan_version_create(plan_id=pro.pk, actor=a, as_of=M,
    data={"effective_from": M, "fixed_fee": Decimal("49.00"), "fee_timing": "arrears"},
    charges=[{"metric": calls, "pricing_model": "graduated", "params": {"tiers": [
                {"from": "0", "to": "10000", "unit_price": "0"},
                {"from": "10000", "to": None, "unit_price": "0.002"}]}},
             {"metric": gb, "pricing_model": "per_unit", "params": {"unit_price": "0.10"}}])
v = c.plan_version_publish(version_id=v.pk, actor=a, as_of=M)
customers = Customer.objects.bulk_create(
    [Customer(external_id=f"c{i}", name=f"Customer {i}", currency="USD", created_at=M,
              updated_at=M) for i in range(1, N + 1)], batch_size=5000)
Subscription.objects.bulk_create(
    [Subscription(customer=cu, plan=pro, plan_version=v, quantity=1, status="active", start_at=M,
                  billing_anchor=M.date(), current_period_start=M, current_period_end=M1,
                  current_period_index=0, fee_since=M, created_at=M, updated_at=M)
     for cu in customers], batch_size=5000)
print(calls.pk, gb.pk)
"""


def expected_invoice(i: int) -> Decimal:
    """WORKLOAD.md's formula for customer i."""
    calls = 5 * ((i * 7919) % 5000)
    total = Decimal("49.00") + max(0, calls - 10_000) * Decimal("0.002")
    total += Decimal(i % 200) / 10 * Decimal("0.10")
    return total.quantize(Decimal("0.01"))


def expected_total(n: int) -> Decimal:
    return sum((expected_invoice(i) for i in range(1, n + 1)), Decimal(0))


def check_every_invoice(conn: object, n: int) -> list[str]:
    """Every customer has exactly one finalized invoice, of the workload's amount."""
    rows = conn.execute(  # type: ignore[attr-defined]
        "SELECT c.external_id, count(i.id), sum(i.total), min(i.status) FROM billing_customer c "
        "LEFT JOIN invoicing_invoice i ON i.customer_id = c.id GROUP BY c.external_id"
    ).fetchall()
    problems = []
    for external_id, count, total, status in rows:
        i = int(external_id[1:])
        if count != 1 or status != "open" or Decimal(total) != expected_invoice(i):
            problems.append(f"{external_id}: {count} invoice(s), {total} {status}, "
                            f"expected one open of {expected_invoice(i)}")  # fmt: skip
    if len(rows) != n:
        problems.append(f"{len(rows)} customers, expected {n}")
    return problems


def copy_events(url: str, n: int, calls_id: int, gb_id: int) -> int:
    """100 events per customer in month M: api_calls in 50 events that add up, storage in 50."""
    span = int((M1 - M).total_seconds())
    with connect(url) as conn:
        ids = dict(conn.execute("SELECT external_id, id FROM billing_customer").fetchall())
        rows, keys = io.StringIO(), io.StringIO()
        now = M1.isoformat()
        for i in range(1, n + 1):
            cid = ids[f"c{i}"]
            calls = 5 * ((i * 7919) % 5000)
            gb = Decimal(i % 200) / 10
            for k in range(50):
                at = (M + timedelta(seconds=(i * 131 + k * 53_000) % span)).isoformat()
                value = calls // 50 + (calls % 50 if k == 49 else 0)
                rows.write(
                    f'{cid}\t{calls_id}\tc{i}-{k}\t{at}\t{now}\t{value}\t{{"calls": {value}}}\tf\n'
                )
                keys.write(f"{cid}\tc{i}-{k}\n")
                g = gb if k == 49 else Decimal(0)
                rows.write(f'{cid}\t{gb_id}\tg{i}-{k}\t{at}\t{now}\t{g}\t{{"gb": "{g}"}}\tf\n')
                keys.write(f"{cid}\tg{i}-{k}\n")
        with conn.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS billing_usageevent_y2026m01 PARTITION OF "
                "billing_usageevent FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')"
            )
            with cursor.copy(
                "COPY billing_usageevent (customer_id, metric_id, event_id, event_time, "
                "received_at, value, properties, late) FROM STDIN"
            ) as copy:
                copy.write(rows.getvalue())
            with cursor.copy("COPY billing_usageeventkey (customer_id, event_id) FROM STDIN") as c:
                c.write(keys.getvalue())
            cursor.execute("VACUUM ANALYZE billing_usageevent")
    return n * 100


def start_worker(
    env: dict[str, str], queue: str, concurrency: int, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    (ROOT / ".data").mkdir(exist_ok=True)
    log = open(ROOT / ".data" / f"bench-worker-{queue}.log", "w")  # noqa: SIM115
    # --profile: py-spy samples the worker and its processes (100 Hz, idle time left out) into
    # collapsed stacks, read by bench/profile_report.py
    spy = (
        [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses", "--rate", "100",
         "--format", "raw", "--output", str(profile), "--"]
        if profile is not None
        else []
    )  # fmt: skip
    worker = subprocess.Popen(
        [
            *spy,
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    time.sleep(4)
    return worker


def stop_worker(worker: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    if PROFILED.get(worker.pid):  # py-spy writes its samples on SIGINT, then the worker goes
        os.kill(worker.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=60)
        kill = True
    os.killpg(worker.pid, signal.SIGKILL if kill else signal.SIGTERM)
    worker.wait(timeout=120)


PROFILED: dict[int, bool] = {}


def statements_reset(url: str) -> bool:
    """pg_stat_statements emptied, when the server loads it (shared_preload_libraries)."""
    with connect(url) as conn:
        loaded = conn.execute(
            "SELECT 'pg_stat_statements' = ANY(string_to_array(current_setting("
            "'shared_preload_libraries'), ', '))"
        ).fetchone()[0]
        if loaded:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT pg_stat_statements_reset()")
        return bool(loaded)


def statements_report(url: str, out: Path, top: int = 40) -> None:
    """The server's side of the run: the statements by total execution time."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT round(total_exec_time::numeric, 1), calls, rows, "
            "round(mean_exec_time::numeric, 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 300) "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) ORDER BY total_exec_time DESC"
        ).fetchall()
    total = sum(float(r[0]) for r in rows)
    lines = [
        f"server: {total / 1000:.2f} s of statement execution in {len(rows)} statements, "
        f"{sum(r[1] for r in rows):,} calls",
        "total_ms\tcalls\trows\tmean_ms\tquery",
    ]
    lines += ["\t".join(str(x) for x in r) for r in rows[:top]]
    out.write_text("\n".join(lines) + "\n")
    print(f"pg_stat_statements: {total / 1000:.2f} s in {len(rows)} statements -> {out}")


def run_clock(url: str, queue: str, n: int) -> float:
    """Send the clock's tick for M+1 (again every TICK_SECONDS, as beat would) to `queue` until
    the n invoices are finalized (this process has Django set up with the bench's env); the
    seconds from the first tick to the last finalization (polled every 0.1 s)."""
    from invoicing.tasks import clock_tick_task

    with connect(url) as conn:
        begin = time.perf_counter()
        instant = M1 + timedelta(minutes=5)
        finalized = 0
        last_tick = -1e9
        while finalized < n:
            if time.perf_counter() - last_tick >= TICK_SECONDS:
                clock_tick_task.apply_async(kwargs={"as_of": instant.isoformat()}, queue=queue)
                last_tick = time.perf_counter()
                instant += timedelta(seconds=TICK_SECONDS)
            time.sleep(0.1)
            finalized = conn.execute(
                "SELECT count(*) FROM invoicing_invoice WHERE status = 'open'"
            ).fetchone()[0]
            if time.perf_counter() - begin > 3600:
                raise SystemExit("gave up after an hour")
        return time.perf_counter() - begin


def seed(env: dict[str, str], url: str, n: int) -> int:
    """Migrate, then the plan, n customers and subscriptions (the ORM) and their events (COPY);
    the number of events."""
    manage(env, "migrate", "-v", "0")
    out = manage(env, "shell", "-c", SEED.replace("N + 1", f"{n} + 1"), capture=True)
    calls_id, gb_id = (int(x) for x in out.strip().splitlines()[-1].split())
    return copy_events(url, n, calls_id, gb_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--pdfs", type=int, default=400, help="PDFs to time after the run")
    parser.add_argument(
        "--profile",
        type=Path,
        help="a folder: py-spy samples of the billing worker (billing.txt) and the server's "
        "pg_stat_statements (statements.txt); the run is slower under the profiler",
    )
    args = parser.parse_args()
    started = services.ensure()
    url = recreate_database(started.database_url, DB)
    queue = f"bench-{os.getpid()}"
    env = {
        **bench_env(url, started.redis_url),
        "CELERY_QUEUE": queue,
        "DB_CONN_MAX_AGE": "600",
        "MEDIA_ROOT": str(ROOT / ".data" / "bench-media"),
        "CELERY_PDF_QUEUE": f"{queue}-pdf",
    }
    worker = None
    try:
        seed_start = time.perf_counter()
        events = seed(env, url, args.customers)
        seeded = time.perf_counter() - seed_start
        print(
            f"seeded {args.customers:,} customers and subscriptions, {events:,} raw events "
            f"in {seeded:.0f} s (not counted)"
        )
        profiled = False
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            profiled = statements_reset(url)
        worker = start_worker(
            env, queue, args.concurrency, args.profile / "billing.txt" if args.profile else None
        )
        PROFILED[worker.pid] = bool(args.profile)
        os.environ.update(env)  # this process sends the ticks, as beat would
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        elapsed = run_clock(url, queue, args.customers)
        if profiled:
            statements_report(url, args.profile / "statements.txt")
        with connect(url) as conn:
            total = conn.execute("SELECT sum(total) FROM invoicing_invoice").fetchone()[0]
            count = conn.execute("SELECT count(*) FROM invoicing_invoice").fetchone()[0]
            problems = check_every_invoice(conn, args.customers)
        expected = expected_total(args.customers)
        if Decimal(total) != expected:
            problems.append(f"sum of totals {total}, expected {expected}")
        verdict = "every invoice matches" if not problems else "MISMATCHES"
        print(
            f"billing run: {count:,} invoices finalized in {elapsed:.1f} s from the first tick "
            f"= {count / elapsed:.1f} invoices/s ({args.concurrency} worker processes); "
            f"{verdict} the workload's formula (sum of totals {total}, expected {expected})"
        )
        if problems:
            print("\n".join(problems[:20]), file=sys.stderr)
            raise SystemExit(f"{len(problems)} invoice(s) do not match: not a figure")
        stop_worker(worker)
        worker = None
        if args.pdfs:
            # finalization queued every invoice's PDF on the PDF queue: a worker on that queue
            # alone now renders them in finalization order; timed over the first --pdfs
            worker = start_worker(env, f"{queue}-pdf", args.concurrency)
            with connect(url) as conn:
                rendered = 0
                deadline = time.perf_counter() + 3600
                while rendered < args.pdfs and time.perf_counter() < deadline:
                    time.sleep(0.2)
                    rendered = conn.execute(
                        "SELECT count(*) FROM invoicing_invoice WHERE pdf_sha256 <> ''"
                    ).fetchone()[0]
                # from the first PDF rendered to the last of the first --pdfs: the worker's
                # start is not counted
                first, last = conn.execute(
                    "SELECT min(t), max(t) FROM (SELECT pdf_rendered_at AS t FROM "
                    "invoicing_invoice WHERE pdf_sha256 <> '' ORDER BY pdf_rendered_at "
                    "LIMIT %s) AS f",
                    [args.pdfs],
                ).fetchone()
            span = (last - first).total_seconds()
            count = min(rendered, args.pdfs)
            print(
                f"PDFs: {count:,} rendered and stored in {span:.1f} s from the first to the last "
                f"= {(count - 1) / span:.1f} PDFs/s ({args.concurrency} worker processes, "
                f"WeasyPrint)"
            )
    finally:
        if worker is not None:
            stop_worker(worker, kill=True)
        import redis

        redis.Redis.from_url(started.redis_url).delete(queue, f"{queue}-pdf")
        recreate_database(started.database_url, DB, drop_only=True)
        services.release(started)


if __name__ == "__main__":
    main()
