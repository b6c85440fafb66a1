"""The finance dashboard (the admin's index) over 100,000 invoices (issue 16, item 1).

    .venv/bin/python bench/dashboard.py [--requests 7] [--keep] [--reuse]

Seeds bench/backoffice_data.py's data set (10,000 customers with their subscriptions, changes,
trials, churn, reactivations and pauses, 100,000 finalized invoices over 12 months with lines,
payments, failed attempts, refunds, credit notes, dunning, 300,000 usage events, price moves at
renewals onto a new version of a plan) into a scratch
database `billing_bench_dashboard` (not timed; about 30 s; `--reuse` keeps a database seeded
by an earlier `--keep` run), then renders the dashboard for USD over its 12 months
(`/admin/?currency=USD&from=2025-12&to=2026-11`, as of the data set's instant by time-machine)
through Django's test client as a logged-in superuser, `--requests` times: p50 and max ms of the
whole request (session, figures, charts, template), and its SQL statements.

Verified (exit non-zero otherwise): 200; every month's MRR on the page equals the Python
reference (backoffice/dashboard.reference_mrr) rebuilt from the rows (subscriptions, applied
changes, price moves at renewals, pauses, price books; the data set has price moves); every
month's invoiced (finalized, void ones too, prepaid credit left out), voided and collected
figure equals a direct SQL sum; the AR total equals a direct sum of what open and partially
paid invoices owe.
Target: under 1 second (p50).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import services  # noqa: E402
from backoffice_data import AS_OF, seed  # noqa: E402
from common import bench_env, connect, manage, recreate_database, with_db  # noqa: E402

DB = "billing_bench_dashboard"
TARGET_MS = 1000
QUERY = "?currency=USD&from=2025-12&to=2026-11"


def histories(conn: Any) -> list[Any]:
    """Every USD subscription's history from its rows, for the Python reference."""
    from backoffice.dashboard import Change, History, PriceMove, Terms

    terms = {
        pv: Terms(Decimal(fee), unit, count)
        for pv, fee, unit, count in conn.execute(
            "SELECT pv.id, pv.fixed_fee, pl.interval_unit, pl.interval_count "
            "FROM catalog_planversion pv JOIN catalog_plan pl ON pl.id = pv.plan_id"
        ).fetchall()
    }
    changes: dict[int, list[Any]] = defaultdict(list)
    for sub, at, from_pv, from_q, pv, new_q in conn.execute(
        "SELECT subscription_id, effective_at, from_plan_version_id, from_quantity, "
        "applied_plan_version_id, coalesce(new_quantity, from_quantity) "
        "FROM billing_subscriptionchange WHERE status = 'applied' ORDER BY effective_at, id"
    ).fetchall():
        changes[sub].append(Change(at, terms[from_pv], from_q, terms[pv], new_q))
    moves: dict[int, list[Any]] = defaultdict(list)
    for sub, at, from_pv, pv in conn.execute(
        "SELECT subscription_id, effective_at, from_plan_version_id, to_plan_version_id "
        "FROM billing_subscriptionpricemove ORDER BY effective_at, id"
    ).fetchall():
        moves[sub].append(PriceMove(at, terms[from_pv], terms[pv]))
    pauses: dict[int, list[Any]] = defaultdict(list)
    for sub, paused, resumed in conn.execute(
        "SELECT subscription_id, paused_at, resumed_at FROM billing_subscriptionpause"
    ).fetchall():
        pauses[sub].append((paused, resumed))
    rows = conn.execute(
        "SELECT s.id, s.customer_id, s.start_at, s.plan_version_id, s.quantity, s.trial_end, "
        "coalesce(s.ended_at, s.canceled_at, s.ends_at) FROM billing_subscription s "
        "JOIN billing_customer c ON c.id = s.customer_id "
        "WHERE c.currency = 'USD' AND c.test_clock_id IS NULL"
    ).fetchall()
    return [
        History(
            customer=cid,
            start_at=start,
            terms=terms[pv],
            quantity=q,
            trial_end=trial,
            end_at=end,
            pauses=pauses[sid],
            changes=changes[sid],
            moves=moves[sid],
        )
        for sid, cid, start, pv, q, trial, end in rows
    ]


def page_figures(page: str, css: str) -> dict[str, str]:
    """month -> the figure of class `css` in that month's row."""
    out = {}
    for row in re.findall(r'<tr class="dash-[a-z]+-row" data-month="([0-9-]+)">(.*?)</tr>',
                          page, re.DOTALL):  # fmt: skip
        month, cells = row
        found = re.search(rf'class="{css}"[^>]*>([^<]*)<', cells)
        if found:
            out[month] = unescape(found.group(1))
    return out


def verify(page: str, url: str) -> list[str]:
    from backoffice.dashboard import reference_mrr
    from catalog.admin_display import money

    problems = []
    with connect(url) as conn:
        reference = reference_mrr(
            histories(conn), date(2025, 12, 1), date(2026, 11, 1),
            AS_OF, "USD",
        )  # fmt: skip
        expected_mrr = {f"{m.month:%Y-%m}": money(m.mrr, "USD") for m in reference}
        # finalized invoices, void ones too (taken off when voided), prepaid credit sold not
        prepaid = (
            "coalesce((SELECT sum(l.amount) FROM invoicing_invoiceline l WHERE l.invoice_id = "
            "i.id AND l.kind = 'prepaid'), 0)"
        )
        invoiced = dict(conn.execute(
            "SELECT to_char(i.finalized_at AT TIME ZONE 'UTC', 'YYYY-MM'), "  # noqa: S608
            f"sum(i.total - {prepaid}) FROM invoicing_invoice i WHERE i.currency = 'USD' "
            "AND i.finalized_at IS NOT NULL GROUP BY 1"
        ).fetchall())  # fmt: skip
        voided = dict(conn.execute(
            "SELECT to_char(i.voided_at AT TIME ZONE 'UTC', 'YYYY-MM'), "  # noqa: S608
            f"sum(i.total - {prepaid}) FROM invoicing_invoice i WHERE i.currency = 'USD' "
            "AND i.finalized_at IS NOT NULL AND i.voided_at IS NOT NULL GROUP BY 1"
        ).fetchall())  # fmt: skip
        moves = conn.execute("SELECT count(*) FROM billing_subscriptionpricemove").fetchone()[0]
        collected = dict(conn.execute(
            "SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM'), sum(amount) "
            "FROM payments_payment WHERE currency = 'USD' AND state = 'succeeded' GROUP BY 1"
        ).fetchall())  # fmt: skip
        owed = conn.execute(
            "SELECT sum(amount_due) FROM invoicing_invoice WHERE currency = 'USD' "
            "AND status IN ('open', 'partially_paid') AND amount_due > 0"
        ).fetchone()[0]
    shown = page_figures(page, "dash-mrr")
    if shown != expected_mrr:
        problems.append(f"MRR on the page {shown} != the reference {expected_mrr}")
    for month, value in page_figures(page, "dash-invoiced").items():
        if value != money(Decimal(invoiced.get(month, 0)), "USD"):
            problems.append(f"invoiced {month}: page {value}, SQL {invoiced.get(month)}")
    for month, value in page_figures(page, "dash-voided").items():
        if value != money(Decimal(voided.get(month, 0)), "USD"):
            problems.append(f"voided {month}: page {value}, SQL {voided.get(month)}")
    if not moves:
        problems.append("the data set has no price move at renewal")
    for month, value in page_figures(page, "dash-collected").items():
        if value != money(Decimal(collected.get(month, 0)), "USD"):
            problems.append(f"collected {month}: page {value}, SQL {collected.get(month)}")
    total = re.search(r'id="dash-aging-total">([^<]*)<', page)
    if not total or unescape(total.group(1)) != money(Decimal(owed or 0), "USD"):
        problems.append(f"AR total {total and total.group(1)} != {owed}")
    if len(page_figures(page, "dash-mrr")) != 12:
        problems.append("the page does not show 12 months")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    args = parser.parse_args()
    started = services.ensure()
    url = with_db(started.database_url, DB)
    env = {**bench_env(url, started.redis_url), "ALLOWED_HOSTS": "testserver"}
    try:
        reuse = False
        if args.reuse:
            try:
                with connect(url) as conn:
                    reuse = conn.execute("SELECT count(*) FROM invoicing_invoice").fetchone()[0] > 0
            except Exception:
                reuse = False
        if not reuse:
            recreate_database(started.database_url, DB)
            manage(env, "migrate", "-v", "0")
            seeded = seed(url)
            print(
                f"seeded {seeded.customers:,} customers, {seeded.subscriptions:,} "
                f"subscriptions, {seeded.invoices:,} invoices, {seeded.payments:,} payments, "
                f"{seeded.usage_events:,} usage events in {seeded.seconds:.0f} s (not timed)"
            )
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        import time_machine
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        user = get_user_model().objects.filter(username="bench").first()
        if user is None:
            user = get_user_model().objects.create_superuser("bench", "b@example.com", "x")
        client = Client()
        client.force_login(user)
        times = []
        page = ""
        with time_machine.travel(AS_OF, tick=True):
            for _ in range(args.requests):
                begin = time.perf_counter()
                response = client.get("/admin/" + QUERY)
                times.append((time.perf_counter() - begin) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"the dashboard answered {response.status_code}")
                page = response.content.decode()
            with CaptureQueriesContext(connection) as queries:
                client.get("/admin/" + QUERY)
        problems = verify(page, url)
        p50, worst = statistics.median(times), max(times)
        with connect(url) as conn:
            invoices = conn.execute("SELECT count(*) FROM invoicing_invoice").fetchone()[0]
        verdict = "verified" if not problems else "MISMATCHES"
        print(f"dashboard (USD, 12 months) over {invoices:,} invoices: p50 {p50:.0f} ms, "
              f"max {worst:.0f} ms over {len(times)} requests, {len(queries)} SQL statements; "
              f"{verdict} (MRR = the Python reference with price moves; invoiced, voided, "
              "collected, AR = SQL)")  # fmt: skip
        if problems:
            print("\n".join(problems[:20]), file=sys.stderr)
            raise SystemExit(1)
        if p50 > TARGET_MS:
            print(f"p50 above the {TARGET_MS} ms target", file=sys.stderr)
    finally:
        if not args.keep:
            recreate_database(started.database_url, DB, drop_only=True)
        services.release(started)


if __name__ == "__main__":
    main()
