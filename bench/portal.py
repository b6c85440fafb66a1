"""The customer portal's reading pages for a customer with a long history, over real HTTP, verified.

    .venv/bin/python bench/portal.py [--customers 200] [--requests 50] [--workers 2] [--threads 2]

Seeds (not timed) the standard workload's "Pro" plan (../shared/WORKLOAD.md) and N customers with
bench/billing_run.py's own seed (its SEED run with the subscriptions starting 24 months before
this month, and its COPY of the workload's 100 raw events per customer in January 2026), then:
the heavy customer `c1` gets usage every month of those 25 (the billed ones and this one) through
`billing.services.usage_ingest` (a backfill), and the billing clock bills every customer month by
month (`manage.py bill --as-of` on each period's first day, in this process: the clock's own
path) — N x 24 finalized invoices. Then, through the services, for `c1`: three credit notes, a
manual payment of everything due but the latest invoice (applied oldest first), a default
sandbox card, and the stored PDFs of its invoices (`invoice_render_pdf`); a second plan
"Business" beside "Pro" in the default portal configuration, so the plan page lists one.

gunicorn (config/gunicorn.conf.py, `--workers` x `--threads`) serves; an API key
(`billing.services.api_key_create`) opens a portal session (`POST /api/v1/portal-sessions/`),
whose link a cookie-keeping urllib opener follows, as a browser would. Then each page, one after
the other, `--requests` times (one client, sequential; after one untimed request per page):
overview, invoices list, the latest invoice, its PDF, usage, billing details, payment methods,
the plan page. Printed per page: p50/p95/max milliseconds (request sent to body read), requests
per second of that sequence, the size, and the SQL statements per page (counted once, in this
process, by Django's test client under CaptureQueriesContext: the same views).

VERIFIED on every answer (exit non-zero otherwise): status 200 at the URL asked (no redirect,
e.g. to the sign-in page); the invoices list shows c1's latest invoice number; the invoice page's
total is the database's total formatted as the page formats it (`pdf.Reader.money` in the
customer's locale); the PDF starts with %PDF and its SHA-256 is the stored one; the overview's
amount due is what `invoicing.selectors.upcoming_invoice` computes for c1 now. Also checked once:
c1 has 24 finalized invoices and 3 credit notes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import http.cookiejar
import io
import json
import os
import re
import signal
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
import billing_run  # noqa: E402
import services  # noqa: E402
from common import bench_env, recreate_database, start_gunicorn  # noqa: E402

DB = "billing_bench_portal"
MONTHS = 24  # finalized invoices of the heavy customer
HEAVY = "c1"
SEED_DATES = "M, M1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)"


def add_months(day: datetime, months: int) -> datetime:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def history_start(now: datetime) -> datetime:
    """The first day of the month MONTHS months before this one: MONTHS periods end by now."""
    return add_months(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0), -MONTHS)


def seed(env: dict[str, str], url: str, n: int, start: datetime) -> int:
    """billing_run.seed with the plan, its price and the subscriptions dated `start`."""
    assert SEED_DATES in billing_run.SEED, "billing_run.SEED changed: adapt bench/portal.py"
    end = add_months(start, 1)
    billing_run.SEED = billing_run.SEED.replace(
        SEED_DATES,
        f"M, M1 = datetime({start.year}, {start.month}, 1, tzinfo=UTC), "
        f"datetime({end.year}, {end.month}, 1, tzinfo=UTC)",
    )
    return billing_run.seed(env, url, n)


def heavy_usage(start: datetime, now: datetime, actor: Any) -> int:
    """c1's usage in every month from `start` to now, through the ingestion service (a backfill:
    it creates the months' partitions): 30 api_calls events and one storage_gb event a month."""
    from billing.services import usage_ingest

    events = []
    month = start
    while month < now:
        end = min(add_months(month, 1), now - timedelta(minutes=30))
        for k in range(30):
            at = month + (end - month) * (k + 0.5) / 30
            events.append(
                {
                    "event_id": f"h-{month:%Y%m}-{k}",
                    "customer": HEAVY,
                    "metric": "api_calls",
                    "event_time": at.isoformat(),
                    "properties": {"calls": 500 + 37 * k + 11 * month.month},
                }
            )
        events.append(
            {
                "event_id": f"h-{month:%Y%m}-gb",
                "customer": HEAVY,
                "metric": "storage_gb",
                "event_time": (month + timedelta(hours=1)).isoformat(),
                "properties": {"gb": f"{10 + month.month}.5"},
            }
        )
        month = add_months(month, 1)
    report = usage_ingest(events=events, actor=actor, as_of=now, backfill=True, earliest=None)
    stored = [o for o in report.outcomes if o.status == "accepted"]
    if len(stored) != len(events):
        rejected = [o for o in report.outcomes if o.status == "rejected"][:3]
        raise SystemExit(f"usage of {HEAVY} refused: {rejected}")
    return len(events)


def run_clock(start: datetime, now: datetime) -> int:
    """`manage.py bill --as-of` at each period's first day (5 minutes past midnight) up to now:
    the clock's own path, in this process. The ticks run."""
    from django.core.management import call_command

    ticks = 0
    month = add_months(start, 1)
    while month + timedelta(minutes=5) <= now:
        call_command("bill", as_of=(month + timedelta(minutes=5)).isoformat(), stdout=io.StringIO())
        ticks += 1
        month = add_months(month, 1)
    return ticks


def heavy_history(now: datetime, actor: Any) -> dict[str, Any]:
    """Credit notes, a payment, a card and the PDFs of c1, through the services."""
    from billing.models import Customer
    from invoicing.models import Invoice, InvoiceStatus
    from invoicing.services import credit_note_issue, invoice_render_pdf
    from payments.services.cash import payment_record
    from payments.services.methods import payment_method_add

    heavy = Customer.objects.get(external_id=HEAVY)
    invoices = list(
        Invoice.objects.filter(customer=heavy)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("finalized_at", "id")
    )
    if len(invoices) != MONTHS:
        raise SystemExit(f"{HEAVY} has {len(invoices)} finalized invoices, expected {MONTHS}")
    for i in (2, 9, 16):  # a part of the fee credited: an outage, say
        line = invoices[i].lines.order_by("position", "id").first()
        credit_note_issue(
            invoice_id=invoices[i].pk,
            as_of=now,
            actor=actor,
            reason="Service outage",
            lines=[(line.pk, Decimal("10.00"))],
        )
    older = Invoice.objects.filter(pk__in=[inv.pk for inv in invoices[:-1]])
    due = sum((inv.amount_due for inv in older), Decimal(0))
    payment_record(
        customer_id=heavy.pk,
        amount=due,
        currency=heavy.currency,
        received_at=now,
        reference="bench transfer",
        actor=actor,
        as_of=now,
        apply_oldest_first=True,
    )
    payment_method_add(
        customer_id=heavy.pk,
        actor=actor,
        as_of=now,
        data={
            "gateway": "sandbox",
            "token": "tok_ok+bench-heavy",
            "kind": "card",
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": now.year + 3,
            "holder_name": "Customer 1",
        },
    )
    for invoice in invoices:
        invoice_render_pdf(invoice_id=invoice.pk, as_of=now)
    return {"customer": heavy, "latest": Invoice.objects.get(pk=invoices[-1].pk)}


def business_plan(start: datetime, actor: Any) -> None:
    """A second plan beside Pro, both listed in the default portal configuration."""
    from catalog import services as c
    from catalog.models import BillableMetric, Plan
    from portal.models import PortalConfiguration
    from portal.services.configuration import portal_configuration_update

    metrics = {m.code: m for m in BillableMetric.objects.all()}
    plan = c.plan_create(
        actor=actor,
        as_of=start,
        data={"code": "business", "name": "Business", "currency": "USD",
              "interval_unit": "month", "interval_count": 1},
    )  # fmt: skip
    version = c.plan_version_create(
        plan_id=plan.pk, actor=actor, as_of=start,
        data={"effective_from": start, "fixed_fee": Decimal("99.00"), "fee_timing": "arrears"},
        charges=[{"metric": metrics["api_calls"], "pricing_model": "graduated", "params": {
                      "tiers": [{"from": "0", "to": "50000", "unit_price": "0"},
                                {"from": "50000", "to": None, "unit_price": "0.0015"}]}},
                 {"metric": metrics["storage_gb"], "pricing_model": "per_unit",
                  "params": {"unit_price": "0.08"}}],
    )  # fmt: skip
    c.plan_version_publish(version_id=version.pk, actor=actor, as_of=start)
    default = PortalConfiguration.objects.get(is_default=True)
    pro = Plan.objects.get(code="pro")
    portal_configuration_update(
        configuration_id=default.pk,
        data={"plans": [pro.pk, plan.pk], "allow_plan_change": True},
        as_of=datetime.now(UTC),
        actor=actor,
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer here, never followed


def portal_opener(base: str, key: str) -> urllib.request.OpenerDirector:
    """A portal session through the API; its link followed with a cookie jar, as a browser."""
    body = json.dumps({"customer": HEAVY, "return_url": "https://app.example.com/account"})
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        f"{base}/api/v1/portal-sessions/",
        data=body.encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        if answer.status != 201:
            raise SystemExit(f"POST /api/v1/portal-sessions/ answered {answer.status}")
        link = json.loads(answer.read())["url"]
    jar = http.cookiejar.CookieJar()
    follow = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path = link[link.index("/portal/") :]  # the link names the Host the API saw
    with follow.open(base + path, timeout=30) as landed:
        if landed.status != 200 or not landed.url.endswith("/portal/"):
            raise SystemExit(f"the session link led to {landed.url} ({landed.status})")
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def fetch(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str, bytes, float]:
    begin = time.perf_counter()
    try:
        with opener.open(url, timeout=60) as answer:
            body = answer.read()
            status, where = answer.status, answer.url
    except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
        body = error.read()
        status, where = error.code, error.headers.get("Location", url)
    return status, where, body, (time.perf_counter() - begin) * 1000


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def grand_amounts(page: str, block_id: str) -> list[str]:
    """The amounts of the `class="grand"` rows of the totals block `block_id`."""
    found = re.search(rf'id="{block_id}">(.*?)</dl>', page, re.S)
    if found is None:
        return []
    return [text_of(dd) for dd in re.findall(r'class="grand"><dt>.*?</dt><dd>(.*?)</dd>',
                                             found.group(1), re.S)]  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def sql_counts(customer: Any, paths: dict[str, str], actor: Any) -> dict[str, int]:
    """SQL statements per page, once each, through Django's test client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal.services import portal_session_create
    from portal.services.access import link_path

    client = Client(HTTP_HOST="127.0.0.1")
    _, token = portal_session_create(customer_id=customer.pk, as_of=timezone.now(), actor=actor)
    client.get(link_path(token))
    counts = {}
    for name, path in paths.items():
        client.get(path)  # first-use caches out of the count
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if name == "invoice PDF":
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
        counts[name] = len(queries) if response.status_code == 200 else -1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    started = services.ensure()
    url = recreate_database(started.database_url, DB)
    queue = f"bench-portal-{os.getpid()}"
    namespace = f"bench-portal-{uuid.uuid4().hex[:10]}"
    env = {
        **bench_env(url, started.redis_url),
        "CELERY_QUEUE": queue,  # no worker: journal dispatches and PDF tasks wait, then go
        "CELERY_PDF_QUEUE": f"{queue}-pdf",
        "MEDIA_ROOT": str(ROOT / ".data" / "bench-media"),
        "PAYMENT_GATEWAYS": "sandbox,manual",
        "SANDBOX_GATEWAY_NAMESPACE": namespace,
        # plain HTTP on 127.0.0.1, as every bench serves: the session cookie must come back
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    server = None
    problems: list[str] = []
    try:
        now = datetime.now(UTC)
        start = history_start(now)
        seed_start = time.perf_counter()
        events = seed(env, url, args.customers, start)
        seeded = time.perf_counter() - seed_start
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.utils import timezone

        from billing.services import api_key_create
        from core.audit import Actor
        from invoicing import pdf
        from invoicing.models import CreditNote, Invoice, InvoiceStatus
        from invoicing.selectors import upcoming_invoice

        actor = Actor.system("bench")
        events += heavy_usage(start, timezone.now(), actor)
        business_plan(start, actor)
        clock_start = time.perf_counter()
        ticks = run_clock(start, timezone.now())
        clocked = time.perf_counter() - clock_start
        history_start_at = time.perf_counter()
        found = heavy_history(timezone.now(), actor)
        history = time.perf_counter() - history_start_at
        heavy, latest = found["customer"], found["latest"]
        issued = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).count()
        notes = CreditNote.objects.filter(invoice__customer=heavy).count()
        if notes != 3:
            problems.append(f"{HEAVY} has {notes} credit notes, expected 3")
        _, key = api_key_create(name="bench portal", actor=actor, as_of=timezone.now())
        print(
            f"seeded {args.customers:,} customers on Pro from {start:%Y-%m-%d}, {events:,} usage "
            f"events ({seeded:.0f} s); {ticks} clock ticks billed {issued:,} finalized invoices "
            f"({clocked:.0f} s); {HEAVY}: {MONTHS} invoices, {notes} credit notes, a payment, a "
            f"card, {MONTHS} PDFs stored ({history:.0f} s); {time.perf_counter() - seed_start:.0f}"
            f" s in all, not counted"
        )

        reader = pdf.Reader(
            pdf.babel_locale(heavy.locale), pdf.time_zone(heavy.timezone), heavy.currency
        )
        sub = heavy.subscriptions.get()  # type: ignore[attr-defined]
        paths = {
            "overview": "/portal/",
            "invoices list": "/portal/invoices/",
            "invoice detail": f"/portal/invoices/{latest.pk}/",
            "invoice PDF": f"/portal/invoices/{latest.pk}/pdf/",
            "usage": "/portal/usage/",
            "billing details": "/portal/billing-details/",
            "payment methods": "/portal/payment-methods/",
            "plan": f"/portal/subscriptions/{sub.pk}/plan/",
        }
        total_text = reader.money(latest.total)

        def expected_due() -> str:
            found = upcoming_invoice(customer_id=heavy.pk, as_of=timezone.now())
            return reader.money(found["amount_due"])

        due_text = expected_due()

        def check(name: str, status: int, where: str, body: bytes) -> str | None:
            if status != 200 or not where.endswith(paths[name]):
                return f"{status} at {where}"
            if name == "invoice PDF":
                if not body.startswith(b"%PDF"):
                    return "not a PDF"
                if hashlib.sha256(body).hexdigest() != latest.pdf_sha256:
                    return "SHA-256 differs from the stored one"
                return None
            page = body.decode()
            if name == "invoices list" and f">{latest.number}</a>" not in page:
                return f"latest invoice {latest.number} not listed"
            if name == "invoice detail" and grand_amounts(page, "invoice-totals")[:1] != [
                total_text
            ]:
                return f"total {grand_amounts(page, 'invoice-totals')} != {total_text}"
            if name == "overview" and grand_amounts(page, "upcoming-totals") != [due_text]:
                return f"amount due {grand_amounts(page, 'upcoming-totals')} != {due_text}"
            if name == "plan" and "Business" not in page:
                return "the Business plan is not offered"
            return None

        server, port = start_gunicorn(env, workers=args.workers, threads=args.threads)
        base = f"http://127.0.0.1:{port}"
        opener = portal_opener(base, key)
        results = {}
        for name, path in paths.items():
            status, where, body, _ = fetch(opener, base + path)  # untimed: first use
            failed = check(name, status, where, body)
            if failed:
                problems.append(f"{name}: {failed}")
            times, sizes, failures = [], set(), 0
            begin = time.perf_counter()
            for _ in range(args.requests):
                status, where, body, ms = fetch(opener, base + path)
                times.append(ms)
                sizes.add(len(body))
                failed = check(name, status, where, body)
                if failed:
                    failures += 1
                    if failures == 1:
                        problems.append(f"{name}: {failed}")
            # the checks are not in `ms`, but in the sequence's wall clock (microseconds each)
            results[name] = (times, time.perf_counter() - begin, max(sizes), failures)
        if expected_due() != due_text:  # the upcoming invoice did not move during the run
            problems.append("the upcoming invoice's amount due changed during the run")
        queries = sql_counts(heavy, paths, actor)

        print(
            f"portal pages of {HEAVY} ({MONTHS} invoices, latest {latest.number}, total "
            f"{total_text}; upcoming amount due {due_text}) over HTTP, gunicorn {args.workers} "
            f"workers x {args.threads} threads, one sequential client, {args.requests} timed "
            f"requests per page, {os.cpu_count()} cores"
        )
        print(f"{'page':<17} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'req/s':>6} "
              f"{'KB':>6} {'SQL':>4}  ok")  # fmt: skip
        for name, (times, wall, size, failures) in results.items():
            print(
                f"{name:<17} {statistics.median(times):7.1f} {percentile(times, 0.95):7.1f} "
                f"{max(times):7.1f} {len(times) / wall:6.1f} {size / 1024:6.1f} "
                f"{queries[name]:4d}  {len(times) - failures}/{len(times)}"
            )
        every = [t for times, *_ in results.values() for t in times]
        wall = sum(w for _, w, _, _ in results.values())
        verdict = "verified" if not problems else "NOT VERIFIED"
        print(
            f"all pages: {len(every)} requests, p50 {statistics.median(every):.1f} ms, p95 "
            f"{percentile(every, 0.95):.1f} ms, {len(every) / wall:.1f} requests/s; {verdict}: "
            f"every answer 200, the latest invoice listed, its total and PDF (SHA-256) as stored, "
            f"the overview's amount due as upcoming_invoice computes it"
        )
        if problems:
            print("\n".join(problems[:20]), file=sys.stderr)
            raise SystemExit(f"{len(problems)} problem(s): not a figure")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(started.redis_url)
            client.delete(queue, f"{queue}-pdf")
            names = list(client.scan_iter(match=f"{namespace}:*", count=1000))
            if names:
                client.delete(*names)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if not os.environ.get("BENCH_KEEP_DB"):
            recreate_database(started.database_url, DB, drop_only=True)
        services.release(started)


if __name__ == "__main__":
    main()
