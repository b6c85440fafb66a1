"""Accounting exports of a year: 100,000 invoices (and their general ledger) as CSV and XLSX.

    .venv/bin/python bench/exports.py [--customers 10000] [--invoices 100000]

1. Seeds (not timed) the back-office data set (bench/backoffice_data.py: `seed`) in a scratch
   database, then posts each invoice to the ledger set-based (Dr receivable, Cr revenue at its
   finalization: 2 entries per invoice; the seed writes no ledger) and maps the two accounts to
   general ledger codes.
2. For each of invoices and ledger, CSV and XLSX, runs the export in a fresh process
   (`--child`: export_create, then export_run, as `manage.py export_accounting` does) over the
   seed's 12 months: rows/s, and the export's memory: ru_maxrss growth of that process across
   the export; then again under tracemalloc (slower; not timed) for the peak of Python
   allocations during the export.
3. Verifies each file read back (csv module; openpyxl, read-only): the row count equals SQL's,
   the invoices' totals per currency equal SQL's sum, the ledger's debits equal its credits and
   SQL's sums, each account carries its mapped code. Exits non-zero on a wrong result.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import services  # noqa: E402
from backoffice_data import AS_OF, seed  # noqa: E402
from common import bench_env, connect, manage, recreate_database  # noqa: E402

DB = "billing_bench_exports"
START, END = date(2025, 12, 1), date(2026, 11, 30)  # the seed's 12 months before AS_OF
D = Decimal
CODES = {"receivable": ("1100", "Accounts receivable"), "revenue": ("4000", "Sales")}


def post_ledger(url: str) -> None:
    with connect(url) as conn, conn.transaction():
        conn.execute(
            """
            INSERT INTO billing_ledgerentry (posting, account, customer_id, currency, debit,
                credit, document_type, document_id, memo, posted_at)
            SELECT p.posting, a.account, i.customer_id, i.currency,
                   CASE a.account WHEN 'receivable' THEN i.total ELSE 0 END,
                   CASE a.account WHEN 'revenue' THEN i.total ELSE 0 END,
                   'invoice', i.id, 'invoice ' || i.number || ' finalized', i.finalized_at
            FROM invoicing_invoice AS i
            CROSS JOIN LATERAL (SELECT gen_random_uuid() AS posting) AS p
            CROSS JOIN (VALUES ('receivable'), ('revenue')) AS a(account)
            WHERE i.status <> 'draft'
            """
        )
        for account, (code, name) in CODES.items():
            conn.execute(
                "INSERT INTO backoffice_glaccountcode (account, code, name, updated_at) "
                "VALUES (%s, %s, %s, now())",
                [account, code, name],
            )


# ------------------------------------------------------------------------------------ the child


def child(kind: str, fmt: str, trace: bool) -> None:
    """Run one export in this process; print its figures as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import tracemalloc

    from django.utils import timezone

    from backoffice.services.exports import export_create, export_run
    from core.audit import Actor

    actor = Actor.system("bench")
    export = export_create(
        kind=kind, format=fmt, period_start=START, period_end=END, currency="", actor=actor,
        as_of=timezone.now(), enqueue=False,
    )  # fmt: skip
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    export = export_run(export_id=export.pk, clock=timezone.now, actor=actor)
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from django.conf import settings

    print(
        json.dumps(
            {
                "rows": export.rows, "size": export.size, "seconds": seconds,
                "rss_growth_kb": rss_after - rss_before, "rss_kb": rss_after,
                "traced_peak": peak, "path": str(Path(settings.MEDIA_ROOT) / export.file),
            }
        )
    )  # fmt: skip


def run_child(env: dict[str, str], kind: str, fmt: str, *, trace: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", kind, fmt] + (["--trace"] if trace else [])
    out = subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------------- verifying


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows: list[dict[str, Any]] = []
    for sheet in book.worksheets:
        values = sheet.iter_rows(values_only=True)
        header = next(values)
        rows += [dict(zip(header, row, strict=True)) for row in values]
    return rows


def amount(value: Any) -> Decimal:
    return D(0) if value in (None, "") else D(str(value))


def verify(url: str, kind: str, rows: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    with connect(url) as conn:
        if kind == "invoices":
            sql = dict(
                conn.execute(
                    "SELECT currency, sum(total) FROM invoicing_invoice WHERE status <> 'draft' "
                    "AND finalized_at >= %s AND finalized_at < %s::date + 1 GROUP BY currency",
                    [START, END],
                ).fetchall()
            )
            totals: dict[str, Decimal] = defaultdict(D)
            for row in rows:
                totals[row["Currency"]] += amount(row["Total"])
            if dict(totals) != sql:
                problems.append(f"invoices: totals {dict(totals)} != SQL {sql}")
            count = sum(1 for _ in rows)
            expected = conn.execute(
                "SELECT count(*) FROM invoicing_invoice WHERE status <> 'draft' "
                "AND finalized_at >= %s AND finalized_at < %s::date + 1",
                [START, END],
            ).fetchone()[0]
        else:
            sql_sums = {
                (c, a): (d, k)
                for c, a, d, k in conn.execute(
                    "SELECT currency, account, sum(debit), sum(credit) FROM billing_ledgerentry "
                    "WHERE posted_at >= %s AND posted_at < %s::date + 1 GROUP BY 1, 2",
                    [START, END],
                ).fetchall()
            }
            sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
            for row in rows:
                sums[(row["Currency"], row["Account"])][0] += amount(row["Debit"])
                sums[(row["Currency"], row["Account"])][1] += amount(row["Credit"])
                if str(row["GL code"]) != CODES[row["Account"]][0]:
                    problems.append(f"ledger: {row['Account']} without its code")
                    break
            if {k: tuple(v) for k, v in sums.items()} != sql_sums:
                problems.append(f"ledger: sums {dict(sums)} != SQL {sql_sums}")
            for currency in {c for c, _ in sums}:
                debit = sum(v[0] for (c, _), v in sums.items() if c == currency)
                credit = sum(v[1] for (c, _), v in sums.items() if c == currency)
                if debit != credit:
                    problems.append(f"ledger {currency}: debits {debit} != credits {credit}")
            count = len(rows)
            expected = conn.execute(
                "SELECT count(*) FROM billing_ledgerentry WHERE posted_at >= %s "
                "AND posted_at < %s::date + 1",
                [START, END],
            ).fetchone()[0]
    if count != expected:
        problems.append(f"{kind}: {count} rows read back, SQL counts {expected}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FORMAT"))
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.trace)
        return
    started = services.ensure()
    url = recreate_database(started.database_url, DB)
    env = {
        **bench_env(url, started.redis_url),
        "MEDIA_ROOT": str(ROOT / ".data" / "bench-exports-media"),
        "CELERY_QUEUE": f"bench-exports-{os.getpid()}",
    }
    problems: list[str] = []
    try:
        manage(env, "migrate", "--verbosity", "0")
        seeded = seed(url, customers=args.customers, invoices=args.invoices, usage_events=0)
        post_ledger(url)
        print(
            f"seeded {seeded.customers} customers, {seeded.invoices} invoices in "
            f"{seeded.seconds:.1f} s (as of {AS_OF:%Y-%m-%d}); period {START}..{END}"
        )
        print(f"{'export':<16}{'rows':>9}{'MB':>7}{'s':>7}{'rows/s':>9}"
              f"{'RSS +MB':>9}{'traced MB':>11}")  # fmt: skip
        for kind in ("invoices", "ledger"):
            for fmt in ("csv", "xlsx"):
                timed = run_child(env, kind, fmt, trace=False)
                traced = run_child(env, kind, fmt, trace=True)
                print(
                    f"{kind + ' ' + fmt:<16}{timed['rows']:>9,}{timed['size'] / 1e6:>7.1f}"
                    f"{timed['seconds']:>7.1f}{timed['rows'] / timed['seconds']:>9,.0f}"
                    f"{timed['rss_growth_kb'] / 1024:>9.1f}{traced['traced_peak'] / 1e6:>11.1f}",
                    flush=True,
                )
                found = verify(url, kind, read_rows(Path(timed["path"])))
                problems += [f"{kind} {fmt}: {p}" for p in found]
    finally:
        with contextlib.suppress(Exception):
            if not os.environ.get("BENCH_KEEP_DB"):
                recreate_database(started.database_url, DB, drop_only=True)
        services.release(started)
    if problems:
        print("WRONG:", *problems, sep="\n  ")
        sys.exit(1)
    print("verified: row counts, invoice totals per currency, ledger sums and codes = SQL")


if __name__ == "__main__":
    main()
