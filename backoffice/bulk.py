"""Bulk work of the back office: one action on many invoices or customers, each object through the
service that already does it for one (finalize, void, retry now, apply cash), one object at a time
in the service's own transaction, so one object's refusal never rolls back the others.

An action is a `BulkAction`: what it does (`happens`, for the confirmation page), the permission
it asks for, `plan` (set-based: for a chunk of ids, what will happen to each object, or why it is
skipped: a paid invoice is never voided) and `act` (one object: calls the service; its
`ApplicationError` is that object's reason). `plan` runs twice: for the confirmation page, and
again just before each chunk is done (the objects may have changed in between).

A confirmation is claimed once (`bulk_claim`: its job, queued, made under a lock on the nonce
signed into its page; posted again it gets that job back, never a second run). Up to
BULK_SYNC_MAX objects `bulk_execute` runs it in the request; above, `bulk_enqueue` splits the
objects (in the action's order) into chunks of BULK_TASK_CHUNK, one Celery task each
(`backoffice.tasks.bulk_chunk_task` -> `bulk_chunk`), side by side, or one after the other for a
sequential action (finalize: the numbers follow the billing dates). Each object ends `done`,
`skipped` (with why) or `failed` (the service's refusal); the job keeps the counts, the failures
as its errors, and the summary in its `result` (each chunk's counts and rows recorded there as
it ends; the chunk that records the last one writes the whole summary and journals
`bulk_action.completed`, once). The summary page reads the job's result.

Reminders: the e-mail is the dunning reminder (`dunning_reminder`, the one dunning sends when a
customer enters its reminder state), recorded by notifications' own `notifications_record` and
sent by its task; one per invoice and local day (its key), with the invoice's amount due and days
past due; `invoice.reminder_requested` is journaled with it."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Model, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from billing.models import Customer, TestClockStatus
from billing.periods import local_date
from billing.selectors import customer_times
from billing.services import journal_write, locked_customer
from catalog.admin_display import money
from core.audit import Actor, audit_context
from core.exceptions import ApplicationError, Conflict, ValidationFailed
from core.jobs import Progress, job_attach, job_create, tracked
from core.models import Job, JobStatus
from invoicing.models import CreditNote, Invoice, InvoiceStatus
from invoicing.services import invoice_finalize, invoice_void
from invoicing.services.lines import locked_invoice
from notifications.models import Notification, Template
from notifications.services.record import Wanted, notifications_record
from payments.models import Payment, PaymentKind, PaymentState
from payments.services import payment_apply
from payments.services.dunning import local_days_between
from payments.services.retries import payment_retry_now

logger = logging.getLogger(__name__)

DONE, SKIPPED, FAILED = "done", "skipped", "failed"
CHUNK = 200  # objects planned (read) at once
COUNT_CHUNK = 5000  # objects planned at once only to be counted (a confirmation's rest)
ROWS_KEPT = 2000  # rows kept in a job's result (the counts are always whole)
ZERO = Decimal(0)
OPEN_STATES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)


@dataclass(frozen=True)
class Planned:
    """One object as the action sees it: what will happen to it, or why it is skipped."""

    pk: int
    label: str
    customer_id: int
    customer: str  # who, for the pages
    what: str
    skip: bool = False


@dataclass(frozen=True)
class Row:
    """What happened to one object."""

    pk: int
    label: str
    status: str  # done, skipped, failed
    detail: str


@dataclass
class Summary:
    action: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    job_id: int | None = None

    def as_result(self) -> dict[str, Any]:
        """What the job keeps: the counts, and the first ROWS_KEPT rows."""
        return {
            "action": self.action,
            "total": self.total,
            "counts": self.counts,
            "rows": [asdict(row) for row in self.rows[:ROWS_KEPT]],
        }


Plan = Callable[[Sequence[int], datetime], list[Planned]]
# (the object as planned, the instant it acts at: its customer's (test clock) time, ...)
Act = Callable[[Planned, datetime, Actor, Mapping[str, Any]], str]


@dataclass(frozen=True)
class BulkAction:
    name: str
    model: type[Model]
    title: str  # "Void invoices"
    happens: tuple[str, ...]  # what it does, for the confirmation page
    permissions: tuple[str, ...]  # any one of them allows it
    order: tuple[str, ...]  # the order objects are done in
    plan: Plan
    act: Act
    needs_reason: bool = False
    # its chunk tasks run one after the other, in its order (finalize: numbers follow the
    # billing dates across chunks); otherwise side by side
    sequential: bool = False

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def nouns(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def allowed(self, user: Any) -> bool:
        return any(user.has_perm(permission) for permission in self.permissions)

    def ordered_ids(self, ids: Sequence[int]) -> list[int]:
        """The ids that exist, in the action's order."""
        found = self.model._default_manager.filter(pk__in=list(ids)).order_by(*self.order)
        return list(found.values_list("pk", flat=True))


# -------------------------------------------------------------------------------- the running


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def plan_preview(
    action: BulkAction, ids: Sequence[int], now: datetime, *, shown: int
) -> tuple[list[Planned], int, int]:
    """The confirmation page: the first `shown` objects planned (in the action's order), and
    how many of all `ids` are to do and skipped. The rest are planned only to be counted, in
    chunks of COUNT_CHUNK: a selection up to `shown` objects reads in a fixed number of
    statements."""
    ordered = action.ordered_ids(ids)
    planned = action.plan(ordered[:shown], now) if ordered else []
    to_do = sum(1 for p in planned if not p.skip)
    skipped = len(planned) - to_do
    for chunk in _chunks(ordered[shown:], COUNT_CHUNK):
        rest = action.plan(chunk, now)
        counted = sum(1 for p in rest if not p.skip)
        to_do, skipped = to_do + counted, skipped + len(rest) - counted
    return planned, to_do, skipped


def _instants(customer_ids: set[int], now: datetime) -> dict[int, datetime | ApplicationError]:
    """Each customer's instant (one statement): `now`, its test clock's time, or the refusal
    while that clock advances (the object fails with it)."""
    rows = Customer.objects.filter(pk__in=customer_ids).values_list(
        "pk", "test_clock__frozen_time", "test_clock__status"
    )
    out: dict[int, datetime | ApplicationError] = {}
    for pk, frozen, status in rows:
        if status == TestClockStatus.ADVANCING:
            out[pk] = Conflict(
                "The customer's test clock is advancing: try again when it is ready.",
                code="test_clock_advancing",
            )
        else:
            out[pk] = frozen or now
    return out


def _one(
    action: BulkAction,
    planned: Planned,
    as_of: datetime | ApplicationError,
    actor: Actor,
    params: Mapping[str, Any],
) -> Row:
    if planned.skip:
        return Row(planned.pk, planned.label, SKIPPED, planned.what)
    try:
        if isinstance(as_of, ApplicationError):
            raise as_of
        detail = action.act(planned, as_of, actor, params)
    except ApplicationError as exc:
        return Row(planned.pk, planned.label, FAILED, exc.message)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # one object's trouble is its row's; the others go on
        logger.exception("bulk %s: %s #%s failed", action.name, action.noun, planned.pk)
        return Row(planned.pk, planned.label, FAILED, f"Unexpected error ({type(exc).__name__}).")
    return Row(planned.pk, planned.label, DONE, detail)


def bulk_run(
    *,
    action: BulkAction,
    ids: Sequence[int],
    actor: Actor,
    now: datetime,
    params: Mapping[str, Any],
    progress: Progress | None = None,
) -> Summary:
    """Do `action` to each of `ids`, one object at a time (each in its service's transaction).
    `now`: the wall clock the caller read; each object acts at its customer's instant (a test
    customer's clock time, read once per chunk). Ids gone since they were selected are
    skipped."""
    summary = Summary(action=action.name, total=len(ids))
    counts: Counter[str] = Counter()
    ordered = action.ordered_ids(ids)
    gone = set(ids) - set(ordered)
    for chunk in _chunks(ordered):
        planned_of = {p.pk: p for p in action.plan(chunk, now)}
        instants = _instants({p.customer_id for p in planned_of.values()}, now)
        for pk in chunk:
            planned = planned_of.get(pk)
            row = (
                _one(action, planned, instants.get(planned.customer_id, now), actor, params)
                if planned is not None
                else Row(pk, f"#{pk}", SKIPPED, f"The {action.noun} no longer exists.")
            )
            summary.rows.append(row)
            counts[row.status] += 1
            if progress is not None:
                failed = row.status == FAILED
                error = f"{row.label}: {row.detail}" if failed else None
                progress.advance(1, failed=int(failed), error=error)
    for pk in sorted(gone):
        summary.rows.append(Row(pk, f"#{pk}", SKIPPED, f"The {action.noun} no longer exists."))
        counts[SKIPPED] += 1
        if progress is not None:
            progress.advance(1)
    summary.counts = {status: counts[status] for status in (DONE, SKIPPED, FAILED)}
    return summary


def _label(action: BulkAction, count: int) -> str:
    return f"{action.title} ({count} {action.nouns if count != 1 else action.noun})"


def _completed(
    action: BulkAction, job_id: int, summary: Summary, actor: Actor, params: Mapping[str, Any],
    now: datetime,
) -> None:  # fmt: skip
    """`bulk_action.completed` of the job (inside the caller's transaction)."""
    with audit_context(actor=actor, reason=action.title):
        journal_write(
            type="bulk_action.completed",
            subject_type="job",
            subject_id=job_id,
            payload={
                "action": action.name,
                "model": action.model._meta.model_name,
                "total": summary.total,
                **summary.counts,
                "reason": str(params.get("reason") or ""),
            },
            actor=actor,
            occurred_at=now,
        )


def bulk_claim(
    *,
    action_name: str,
    nonce: str,
    ids: Sequence[int],
    actor: Actor,
    params: Mapping[str, Any],
    as_of: datetime,
) -> tuple[Job, bool]:
    """The job of one confirmation (`nonce`, signed into its page), queued: (the job, True)
    the first time; (the job made then, False) when the same confirmation is posted again (a
    double submit, a refresh, the back button): it is never run twice. One transaction, under
    a lock on the nonce, so two posts at once make one job."""
    action = ACTIONS[action_name]
    kind = f"bulk_{action.name}"
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [nonce])
        made = Job.objects.filter(kind=kind, params__confirmation=nonce).first()
        if made is not None:
            return made, False
        job = job_create(
            kind=kind,
            label=_label(action, len(ids)),
            actor=actor.label,
            params={
                **_job_params(action, len(ids), params),
                "confirmation": nonce,
                "user": actor.id,
            },
            total=len(ids),
            as_of=as_of,
        )
    return job, True


def bulk_execute(
    *,
    action_name: str,
    ids: Sequence[int],
    actor: Actor,
    now: datetime,
    params: Mapping[str, Any],
    job_id: int | None = None,
) -> Summary:
    """Run the action in this process as a job (a new one, or the claimed `job_id`), then
    journal `bulk_action.completed` with the counts; the job's result holds the summary."""
    action = ACTIONS[action_name]
    with tracked(
        kind=f"bulk_{action.name}",
        label=_label(action, len(ids)),
        actor=actor.label,
        total=len(ids),
        params=_job_params(action, len(ids), params),
        job_id=job_id,
    ) as progress:
        summary = bulk_run(
            action=action, ids=ids, actor=actor, now=now, params=params, progress=progress
        )
        summary.job_id = progress.job_id
        with transaction.atomic(durable=True):
            _completed(action, progress.job_id, summary, actor, params, now)
        progress.finish(result=summary.as_result())
    return summary


def _job_params(action: BulkAction, count: int, params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "action": action.name,
        "model": f"{action.model._meta.app_label}.{action.model._meta.model_name}",
        "objects": count,
        **{k: v for k, v in params.items() if isinstance(v, str | int)},
    }


# ----------------------------------------------------------------------- as chunk tasks


def bulk_split(action_name: str, ids: Sequence[int]) -> list[list[int]]:
    """`ids` in the action's order (those gone last) in chunks of BULK_TASK_CHUNK: one task
    each, short enough for the task time limit."""
    action = ACTIONS[action_name]
    ordered = action.ordered_ids(ids)
    ordered += sorted(set(ids) - set(ordered))
    size: int = settings.BULK_TASK_CHUNK
    return [list(chunk) for chunk in _chunks(ordered, size)]


def bulk_enqueue(
    *,
    job: Job,
    action_name: str,
    ids: Sequence[int],
    actor: Actor,
    params: Mapping[str, Any],
    queue: str = "",
) -> list[list[int]]:
    """The claimed (committed, queued) `job` done by chunk tasks (`bulk_chunk_task`): all at
    once, or for a sequential action the first, each queueing the next when it is done."""
    from backoffice.tasks import bulk_chunk_task

    action = ACTIONS[action_name]
    chunks = bulk_split(action_name, ids)
    options: dict[str, Any] = {"queue": queue} if queue else {}
    common = {"job_id": job.pk, "action": action.name, "chunks": len(chunks),
              "actor": actor.as_dict(), "params": dict(params)}  # fmt: skip
    if not chunks:
        bulk_chunk_task.apply_async(kwargs={**common, "index": 0, "ids": []}, **options)
    elif action.sequential:
        kwargs = {**common, "index": 0, "ids": chunks[0], "rest": chunks[1:], "queue": queue}
        bulk_chunk_task.apply_async(kwargs=kwargs, **options)
    else:
        for index, chunk in enumerate(chunks):
            bulk_chunk_task.apply_async(kwargs={**common, "index": index, "ids": chunk}, **options)
    return chunks


def bulk_chunk(
    *,
    job_id: int,
    action_name: str,
    index: int,
    chunks: int,
    ids: Sequence[int],
    actor: Actor,
    params: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Chunk `index` of `chunks` of a bulk job: its objects done (`bulk_run`), the job advanced
    (after each object's commit), then the chunk's counts and rows recorded in the job's
    result; the chunk that records the last one finishes the job: its summary (the counts, the
    first ROWS_KEPT rows in order), `bulk_action.completed` journaled once. A chunk recorded
    already, or a job finished (succeeded or failed), is not done again (a redelivery). A chunk
    that raises fails the job (its summary: the chunks recorded). Returns whether it ran."""
    action = ACTIONS[action_name]
    status = Job.objects.filter(pk=job_id).values_list("status", "result").first()
    if status is None or status[0] in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        return False
    if str(index) in ((status[1] or {}).get("chunks") or {}):
        return False
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now
    )
    progress = job_attach(job_id, finish_at_total=False)
    try:
        summary = bulk_run(
            action=action, ids=ids, actor=actor, now=now, params=params, progress=progress
        )
    except BaseException as exc:
        progress.fail(f"chunk {index + 1} of {chunks}: {type(exc).__name__}: {exc}")
        _settle(action, job_id, chunks, None, actor, params, now)
        raise
    progress.flush()
    _settle(action, job_id, chunks, (index, summary), actor, params, now)
    return True


def _settle(
    action: BulkAction,
    job_id: int,
    chunks: int,
    recorded: tuple[int, Summary] | None,
    actor: Actor,
    params: Mapping[str, Any],
    now: datetime,
) -> None:
    """Record a chunk's counts and rows in the job's result (the job's row locked: chunks that
    end together take turns) and finish the job when every chunk is recorded."""
    size: int = settings.BULK_TASK_CHUNK
    with transaction.atomic(durable=True):
        job = Job.objects.select_for_update().get(pk=job_id)
        result = dict(job.result or {})
        parts: dict[str, Any] = dict(result.get("chunks") or {})
        if recorded is not None:
            index, summary = recorded
            keep = max(0, ROWS_KEPT - index * size)
            parts[str(index)] = {
                "counts": summary.counts,
                "rows": [asdict(row) for row in summary.rows[:keep]],
            }
        whole = _whole(action, job.total or 0, parts)
        if job.status == JobStatus.RUNNING and len(parts) >= chunks:
            whole.job_id = job_id
            _completed(action, job_id, whole, actor, params, now)
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.SUCCEEDED, result=whole.as_result(),
                done=sum(whole.counts.values()), failed=whole.counts[FAILED],
                finished_at=now, updated_at=now,
            )  # fmt: skip
        elif job.status == JobStatus.FAILED:  # what was done, for its page
            Job.objects.filter(pk=job_id).update(result=whole.as_result() | {"chunks": parts})
        else:
            Job.objects.filter(pk=job_id).update(result=result | {"chunks": parts})


def _whole(action: BulkAction, total: int, parts: Mapping[str, Any]) -> Summary:
    """The summary of the chunks recorded: their counts added, their rows in order."""
    summary = Summary(action=action.name, total=total)
    counts: Counter[str] = Counter()
    for key in sorted(parts, key=int):
        counts.update(parts[key]["counts"])
        summary.rows += [Row(**row) for row in parts[key]["rows"]]
    summary.rows = summary.rows[:ROWS_KEPT]
    summary.counts = {status: counts[status] for status in (DONE, SKIPPED, FAILED)}
    return summary


# ---------------------------------------------------------------------------------- invoices


INVOICE_FIELDS = (
    "pk", "number", "status", "currency", "total", "amount_due", "due_at", "billing_date",
    "customer_id", "customer__external_id", "customer__name", "customer__email",
    "customer__timezone", "customer__test_clock_id",
)  # fmt: skip


def _invoices(ids: Sequence[int]) -> list[Invoice]:
    return list(
        Invoice.objects.filter(pk__in=list(ids))
        .select_related("customer")
        .only(*INVOICE_FIELDS)
        .order_by("billing_date", "pk")
    )


def _planned(invoice: Invoice, what: str, *, skip: bool = False) -> Planned:
    who = invoice.customer.name or invoice.customer.external_id
    return Planned(
        invoice.pk, str(invoice), invoice.customer_id, f"{who} ({invoice.customer.external_id})",
        what, skip,
    )  # fmt: skip


def _status_text(invoice: Invoice) -> str:
    return str(invoice.get_status_display()).lower()


def plan_finalize(ids: Sequence[int], now: datetime) -> list[Planned]:
    out = []
    for invoice in _invoices(ids):
        if invoice.status != InvoiceStatus.DRAFT:
            why = f"It is {_status_text(invoice)}, not a draft: only drafts are finalized."
            out.append(_planned(invoice, why, skip=True))
        else:
            what = f"Numbered and issued: total {money(invoice.total, invoice.currency)}."
            out.append(_planned(invoice, what))
    return out


def act_finalize(planned: Planned, as_of: datetime, actor: Actor, params: Mapping[str, Any]) -> str:
    done = invoice_finalize(invoice_id=planned.pk, as_of=as_of, actor=actor)
    c = done.currency
    return (
        f"Finalized as {done.number} ({_status_text(done)}): total "
        f"{money(done.total, c)}, amount due {money(done.amount_due, c)}."
    )


VOID_REFUSED = {
    InvoiceStatus.DRAFT: "It is a draft: only an open invoice is voided (a draft is not issued).",
    InvoiceStatus.PARTIALLY_PAID: "It is partially paid: unapply its payments first, or credit it.",
    InvoiceStatus.PAID: "It is paid: a paid invoice cannot be voided (credit or refund it).",
    InvoiceStatus.VOID: "It is void already.",
    InvoiceStatus.UNCOLLECTIBLE: "It was written off (uncollectible): it is never voided.",
}


def plan_void(ids: Sequence[int], now: datetime) -> list[Planned]:
    invoices = _invoices(ids)
    credited = dict(
        CreditNote.objects.filter(invoice_id__in=[i.pk for i in invoices])
        .values("invoice_id")
        .annotate(total=Sum("total"))
        .values_list("invoice_id", "total")
    )
    out = []
    for invoice in invoices:
        c = invoice.currency
        if invoice.status in VOID_REFUSED:
            out.append(_planned(invoice, VOID_REFUSED[InvoiceStatus(invoice.status)], skip=True))
        elif credited.get(invoice.pk):
            why = (
                f"Credit notes of {money(credited[invoice.pk], c)} were issued against it: "
                "credit the rest instead."
            )
            out.append(_planned(invoice, why, skip=True))
        else:
            what = f"Void; its posting of {money(invoice.total, c)} reversed."
            out.append(_planned(invoice, what))
    return out


def act_void(planned: Planned, as_of: datetime, actor: Actor, params: Mapping[str, Any]) -> str:
    done = invoice_void(
        invoice_id=planned.pk,
        as_of=as_of,
        actor=actor,
        reason=str(params["reason"]),
    )
    return f"Voided; its posting of {money(done.total, done.currency)} was reversed."


def _latest_attempts(invoice_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """invoice id -> (attempt, state) of its latest automatic attempt."""
    latest = (
        Payment.objects.filter(invoice_id=OuterRef("invoice_id"), kind=PaymentKind.AUTOMATIC)
        .order_by("-attempt", "-pk")
        .values("pk")[:1]
    )
    rows = Payment.objects.filter(
        invoice_id__in=list(invoice_ids), kind=PaymentKind.AUTOMATIC, pk=Subquery(latest)
    ).values_list("invoice_id", "attempt", "state")
    return {invoice_id: (attempt or 0, state) for invoice_id, attempt, state in rows}


def plan_retry(ids: Sequence[int], now: datetime) -> list[Planned]:
    invoices = _invoices(ids)
    latest = _latest_attempts([i.pk for i in invoices])
    out = []
    for invoice in invoices:
        c = invoice.currency
        attempt, state = latest.get(invoice.pk, (0, ""))
        if invoice.status not in OPEN_STATES:
            why = f"It is {_status_text(invoice)}: there is nothing to collect."
            out.append(_planned(invoice, why, skip=True))
        elif invoice.amount_due <= 0:
            out.append(_planned(invoice, "It owes nothing.", skip=True))
        elif state == PaymentState.PENDING:
            why = f"Attempt {attempt} is still pending: its outcome comes first."
            out.append(_planned(invoice, why, skip=True))
        else:
            before = f" (attempt {attempt} {state})" if attempt else " (no attempt yet)"
            what = f"Attempt {attempt + 1} for {money(invoice.amount_due, c)}{before}."
            out.append(_planned(invoice, what))
    return out


def act_retry(planned: Planned, as_of: datetime, actor: Actor, params: Mapping[str, Any]) -> str:
    payment = payment_retry_now(invoice_id=planned.pk, actor=actor, as_of=as_of)
    method = f" to {payment.method}" if payment.method_id else ""
    return (
        f"Attempt {payment.attempt} (payment #{payment.pk}) of "
        f"{money(payment.amount, payment.currency)}{method}: charged by a worker now."
    )


def reminder_key(invoice_id: int, day: Any) -> str:
    return f"{Template.DUNNING_REMINDER}:manual:invoice:{invoice_id}:{day.isoformat()}"


def _reminder_facts(invoice: Invoice, as_of: datetime) -> tuple[str, str]:
    """(why it is skipped or "", the notification's key)"""
    zone = invoice.customer.timezone or "UTC"
    key = reminder_key(invoice.pk, local_date(as_of, zone))
    if invoice.status not in OPEN_STATES:
        return f"It is {_status_text(invoice)}: only open invoices are reminded.", key
    if invoice.amount_due <= 0:
        return "It owes nothing.", key
    if invoice.due_at is None or invoice.due_at >= as_of:
        return "It is not overdue.", key
    if not invoice.customer.email.strip():
        return "The customer has no e-mail address.", key
    return "", key


def plan_remind(ids: Sequence[int], now: datetime) -> list[Planned]:
    invoices = _invoices(ids)
    times = customer_times({i.customer_id for i in invoices}, now)
    facts = {i.pk: _reminder_facts(i, times.get(i.customer_id, now)) for i in invoices}
    sent = set(
        Notification.objects.filter(key__in=[key for _, key in facts.values()]).values_list(
            "key", flat=True
        )
    )
    out = []
    for invoice in invoices:
        why, key = facts[invoice.pk]
        as_of = times.get(invoice.customer_id, now)
        if why:
            out.append(_planned(invoice, why, skip=True))
        elif key in sent:
            out.append(_planned(invoice, "A reminder of it was sent today already.", skip=True))
        else:
            assert invoice.due_at is not None
            days = local_days_between(invoice.due_at, as_of, invoice.customer.timezone)
            due = money(invoice.amount_due, invoice.currency)
            plural = "s" if days != 1 else ""
            what = f"Reminder to {invoice.customer.email}: {due} overdue for {days} day{plural}."
            out.append(_planned(invoice, what))
    return out


def invoice_reminder_send(*, invoice_id: int, as_of: datetime, actor: Actor) -> Notification:
    """Record a payment reminder of an overdue invoice (the dunning reminder e-mail, sent after
    the commit by notifications' task), once per invoice and local day; journal
    `invoice.reminder_requested`. Refused for an invoice that is not open, owes nothing or is
    not overdue, a customer without an e-mail address, and when it was reminded today."""
    with transaction.atomic(durable=True), audit_context(actor=actor, reason="payment reminder"):
        customer_id = Invoice.objects.values_list("customer_id", flat=True).get(pk=invoice_id)
        locked_customer(customer_id)
        invoice = locked_invoice(invoice_id)
        why, key = _reminder_facts(invoice, as_of)
        if why:
            raise ValidationFailed(why, field="invoice", code="not_remindable")
        assert invoice.due_at is not None
        days = local_days_between(invoice.due_at, as_of, invoice.customer.timezone)
        data = {
            "state": "manual",
            "policy": None,
            "days_past_due": days,
            "amount_overdue": str(invoice.amount_due),
            "currency": invoice.currency,
            "invoices": [invoice.pk],
        }
        wanted = Wanted(invoice.customer_id, Template.DUNNING_REMINDER, key, data)
        if not notifications_record([wanted], as_of=as_of):
            raise Conflict("A reminder of it was sent today already.", code="already_reminded")
        notification = Notification.objects.get(key=key)
        journal_write(
            type="invoice.reminder_requested",
            subject_type="invoice",
            subject_id=invoice.pk,
            payload={
                "number": invoice.number,
                "notification": notification.pk,
                "amount_due": str(invoice.amount_due),
                "currency": invoice.currency,
                "days_past_due": days,
            },
            actor=actor,
            occurred_at=as_of,
        )
    return notification


def act_remind(planned: Planned, as_of: datetime, actor: Actor, params: Mapping[str, Any]) -> str:
    notification = invoice_reminder_send(invoice_id=planned.pk, as_of=as_of, actor=actor)
    return f"Reminder to {notification.recipient} queued (e-mail #{notification.pk})."


# --------------------------------------------------------------------------------- customers


def _unapplied_payments(customer_ids: Sequence[int]) -> Any:
    return Payment.objects.filter(
        customer_id__in=list(customer_ids), state=PaymentState.SUCCEEDED, unapplied__gt=0
    )


def plan_apply_cash(ids: Sequence[int], now: datetime) -> list[Planned]:
    customers = list(
        Customer.objects.filter(pk__in=list(ids))
        .only("pk", "external_id", "name", "currency")
        .order_by("pk")
    )
    cash = dict(
        _unapplied_payments(ids)
        .values("customer_id")
        .annotate(t=Sum("unapplied"))
        .values_list("customer_id", "t")
    )
    owed = {
        row["customer_id"]: (row["t"], row["n"])
        for row in Invoice.objects.filter(
            customer_id__in=list(ids), status__in=OPEN_STATES, amount_due__gt=0
        )
        .values("customer_id")
        .annotate(t=Sum("amount_due"), n=Count("pk"))
    }
    out = []
    for customer in customers:
        c = customer.currency
        label = f"{customer.name or customer.external_id} ({customer.external_id})"
        unapplied = cash.get(customer.pk, ZERO)
        due, count = owed.get(customer.pk, (ZERO, 0))
        if unapplied <= 0:
            what, skip = "It has no unapplied cash.", True
        elif due <= 0:
            what, skip = f"No open invoice to apply its {money(unapplied, c)} to.", True
        else:
            what = (
                f"{money(min(unapplied, due), c)} of its {money(unapplied, c)} unapplied applied "
                f"to {count} open invoice{'s' if count != 1 else ''} owing {money(due, c)}, "
                "oldest due first."
            )
            skip = False
        out.append(Planned(customer.pk, label, customer.pk, label, what, skip))
    return out


def act_apply_cash(
    planned: Planned, as_of: datetime, actor: Actor, params: Mapping[str, Any]
) -> str:
    """Each payment holding unapplied cash, the oldest received first, applied to the customer's
    open invoices oldest due first (`payment_apply`, one transaction per payment), until the
    cash or the invoices run out. A payment refused (its reason kept) does not stop the next."""
    payments = list(
        _unapplied_payments([planned.pk])
        .order_by(Coalesce("received_at", "created_at"), "pk")
        .values_list("pk", flat=True)
    )
    applied: list[str] = []
    refusals: list[str] = []
    total, currency = ZERO, ""
    for payment_id in payments:
        try:
            allocations = payment_apply(payment_id=payment_id, actor=actor, as_of=as_of)
        except ApplicationError as exc:
            if exc.code == "nothing_unapplied":
                continue  # used meanwhile
            if exc.code == "no_open_invoice":
                break  # the invoices ran out
            refusals.append(f"Payment #{payment_id} refused: {exc.message}")
            continue
        for allocation in allocations:
            currency = allocation.payment.currency
            total += allocation.amount
            applied.append(f"{allocation.invoice} {money(allocation.amount, currency)}")
    refused = "".join(f" {text}" for text in refusals)
    if not applied:
        if refusals:
            raise Conflict(f"Nothing was applied.{refused}", code="nothing_applied")
        raise Conflict("Nothing was applied: no open invoice is left.", code="no_open_invoice")
    left = (
        _unapplied_payments([planned.pk])
        .filter(currency=currency)
        .aggregate(t=Sum("unapplied"))["t"]
        or ZERO
    )
    return (
        f"Applied {money(total, currency)}: {', '.join(applied)}; {money(left, currency)} "
        f"left unapplied.{refused}"
    )


# ---------------------------------------------------------------------------------- catalogue

ACTIONS: dict[str, BulkAction] = {
    action.name: action
    for action in (
        BulkAction(
            name="finalize",
            model=Invoice,
            title="Finalize drafts",
            happens=(
                "Each draft is numbered (gapless, in billing-date order), its customer and "
                "company details frozen and its due date set; a zero total is paid at once.",
                "Its ledger posting is written and invoice.finalized is journaled; the PDF is "
                "rendered and the customer e-mailed after, and automatic collection charges it.",
            ),
            permissions=("invoicing.change_invoice",),
            order=("billing_date", "pk"),
            plan=plan_finalize,
            act=act_finalize,
            sequential=True,
        ),
        BulkAction(
            name="void",
            model=Invoice,
            title="Void invoices",
            happens=(
                "Each open invoice becomes void and keeps its number (the series keeps no gap).",
                "Its ledger posting is reversed; credit it took from the customer's balance goes "
                "back; invoice.voided is journaled with your reason.",
            ),
            permissions=("invoicing.change_invoice",),
            order=("billing_date", "pk"),
            plan=plan_void,
            act=act_void,
            needs_reason=True,
        ),
        BulkAction(
            name="retry",
            model=Invoice,
            title="Retry payments",
            happens=(
                "Each invoice gets its next automatic attempt now, for what it owes, to the "
                "payment method collection resolves (retry now): charged by a worker just after.",
                "A failure continues the invoice's retry schedule; refused when the customer pays "
                "by hand or has no usable payment method.",
            ),
            permissions=("payments.add_payment",),
            order=("billing_date", "pk"),
            plan=plan_retry,
            act=act_retry,
        ),
        BulkAction(
            name="remind",
            model=Invoice,
            title="Send payment reminders",
            happens=(
                "Each overdue open invoice's customer is e-mailed the payment reminder (dunning's "
                "reminder e-mail) with the invoice, its amount due and the days past due.",
                "At most one per invoice and day; invoice.reminder_requested is journaled.",
            ),
            permissions=("notifications.add_notification",),
            order=("billing_date", "pk"),
            plan=plan_remind,
            act=act_remind,
        ),
        BulkAction(
            name="apply_cash",
            model=Customer,
            title="Apply unapplied cash",
            happens=(
                "Each customer's payments holding unapplied cash, the oldest received first, are "
                "applied to its open invoices, the oldest due first, until one runs out.",
                "Invoices become paid or partially paid; payment.applied and invoice.paid / "
                "partially_paid are journaled (one transaction per payment).",
            ),
            permissions=("payments.change_payment",),
            order=("pk",),
            plan=plan_apply_cash,
            act=act_apply_cash,
        ),
    )
}


def actions_for(model: type[Model]) -> list[BulkAction]:
    return [action for action in ACTIONS.values() if action.model is model]


__all__ = [
    "ACTIONS",
    "DONE",
    "FAILED",
    "SKIPPED",
    "BulkAction",
    "Planned",
    "Row",
    "Summary",
    "actions_for",
    "bulk_chunk",
    "bulk_claim",
    "bulk_enqueue",
    "bulk_execute",
    "bulk_run",
    "bulk_split",
    "invoice_reminder_send",
    "plan_preview",
]
