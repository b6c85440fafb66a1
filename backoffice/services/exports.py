"""Accounting exports as jobs.

`export_create` checks the request, records the Export with a queued core.Job and, once that
commits, enqueues `export_run_task` (backoffice/tasks.py). `export_run` (the task, or the
`export_accounting` command in-process) writes the file under MEDIA_ROOT/exports/ row by row
(backoffice/exports.py), advancing the job as it goes, then records the file, its rows and size
with `export.completed` (or `export.failed`). The job's `result` holds the per-currency sums of
the money columns and the warnings (an unmapped ledger account); warnings also go to the job's
errors list, which the jobs page shows.

One run per export: the run holds a PostgreSQL advisory lock named after the export, so a task
delivered twice (acks_late, a broker redelivery) runs once; a run whose worker died before the
file was recorded (the job left running, the lock gone with its session) starts over from
nothing when the task is delivered again. The file, its rows and `export.completed` are recorded
in one transaction with the job's success: an export whose file is recorded is done, and a task
delivered again after that (its worker died right after) only makes sure the job says so — the
file is never rewritten, nor a second `export.completed` written. A succeeded or failed export is
never run again: create a new one. An enqueue that did not reach the broker (on_commit's robust
callback only logs it) fails the job with the error and writes `export.failed`, so staff ask
again instead of waiting for an export that never starts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction

from backoffice.exports import write_export
from backoffice.models import Export, ExportFormat, ExportKind
from billing.services.journal import journal_write
from catalog.money import is_currency
from core.audit import Actor, audit_context
from core.db import advisory_lock
from core.exceptions import NotFound, ValidationFailed
from core.jobs import job_create, tracked
from core.models import Job, JobStatus

logger = logging.getLogger(__name__)

JOB_KIND = "export"
SUBJECT = "export"
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_PERIOD_DAYS = 3660  # ten years: a longer "period" is a typo (20226 for 2026)


def export_validate(
    *, kind: str, format: str, period_start: date, period_end: date, currency: str | None
) -> str:
    """The checks of an export's request, each on its field; returns the currency as stored
    (upper case, or "" for every currency)."""
    if kind not in ExportKind.values:
        raise ValidationFailed(
            f"Unknown export kind {kind!r}: one of {', '.join(ExportKind.values)}.", field="kind"
        )
    if format not in ExportFormat.values:
        raise ValidationFailed(
            f"Unknown format {format!r}: one of {', '.join(ExportFormat.values)}.", field="format"
        )
    if period_end < period_start:
        raise ValidationFailed(
            f"The period ends ({period_end}) before it starts ({period_start}).",
            field="period_end",
        )
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed("A period of at most ten years.", field="period_end")
    code = (currency or "").strip().upper()
    if code and not is_currency(code):
        raise ValidationFailed(
            f"Unknown currency {currency!r}: an ISO 4217 code such as USD, or empty for every "
            "currency.",
            field="currency",
        )
    return code


def _label(kind: str, fmt: str, start: date, end: date, currency: str) -> str:
    what = ExportKind(kind).label.lower()
    return f"export of {what} {start}..{end}{' ' + currency if currency else ''} ({fmt})"


def export_create(
    *,
    kind: str,
    format: str,
    period_start: date,
    period_end: date,
    currency: str | None,
    actor: Actor,
    as_of: datetime,
    enqueue: bool = True,
) -> Export:
    """A new export of `kind` for [period_start, period_end] (dates, UTC, inclusive), in one
    currency or all (`currency` empty), with its queued job; the file is written by a worker
    (`export_run_task`, enqueued when this commits), or by the caller (`enqueue=False`: the
    `export_accounting` command runs it in its own process)."""
    code = export_validate(
        kind=kind, format=format, period_start=period_start, period_end=period_end,
        currency=currency,
    )  # fmt: skip
    params = {
        "kind": kind, "format": format, "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(), "currency": code,
    }  # fmt: skip
    with audit_context(actor=actor, reason="export requested"), transaction.atomic(durable=True):
        job = job_create(
            kind=JOB_KIND,
            label=_label(kind, format, period_start, period_end, code),
            actor=actor.label,
            params=params,
            as_of=as_of,
        )
        export = Export.objects.create(
            kind=kind,
            format=format,
            period_start=period_start,
            period_end=period_end,
            currency=code,
            job=job,
            created_by_id=int(actor.id) if actor.kind == "user" else None,
            created_at=as_of,
        )
        journal_write(
            type="export.created",
            subject_type=SUBJECT,
            subject_id=export.pk,
            payload={"export": export.pk, "job": job.pk, **params},
            actor=actor,
            occurred_at=as_of,
        )
        if enqueue:
            export_id = export.pk
            transaction.on_commit(lambda: _enqueue(export_id, actor, as_of), robust=True)
    return export


def _enqueue(export_id: int, actor: Actor, as_of: datetime) -> None:
    """Send the task; when the broker cannot be reached (or refuses it), the export fails
    at once (`export_enqueue_failed`) rather than staying queued with no task to run it."""
    from celery.exceptions import SoftTimeLimitExceeded

    from backoffice.tasks import export_run_task  # tasks import the services

    try:
        export_run_task.delay(export_id)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        logger.exception("export %s: its task could not be queued", export_id)
        export_enqueue_failed(export_id, exc, actor=actor, as_of=as_of)


def export_enqueue_failed(
    export_id: int, error: BaseException, *, actor: Actor | None = None, as_of: datetime
) -> bool:
    """The export's task could not be queued: its job (still queued) is failed with the error
    and `export.failed` says why; returns whether it was (a job that started meanwhile is left
    to its run)."""
    message = f"The export could not be queued ({type(error).__name__}: {error}): ask for it again."
    who = actor or Actor.system("exports")
    with audit_context(actor=who, reason="export not queued"), transaction.atomic(durable=True):
        export = Export.objects.select_for_update().get(pk=export_id)
        moved = Job.objects.filter(pk=export.job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, finished_at=as_of, updated_at=as_of, errors=[message[:1000]]
        )
        if not moved:
            return False
        _failed_event(export, message, actor=who, as_of=as_of)
    return True


def export_path(export: Export) -> str:
    """Where the export's file goes, relative to MEDIA_ROOT."""
    currency = f"-{export.currency}" if export.currency else ""
    return (
        f"exports/{export.created_at:%Y}/export-{export.pk}-{export.kind}-{export.period_start}-"
        f"{export.period_end}{currency}.{export.format}"
    )


def export_filename(export: Export) -> str:
    """The name a download is saved under."""
    currency = f"-{export.currency}" if export.currency else ""
    return (
        f"{export.kind.replace('_', '-')}-{export.period_start}-{export.period_end}{currency}."
        f"{export.format}"
    )


def export_file(export: Export) -> Path | None:
    """The export's file, when it is written and still there."""
    if not export.file:
        return None
    path = Path(settings.MEDIA_ROOT) / export.file
    return path if path.is_file() else None


def export_run(
    *,
    export_id: int,
    clock: Callable[[], datetime],
    actor: Actor,
    echo: TextIO | None = None,
    out: Path | None = None,
) -> Export:
    """Write the export's file, advancing its job; record it (`export.completed`) or the
    failure (`export.failed`, the job failed, the exception raised again). `clock` gives the
    instant of the completion (the caller's wall clock); `out`: also copy the file there (the
    command's `--out`). An export already run, or running in another process, is returned as it
    is."""
    export = Export.objects.select_related("job").filter(pk=export_id).first()
    if export is None:
        raise NotFound(f"No export {export_id}.")
    with advisory_lock(f"backoffice.export:{export_id}", wait=False) as mine:
        if not mine:
            return export  # another process runs it
        export = Export.objects.select_related("job").get(pk=export_id)  # as it is now
        job = Job.objects.get(pk=export.job_id)
        if export.file:  # recorded: done (a worker that died right after), never rewritten
            _job_succeeded(job.pk, as_of=clock())
            return export
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return export
        if job.status == JobStatus.RUNNING:  # its worker died: start over
            Job.objects.filter(pk=job.pk).update(done=0, failed=0, errors=[], total=None)
        relative = export_path(export)
        target = Path(settings.MEDIA_ROOT) / relative
        committed = False  # whether _completed recorded the file (and the job's success)
        try:
            with tracked(
                kind=JOB_KIND, label=job.label, actor=job.actor, job_id=job.pk, echo=echo
            ) as progress:
                # from the primary, never the read replica: an export is frozen once written,
                # and a replica's lag would leave out what was committed just before it ran
                written = write_export(
                    export.kind, export.format, target,
                    start=export.period_start, end=export.period_end,
                    currency=export.currency or None,
                    on_start=progress.set_total, progress=progress.advance,
                )  # fmt: skip
                for warning in written.warnings:
                    progress.advance(0, error=warning)
                if out is not None:
                    _copy(target, out)
                result = {
                    "file": relative, "rows": written.rows, "size": written.size,
                    "totals": written.totals, "warnings": written.warnings,
                }  # fmt: skip
                progress.flush()  # the rows' count and the warnings, before the job succeeds
                export = _completed(
                    export_id, relative, written.rows, written.size, written.warnings,
                    written.totals, result, actor=actor, as_of=clock(),
                )  # fmt: skip
                committed = True
                progress.finish(result)  # the same success again (idempotent); closes the echo
        except BaseException as exc:  # a soft time limit too: recorded, then raised again
            if committed:  # the export is done: its file stays, its job succeeded
                _job_succeeded(job.pk, as_of=clock())
                raise
            with contextlib.suppress(OSError):  # a half-written file (or no directory at all)
                target.unlink()
            _failed(export_id, f"{type(exc).__name__}: {exc}", actor=actor, as_of=clock())
            raise
    return export


def _job_succeeded(job_id: int, *, as_of: datetime) -> None:
    """The job of an export whose file is recorded succeeded (idempotent: a job that says so
    already keeps its finish instant; its result, written with the file, stays)."""
    Job.objects.filter(pk=job_id).exclude(status=JobStatus.SUCCEEDED).update(
        status=JobStatus.SUCCEEDED, finished_at=as_of, updated_at=as_of
    )


def _copy(source: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, out.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)


def _completed(
    export_id: int,
    relative: str,
    rows: int,
    size: int,
    warnings: list[str],
    totals: dict[str, Any],
    result: dict[str, Any],
    *,
    actor: Actor,
    as_of: datetime,
) -> Export:
    """The file recorded, `export.completed` and the job's success with its `result`: one
    transaction, so an export is never recorded with a job still running (nor the reverse)."""
    with audit_context(actor=actor, reason="export written"), transaction.atomic(durable=True):
        export = Export.objects.select_for_update().get(pk=export_id)
        export.file, export.rows, export.size = relative, rows, size
        export.save(update_fields=["file", "rows", "size"])
        Job.objects.filter(pk=export.job_id).update(
            status=JobStatus.SUCCEEDED, result=result, finished_at=as_of, updated_at=as_of
        )
        journal_write(
            type="export.completed",
            subject_type=SUBJECT,
            subject_id=export.pk,
            payload={
                "export": export.pk,
                "job": export.job_id,
                "kind": export.kind,
                "format": export.format,
                "period_start": export.period_start.isoformat(),
                "period_end": export.period_end.isoformat(),
                "currency": export.currency,
                "rows": rows,
                "size": size,
                "totals": totals,
                "warnings": warnings,
            },
            actor=actor,
            occurred_at=as_of,
        )
    return export


def _failed(export_id: int, error: str, *, actor: Actor, as_of: datetime) -> None:
    with audit_context(actor=actor, reason="export failed"), transaction.atomic(durable=True):
        _failed_event(Export.objects.get(pk=export_id), error, actor=actor, as_of=as_of)


def _failed_event(export: Export, error: str, *, actor: Actor, as_of: datetime) -> None:
    journal_write(
        type="export.failed",
        subject_type=SUBJECT,
        subject_id=export.pk,
        payload={
            "export": export.pk,
            "job": export.job_id,
            "kind": export.kind,
            "error": error[:500],
        },
        actor=actor,
        occurred_at=as_of,
    )
