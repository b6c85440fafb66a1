"""The back office's page of jobs (core.Job, written by core.jobs): running and recent long work
(billing runs, re-ratings, backfills, reconciliations, exports) with a progress bar, its counts,
status, duration and who started it; a job's page shows its errors and its result. Read only
(permission `core.view_job`); the list reloads itself every few seconds while a job runs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from catalog.admin_display import instant
from core.models import Job, JobStatus

REFRESH_SECONDS = 5


def duration_text(job: Job, now: datetime) -> str:
    """How long the job ran (or has been running): "42.0 s", "3 min 05 s", "1 h 02 min"."""
    elapsed = job.elapsed(now)
    if elapsed is None:
        return "-"
    seconds = elapsed / timedelta(seconds=1)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def progress_html(job: Job) -> SafeString:
    """An HTML <progress> bar (no inline style or script: the CSP), with its counts beside:
    done / total (percent), and the failed items."""
    if job.total:
        percent = min(job.done * 100 // job.total, 100)
        bar = format_html(
            '<progress class="job-progress job-{}" value="{}" max="{}" title="{}%">{}%</progress>',
            job.status,
            min(job.done, job.total),
            job.total,
            percent,
            percent,
        )
        counts = format_html("{} / {} ({}%)", job.done, job.total, percent)
    else:
        # total not known: an indeterminate bar while running, nothing to measure after
        bar = (
            format_html('<progress class="job-progress job-{}"></progress>', job.status)
            if job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
            else SafeString("")
        )
        counts = format_html("{} done", job.done)
    if job.failed:
        counts = format_html('{}, <span class="job-failed">{} failed</span>', counts, job.failed)
    return format_html(
        '<span class="job-bar">{} <span class="job-counts">{}</span></span>', bar, counts
    )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    """Running jobs first, then the most recent; filters by kind and status."""

    # the kind is in the filter and on the job's page: the label names the work (a 1440-px screen)
    list_display = ("label", "status_shown", "progress", "duration", "actor", "created")
    list_display_links = ("label",)
    list_filter = ("kind", "status")
    search_fields = ("label", "actor")
    list_per_page = 50
    fields = (
        "label",
        "kind",
        "status_shown",
        "progress",
        "failed",
        "duration",
        "actor",
        "created",
        "started",
        "updated",
        "finished",
        "errors_shown",
        "result_shown",
        "params_shown",
    )
    readonly_fields = fields
    change_list_template = "backoffice/jobs/change_list.html"
    change_form_template = "backoffice/jobs/change_form.html"

    class Media:
        css = {"all": ("backoffice/jobs.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        running_first = Case(
            When(status__in=(JobStatus.RUNNING, JobStatus.QUEUED), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return super().get_queryset(request).order_by(running_first, "-created_at", "-id")

    def get_ordering(self, request: HttpRequest) -> list[str | Combinable]:
        return []  # get_queryset's: running first, then recent (a column click still sorts)

    @admin.display(description="status", ordering="status")
    def status_shown(self, obj: Job) -> SafeString:
        return format_html('<span class="job-status job-{}">{}</span>', obj.status, obj.status)

    @admin.display(description="progress")
    def progress(self, obj: Job) -> SafeString:
        return progress_html(obj)

    @admin.display(description="duration")
    def duration(self, obj: Job) -> str:
        return duration_text(obj, timezone.now())

    @admin.display(description="created", ordering="created_at")
    def created(self, obj: Job) -> str:
        return instant(obj.created_at)

    @admin.display(description="started", ordering="started_at")
    def started(self, obj: Job) -> str:
        return instant(obj.started_at)

    @admin.display(description="last progress", ordering="updated_at")
    def updated(self, obj: Job) -> str:
        return instant(obj.updated_at)

    @admin.display(description="finished", ordering="finished_at")
    def finished(self, obj: Job) -> str:
        return instant(obj.finished_at)

    @admin.display(description="errors (the first 50)")
    def errors_shown(self, obj: Job) -> SafeString:
        errors = obj.errors if isinstance(obj.errors, list) else [obj.errors]
        if not errors:
            return SafeString("none")
        return format_html(
            '<ol class="job-errors">{}</ol>',
            format_html_join("", "<li>{}</li>", ((str(e),) for e in errors)),
        )

    @admin.display(description="result")
    def result_shown(self, obj: Job) -> SafeString:
        return _json_block(obj.result)

    @admin.display(description="parameters")
    def params_shown(self, obj: Job) -> SafeString:
        return _json_block(obj.params)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        running = Job.objects.filter(status__in=(JobStatus.RUNNING, JobStatus.QUEUED)).exists()
        context = {
            **(extra_context or {}),
            "refresh_seconds": REFRESH_SECONDS if running else None,
        }
        return super().changelist_view(request, extra_context=context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        running = (
            object_id.isdigit()
            and Job.objects.filter(
                pk=int(object_id), status__in=(JobStatus.RUNNING, JobStatus.QUEUED)
            ).exists()
        )
        context = {
            **(extra_context or {}),
            "refresh_seconds": REFRESH_SECONDS if running else None,
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _json_block(value: Any) -> SafeString:
    if not value:
        return SafeString("-")
    return format_html('<pre class="job-json">{}</pre>', json.dumps(value, indent=2, default=str))


__all__ = ["JobAdmin", "duration_text", "progress_html"]
