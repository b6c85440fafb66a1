"""Invoice PDFs per second in one process, through the product's own PDF task.

    .venv/bin/python bench/pdfs.py [--invoices 200] [--reuse] [--profile out.txt]

Seeds (not timed) the standard workload (../shared/WORKLOAD.md; bench/billing_run.py's seed: the
"Pro" plan, N customers and 100 events each in month M) and bills it in this process with the
clock's own chunk service, so that N invoices are finalized (their PDF tasks go to a scratch
queue that is thrown away). Then it renders and stores every invoice's PDF by calling the
Celery PDF task's function (`invoice_render_pdfs_task`) on the tick's chunks, in this one process,
and prints PDFs per second. `--reuse` keeps the database of a previous run (its PDFs are
forgotten first). `--profile` samples the rendering with py-spy (a flat profile in the file).

Prints PDFs per second (wall clock: the machine's other load counts) and this process's CPU
time per PDF (steadier on a shared machine). Every PDF is checked: it parses (pypdf), its text
has the invoice's number and total, its stored SHA-256 is that of its bytes, and a sample is
rendered again alone, as the first document of a fresh process (`render_pdf` of its HTML): the
bytes must be equal. Any mismatch exits non-zero: not a figure.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import services  # noqa: E402
from billing_run import M1, seed  # noqa: E402
from common import bench_env, connect, recreate_database, with_db  # noqa: E402

DB = os.environ.get("BENCH_DB", "billing_bench_pdfs")
CHUNK = 10  # the tick's chunk of PDFs (invoicing/services/clock.py)


def bill(n: int) -> None:
    """Bill and finalize the n subscriptions in this process (the clock's chunk service)."""
    from billing.models import Subscription
    from core.audit import Actor
    from invoicing.services.clock import subscriptions_bill_chunk

    ids = list(Subscription.objects.order_by("pk").values_list("pk", flat=True))
    actor = Actor.system("bench")
    for i in range(0, len(ids), 200):
        subscriptions_bill_chunk(
            subscription_ids=ids[i : i + 200], as_of=M1 + timedelta(minutes=5), actor=actor
        )


def alone(invoice: Any) -> bytes:
    """An invoice's PDF rendered alone, as the first document of a process would be: nothing
    shared with the batches (the stylesheet and fonts made again)."""
    from invoicing import pdf

    if hasattr(pdf, "_typesetter"):  # (absent before batches: an A/B run of the old code)
        pdf._typesetter.cache_clear()
    return pdf.render_pdf(pdf.invoice_html(invoice))


def check(ids: list[int], sample: int) -> list[str]:
    """What is wrong with the stored PDFs (nothing: an empty list)."""
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    from invoicing import pdf
    from invoicing.models import Invoice

    problems = []
    invoices = Invoice.objects.filter(pk__in=ids).select_related("customer").order_by("pk")
    for k, invoice in enumerate(invoices):
        if not invoice.pdf:
            problems.append(f"{invoice.number}: no PDF")
            continue
        with default_storage.open(str(invoice.pdf.name)) as f:
            data = f.read()
        if pdf.checksum(data) != invoice.pdf_sha256:
            problems.append(f"{invoice.number}: stored SHA-256 is not that of the file")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        total = pdf.Reader.of(invoice.customer_snapshot or {}, invoice.currency).money(
            invoice.total
        )
        if str(invoice.number) not in text or total not in text:
            problems.append(f"{invoice.number}: number or total {total} not in the PDF's text")
        if k < sample and alone(invoice) != data:
            problems.append(f"{invoice.number}: not the bytes of rendering it alone")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--sample", type=int, default=20, help="PDFs rendered again alone")
    parser.add_argument("--reuse", action="store_true", help="keep a previous run's database")
    parser.add_argument("--profile", type=Path, help="py-spy's flat profile of the rendering")
    args = parser.parse_args()
    started = services.ensure()
    queue = f"bench-pdfs-{os.getpid()}"
    url = with_db(started.database_url, DB)
    env = {
        **bench_env(url, started.redis_url),
        "CELERY_QUEUE": queue,
        "CELERY_PDF_QUEUE": f"{queue}-pdf",
        "MEDIA_ROOT": str(ROOT / ".data" / "bench-media-pdfs"),
    }
    if not args.reuse:
        recreate_database(started.database_url, DB)
        begin = time.perf_counter()
        seed(env, url, args.invoices)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import redis

    from invoicing.models import Invoice
    from invoicing.tasks import invoice_render_pdfs_task

    try:
        if not args.reuse:
            bill(args.invoices)
            print(
                f"seeded and finalized {args.invoices:,} invoices of the standard workload in "
                f"{time.perf_counter() - begin:.0f} s (not counted)"
            )
    finally:
        redis.Redis.from_url(started.redis_url).delete(queue, f"{queue}-pdf")
    with connect(url) as conn:  # a previous run's PDFs are forgotten, and their files
        conn.execute(
            "UPDATE invoicing_invoice SET pdf = '', pdf_sha256 = '', pdf_rendered_at = NULL"
        )
    shutil.rmtree(Path(env["MEDIA_ROOT"]) / "invoices", ignore_errors=True)
    finalized = Invoice.objects.filter(status="open").order_by("finalized_at", "pk")
    ids = list(finalized.values_list("pk", flat=True))
    if len(ids) != args.invoices:
        raise SystemExit(f"{len(ids)} finalized invoices, expected {args.invoices}")
    invoice_render_pdfs_task(ids[:CHUNK])  # warm-up (fonts, imports): not counted
    rest = ids[CHUNK:]
    spy = None
    if args.profile:
        spy = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "py-spy"),
                "record",
                "-p",
                str(os.getpid()),
                "-f",
                "raw",
                "-o",
                str(args.profile),
                "-r",
                "200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
    begin, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(rest), CHUNK):
        invoice_render_pdfs_task(rest[i : i + CHUNK])
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
    if spy is not None:
        spy.send_signal(2)
        spy.wait()
    problems = check(ids, args.sample)
    print(
        f"PDFs: {len(rest):,} invoices rendered and stored in {elapsed:.2f} s = "
        f"{len(rest) / elapsed:.1f} PDFs/s in one process (chunks of {CHUNK}, the PDF task); "
        f"{cpu / len(rest) * 1000:.1f} ms of this process's CPU per PDF = "
        f"{len(rest) / cpu:.1f} PDFs per CPU-second; "
        f"{'every PDF checked' if not problems else 'MISMATCHES'} (parses, number and total in "
        f"its text, SHA-256; {min(args.sample, len(ids))} equal to rendering alone)"
    )
    if problems:
        print("\n".join(problems[:20]), file=sys.stderr)
        raise SystemExit(f"{len(problems)} PDF(s) wrong: not a figure")


if __name__ == "__main__":
    main()
