"""The standard billing run (../shared/WORKLOAD.md) through the product's own clock path.

    .venv/bin/python bench/billing_run.py [--customers 10000] [--concurrency 2] [--pdfs 400]
    .venv/bin/python bench/billing_run.py --growth --customers 100000   # N = 1,000, then 100,000

Seeds (not timed) the "Pro" plan, N customers subscribed from month M's first day and 100 raw
events per customer in month M: the schema is a copy of a database migrated once
(`bench_schema_<fingerprint of the migrations>`, kept on the server for the next runs), the plan
and customer c1 with its subscription go through the catalog services and the ORM, the other
customers and subscriptions are COPY of c1's rows, the events and their keys are streamed to COPY
in chunks into the month's partition before it is attached (its indexes built once), then VACUUM
ANALYZE; the seed's phases are printed. Then it starts a Celery worker with `--concurrency`
processes, sends the clock tick for M+1's first day (again every TICK_SECONDS, as beat would,
until every invoice is finalized), and prints seconds from the first tick to the last
finalization (the billing jobs' `finished_at`), invoices per second, milliseconds per invoice,
the peak resident memory of each worker process (VmHWM), and checks every invoice against the
workload's formula (one per customer, its total 49.00 + max(0, api_calls(i) - 10,000) x 0.002 +
storage_gb(i) x 0.10, and the sum): the script exits non-zero on any mismatch. PDFs go to their
own queue (CELERY_PDF_QUEUE) and are not rendered during the run; afterwards a worker on that
queue renders them, timed from the first PDF rendered to the last of the first --pdfs (their
`pdf_rendered_at`), with the worker already started. --growth: two runs on fresh databases
without PDFs, N = 1,000 and --customers, and the ratio of their times per invoice.
During the run, every --analyze-every seconds (default 5), the bench does autovacuum's analyze
(off on this server): the tables whose changes passed its threshold are analyzed, except the
audit history's, which nothing in the run reads (analyze_due).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import services  # noqa: E402
from common import (  # noqa: E402
    bench_env,
    connect,
    manage,
    py_spy,
    recreate_database,
    statements_report,
    statements_reset,
    with_db,
)
from psycopg.copy import QueuedLibpqWriter  # noqa: E402

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
# customer c1 and its subscription by the ORM: the rows that seed_customers copies N - 1 times
customers = Customer.objects.bulk_create(
    [Customer(external_id=f"c{i}", name=f"Customer {i}", currency="USD", created_at=M,
              updated_at=M) for i in range(1, min(N + 1, 2))])
Subscription.objects.bulk_create(
    [Subscription(customer=cu, plan=pro, plan_version=v, quantity=1, status="active", start_at=M,
                  billing_anchor=M.date(), current_period_start=M, current_period_end=M1,
                  current_period_index=0, fee_since=M, created_at=M, updated_at=M)
     for cu in customers])
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


EVENT_CHUNK = 1_000  # customers per chunk written to COPY (100,000 events, about 9 MB of text)
# the month's days and the day's seconds as timestamptz text: event times without datetime objects
_DAYS = [f"{M:%Y-%m}-{d:02d} " for d in range(1, 32)]
_SECONDS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86_400)]


def event_chunks(
    customer_ids: Sequence[int], calls_id: int, gb_id: int, first_id: int
) -> Iterator[tuple[str, str]]:
    """The workload's 100 events of customer i = 1..n (`customer_ids[i - 1]` its id), as COPY
    text of the events (ids from `first_id` on) and of their keys, EVENT_CHUNK customers at a
    time: api_calls(i) = 5 x ((i x 7919) mod 5000) in 50 events that add up (49 of
    api_calls // 50, the last with the rest), storage_gb(i) = (i mod 200) / 10 in 50 events (49
    of 0, the last of it), at M + ((i x 131 + k x 53,000) mod the month's seconds)."""
    span = int((M1 - M).total_seconds())
    assert span <= len(_DAYS) * 86_400, "the events' month has at most 31 days"
    received = M1.isoformat()
    offsets = [k * 53_000 for k in range(50)]
    next_id = first_id
    for chunk_start in range(1, len(customer_ids) + 1, EVENT_CHUNK):
        rows: list[str] = []
        keys: list[str] = []
        for i in range(chunk_start, min(chunk_start + EVENT_CHUNK, len(customer_ids) + 1)):
            cid = customer_ids[i - 1]
            calls = 5 * ((i * 7919) % 5000)
            gb = Decimal(i % 200) / 10
            base = i * 131
            for k in range(50):
                s = (base + offsets[k]) % span
                at = _DAYS[s // 86_400] + _SECONDS[s % 86_400]
                value = calls // 50 + (calls % 50 if k == 49 else 0)
                g = gb if k == 49 else 0
                rows.append(
                    f"{next_id}\t{cid}\t{calls_id}\tc{i}-{k}\t{at}\t{received}\t{value}\t"
                    f'{{"calls": {value}}}\tf\n{next_id + 1}\t{cid}\t{gb_id}\tg{i}-{k}\t{at}\t'
                    f'{received}\t{g}\t{{"gb": "{g}"}}\tf\n'
                )
                keys.append(f"{cid}\tc{i}-{k}\n{cid}\tg{i}-{k}\n")
                next_id += 2
        yield "".join(rows), "".join(keys)


def copy_events(url: str, n: int, calls_id: int, gb_id: int) -> int:
    """100 events per customer in month M (`event_chunks`) and their keys, streamed to COPY in
    chunks, as a bulk import would load a month: the month's partition is created beside the
    table (`CREATE TABLE ... (LIKE billing_usageevent INCLUDING DEFAULTS)`, as
    billing.services.usage's _partition_create does), loaded by COPY FREEZE (no vacuum needed
    afterwards) with a CHECK of the month's bounds, then attached: PostgreSQL builds the
    partitioned table's indexes on it in one pass each (their usual names and definitions) and
    skips the bounds scan the CHECK proves; the CHECK is dropped then. The keys go to their table
    in the same loop, on a second connection. The events' ids come from the table's identity
    sequence, moved past them."""
    month = f"billing_usageevent_y{M:%Y}m{M:%m}"
    start, end = f"'{M.isoformat()}'", f"'{M1.isoformat()}'"  # literals: DDL takes no parameters
    begin = time.perf_counter()
    with connect(url) as conn, connect(url) as keys_conn:
        ids = dict(conn.execute("SELECT external_id, id FROM billing_customer").fetchall())
        customer_ids = [ids[f"c{i}"] for i in range(1, n + 1)]
        del ids
        sequence = conn.execute(
            "SELECT pg_get_serial_sequence('billing_usageevent', 'id')"
        ).fetchone()[0]
        first_id = conn.execute("SELECT nextval(%s)", [sequence]).fetchone()[0]
        for c in (conn, keys_conn):  # the sorts of the index builds in memory
            c.execute("SET maintenance_work_mem = '512MB'")
        with conn.transaction(), keys_conn.transaction():
            conn.execute(f"CREATE TABLE {month} (LIKE billing_usageevent INCLUDING DEFAULTS)")
            conn.execute(
                f"ALTER TABLE {month} ADD CONSTRAINT {month}_bounds CHECK (event_time IS NOT NULL "
                f"AND event_time >= {start} AND event_time < {end})"
            )
            keys_conn.execute("TRUNCATE billing_usageeventkey")  # empty: for COPY FREEZE
            events_sql = (
                f"COPY {month} (id, customer_id, metric_id, event_id, event_time, received_at, "
                "value, properties, late) FROM STDIN WITH (FREEZE)"
            )
            keys_sql = "COPY billing_usageeventkey (customer_id, event_id) FROM STDIN WITH (FREEZE)"
            with (
                conn.cursor() as cursor,
                keys_conn.cursor() as keys_cursor,
                cursor.copy(events_sql, writer=QueuedLibpqWriter(cursor)) as events_copy,
                keys_cursor.copy(keys_sql, writer=QueuedLibpqWriter(keys_cursor)) as keys_copy,
            ):
                for rows, keys in event_chunks(customer_ids, calls_id, gb_id, first_id):
                    events_copy.write(rows)
                    keys_copy.write(keys)
        SEEDED["events copy"] = time.perf_counter() - begin
        conn.execute(
            f"ALTER TABLE billing_usageevent ATTACH PARTITION {month} "
            f"FOR VALUES FROM ({start}) TO ({end})"
        )
        conn.execute(f"ALTER TABLE {month} DROP CONSTRAINT {month}_bounds")
        conn.execute("SELECT setval(%s, %s)", [sequence, first_id + n * 100 - 1])
    SEEDED["events attach"] = time.perf_counter() - begin - SEEDED["events copy"]
    return n * 100


def seed_customers(url: str, n: int) -> None:
    """Customers c2..cN and their subscriptions by COPY: copies of c1's rows as the ORM wrote
    them (every column, defaults included), with their own external id, name and customer."""
    if n < 2:
        return
    with connect(url) as conn:
        customer, columns = _row_text(conn, "billing_customer", "external_id = 'c1'")
        ext, name = columns.index("external_id"), columns.index("name")
        assert ext < name, "billing_customer's external_id comes before its name"
        pre, mid, post = (
            "\t".join(customer[:ext]),
            "\t".join(customer[ext + 1 : name]),
            "\t".join(customer[name + 1 :]),
        )
        pre, mid = (pre + "\t" if pre else ""), ("\t" + mid + "\t" if mid else "\t")
        post = ("\t" + post if post else "") + "\n"
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY billing_customer ({', '.join(columns)}) FROM STDIN") as copy:
                for start in range(2, n + 1, 10_000):
                    copy.write(
                        "".join(
                            f"{pre}c{i}{mid}Customer {i}{post}"
                            for i in range(start, min(start + 10_000, n + 1))
                        )
                    )
            c1 = conn.execute("SELECT id FROM billing_customer WHERE external_id = 'c1'")
            subscription, columns = _row_text(
                conn, "billing_subscription", f"customer_id = {c1.fetchone()[0]}"
            )
            at = columns.index("customer_id")
            pre = "\t".join(subscription[:at]) + "\t" if at else ""
            post = (
                "\t" + "\t".join(subscription[at + 1 :]) if at + 1 < len(columns) else ""
            ) + "\n"
            others = conn.execute(
                "SELECT id FROM billing_customer WHERE external_id <> 'c1' ORDER BY id"
            ).fetchall()
            with cursor.copy(f"COPY billing_subscription ({', '.join(columns)}) FROM STDIN") as c:
                for start in range(0, len(others), 10_000):
                    c.write(
                        "".join(f"{pre}{cid}{post}" for (cid,) in others[start : start + 10_000])
                    )


def _row_text(conn: Any, table: str, where: str) -> tuple[list[str], list[str]]:
    """One row of `table` (all its columns but the id) as COPY's text fields, and the columns."""
    columns = [
        name
        for (name,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped AND attname <> 'id' ORDER BY attnum",
            [table],
        ).fetchall()
    ]
    with conn.cursor() as cursor:
        sql = f"COPY (SELECT {', '.join(columns)} FROM {table} WHERE {where}) TO STDOUT"  # noqa: S608
        with cursor.copy(sql) as copy:
            text = b"".join(bytes(block) for block in copy).decode()
    lines = text.splitlines()
    assert len(lines) == 1, f"{table}: one row where {where}, not {len(lines)}"
    return lines[0].split("\t"), columns


def start_worker(
    env: dict[str, str], queue: str, concurrency: int, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    (ROOT / ".data").mkdir(exist_ok=True)
    log = open(ROOT / ".data" / f"bench-worker-{queue}.log", "w")  # noqa: SIM115
    # --profile: py-spy samples the worker and its processes (100 Hz, idle time left out) into
    # collapsed stacks, read by bench/profile_report.py
    spy = py_spy(profile) if profile is not None else []
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
    if worker.poll() is not None and not profile:  # it did not start: its log says why
        tail = (ROOT / ".data" / f"bench-worker-{queue}.log").read_text()[-2000:]
        raise SystemExit(f"the worker exited ({worker.returncode}):\n{tail}")
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


# autovacuum's analyze threshold (PostgreSQL's defaults: 50 rows + 10 % of the table), except
# for the audit history's tables (django-pghistory's event tables, which have a pgh_created_at
# column): nothing in the run reads them
ANALYZE_DUE = (
    "SELECT format('%I.%I', s.schemaname, s.relname) FROM pg_stat_user_tables s "
    "WHERE s.n_mod_since_analyze > 50 + 0.1 * greatest(s.n_live_tup, 0) "
    "AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = s.relid "
    "AND a.attname = 'pgh_created_at' AND NOT a.attisdropped)"
)


def analyze_due(conn: Any) -> int:
    """What autovacuum's daemon would do at its next pass: ANALYZE the tables whose changes since
    their last analyze passed the threshold, except the audit history's tables (nothing in the
    run reads them: autovacuum's analyze of them is background work the run does not wait for).
    The server here runs with autovacuum off (the CI machine's setting): without it, the tables
    the run fills (invoice lines, leases, journal deliveries...) never get statistics and the
    planner scans them whole for every chunk's 200-id lookups (cost per chunk O(N)). A
    production server analyzes them (and has last month's statistics anyway); --analyze-every 0
    shows the run without."""
    tables = [row[0] for row in conn.execute(ANALYZE_DUE).fetchall()]
    for table in tables:
        conn.execute(f"ANALYZE {table}")
    return len(tables)


def run_clock(url: str, queue: str, n: int, analyze_every: float = 0.0) -> float:
    """Send the clock's tick for M+1 (again every TICK_SECONDS, as beat would) to `queue` until
    the n invoices are finalized (this process has Django set up with the bench's env); the
    seconds from the first tick sent to the last finalization.

    Polled every 0.1 s, cheaply: the billing run's jobs (one row a tick, in core_job), and the
    count of finalized invoices only once none of them runs any more (a count over N invoices
    ten times a second would take the workers' CPU at N = 100,000). When every invoice is
    finalized then, the run ended at the last job's `finished_at` (the worker's clock, written
    after the chunk that completed the job committed its finalized invoices); otherwise some
    invoices were finalized outside the jobs and the run ends when a poll of the count finds
    them all (the figure is then up to 0.1 s late)."""
    from invoicing.services.clock import BILLING_RUN
    from invoicing.tasks import clock_tick_task

    with connect(url) as conn:
        begin = time.perf_counter()
        wall = datetime.now(UTC)  # the jobs' finished_at: the same host's clock
        instant = M1 + timedelta(minutes=5)
        last_tick = -1e9
        last_analyze = time.perf_counter()
        counting = False
        while True:
            if analyze_every and time.perf_counter() - last_analyze >= analyze_every:
                analyze_due(conn)
                last_analyze = time.perf_counter()
            if time.perf_counter() - last_tick >= TICK_SECONDS:
                clock_tick_task.apply_async(kwargs={"as_of": instant.isoformat()}, queue=queue)
                last_tick = time.perf_counter()
                instant += timedelta(seconds=TICK_SECONDS)
            time.sleep(0.1)
            if time.perf_counter() - begin > 3600:
                raise SystemExit("gave up after an hour")
            if counting:  # finalized outside the jobs (or a job failed): the count, polled
                if open_invoices(conn) >= n:
                    return time.perf_counter() - begin
                continue
            jobs, running, finished = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE status IN ('queued', 'running')), "
                "max(finished_at) FROM core_job WHERE kind = %s",
                [BILLING_RUN],
            ).fetchone()
            if jobs and not running:
                if open_invoices(conn) >= n:
                    return max((finished - wall).total_seconds(), 0.0)
                counting = True


def open_invoices(conn: Any) -> int:
    return int(
        conn.execute("SELECT count(*) FROM invoicing_invoice WHERE status = 'open'").fetchone()[0]
    )


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def worker_peak_rss(worker: subprocess.Popen[bytes]) -> list[tuple[str, int, float]]:
    """The peak resident memory (VmHWM, MB) of the worker's processes so far: its main process
    and its pool's processes (py-spy, under --profile, left out): (role, pid, MB)."""
    found: list[tuple[str, int, float]] = []
    todo = [(worker.pid, False)]
    while todo:
        pid, parent_is_celery = todo.pop()
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
            celery = "celery" in argv and Path(argv[0]).name != "py-spy"
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if celery:
            hwm = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
            role = "pool" if parent_is_celery else "main"
            found.append((role, pid, int(hwm.split()[1]) / 1024))
        todo += [(child, celery) for child in _children(pid)]
    return sorted(found, key=lambda f: (f[0] != "main", f[1]))


SCHEMA_TEMPLATE = "bench_schema_"  # + the fingerprint of what `migrate` makes of an empty database
SCHEMA_TEMPLATES_KEPT = 4


def schema_fingerprint() -> str:
    """What `migrate` makes of an empty database depends on: the migrations, the settings that
    choose apps and migrations (their assignments in config/settings.py, not the whole file:
    other settings change often) and the back office's roles (its post_migrate handler)."""
    digest = hashlib.sha256()
    for path in [*sorted(ROOT.glob("*/migrations/*.py")), ROOT / "backoffice" / "roles.py"]:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    settings = ast.parse((ROOT / "config" / "settings.py").read_text())
    for node in settings.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and any(
            isinstance(target, ast.Name) and target.id.startswith(SCHEMA_SETTINGS)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        ):
            digest.update(ast.unparse(node).encode() + b"\0")
    return digest.hexdigest()[:16]


SCHEMA_SETTINGS = (
    "INSTALLED_APPS",
    "MIGRATION_MODULES",
    "AUTH_USER_MODEL",
    "PGHISTORY",
    "PGTRIGGER",
)


def schema(env: dict[str, str], url: str) -> str:
    """The database at `url` made again as a copy of a migrated template database
    (`bench_schema_<fingerprint>`, migrated once for every bench run on this server until a
    migration, the settings or the roles change; the newest SCHEMA_TEMPLATES_KEPT are kept,
    older ones dropped). One process at a time builds or copies (an advisory lock on the
    server's `postgres` database); what was done."""
    name = url.rpartition("/")[2]
    template = SCHEMA_TEMPLATE + schema_fingerprint()
    done = f"copied {template}"
    with connect(with_db(url, "postgres")) as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", [lock_key(SCHEMA_TEMPLATE)])
        try:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if found.fetchone() is None:
                building = f"{template}_building"  # left by a build that did not finish
                admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{building}"')
                manage(
                    {**env, "DATABASE_URL": with_db(url, building)},
                    "migrate",
                    "-v",
                    "0",
                    "--skip-checks",
                )
                admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
                admin.execute(
                    f'ALTER DATABASE "{template}" IS_TEMPLATE true ALLOW_CONNECTIONS false'
                )
                # the newest SCHEMA_TEMPLATES_KEPT are kept (runs of other trees: a snapshot, a
                # working copy with a new migration), older ones dropped
                stale = admin.execute(
                    "SELECT datname FROM pg_database WHERE starts_with(datname, %s) "
                    "AND datname <> %s AND datname NOT LIKE '%%\\_building' "
                    "ORDER BY oid DESC OFFSET %s",
                    [SCHEMA_TEMPLATE, template, SCHEMA_TEMPLATES_KEPT - 1],
                ).fetchall()
                for (old,) in stale:
                    admin.execute(f'ALTER DATABASE "{old}" IS_TEMPLATE false')
                    admin.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
                done = f"migrated into {template}, copied"
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", [lock_key(SCHEMA_TEMPLATE)])
    return done


def lock_key(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:15], 16)


SEEDED: dict[str, float] = {}  # the last seed's phases: seconds by name


def seed(env: dict[str, str], url: str, n: int) -> int:
    """The database at `url` from the migrated template (`schema`), the plan and c1 (the catalog
    services and the ORM in `manage.py shell`), the other customers and subscriptions (COPY of
    c1's rows), their events (COPY), VACUUM ANALYZE; the number of events. The phases' seconds
    in SEEDED."""
    SEEDED.clear()
    begin = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal begin
        SEEDED[name] = time.perf_counter() - begin
        begin = time.perf_counter()

    schema(env, url)
    phase("schema")
    out = manage(env, "shell", "-c", SEED.replace("N + 1", f"{n} + 1"), capture=True)
    calls_id, gb_id = (int(x) for x in out.strip().splitlines()[-1].split())
    phase("plan")
    seed_customers(url, n)
    phase("customers")
    events = copy_events(url, n, calls_id, gb_id)  # its phases: "events copy", "... attach"
    begin = time.perf_counter()
    with connect(url) as conn:
        for table in ("billing_customer", "billing_subscription", "billing_usageevent",
                      "billing_usageeventkey"):  # fmt: skip
            conn.execute(f"VACUUM ANALYZE {table}")
    phase("vacuum")
    return events


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
    parser.add_argument(
        "--growth",
        action="store_true",
        help="two runs, each on a fresh database, without PDFs: N = 1,000, then --customers "
        "(e.g. 100000); prints the time per invoice of both and their ratio (--profile: the "
        "second run's)",
    )
    parser.add_argument(
        "--analyze-every",
        type=float,
        default=5.0,
        help="seconds between the stand-in for autovacuum's analyze during the run (the server "
        "here has autovacuum off): the tables past its threshold are analyzed; 0: never",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the database (BENCH_DB) for a look afterwards"
    )
    args = parser.parse_args()
    started = services.ensure()
    try:
        if not args.growth:
            run(started, args.customers, args.concurrency, args.pdfs, args.profile, args.keep,
                args.analyze_every)  # fmt: skip
            return
        every = args.analyze_every
        small = run(started, GROWTH_BASE, args.concurrency, 0, None, False, every) / GROWTH_BASE
        n = args.customers
        big = run(started, n, args.concurrency, 0, args.profile, False, every) / n
        print(
            f"growth: {big * 1000:.2f} ms per invoice at N = {n:,} against "
            f"{small * 1000:.2f} ms at N = {GROWTH_BASE:,}: {big / small:.2f} x (target: at "
            f"most 1.1 x)"
        )
    finally:
        services.release(started)


GROWTH_BASE = 1_000


def run(
    started: Any,
    n: int,
    concurrency: int,
    pdfs: int,
    profile: Path | None,
    keep: bool = False,
    analyze_every: float = 5.0,
) -> float:
    """One billing run of n customers on a fresh database (dropped afterwards): seeded, billed,
    verified (SystemExit on a mismatch), the PDFs timed; the seconds of the billing run. `keep`:
    the database is left for a look (EXPLAIN), dropped by the next run."""
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
        events = seed(env, url, n)
        seeded = time.perf_counter() - seed_start
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in SEEDED.items())
        print(
            f"seeded {n:,} customers and subscriptions, {events:,} raw events "
            f"in {seeded:.1f} s (not counted: {phases})"
        )
        profiled = False
        if profile:
            profile.mkdir(parents=True, exist_ok=True)
            profiled = statements_reset(url)
        worker = start_worker(env, queue, concurrency, profile / "billing.txt" if profile else None)
        PROFILED[worker.pid] = bool(profile)
        os.environ.update(env)  # this process sends the ticks, as beat would
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        django.setup()
        elapsed = run_clock(url, queue, n, analyze_every)
        rss = worker_peak_rss(worker)  # before the worker stops
        if profiled and profile is not None:
            statements_report(url, profile / "statements.txt")
        with connect(url) as conn:
            total = conn.execute("SELECT sum(total) FROM invoicing_invoice").fetchone()[0]
            count = conn.execute("SELECT count(*) FROM invoicing_invoice").fetchone()[0]
            problems = check_every_invoice(conn, n)
        expected = expected_total(n)
        if Decimal(total) != expected:
            problems.append(f"sum of totals {total}, expected {expected}")
        verdict = "every invoice matches" if not problems else "MISMATCHES"
        print(
            f"billing run: {count:,} invoices finalized in {elapsed:.1f} s from the first tick "
            f"= {count / elapsed:.1f} invoices/s ({concurrency} worker processes); "
            f"{verdict} the workload's formula (sum of totals {total}, expected {expected}); "
            f"{elapsed / n * 1000:.2f} ms per invoice"
        )
        print(
            "worker peak RSS (VmHWM): "
            + ", ".join(f"{role} {mb:.0f} MB" for role, _pid, mb in rss)
            + f" (N = {n:,})"
        )
        if problems:
            print("\n".join(problems[:20]), file=sys.stderr)
            raise SystemExit(f"{len(problems)} invoice(s) do not match: not a figure")
        stop_worker(worker)
        worker = None
        if pdfs:
            # finalization queued every invoice's PDF on the PDF queue: a worker on that queue
            # alone now renders them in finalization order; timed over the first --pdfs
            worker = start_worker(env, f"{queue}-pdf", concurrency)
            with connect(url) as conn:
                rendered = 0
                deadline = time.perf_counter() + 3600
                while rendered < pdfs and time.perf_counter() < deadline:
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
                    [pdfs],
                ).fetchone()
            span = (last - first).total_seconds()
            count = min(rendered, pdfs)
            print(
                f"PDFs: {count:,} rendered and stored in {span:.1f} s from the first to the last "
                f"= {(count - 1) / span:.1f} PDFs/s ({concurrency} worker processes, "
                f"WeasyPrint)"
            )
    finally:
        if worker is not None:
            stop_worker(worker, kill=True)
        import redis

        redis.Redis.from_url(started.redis_url).delete(queue, f"{queue}-pdf")
        if not keep:
            recreate_database(started.database_url, DB, drop_only=True)
    return elapsed


if __name__ == "__main__":
    main()
