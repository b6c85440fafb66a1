"""Celery tasks of the invoicing app: thin wrappers around services."""

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from billing.models import Customer
from billing.selectors import customer_as_of
from core.audit import CLOCK, Actor
from core.exceptions import Conflict
from core.jobs import chunk_key, job_attach, job_start_shared, jobs_fail_stalled, tracked
from invoicing.clock_hooks import TickHooksFailed, run_tick_hooks
from invoicing.reconciliation import reconcile
from invoicing.services import (
    clock_tick_finish,
    clock_tick_start,
    clock_tick_work,
    invoice_render_pdf,
    invoices_finalize_ready,
    invoices_render_pdfs,
    subscriptions_bill_chunk,
)
from invoicing.services.clock import BILLING_RUN
from invoicing.services.interim import customer_interim_bill, interim_dequeued


@shared_task(name="invoicing.subscriptions_bill")
def subscriptions_bill_task(
    subscription_ids: list[int], as_of: str, lease: str = "", job_id: int | None = None
) -> int:
    """Bill what is due for a chunk of subscriptions up to the tick's instant and finalize their
    drafts that are complete (invoicing/services/clock.py), then release the tick's lease and
    advance the tick's billing run job (`job_id`) by the chunk, once its work has committed
    (one statement: the job's counts are added to, so the chunks of several workers add up;
    a chunk delivered again, billed already, finds its key on the job and is not counted
    twice)."""
    result = subscriptions_bill_chunk(
        subscription_ids=subscription_ids,
        as_of=datetime.fromisoformat(as_of),
        actor=CLOCK,
        lease=lease,
    )
    if job_id is not None:
        progress = job_attach(job_id, chunk=chunk_key(subscription_ids))
        for sid, reason in sorted(result.failed.items()):
            progress.advance(1, failed=1, error=f"subscription #{sid}: {reason}")
        progress.advance(len(subscription_ids) - len(result.failed))
        progress.flush()
    return result.steps


@shared_task(
    name="invoicing.import_run",
    soft_time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS + 60,
)
def import_run_task(*, run_id: int, actor: dict[str, str]) -> str:
    """Replay a queued import run (a long history: invoicing/services/imports.py); a delivery
    of a run already started does nothing. The run's status says how it went."""
    from invoicing.services.imports import import_run_queued

    who = Actor(kind=actor["kind"], id=actor["id"], label=actor["label"])  # type: ignore[arg-type]
    run = import_run_queued(run_id=run_id, actor=who, as_of=timezone.now())
    return run.status if run is not None else "skipped"


@shared_task(name="invoicing.reconcile_daily")
def reconcile_daily_task() -> bool:
    """Every day: the last 35 days of billing dates, checked again."""
    now = timezone.now()
    start = now - timedelta(days=35)
    with tracked(
        kind="reconcile",
        label=f"daily reconciliation {start:%Y-%m-%d}..{now:%Y-%m-%d}",
        actor=CLOCK.label,
        params={"start": start.isoformat(), "end": now.isoformat()},
    ) as progress:
        report = reconcile(start=start, end=now, as_of=now, progress=progress)
        progress.finish(
            result={
                "report": report.pk,
                "checked": report.checked,
                "mismatches": len(report.mismatches),
            }
        )
    return report.ok


@shared_task(name="invoicing.render_pdf")
def invoice_render_pdf_task(invoice_id: int) -> str:
    return invoice_render_pdf(invoice_id=invoice_id, as_of=timezone.now()).pdf_sha256


@shared_task(name="invoicing.render_pdfs")
def invoice_render_pdfs_task(invoice_ids: list[int]) -> int:
    """Render and store the PDFs of a batch of just-finalized invoices (`invoices_render_pdfs`:
    the batch's reads together, its writes in one transaction); how many were stored."""
    return invoices_render_pdfs(invoice_ids=invoice_ids, as_of=timezone.now())


@shared_task(name="invoicing.invoices_finalize")
def invoices_finalize_task(invoice_ids: list[int], as_of: str, lease: str = "") -> int:
    return invoices_finalize_ready(
        invoice_ids=invoice_ids, as_of=datetime.fromisoformat(as_of), actor=CLOCK, lease=lease
    )


@shared_task(bind=True, name="invoicing.clock_tick")
def clock_tick_task(self: Task[Any, Any], as_of: str | None = None) -> int:
    """The billing clock's tick, run by Celery beat every CLOCK_TICK_SECONDS. The work it finds
    goes to the queue the tick came from."""
    now = timezone.now()
    instant = datetime.fromisoformat(as_of) if as_of else now
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    tick = clock_tick_start(
        as_of=instant,
        started_at=now,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        task_id=self.request.id or "",
    )

    options: dict[str, Any] = {"queue": queue} if queue else {}
    # jobs of every kind whose work was lost (a worker killed, a hard time limit, the broker)
    # show failed: a billing run's chunks after BILLING_LEASE_SECONDS (later ticks bill what
    # was left), the others after their kind's JOB_STALLED_AFTER_SECONDS
    jobs_fail_stalled()
    job: dict[str, int] = {}

    def on_due(subscription_ids: list[int]) -> None:
        if subscription_ids:  # a job for each tick that bills something
            job["id"] = job_start_shared(
                kind=BILLING_RUN,
                label=f"billing run as of {instant.isoformat()}",
                actor=CLOCK.label,
                total=len(subscription_ids),
                params={"as_of": instant.isoformat(), "tick": tick.pk},
            ).pk

    def enqueue(subscription_ids: list[int], at: datetime, lease: str) -> None:
        subscriptions_bill_task.apply_async(
            args=(subscription_ids, at.isoformat(), lease, job.get("id")), **options
        )

    def enqueue_finalize(invoice_ids: list[int], at: datetime, lease: str) -> None:
        invoices_finalize_task.apply_async(args=(invoice_ids, at.isoformat(), lease), **options)

    def enqueue_pdfs(invoice_ids: list[int]) -> None:
        invoice_render_pdfs_task.delay(invoice_ids)

    summary = clock_tick_work(
        as_of=instant,
        enqueue=enqueue,
        enqueue_finalize=enqueue_finalize,
        enqueue_pdfs=enqueue_pdfs,
        token=f"tick-{tick.pk}",
        on_due=on_due,
    )
    if "id" in job:
        summary["job"] = job["id"]
    failed = None
    try:  # payments' reconcilers, retries, wallets
        summary["hooks"] = run_tick_hooks(instant)
    except TickHooksFailed as error:
        summary["hooks"], failed = error.summary, error
    clock_tick_finish(tick_id=tick.pk, finished_at=timezone.now(), summary=summary)
    if failed is not None:
        raise failed
    return tick.pk


@shared_task(name="invoicing.customer_interim_bill")
def customer_interim_bill_task(customer_id: int) -> list[int]:
    """Bill a customer's usage due before its periods' ends (thresholds reached, charges paid in
    advance: invoicing/services/interim.py) at the customer's now (a test customer's clock's
    time). Its queued mark is cleared first: events accepted from here on queue a new task."""
    interim_dequeued(customer_id)
    now = timezone.now()
    customer = Customer.objects.select_related("test_clock").get(pk=customer_id)
    try:
        as_of = customer_as_of(customer, now)
    except Conflict:  # its test clock is advancing: the advance's own tick bills it
        return []
    return customer_interim_bill(customer_id=customer_id, as_of=as_of, actor=CLOCK)
