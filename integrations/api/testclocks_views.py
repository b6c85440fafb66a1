"""Test clocks' endpoints: list, create, retrieve, delete, advance. Views validate input and
call one service; nothing more."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import TestClock, TestClockStatus
from billing.services import testclocks
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from integrations.api.testclocks_serializers import (
    TestClockAdvanceIn,
    TestClockDetailOut,
    TestClockIn,
    TestClockOut,
)
from integrations.testclocks import clock_advance

TAGS = ["test clocks"]


def _clocks() -> QuerySet[TestClock]:
    return TestClock.objects.annotate(customer_count=Count("customers"))


def _clock(pk: int) -> TestClock:
    found = _clocks().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No test clock with id {pk}.")
    return found


class TestClockFilter(django_filters.FilterSet):  # type: ignore[misc]
    __test__ = False

    status = django_filters.ChoiceFilter(choices=TestClockStatus.choices)
    deleted = django_filters.BooleanFilter(
        field_name="deleted_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = TestClock
        fields: list[str] = []


class TestClockCollectionView(generics.GenericAPIView[Any]):
    __test__ = False

    serializer_class = TestClockOut
    filterset_class = TestClockFilter
    permission_model = TestClock
    scope_resource = "test_clocks"

    def get_queryset(self) -> QuerySet[TestClock]:
        return _clocks().order_by("-created_at", "-id")

    @extend_schema(
        operation_id="test_clocks_list",
        responses={200: TestClockOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="Test clocks, newest first; `deleted=false` leaves deleted ones out.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TestClockOut(page, many=True).data)

    @extend_schema(
        operation_id="test_clocks_create",
        request=TestClockIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: TestClockDetailOut, **error_responses(400, 401, 422)},
        tags=TAGS,
        description="A new test clock at `frozen_time`. Create test customers on it with "
        "`POST /customers/` and `test_clock`: they are billed on its time, never by the live "
        "clock, and kept out of live reports and numbering series.",
    )
    def post(self, request: Request) -> Response:
        data = TestClockIn(data=request.data)
        data.is_valid(raise_exception=True)
        clock = testclocks.clock_create(
            name=data.validated_data["name"],
            frozen_time=data.validated_data["frozen_time"],
            actor=request_actor(request),
            as_of=timezone.now(),
        )
        return Response(TestClockDetailOut(_clock(clock.pk)).data, status=status.HTTP_201_CREATED)


class TestClockDetailView(generics.GenericAPIView[Any]):
    __test__ = False

    serializer_class = TestClockDetailOut
    permission_model = TestClock
    scope_resource = "test_clocks"

    @extend_schema(
        operation_id="test_clocks_retrieve",
        responses={200: TestClockDetailOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(TestClockDetailOut(_clock(pk)).data)

    @extend_schema(
        operation_id="test_clocks_delete",
        request=None,
        responses={200: TestClockDetailOut, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Delete a test clock: nothing is hard-deleted. The clock is marked deleted "
        "(it never advances again) and its customers are archived with their documents and "
        "history. 409 `test_clock_advancing` while it advances, `test_clock_deleted` when done "
        "already.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        clock = _clock(pk)
        testclocks.clock_delete(
            test_clock_id=clock.pk, actor=request_actor(request), as_of=timezone.now()
        )
        return Response(TestClockDetailOut(_clock(pk)).data)


class TestClockAdvanceView(generics.GenericAPIView[Any]):
    __test__ = False

    serializer_class = TestClockDetailOut
    permission_model = TestClock
    scope_resource = "test_clocks"

    @extend_schema(
        operation_id="test_clocks_advance",
        request=TestClockAdvanceIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: TestClockDetailOut, **error_responses(400, 401, 404, 409, 422)},
        tags=TAGS,
        description="Move the clock forward to `frozen_time`, asynchronously: answers 202 with "
        "the clock `advancing`; a task runs the billing clock for the clock's customers only, "
        "a day at a time up to the new time (invoices, payments with the sandbox gateway, "
        "retries, dunning, e-mails, webhooks as in real time), then the clock is `ready` "
        "(journal and webhooks: `test_clock.advancing`, `test_clock.ready`, "
        "`test_clock.failed`). 400 on `frozen_time`: `not_after_current`, `beyond_limit` "
        "(see `advance_limit`), `out_of_range` (1970-01-01..9000-01-01); 409 "
        "`test_clock_advancing` while it advances, "
        "`test_clock_deleted`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        clock = _clock(pk)
        data = TestClockAdvanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        clock_advance(
            test_clock_id=clock.pk,
            frozen_time=data.validated_data["frozen_time"],
            actor=request_actor(request),
            as_of=timezone.now(),
        )
        return Response(TestClockDetailOut(_clock(pk)).data, status=status.HTTP_202_ACCEPTED)
