"""Refund endpoints. Views validate input and call one service; nothing more."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.selectors import customer_id_as_of
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from payments.api.refund_serializers import RefundIn, RefundOut
from payments.models import Payment, Refund, RefundState
from payments.services.refunds import refund_create

TAGS = ["refunds"]


def _queryset() -> Any:
    return Refund.objects.select_related("payment__customer", "credit_note")


class RefundFilter(django_filters.FilterSet):  # type: ignore[misc]
    payment = django_filters.NumberFilter(field_name="payment_id", label="the payment's id")
    customer = django_filters.CharFilter(
        field_name="payment__customer__external_id", label="the customer's external id"
    )
    state = django_filters.ChoiceFilter(choices=RefundState.choices)

    class Meta:
        model = Refund
        fields: list[str] = []


class PaymentRefundCreate(generics.GenericAPIView[Any]):
    serializer_class = RefundOut
    permission_model = Refund  # refunding is adding a refund, as in the admin
    permission_actions = {"POST": "add"}

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(
        operation_id="payments_refund",
        request=RefundIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: RefundOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Give money of a succeeded payment back through its gateway. Without a "
        "credit note it refunds an overpayment (the payment's unapplied cash); with "
        "`credit_note` (existing) or `credit_invoice` (a credit note issued now, of "
        "`credit_lines` or the whole invoice) on an invoice this payment paid, it pays out what "
        "the credit note put on the customer's credit balance. Never more than is refundable "
        "(400 `exceeds_refundable` on `amount`). The answer is the refund: `succeeded`, "
        "`failed` (the gateway refused; nothing is held) or `pending` (the gateway's answer is "
        "not known yet: the clock asks it).",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = RefundIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lines = values.get("credit_lines")
        owner = Payment.objects.filter(pk=pk).values_list("customer_id", flat=True).first()
        refund = refund_create(
            payment_id=pk,
            amount=values.get("amount"),
            reason=values["reason"],
            credit_note_id=values.get("credit_note"),
            credit_invoice_id=values.get("credit_invoice"),
            credit_lines=[(i["line"], i["amount"]) for i in lines] if lines is not None else None,
            actor=request_actor(request),
            as_of=customer_id_as_of(owner, timezone.now()) if owner else timezone.now(),
        )
        return Response(RefundOut(_queryset().get(pk=refund.pk)).data, status.HTTP_201_CREATED)


class RefundCollection(generics.GenericAPIView[Any]):
    serializer_class = RefundOut
    filterset_class = RefundFilter

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(
        operation_id="refunds_list",
        responses={200: RefundOut(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Refunds, newest first.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(RefundOut(page, many=True).data)


class RefundDetail(generics.GenericAPIView[Any]):
    serializer_class = RefundOut

    def get_queryset(self) -> Any:
        return _queryset()

    @extend_schema(
        operation_id="refunds_retrieve",
        responses={200: RefundOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RefundOut(self.get_object()).data)
