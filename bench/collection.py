"""Automatic collection of the standard billing run's invoices (issue 12, item 11).

    .venv/bin/python bench/collection.py [--customers 10000] [--concurrency 2]

Seeds the standard workload (../shared/WORKLOAD.md) with bench/billing_run.py's own functions,
gives every customer a default sandbox card (`tok_ok+c<i>`, which the sandbox treats as `tok_ok`;
tokens are unique per gateway) by COPY, and runs the billing through the clock with a Celery
worker of `--concurrency` processes. During the billing run this script holds the advisory lock
of the `payments.collect` journal handler, so the dispatcher leaves `invoice.finalized` to it for
later (as it does whenever another dispatcher holds a handler) and the billing is not timed with
the collection. Once every invoice is finalized and checked against the workload's formula, the
lock is released and one journal dispatch is queued: the handler creates the payments (batches
of 500 events, one transaction each), their charge tasks (100 payments each) charge the sandbox
and record the answers set-based.

Timed from the first `invoice.finalized` handled (the earliest `delivered_at` of the handler's
deliveries: the dispatch's start) to the last invoice paid (the latest `paid_at`, the instant the
recording task took) — both the database's timestamps written by the worker processes; the wall
clock from queueing the dispatch to the poll (every 0.1 s) seeing the last invoice paid is
printed beside it. Verified: N payments succeeded, N invoices paid, one live allocation per
invoice equal to its total, the sandbox charged N times, the trial balance zero and
`payments.checks.cash_mismatches()` empty (payments' applied = live allocations, amounts due,
receivable, unapplied cash agree with the ledger). Exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import services  # noqa: E402
from billing_run import (  # noqa: E402
    M,
    check_every_invoice,
    expected_total,
    run_clock,
    seed,
    start_worker,
    stop_worker,
)
from common import bench_env, connect, recreate_database  # noqa: E402

DB = "billing_bench_collection"
TARGET_SECONDS = 20


def copy_cards(url: str) -> int:
    """A default active sandbox card per customer, by COPY."""
    with connect(url) as conn:
        ids = conn.execute("SELECT id, external_id FROM billing_customer").fetchall()
        rows = io.StringIO()
        at = M.isoformat()
        for pk, external_id in ids:
            rows.write(
                f"{pk}\tsandbox\ttok_ok+{external_id}\tcard\tvisa\t4242\t12\t2030\t\t"
                f"active\tt\t{at}\t{at}\n"
            )
        with conn.cursor() as cursor:
            columns = (
                "customer_id, gateway, token, kind, brand, last4, exp_month, exp_year, "
                "holder_name, state, is_default, created_at, updated_at"
            )
            with cursor.copy(f"COPY payments_paymentmethod ({columns}) FROM STDIN") as copy:
                copy.write(rows.getvalue())
    return len(ids)


def verify(conn: object, n: int) -> list[str]:
    """What must hold after the collection; a list of problems."""
    q = conn.execute  # type: ignore[attr-defined]
    problems = []
    paid = q("SELECT count(*) FROM invoicing_invoice WHERE status = 'paid'").fetchone()[0]
    if paid != n:
        problems.append(f"{paid} invoices paid, expected {n}")
    succeeded = q(
        "SELECT count(*) FROM payments_payment WHERE kind = 'automatic' AND state = 'succeeded'"
    ).fetchone()[0]
    if succeeded != n:
        problems.append(f"{succeeded} automatic payments succeeded, expected {n}")
    matching = q(
        "SELECT count(*) FROM payments_allocation a JOIN invoicing_invoice i "
        "ON i.id = a.invoice_id WHERE a.unapplied_at IS NULL AND a.amount = i.total"
    ).fetchone()[0]
    allocations = q("SELECT count(*) FROM payments_allocation").fetchone()[0]
    if matching != n or allocations != n:
        problems.append(f"{allocations} allocations, {matching} equal to their invoice's total")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    n = args.customers
    started = services.ensure()
    url = recreate_database(started.database_url, DB)
    queue = f"bench-collection-{os.getpid()}"
    namespace = f"bench-collection-{uuid.uuid4().hex[:10]}"
    env = {
        **bench_env(url, started.redis_url),
        "CELERY_QUEUE": queue,
        "DB_CONN_MAX_AGE": "600",
        "MEDIA_ROOT": str(ROOT / ".data" / "bench-media"),
        "CELERY_PDF_QUEUE": f"{queue}-pdf",  # PDFs are not rendered here
        "PAYMENT_GATEWAYS": "sandbox,manual",
        "SANDBOX_GATEWAY_NAMESPACE": namespace,
    }
    worker = None
    try:
        seed_start = time.perf_counter()
        events = seed(env, url, n)
        cards = copy_cards(url)
        print(
            f"seeded {n:,} customers, {events:,} raw events and {cards:,} cards in "
            f"{time.perf_counter() - seed_start:.0f} s (not counted)"
        )
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from billing.services.ledger import trial_balance
        from billing.tasks import journal_dispatch_task
        from core.db import lock_id
        from payments.checks import cash_mismatches
        from payments.gateways.sandbox import SandboxGateway
        from payments.services.collection import COLLECT_HANDLER

        worker = start_worker(env, queue, args.concurrency)
        with connect(url) as holder:
            # the billing run first, collection held back (see the module's note)
            holder.execute(
                "SELECT pg_advisory_lock(%s)", [lock_id(f"journal-dispatch:{COLLECT_HANDLER}")]
            )
            billed = run_clock(url, queue, n)
            with connect(url) as conn:
                problems = check_every_invoice(conn, n)
                total = conn.execute("SELECT sum(total) FROM invoicing_invoice").fetchone()[0]
            if Decimal(total) != expected_total(n):
                problems.append(f"sum of totals {total}, expected {expected_total(n)}")
            if problems:
                print("\n".join(problems[:20]), file=sys.stderr)
                raise SystemExit("the billing run does not match the workload: not a figure")
            print(f"billing run: {n:,} invoices finalized in {billed:.1f} s (not counted)")
            holder.execute("SELECT pg_advisory_unlock_all()")
        with connect(url) as conn:
            begin = time.perf_counter()
            journal_dispatch_task.apply_async(queue=queue)
            paid = 0
            while paid < n:
                time.sleep(0.1)
                paid = conn.execute(
                    "SELECT count(*) FROM invoicing_invoice WHERE status = 'paid'"
                ).fetchone()[0]
                if time.perf_counter() - begin > 1800:
                    raise SystemExit(f"gave up after 30 minutes: {paid:,} paid")
            wall = time.perf_counter() - begin
            first, last = conn.execute(
                "SELECT (SELECT min(delivered_at) FROM billing_journaldelivery WHERE handler = %s),"
                " (SELECT max(paid_at) FROM invoicing_invoice)",
                [COLLECT_HANDLER],
            ).fetchone()
            problems = verify(conn, n)
        span = (last - first).total_seconds()
        charges = SandboxGateway(namespace=namespace).charge_count()
        if charges != n:
            problems.append(f"the sandbox charged {charges} times, expected {n}")
        balance = trial_balance()
        if any(v != 0 for v in balance.values()):
            problems.append(f"trial balance {balance}")
        mismatches = cash_mismatches()  # cash agrees with the ledger and the documents
        if mismatches:
            problems.append(f"{len(mismatches)} cash mismatches, e.g. {mismatches[:3]}")
        verdict = "verified" if not problems else "NOT VERIFIED"
        print(
            f"collection: {n:,} invoices paid in {span:.1f} s from the first invoice.finalized "
            f"handled to the last invoice paid = {n / span:.0f} payments/s "
            f"({args.concurrency} worker processes; wall clock from queueing the dispatch to "
            f"seeing the last paid {wall:.1f} s); {verdict}: {n:,} paid, every allocation equal "
            f"to its invoice's total, {charges:,} sandbox charges, trial balance zero, no cash "
            f"mismatch"
        )
        if problems:
            print("\n".join(problems[:20]), file=sys.stderr)
            raise SystemExit(f"{len(problems)} problem(s): not a figure")
        if span > TARGET_SECONDS:
            print(f"slower than the target of {TARGET_SECONDS} s", file=sys.stderr)
    finally:
        if worker is not None:
            stop_worker(worker, kill=True)
        import redis

        client = redis.Redis.from_url(started.redis_url)
        client.delete(queue, f"{queue}-pdf")
        names = list(client.scan_iter(match=f"{namespace}:*", count=1000))
        for i in range(0, len(names), 1000):
            client.delete(*names[i : i + 1000])
        if not os.environ.get("BENCH_KEEP_DB"):  # kept for a look at it afterwards
            recreate_database(started.database_url, DB, drop_only=True)
        services.release(started)


if __name__ == "__main__":
    main()
