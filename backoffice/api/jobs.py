"""Long work's progress over the REST API: `GET /jobs/` (newest first, filter `kind`, `status`;
cursor-paginated) and `GET /jobs/{id}/`. Read only: jobs are written by the work itself
(core.jobs).

Staff sessions need `core.view_job`, as in the admin; API keys need `reports:read`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.schema import error_responses
from core.exceptions import NotFound
from core.models import Job, JobStatus

JOBS = ["jobs"]


class JobOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="billing_run, rerate, usage_backfill, reconcile, export, ..."
    )
    label = serializers.CharField()  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=JobStatus.choices)
    total = serializers.IntegerField(allow_null=True, help_text="items to do; null: not known")
    done = serializers.IntegerField(help_text="items processed, failed ones included")
    failed = serializers.IntegerField(help_text="items processed that failed")
    percent = serializers.SerializerMethodField(help_text="done of total, 0..100; null: no total")
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text="the first 50 errors (then the job's own)"
    )
    params = serializers.DictField(help_text="what the work was asked to do")
    result = serializers.DictField(help_text="what it came to, once finished")
    actor = serializers.CharField(help_text="who started it (a user, a command, the clock)")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(help_text="its last progress")
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.SerializerMethodField(
        help_text="finished (or now) less started; null before it starts"
    )

    def get_percent(self, job: Job) -> int | None:
        if not job.total:
            return None
        return min(job.done * 100 // job.total, 100)

    def get_duration_seconds(self, job: Job) -> float | None:
        elapsed = job.elapsed(timezone.now())
        return None if elapsed is None else elapsed / timedelta(milliseconds=1) / 1000


class JobFilter(django_filters.FilterSet):  # type: ignore[misc]
    kind = django_filters.CharFilter(help_text="a job kind, e.g. billing_run")
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = Job
        fields: list[str] = []


class JobView(generics.GenericAPIView[Any]):
    scope_resource = "reports"
    permission_model = Job
    serializer_class = JobOut

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.all()


class JobCollection(JobView):
    filterset_class = JobFilter

    @extend_schema(
        operation_id="jobs_list",
        responses={200: JobOut(many=True), **error_responses(400, 401)},
        tags=JOBS,
        description="Long work (billing runs, re-ratings, usage backfills, reconciliations, "
        "exports), newest first, with its progress: `done` of `total` items, `failed`, the "
        "first errors, duration. Filter by `kind` and `status`.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(JobOut(page, many=True).data)


class JobDetail(JobView):
    @extend_schema(
        operation_id="jobs_retrieve",
        responses={200: JobOut, **error_responses(401, 404)},
        tags=JOBS,
        description="One job and its progress; poll it while `status` is queued or running.",
    )
    def get(self, request: Request, pk: int) -> Response:
        job = self.get_queryset().filter(pk=pk).first()
        if job is None:
            raise NotFound(f"No job {pk}.")
        return Response(JobOut(job).data)
