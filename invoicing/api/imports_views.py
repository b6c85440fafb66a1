"""Imports' endpoints: validate a history (a dry run), import it, list and read the runs. Views
validate input and call one service; nothing more."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.actors import request_actor
from core.api.schema import error_responses
from core.exceptions import NotFound
from invoicing.api.imports_serializers import (
    ImportIn,
    ImportPreviewOut,
    ImportRunDetailOut,
    ImportRunOut,
)
from invoicing.models import ImportRun, ImportStatus, Invoice
from invoicing.services.imports import import_run, import_validate

TAGS = ["imports"]
REFUSALS = (
    "400 with the path of the field (`subscriptions[0].events[1].at`) and the reason: "
    "`unknown_plan`, `no_price_in_force` (no published version of the plan at that instant), "
    "`out_of_order`, `in_future`, `before_start`, `after_end`, `transition` (a resume without "
    "a pause...), `currency_mismatch`, `interval_mismatch`, `unknown_field`, `customer_exists`; "
    "409 `finalized_period` (an event on an existing subscription inside a period billed on a "
    "finalized invoice, named in the message), `before_current_period`."
)


def _runs() -> QuerySet[ImportRun]:
    invoices = Prefetch("invoices", queryset=Invoice.objects.order_by("billing_date", "pk"))
    return ImportRun.objects.select_related("job").prefetch_related("subscriptions", invoices)


class ImportFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices)
    customer = django_filters.NumberFilter(field_name="customer_id")

    class Meta:
        model = ImportRun
        fields: list[str] = []


class ImportCollectionView(generics.GenericAPIView[Any]):
    serializer_class = ImportRunOut
    filterset_class = ImportFilter
    permission_model = ImportRun
    scope_resource = "imports"

    def get_queryset(self) -> QuerySet[ImportRun]:
        return _runs().order_by("-created_at", "-id")

    @extend_schema(
        operation_id="imports_list",
        responses={200: ImportRunOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="Import runs, newest first, with their status, the subscriptions they "
        "created and the invoices their replay produced.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ImportRunOut(page, many=True).data)

    @extend_schema(
        operation_id="imports_create",
        request=ImportIn,
        responses={
            201: ImportRunDetailOut,
            200: ImportRunDetailOut,
            202: ImportRunDetailOut,
            **error_responses(400, 401, 404, 409),
        },
        tags=TAGS,
        description="Import one customer's history from another system: the customer (new, or "
        "existing by `external_id`), subscriptions started in the past and their changes, "
        "pauses, cancellations and end dates at past instants. Everything is validated first "
        "(nothing is written on a refusal); then each step is done at its instant by the "
        "service that does it live, and the subscriptions are billed up to now as the billing "
        "clock would have billed them: invoices dated, finalized (after the customer's grace "
        "period) and numbered at the instants the clock would have. 201 with the run; the "
        "same `key` and document again: 200 with the first run, nothing done twice (another "
        "document under a used key: 409 `import_key_reused`). A refusal during the replay "
        "(a service's 409) leaves the run `failed` with the error and its path, and answers "
        f"it. {REFUSALS} Runs as a job (`GET /jobs/`). A history billing more periods than "
        "IMPORT_SYNC_MAX_STEPS (default 200) is validated, then replayed by a background task: "
        "202 with the run `running` (its job queued); read it at `GET /imports/{id}/`. "
        "`notify` (default false) and `settle` (default `paid_outside`) say whether the "
        "customer is e-mailed about the replay's documents and whether its invoices are paid "
        "(in the previous system) or left due; the policies the replay overrode are listed "
        "in `policy_overrides`.",
    )
    def post(self, request: Request) -> Response:
        ImportIn(data=request.data).is_valid(raise_exception=True)
        key = request.data["key"] if isinstance(request.data, dict) else None
        existing = ImportRun.objects.filter(key=key).exists()
        run = import_run(document=request.data, actor=request_actor(request), as_of=timezone.now())
        code: int = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        if run.status == ImportStatus.RUNNING:  # queued to its task (or still running)
            code = status.HTTP_202_ACCEPTED
        return Response(ImportRunDetailOut(_runs().get(pk=run.pk)).data, status=code)


class ImportValidateView(generics.GenericAPIView[Any]):
    serializer_class = ImportPreviewOut
    permission_model = ImportRun
    permission_actions = {"POST": "view"}
    scope_resource = "imports"

    @extend_schema(
        operation_id="imports_validate",
        request=ImportIn,
        responses={200: ImportPreviewOut, **error_responses(400, 401, 409)},
        tags=TAGS,
        description="A dry run: validate a history and say what an import would create and "
        "do (the customer, the subscriptions with the periods it bills up to now, the steps "
        f"in time order). Writes nothing. {REFUSALS}",
    )
    def post(self, request: Request) -> Response:
        ImportIn(data=request.data).is_valid(raise_exception=True)
        plan = import_validate(document=request.data, as_of=timezone.now())
        return Response(plan.preview())


class ImportDetailView(generics.GenericAPIView[Any]):
    serializer_class = ImportRunDetailOut
    permission_model = ImportRun
    scope_resource = "imports"

    @extend_schema(
        operation_id="imports_retrieve",
        responses={200: ImportRunDetailOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        run = _runs().filter(pk=pk).first()
        if run is None:
            raise NotFound(f"No import with id {pk}.")
        return Response(ImportRunDetailOut(run).data)
