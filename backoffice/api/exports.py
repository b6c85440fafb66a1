"""Accounting exports and the general ledger's account codes over the REST API. Views validate
and call one service (backoffice/services/exports.py, glcodes.py); nothing more.

Staff sessions need the models' permissions, as in the admin: Export's `view` to list, read and
download, `add` to create; GlAccountCode's `view`, `add`, `change`, `delete`. API keys need
`reports:read` (reads, downloads) or `reports:write`."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backoffice.models import Export, ExportFormat, ExportKind, GlAccountCode
from backoffice.services.exports import (
    CONTENT_TYPES,
    export_create,
    export_file,
    export_filename,
)
from backoffice.services.glcodes import gl_code_create, gl_code_delete, gl_code_update
from billing.models.ledger import LedgerAccount
from core.api.actors import request_actor
from core.api.errors import json_error
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import Conflict, NotFound, ValidationFailed
from core.models import JobStatus

EXPORTS = ["exports"]
GL_CODES = ["gl-account-codes"]

# ---------------------------------------------------------------------------------- serializers


class ExportIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.CSV)
    period_start = serializers.DateField(help_text="First day of the period (UTC), inclusive.")
    period_end = serializers.DateField(help_text="Last day of the period (UTC), inclusive.")
    currency = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        default="",
        help_text="An ISO 4217 code: only that currency's rows; empty: every currency.",
    )


class JobProgressOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    total = serializers.IntegerField(allow_null=True, help_text="rows to write, once counted")
    done = serializers.IntegerField(help_text="rows written")
    messages = serializers.ListField(
        child=serializers.CharField(), source="errors", help_text="errors and warnings, first 50"
    )
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ExportOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    currency = serializers.CharField(help_text="empty: every currency")
    status = serializers.ChoiceField(
        choices=JobStatus.choices, source="job.status", help_text="the job's status"
    )
    job = JobProgressOut()
    rows = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(allow_null=True, help_text="bytes")
    totals = serializers.SerializerMethodField(
        help_text="currency -> money column -> its sum (exact decimal text), once written"
    )
    warnings = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="null until the file is written")
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "object",
                                                    "additionalProperties": {"type": "string"}}}
    )  # fmt: skip
    def get_totals(self, export: Export) -> dict[str, dict[str, str]]:
        totals: dict[str, dict[str, str]] = export.job.result.get("totals", {})
        return totals

    def get_warnings(self, export: Export) -> list[str]:
        warnings: list[str] = export.job.result.get("warnings", [])
        return warnings

    def get_download_url(self, export: Export) -> str | None:
        if not export.file:
            return None
        return f"/api/v1/exports/{export.pk}/download/"

    def get_created_by(self, export: Export) -> str:
        return export.created_by.get_username() if export.created_by else export.job.actor


class GlCodeIn(serializers.Serializer[Any]):
    account = serializers.ChoiceField(choices=LedgerAccount.choices)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class GlCodePatchIn(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40, required=False)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True)


class GlCodeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    account = serializers.ChoiceField(choices=LedgerAccount.choices)
    account_label = serializers.CharField(source="get_account_display")
    code = serializers.CharField()
    name = serializers.CharField()
    updated_at = serializers.DateTimeField()


# ---------------------------------------------------------------------------------------- views


def _exports() -> QuerySet[Export]:
    return Export.objects.select_related("job", "created_by")


def _export(pk: int) -> Export:
    found = _exports().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No export {pk}.")
    return found


class ExportFilter(django_filters.FilterSet):  # type: ignore[misc]
    """`file_format`, not `format`: DRF reads `?format=` to choose the response's renderer
    (URL_FORMAT_OVERRIDE), so a filter of that name could never work."""

    kind = django_filters.ChoiceFilter(choices=ExportKind.choices)
    file_format = django_filters.ChoiceFilter(
        field_name="format", choices=ExportFormat.choices, label="The file's format."
    )

    class Meta:
        model = Export
        fields: list[str] = []


class ExportView(generics.GenericAPIView[Any]):
    scope_resource = "reports"
    permission_model = Export
    serializer_class = ExportOut

    def get_queryset(self) -> Any:
        return _exports()


class ExportCollection(ExportView):
    filterset_class = ExportFilter

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """`?format=csv` (or xlsx) is a 400 pointing to `file_format` rather than DRF's 404 for
        a renderer it does not have (`?format=json` is refused as an undocumented parameter,
        as everywhere in the API)."""
        value = request.query_params.get("format")
        if not force and value and value not in {r.format for r in self.get_renderers()}:
            raise ValidationFailed(
                f"`format` chooses the response's renderer (json), not a filter: to list the "
                f"exports of a file format, use `file_format={value}`.",
                field="format",
            )
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        operation_id="exports_list",
        responses={200: ExportOut(many=True), **error_responses(400, 401)},
        tags=EXPORTS,
        description="Accounting exports, newest first, with their job's progress. Filter by "
        "`kind` and by `file_format` (`csv`, `xlsx`); `format` is not a parameter of this "
        "endpoint (DRF's renderer override): `?format=csv` is a 400 naming `format`.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ExportOut(page, many=True).data)

    @extend_schema(
        operation_id="exports_create",
        request=ExportIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: ExportOut, **error_responses(400, 401, 422)},
        tags=EXPORTS,
        description="Ask for an export of `kind` for the days `period_start`..`period_end` "
        "(UTC, both included), in one currency or all. A worker writes the file: follow "
        "`status` and `job` (`done` of `total` rows), then download it from `download_url`. "
        "400 on the field at fault: an unknown `kind` or `format`, `period_end` before "
        "`period_start` (or more than ten years after it), an unknown `currency`.",
    )
    def post(self, request: Request) -> Response:
        data = ExportIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        export = export_create(
            kind=v["kind"],
            format=v["format"],
            period_start=v["period_start"],
            period_end=v["period_end"],
            currency=v["currency"],
            actor=request_actor(request),
            as_of=timezone.now(),
        )
        return Response(ExportOut(_export(export.pk)).data, status=status.HTTP_202_ACCEPTED)


class ExportDetail(ExportView):
    @extend_schema(
        operation_id="exports_retrieve",
        responses={200: ExportOut, **error_responses(401, 404)},
        tags=EXPORTS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ExportOut(_export(pk)).data)


class ExportDownload(ExportView):
    @extend_schema(
        operation_id="exports_download",
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiTypes.BINARY,
            **error_responses(401, 404, 409),
        },
        tags=EXPORTS,
        description="The export's file, streamed (CSV: UTF-8, comma-separated, a header row; "
        "XLSX: one sheet, more when a sheet's 1,048,576 rows are full). 409 `export_not_ready` "
        "while it is being written (with Retry-After), `export_failed` when writing failed; "
        "404 `export_file_missing` when the file was removed from the server.",
    )
    def get(self, request: Request, pk: int) -> FileResponse | JsonResponse:
        export = _export(pk)
        if export.job.status == JobStatus.FAILED:
            raise Conflict("Writing this export failed: ask for it again.", code="export_failed")
        if not export.file:
            waiting = json_error(
                409,
                "export_not_ready",
                f"Export {pk} is being written; try again in a few seconds.",
            )
            waiting["Retry-After"] = "5"
            return waiting
        path = export_file(export)
        if path is None:
            raise NotFound(
                f"The file of export {pk} is no longer on the server: ask for it again.",
                code="export_file_missing",
            )
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=export_filename(export),
            content_type=CONTENT_TYPES[ExportFormat(export.format)],
        )


def _codes() -> QuerySet[GlAccountCode]:
    return GlAccountCode.objects.all()


def _mapping(pk: int) -> GlAccountCode:
    found = _codes().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No general ledger account code {pk}.")
    return found


class GlCodePages(CursorPagination):
    ordering = ("account",)


class GlCodeView(generics.GenericAPIView[Any]):
    scope_resource = "reports"
    pagination_class = GlCodePages
    permission_model = GlAccountCode
    serializer_class = GlCodeOut

    def get_queryset(self) -> Any:
        return _codes()


class GlCodeCollection(GlCodeView):
    @extend_schema(
        operation_id="gl_account_codes_list",
        responses={200: GlCodeOut(many=True), **error_responses(400, 401)},
        tags=GL_CODES,
        description="The general ledger codes mapped to our ledger accounts (by account). The "
        "general ledger export writes them on each line; an account not listed exports with an "
        "empty code and the export warns.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(GlCodeOut(page, many=True).data)

    @extend_schema(
        operation_id="gl_account_codes_create",
        request=GlCodeIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: GlCodeOut, **error_responses(400, 401, 409, 422)},
        tags=GL_CODES,
        description="Map a ledger account to its general ledger code (and name). 409 "
        "`already_mapped` when the account is mapped: change that mapping instead.",
    )
    def post(self, request: Request) -> Response:
        data = GlCodeIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        mapping = gl_code_create(
            account=v["account"], code=v["code"], name=v["name"],
            actor=request_actor(request), as_of=timezone.now(),
        )  # fmt: skip
        return Response(GlCodeOut(mapping).data, status=status.HTTP_201_CREATED)


class GlCodeDetail(GlCodeView):
    permission_actions = {"DELETE": "delete"}

    @extend_schema(
        operation_id="gl_account_codes_retrieve",
        responses={200: GlCodeOut, **error_responses(401, 404)},
        tags=GL_CODES,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(GlCodeOut(_mapping(pk)).data)

    @extend_schema(
        operation_id="gl_account_codes_update",
        request=GlCodePatchIn,
        responses={200: GlCodeOut, **error_responses(400, 401, 404)},
        tags=GL_CODES,
        description="Change the code or name (the fields given). The account stays: delete the "
        "mapping to map another. Exports already written keep the codes they had.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        mapping = _mapping(pk)
        data = GlCodePatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        updated = gl_code_update(
            mapping_id=mapping.pk, code=v.get("code"), name=v.get("name"),
            actor=request_actor(request), as_of=timezone.now(),
        )  # fmt: skip
        return Response(GlCodeOut(updated).data)

    @extend_schema(
        operation_id="gl_account_codes_delete",
        responses={204: None, **error_responses(401, 404)},
        tags=GL_CODES,
        description="Remove the mapping: the account's ledger lines export with an empty code "
        "(and the export warns) until it is mapped again.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        gl_code_delete(mapping_id=_mapping(pk).pk, actor=request_actor(request),
                       as_of=timezone.now())  # fmt: skip
        return Response(status=status.HTTP_204_NO_CONTENT)
