"""Cash application endpoints: payments (list, retrieve, record a manual one), applying a
payment to invoices, taking an allocation back, moving unapplied cash to the customer's credit
balance, and a customer's unapplied cash. Views validate input and call one service
(payments.services.cash); every refusal is the service's, in the one error shape, with the field.

Staff sessions need the Payment model's permissions: `view_payment` to read, `add_payment` to
record, `change_payment` to apply, unapply or move to the balance.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.filters import InstantFilter
from billing.models import Customer
from billing.selectors import customer_as_of, customer_id_as_of
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from payments import selectors
from payments.api.cash_serializers import (
    MAX_ID,
    MoveToBalanceIn,
    PaymentApplyIn,
    PaymentDetailOut,
    PaymentOut,
    PaymentRecordIn,
    UnappliedCashOut,
    UnapplyIn,
)
from payments.gateways.registry import GATEWAY_NAMES
from payments.models import Allocation, Payment, PaymentKind, PaymentState
from payments.services import (
    AllocationRequest,
    payment_apply,
    payment_move_to_balance,
    payment_record,
    payment_unapply,
)

TAGS = ["payments"]


class PaymentFilter(django_filters.FilterSet):  # type: ignore[misc]
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )
    state = django_filters.ChoiceFilter(choices=PaymentState.choices)
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices)
    gateway = django_filters.ChoiceFilter(choices=[(n, n) for n in GATEWAY_NAMES])
    invoice = django_filters.NumberFilter(
        method="filter_invoice",
        label="an invoice's id: the payments collecting it or applied to it (now or before)",
    )
    received_after = InstantFilter(
        field_name="received_at", lookup_expr="gte", label="received at or after this instant"
    )
    received_before = InstantFilter(
        field_name="received_at", lookup_expr="lt", label="received before this instant"
    )

    class Meta:
        model = Payment
        fields: list[str] = []

    @extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
    def filter_invoice(self, qs: QuerySet[Payment], name: str, value: Any) -> QuerySet[Payment]:
        # the schema's bounds are checked before (core/api/strict.py): `value` is a whole id
        return selectors.payments_of_invoice(qs, int(value))


def _detail(payment_id: int) -> dict[str, Any]:
    return PaymentDetailOut(selectors.payment_detail_list().get(pk=payment_id)).data


def _requests(items: list[dict[str, Any]] | None) -> list[AllocationRequest] | None:
    if items is None:
        return None
    return [AllocationRequest(item["invoice"], item.get("amount")) for item in items]


class PaymentCollection(generics.GenericAPIView[Any]):
    serializer_class = PaymentOut
    filterset_class = PaymentFilter

    def get_queryset(self) -> Any:
        return selectors.payment_list()

    @extend_schema(
        operation_id="payments_list",
        responses={200: PaymentOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="Payments, newest first: automatic charges (with their invoice, attempt "
        "and next retry) and payments recorded by staff. `invoice` lists the payments "
        "collecting an invoice or applied to it.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PaymentOut(page, many=True).data)

    @extend_schema(
        operation_id="payments_record",
        request=PaymentRecordIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: PaymentDetailOut, **error_responses(400, 401, 404, 409, 422)},
        tags=TAGS,
        description="Record money received outside a gateway (a bank transfer, a cheque) in the "
        "customer's currency, and apply it to the `allocations` given, or with "
        "`apply: oldest_first` to the customer's open invoices oldest due first; what is left "
        "stays unapplied cash on the customer. Refused (400, naming the field): an amount not "
        "above zero or with more decimals than the currency, another currency than the "
        "customer's, `received_at` in the future, an invoice that is not the customer's or is "
        "listed twice, an allocation above what the invoice owes or the payment holds.",
    )
    def post(self, request: Request) -> Response:
        data = PaymentRecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        customer = Customer.objects.filter(external_id=v["customer"]).first()
        if customer is None:
            raise NotFound(f"No customer {v['customer']!r}.", field="customer")
        payment = payment_record(
            customer_id=customer.pk,
            amount=v["amount"],
            currency=v["currency"],
            received_at=v["received_at"],
            reference=v["reference"],
            memo=v["memo"],
            allocations=_requests(v.get("allocations")),
            apply_oldest_first=v.get("apply") == "oldest_first",
            actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),  # a test customer's: its clock's
        )
        return Response(_detail(payment.pk), status=status.HTTP_201_CREATED)


class PaymentDetail(generics.GenericAPIView[Any]):
    serializer_class = PaymentDetailOut

    def get_queryset(self) -> Any:
        return selectors.payment_detail_list()

    @extend_schema(
        operation_id="payments_retrieve",
        responses={200: PaymentDetailOut, **error_responses(401, 404)},
        tags=TAGS,
        description="A payment with its amounts (applied, unapplied, moved to the balance, "
        "refunded), its allocations (live and taken back, with when, by whom and why), every "
        "gateway call and its refunds.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(PaymentDetailOut(self.get_object()).data)


class PaymentApply(generics.GenericAPIView[Any]):
    serializer_class = PaymentDetailOut
    queryset = Payment.objects.all()

    @extend_schema(
        operation_id="payments_apply",
        request=PaymentApplyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PaymentDetailOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Apply what the payment still holds: to the `allocations` given (an "
        "allocation without `amount` takes all the invoice owes, up to what the payment "
        "holds), or without them to the customer's open invoices oldest due first. 409 when "
        "the payment holds nothing or there is no open invoice.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payment = self.get_object()
        data = PaymentApplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        payment_apply(
            payment_id=payment.pk,
            allocations=_requests(data.validated_data.get("allocations")),
            actor=request_actor(request),
            as_of=customer_id_as_of(payment.customer_id, timezone.now()),
        )
        return Response(_detail(payment.pk))


class AllocationUnapply(generics.GenericAPIView[Any]):
    serializer_class = PaymentDetailOut
    queryset = Allocation.objects.all()
    permission_model = Payment  # taking an allocation back changes its payment, as in the admin

    @extend_schema(
        operation_id="allocations_unapply",
        request=UnapplyIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PaymentDetailOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Take an allocation back, with a reason: its payment holds the amount as "
        "unapplied cash again and the invoice owes it again. Answers the payment. 409 when it "
        "was taken back already.",
    )
    def post(self, request: Request, pk: int) -> Response:
        allocation = self.get_object()
        data = UnapplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        payment_unapply(
            allocation_id=allocation.pk,
            reason=data.validated_data["reason"],
            actor=request_actor(request),
            as_of=customer_id_as_of(allocation.payment.customer_id, timezone.now()),
        )
        return Response(_detail(allocation.payment_id))


class PaymentMoveToBalance(generics.GenericAPIView[Any]):
    serializer_class = PaymentDetailOut
    queryset = Payment.objects.all()

    @extend_schema(
        operation_id="payments_move_to_balance",
        request=MoveToBalanceIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PaymentDetailOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Move unapplied cash (an overpayment) to the customer's credit balance, "
        "which pays its next invoices at finalization: `amount` (default: all of it), with a "
        "reason. 409 when the payment holds no unapplied cash.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payment = self.get_object()
        data = MoveToBalanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        payment_move_to_balance(
            payment_id=payment.pk,
            amount=data.validated_data.get("amount"),
            reason=data.validated_data["reason"],
            actor=request_actor(request),
            as_of=customer_id_as_of(payment.customer_id, timezone.now()),
        )
        return Response(_detail(payment.pk))


class CustomerUnappliedCash(generics.GenericAPIView[Any]):
    serializer_class = UnappliedCashOut
    queryset = Customer.objects.all()
    permission_model = Payment
    pagination_class = None

    @extend_schema(
        operation_id="customers_unapplied_cash",
        responses={200: UnappliedCashOut, **error_responses(401, 404)},
        tags=TAGS,
        description="The cash the customer has on account: the total of its payments' "
        "unapplied rests, and the payments holding it (the oldest received first).",
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = self.get_object()
        return Response(UnappliedCashOut(selectors.customer_unapplied_cash(customer=customer)).data)
