"""Progress of long work (billing runs, re-rating, backfills, exports) in `core.models.Job` rows.

    with tracked(kind="usage_backfill", label="usage backfill", actor=actor.label,
                 total=len(rows), echo=self.stdout) as progress:
        for batch in batches:
            ...                      # the work, in its own transactions
            progress.advance(len(batch), failed=rejected, error=first_error)

Counting: `done` counts the items processed, those that failed included; `failed` counts those of
them that failed (so `advance(1, failed=1, error="...")` is one item that failed). `total` is the
number of items, or empty while not known.

Writes: progress is written in short statements of its own, `UPDATE ... SET done = done + n`
(F expressions), so several processes advancing one job (a billing run's chunk tasks on several
Celery workers) add up instead of overwriting each other. `advance` writes at most every
`FLUSH_SECONDS` (0.5 s), and when this process's count reaches the total; `finish`/`fail` write
what is pending. Call `advance` **after** the work's own transaction commits, never inside it:
inside an `atomic` block the write belongs to that transaction, so the counts show only at its
commit (and vanish with a rollback), and the job's row stays locked until then, making other
workers that advance the same job wait.

Times: the wall clock (`timezone.now()`) is read here on purpose: this is infrastructure that
records when work ran, not domain code that decides anything for an instant.

Chunks: a job split over several tasks (a billing run's chunks) is counted by chunk: each task
writes its chunk's counts once, with the chunk's key (`chunk_key(ids)`, `job_attach(job_id,
chunk=...)`), in the same statement that records the key on the job (`Job.chunks`); a chunk
delivered again (late acks, a worker lost, the broker's visibility timeout) finds its key there
and adds nothing, so it can neither count twice nor bring `done` to the total early.

Echo: `tracked(echo=stream)` shows the progress to a person. On a terminal (`isatty()`) it is a
tqdm progress bar; elsewhere (logs, pipes, CI) plain lines at most every 10% (or every 10 s)
and a final line, e.g. `billing run: 1200/10000 (12%) 3 failed, 4.2 s`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from io import TextIOBase
from typing import Any, TextIO

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.exceptions import Conflict
from core.models import Job, JobStatus

FLUSH_SECONDS = 0.5
MAX_ERRORS = 50
ECHO_PERCENT_STEP = 10
ECHO_SECONDS = 10.0
ERROR_MAX_CHARS = 2000

# Appends the pending errors to the job's, keeping the first MAX_ERRORS, and adds the counts,
# in one statement (several processes may append at once: each statement sees the row as
# committed by the others).
_FLUSH_SQL = f"""
UPDATE core_job SET
    done = done + %s,
    failed = failed + %s,
    errors = CASE WHEN %s::jsonb = '[]'::jsonb THEN errors ELSE (
        SELECT COALESCE(jsonb_agg(e ORDER BY i), '[]'::jsonb)
        FROM jsonb_array_elements(errors || %s::jsonb) WITH ORDINALITY AS t(e, i)
        WHERE i <= {MAX_ERRORS}
    ) END,
    updated_at = %s
WHERE id = %s
RETURNING done, failed, total
"""  # noqa: S608 (a constant, no input in the text)

# The same for one chunk of a job split over several tasks: counted only when its key is not on
# the job yet, and the key recorded, in one statement (the CASEs read the row as locked by the
# UPDATE, so two deliveries of one chunk at once count it once).
_CHUNK_FLUSH_SQL = f"""
UPDATE core_job SET
    done = CASE WHEN chunks ? %(chunk)s THEN done ELSE done + %(done)s END,
    failed = CASE WHEN chunks ? %(chunk)s THEN failed ELSE failed + %(failed)s END,
    errors = CASE WHEN chunks ? %(chunk)s OR %(errors)s::jsonb = '[]'::jsonb THEN errors ELSE (
        SELECT COALESCE(jsonb_agg(e ORDER BY i), '[]'::jsonb)
        FROM jsonb_array_elements(errors || %(errors)s::jsonb) WITH ORDINALITY AS t(e, i)
        WHERE i <= {MAX_ERRORS}
    ) END,
    chunks = CASE WHEN chunks ? %(chunk)s THEN chunks
        ELSE chunks || jsonb_build_array(%(chunk)s::text) END,
    updated_at = %(now)s
WHERE id = %(id)s
RETURNING done, failed, total
"""  # noqa: S608 (a constant, no input in the text)


def chunk_key(ids: Iterable[int]) -> str:
    """The key of a chunk of items (its ids, in any order): the same for every delivery of it."""
    text = ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class JobFinished(Conflict):
    code = "job_finished"


def job_create(
    *,
    kind: str,
    label: str,
    actor: str,
    params: dict[str, Any] | None = None,
    total: int | None = None,
    as_of: datetime,
) -> Job:
    """A queued job, for work enqueued to Celery: the task resumes it with `tracked(job_id=...)`
    (or, for work split over several tasks, `job_attach`)."""
    return Job.objects.create(
        kind=kind,
        label=label[:255],
        actor=actor[:255],
        params=params or {},
        total=total,
        status=JobStatus.QUEUED,
        created_at=as_of,
        updated_at=as_of,
    )


def _now() -> datetime:
    return timezone.now()


def _error_text(error: str) -> str:
    return error if len(error) <= ERROR_MAX_CHARS else error[: ERROR_MAX_CHARS - 1] + "…"


class _Echo:
    """What a person sees: a tqdm bar on a terminal, plain lines elsewhere."""

    def __init__(self, stream: TextIO | TextIOBase, *, label: str, total: int | None) -> None:
        # a management command's self.stdout/self.stderr (Django's OutputWrapper, which ends
        # every write with a newline): the stream it wraps, so that tqdm can redraw its line
        stream = getattr(stream, "_out", stream)
        self.stream = stream
        self.label = label
        self.total = total
        self.started = time.time()
        self.last_line_at = self.started
        self.last_percent = 0
        self.bar: Any = None
        isatty = getattr(stream, "isatty", None)
        if callable(isatty) and isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, file=stream, unit="item", dynamic_ncols=True)

    def set_total(self, total: int) -> None:
        self.total = total
        if self.bar is not None:
            self.bar.total = total
            self.bar.refresh()

    def line(self, done: int, failed: int, *, suffix: str = "") -> str:
        elapsed = time.time() - self.started
        if self.total:
            percent = done * 100 // self.total
            counts = f"{done}/{self.total} ({percent}%)"
        else:
            counts = f"{done} done"
        failures = f" {failed} failed," if failed else ""
        return f"{self.label}: {counts}{failures} {elapsed:.1f} s{suffix}"

    def update(self, n: int, done: int, failed: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            if failed:
                self.bar.set_postfix(failed=failed, refresh=False)
            return
        now = time.time()
        percent = done * 100 // self.total if self.total else 0
        step = percent // ECHO_PERCENT_STEP * ECHO_PERCENT_STEP
        if self.total and done >= self.total:
            return  # the final line says it
        if (self.total and step > self.last_percent) or now - self.last_line_at >= ECHO_SECONDS:
            self.last_percent = max(self.last_percent, step)
            self.last_line_at = now
            self.stream.write(self.line(done, failed) + "\n")
            _flush_stream(self.stream)

    def close(self, done: int, failed: int, *, outcome: str) -> None:
        if self.bar is not None:
            self.bar.close()
            if outcome != "succeeded":
                self.stream.write(f"{self.label}: {outcome}\n")
            return
        self.stream.write(self.line(done, failed, suffix=f", {outcome}") + "\n")
        _flush_stream(self.stream)


def _flush_stream(stream: TextIO | TextIOBase) -> None:
    flush = getattr(stream, "flush", None)
    if callable(flush):
        flush()


class Progress:
    """One process's handle on a job: counts what it is told, writes it throttled."""

    def __init__(
        self,
        job_id: int,
        *,
        total: int | None = None,
        echo: TextIO | TextIOBase | None = None,
        label: str = "",
        finish_at_total: bool = False,
        chunk: str | None = None,
    ) -> None:
        self.job_id = job_id
        self.chunk = chunk
        self.total = total
        # this process's counts (for the throttle and the echo)
        self.done = 0
        self.failed = 0
        # not written yet
        self._pending_done = 0
        self._pending_failed = 0
        self._pending_errors: list[str] = []
        self._errors_kept = 0
        self._last_flush = time.time()
        self._finish_at_total = finish_at_total
        self.finished = False
        self._echo = _Echo(echo, label=label, total=total) if echo is not None else None

    def set_total(self, total: int) -> None:
        """The number of items, once known (written at once)."""
        self.total = total
        Job.objects.filter(pk=self.job_id).update(total=total, updated_at=_now())
        if self._echo is not None:
            self._echo.set_total(total)

    def advance(self, n: int = 1, *, failed: int = 0, error: str | None = None) -> None:
        """`n` more items processed, `failed` of them failed (`error`: one message to keep;
        the job keeps its first 50). Written at most every 0.5 s, or when this process's count
        reaches the total."""
        if n < 0 or failed < 0:
            raise ValueError("advance takes counts of zero or more")
        self.done += n
        self.failed += failed
        self._pending_done += n
        self._pending_failed += failed
        if error and self._errors_kept + len(self._pending_errors) < MAX_ERRORS:
            self._pending_errors.append(_error_text(error))
        if self._echo is not None:
            self._echo.update(n, self.done, self.failed)
        if self.chunk is not None:
            return  # a chunk's counts are written once, by flush()
        reached = self.total is not None and self.done >= self.total
        if reached or time.time() - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write what is pending now (one statement; none when nothing is). A chunk's handle
        writes once: its counts are added only if the job has not counted that chunk yet."""
        if not (self._pending_done or self._pending_failed or self._pending_errors):
            return
        errors = json.dumps(self._pending_errors)
        now = _now()
        with connection.cursor() as cursor:
            if self.chunk is None:
                cursor.execute(
                    _FLUSH_SQL,
                    [self._pending_done, self._pending_failed, errors, errors, now, self.job_id],
                )
            else:
                cursor.execute(
                    _CHUNK_FLUSH_SQL,
                    {
                        "chunk": self.chunk,
                        "done": self._pending_done,
                        "failed": self._pending_failed,
                        "errors": errors,
                        "now": now,
                        "id": self.job_id,
                    },
                )
            row = cursor.fetchone()
        self._errors_kept += len(self._pending_errors)
        self._pending_done = self._pending_failed = 0
        self._pending_errors = []
        self._last_flush = time.time()
        if row is None:
            raise Job.DoesNotExist(f"job #{self.job_id} does not exist")
        done, _failed, total = row
        if self._finish_at_total and total is not None and done >= total:
            # the advance that completes a job shared by several processes closes it (once:
            # only a running job moves)
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                status=JobStatus.SUCCEEDED, finished_at=now, updated_at=now
            )

    def finish(self, result: dict[str, Any] | None = None) -> None:
        """The work is done: what is pending is written, the job succeeded with `result`."""
        self.flush()
        now = _now()
        updates: dict[str, Any] = {
            "status": JobStatus.SUCCEEDED,
            "finished_at": now,
            "updated_at": now,
        }
        if result is not None:
            updates["result"] = result
        Job.objects.filter(pk=self.job_id).update(**updates)
        self._close("succeeded")

    def fail(self, error: str) -> None:
        """The work stopped: what is pending is written, the job failed with `error` (kept
        after the items' first errors, even when 50 are kept already)."""
        self.flush()
        now = _now()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_job SET status = %s, finished_at = %s, updated_at = %s, "
                "errors = errors || jsonb_build_array(%s::text) WHERE id = %s",
                [JobStatus.FAILED.value, now, now, _error_text(error), self.job_id],
            )
        self._close(f"failed: {error}")

    def _close(self, outcome: str) -> None:
        self.finished = True
        if self._echo is not None:
            self._echo.close(self.done, self.failed, outcome=outcome)
            self._echo = None


def _start(
    *,
    kind: str,
    label: str,
    actor: str,
    total: int | None,
    params: dict[str, Any] | None,
    job_id: int | None,
) -> Job:
    now = _now()
    if job_id is None:
        job = job_create(kind=kind, label=label, actor=actor, params=params, total=total, as_of=now)
    else:
        job = Job.objects.get(pk=job_id)
        if job.status == JobStatus.SUCCEEDED:
            raise JobFinished(f"job #{job_id} has succeeded already")
    updates: dict[str, Any] = {
        "status": JobStatus.RUNNING,
        "started_at": job.started_at or now,
        "finished_at": None,
        "updated_at": now,
    }
    if total is not None:
        updates["total"] = total
    Job.objects.filter(pk=job.pk).update(**updates)
    for field, value in updates.items():
        setattr(job, field, value)
    return job


@contextmanager
def tracked(
    *,
    kind: str,
    label: str,
    actor: str,
    total: int | None = None,
    params: dict[str, Any] | None = None,
    job_id: int | None = None,
    echo: TextIO | TextIOBase | None = None,
) -> Iterator[Progress]:
    """Run a block of work as a job: created running (or the queued `job_id` resumed), finished
    when the block ends normally (unless it called `finish`/`fail` itself), failed with the
    exception's text when it raises (and the exception raised again)."""
    job = _start(kind=kind, label=label, actor=actor, total=total, params=params, job_id=job_id)
    progress = Progress(job.pk, total=job.total, echo=echo, label=job.label)
    try:
        yield progress
    except BaseException as exc:
        if not progress.finished:
            progress.fail(f"{type(exc).__name__}: {exc}")
        raise
    if not progress.finished:
        progress.finish()


def job_attach(job_id: int, *, finish_at_total: bool = True, chunk: str | None = None) -> Progress:
    """A handle on a running job whose work is split over several tasks (a billing run's chunks),
    without reading it: each task advances it after its work commits and calls `flush()` at its
    end; the write that brings `done` to the job's total marks the job succeeded.

    `chunk` (`chunk_key(ids)`): the task's counts are written once, at `flush()`, and only if
    the job has not counted this chunk yet (a task delivered twice counts once)."""
    return Progress(job_id, finish_at_total=finish_at_total, chunk=chunk)


# Jobs that stopped moving, marked failed in one statement: each job's timeout is its kind's in
# the mapping for its status (`limits`, JOB_STALLED_AFTER_SECONDS), or the status's "default".
_STALLED_SQL = """
UPDATE core_job SET
    status = %(failed)s,
    finished_at = %(now)s,
    updated_at = %(now)s,
    errors = core_job.errors || jsonb_build_array(
        CASE WHEN core_job.status = %(running)s
        THEN 'no progress for ' || s.seconds || ' s: its work was lost (a worker killed or '
            'stopped by a time limit, or its task lost by the broker)'
        ELSE 'not started for ' || s.seconds || ' s: its task was lost (by the broker, or '
            'with a worker)'
        END
    )
FROM (
    SELECT id, COALESCE(
        (%(limits)s::jsonb -> status ->> kind)::bigint,
        (%(limits)s::jsonb -> status ->> 'default')::bigint
    ) AS seconds
    FROM core_job
    WHERE status IN (%(running)s, %(queued)s)
) AS s
WHERE core_job.id = s.id
    AND core_job.status IN (%(running)s, %(queued)s)
    AND core_job.updated_at < %(now)s - make_interval(secs => s.seconds)
"""


def jobs_fail_stalled(*, limits: Mapping[str, Mapping[str, int]] | None = None) -> int:
    """Jobs of every kind whose work was lost (a worker killed, a hard time limit, a task lost
    by the broker) are marked failed, with the reason in their errors; returns how many.

    `limits` (default: the setting JOB_STALLED_AFTER_SECONDS) maps a status to seconds by kind:
    `{"running": {"default": 3600, "billing_run": 900}, "queued": {"default": 86400}}`; a
    running job with no progress written for its kind's seconds (`updated_at`), or a queued one
    not started for as long, is stalled. The clock's tick calls it. One statement; a job that
    moves while it runs (a late chunk's count, a `finish`) is seen as it moved."""
    if limits is None:
        limits = settings.JOB_STALLED_AFTER_SECONDS
    for status in (JobStatus.RUNNING.value, JobStatus.QUEUED.value):
        if not isinstance(limits.get(status, {}).get("default"), int):
            raise ValueError(f"JOB_STALLED_AFTER_SECONDS[{status!r}] needs a 'default' (seconds)")
    with connection.cursor() as cursor:
        cursor.execute(
            _STALLED_SQL,
            {
                "failed": JobStatus.FAILED.value,
                "running": JobStatus.RUNNING.value,
                "queued": JobStatus.QUEUED.value,
                "now": _now(),
                "limits": json.dumps(limits),
            },
        )
        return int(cursor.rowcount)


def job_start_shared(
    *,
    kind: str,
    label: str,
    actor: str,
    total: int,
    params: dict[str, Any] | None = None,
) -> Job:
    """A running job whose items other tasks will do (`job_attach`); succeeded at once when it
    has none."""
    now = _now()
    job = job_create(kind=kind, label=label, actor=actor, params=params, total=total, as_of=now)
    status = JobStatus.RUNNING if total else JobStatus.SUCCEEDED
    Job.objects.filter(pk=job.pk).update(
        status=status, started_at=now, finished_at=None if total else now, updated_at=now
    )
    job.status, job.started_at = status, now
    return job
