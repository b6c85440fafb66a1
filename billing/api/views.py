"""Customer endpoints. Views validate input and call one service; nothing more."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing import selectors, services
from billing.api.filters import CustomerFilter
from billing.api.serializers import ArchiveIn, CustomerIn, CustomerOut, HistoryEntryOut
from billing.models import Customer
from billing.selectors import customer_as_of
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.audit import history_rows

TAGS = ["customers"]


class CustomerCollectionView(generics.GenericAPIView[Any]):
    filterset_class = CustomerFilter
    serializer_class = CustomerOut

    def get_queryset(self) -> Any:
        return selectors.customer_list()

    @extend_schema(
        operation_id="customers_list",
        responses={200: CustomerOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CustomerOut(page, many=True).data)

    @extend_schema(
        operation_id="customers_create",
        request=CustomerIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CustomerOut, **error_responses(400, 401, 422)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = CustomerIn(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.customer_create(
            actor=request_actor(request),
            as_of=timezone.now(),
            data=data.to_model_fields(),
            test_clock_id=clock.pk if (clock := data.validated_data.get("test_clock")) else None,
        )
        return Response(CustomerOut(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(generics.GenericAPIView[Any]):
    serializer_class = CustomerOut
    queryset = Customer.objects.all()

    @extend_schema(
        operation_id="customers_retrieve",
        responses={200: CustomerOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(CustomerOut(self.get_object()).data)

    @extend_schema(
        operation_id="customers_update",
        request=CustomerIn(partial=True),
        responses={200: CustomerOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        customer = self.get_object()
        data = CustomerIn(customer, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        customer = services.customer_update(
            customer_id=customer.pk,
            actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
            changes=data.to_model_fields(),
        )
        return Response(CustomerOut(customer).data)


class CustomerByExternalIdView(generics.GenericAPIView[Any]):
    serializer_class = CustomerOut
    permission_model = Customer

    @extend_schema(
        operation_id="customers_retrieve_by_external_id",
        responses={200: CustomerOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, external_id: str) -> Response:
        customer = get_object_or_404(Customer, external_id=external_id)
        return Response(CustomerOut(customer).data)


def _archive_or_restore(
    view: generics.GenericAPIView[Any], request: Request, archive: bool
) -> Response:
    customer = view.get_object()
    data = ArchiveIn(data=request.data)
    data.is_valid(raise_exception=True)
    service = services.customer_archive if archive else services.customer_unarchive
    customer = service(
        customer_id=customer.pk,
        actor=request_actor(request),
        as_of=customer_as_of(customer, timezone.now()),
        reason=data.validated_data["reason"],
    )
    return Response(CustomerOut(customer).data)


class CustomerArchiveView(generics.GenericAPIView[Any]):
    serializer_class = ArchiveIn
    queryset = Customer.objects.all()

    @extend_schema(
        operation_id="customers_archive",
        request=ArchiveIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CustomerOut, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Archive a customer. Customers are never deleted: documents and history stay.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return _archive_or_restore(self, request, archive=True)


class CustomerUnarchiveView(generics.GenericAPIView[Any]):
    serializer_class = ArchiveIn
    queryset = Customer.objects.all()

    @extend_schema(
        operation_id="customers_unarchive",
        request=ArchiveIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CustomerOut, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Restore an archived customer.",
    )
    def post(self, request: Request, pk: int) -> Response:
        return _archive_or_restore(self, request, archive=False)


class CustomerHistoryView(generics.GenericAPIView[Any]):
    serializer_class = HistoryEntryOut
    queryset = Customer.objects.all()
    pagination_class = None

    @extend_schema(
        operation_id="customers_history",
        responses={200: HistoryEntryOut(many=True), **error_responses(401, 404)},
        tags=TAGS,
        description="The audit trail of the customer: every change, who made it and why.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(HistoryEntryOut(history_rows(self.get_object()), many=True).data)
