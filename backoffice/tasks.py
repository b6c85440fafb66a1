"""Celery tasks of the back office: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from backoffice.services.exports import export_run
from core.audit import Actor

__all__ = ["export_run_task"]

EXPORT_WORKER = Actor.system("exports")


@shared_task(name="backoffice.export_run")
def export_run_task(export_id: int) -> str:
    """Write one export's file (enqueued by `export_create` once it commits); a second delivery
    of the same export does nothing. Returns the job's status."""
    export = export_run(export_id=export_id, clock=timezone.now, actor=EXPORT_WORKER)
    export.job.refresh_from_db(fields=["status"])
    return str(export.job.status)
