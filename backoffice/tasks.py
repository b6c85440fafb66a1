"""Celery tasks of the back office: thin wrappers around its services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from backoffice.bulk import bulk_chunk
from backoffice.services.exports import export_run
from core.audit import Actor

__all__ = ["bulk_chunk_task", "export_run_task"]

EXPORT_WORKER = Actor.system("exports")


@shared_task(
    name="backoffice.export_run",
    soft_time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
    time_limit=settings.EXPORT_TIME_LIMIT_SECONDS + 60,
)
def export_run_task(export_id: int) -> str:
    """Write one export's file (enqueued by `export_create` once it commits); a second delivery
    of the same export does nothing. Its own time limits (EXPORT_TIME_LIMIT_SECONDS, soft; the
    hard one 60 s later), not the tasks' 540/600 s: the soft one fails the export with its
    error. Returns the job's status."""
    export = export_run(export_id=export_id, clock=timezone.now, actor=EXPORT_WORKER)
    export.job.refresh_from_db(fields=["status"])
    return str(export.job.status)


@shared_task(name="backoffice.bulk_chunk")
def bulk_chunk_task(
    *,
    job_id: int,
    action: str,
    index: int,
    chunks: int,
    ids: list[int],
    actor: dict[str, str],
    params: dict[str, Any],
    rest: list[list[int]] | None = None,
    queue: str = "",
) -> bool:
    """One chunk of a bulk job (queued by `bulk_enqueue`): `bulk_chunk` does its objects and the
    last chunk recorded finishes the job. A sequential action's chunk queues the next (`rest`)
    once it is recorded. A redelivered chunk (acks late) that was recorded, or whose job has
    finished, does nothing."""
    who = Actor(kind="user", id=actor["id"], label=actor["label"])
    ran = bulk_chunk(
        job_id=job_id, action_name=action, index=index, chunks=chunks, ids=ids, actor=who,
        params=params, now=timezone.now(),
    )  # fmt: skip
    if rest:
        options: dict[str, Any] = {"queue": queue} if queue else {}
        kwargs = {
            "job_id": job_id, "action": action, "index": index + 1, "chunks": chunks,
            "ids": rest[0], "actor": actor, "params": params, "rest": rest[1:], "queue": queue,
        }  # fmt: skip
        bulk_chunk_task.apply_async(kwargs=kwargs, **options)
    return ran
