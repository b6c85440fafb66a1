"""Celery tasks of the back office: thin wrappers around its services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from backoffice.bulk import bulk_execute
from backoffice.services.exports import export_run
from core.audit import Actor
from core.models import Job, JobStatus

__all__ = ["bulk_action_task", "export_run_task"]

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


@shared_task(name="backoffice.bulk_action")
def bulk_action_task(
    job_id: int, action: str, ids: list[int], actor: dict[str, str], params: dict[str, Any]
) -> dict[str, int]:
    """A bulk action over more objects than BULK_SYNC_MAX (queued by `bulk_enqueue`), run as its
    job: the same `bulk_execute` as the request's, one object at a time, progress on the job.
    Run again after a crash (acks late), it does every object again: those done already are
    skipped or refused by their services (a finalized draft is no draft), and the job's counts
    start afresh; a job that succeeded is not run again."""
    status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
    if status is None or status == JobStatus.SUCCEEDED:
        return {}
    if status == JobStatus.RUNNING:  # a run that died: count again from nothing
        Job.objects.filter(pk=job_id).update(done=0, failed=0, errors=[])
    who = Actor(kind="user", id=actor["id"], label=actor["label"])
    summary = bulk_execute(
        action_name=action, ids=ids, actor=who, now=timezone.now(), params=params, job_id=job_id
    )
    return summary.counts
