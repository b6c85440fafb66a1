"""Retry endpoints: the global and per-plan retry policies, and "retry now" on an invoice.
Views validate input and call one service; nothing more."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.selectors import customer_id_as_of
from catalog.models import Plan
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from invoicing.models import Invoice
from payments.api.retry_serializers import (
    RetryPaymentIn,
    RetryPaymentOut,
    RetryPolicyIn,
    RetryPolicyOut,
)
from payments.models import Payment, RetryPolicy
from payments.services import retries

TAGS = ["retries"]
SCHEDULE = (
    "Days count from the invoice's FIRST failed automatic attempt, not between attempts: "
    "3, 5, 7 after a first failure on Jan 10 retries on Jan 13, 15 and 17."
)


class RetryPolicyGlobal(generics.GenericAPIView[Any]):
    """The global retry policy: for invoices whose plan has no policy of its own."""

    serializer_class = RetryPolicyOut
    permission_model = RetryPolicy

    @extend_schema(
        operation_id="retry_policies_global_retrieve",
        responses={200: RetryPolicyOut, **error_responses(401)},
        tags=TAGS,
        description="The global retry policy (`scope` `default`: none was set, 3, 5, 7 days "
        "apply). " + SCHEDULE,
    )
    def get(self, request: Request) -> Response:
        return Response(RetryPolicyOut(retries.retry_policy_effective(plan_id=None)).data)

    @extend_schema(
        operation_id="retry_policies_global_set",
        request=RetryPolicyIn,
        responses={200: RetryPolicyOut, **error_responses(400, 401)},
        tags=TAGS,
        description="Set the global retry policy (an empty list: no retries). " + SCHEDULE,
    )
    def put(self, request: Request) -> Response:
        data = RetryPolicyIn(data=request.data)
        data.is_valid(raise_exception=True)
        retries.retry_policy_set(
            plan_id=None, days=data.validated_data["days"], actor=request_actor(request),
            as_of=timezone.now(),
        )  # fmt: skip
        return Response(RetryPolicyOut(retries.retry_policy_effective(plan_id=None)).data)


class PlanRetryPolicy(generics.GenericAPIView[Any]):
    """A plan's own retry policy, instead of the global one."""

    serializer_class = RetryPolicyOut
    permission_model = RetryPolicy

    def _plan(self, pk: int) -> Plan:
        plan = Plan.objects.filter(pk=pk).first()
        if plan is None:
            raise NotFound(f"No plan with id {pk}.")
        return plan

    @extend_schema(
        operation_id="plans_retry_policy_retrieve",
        responses={200: RetryPolicyOut, **error_responses(401, 404)},
        tags=TAGS,
        description="The policy that applies to the plan's invoices: its own (`scope` `plan`), "
        "else the global one (`global`, or `default`). " + SCHEDULE,
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = self._plan(pk)
        return Response(RetryPolicyOut(retries.retry_policy_effective(plan_id=plan.pk)).data)

    @extend_schema(
        operation_id="plans_retry_policy_set",
        request=RetryPolicyIn,
        responses={200: RetryPolicyOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Give the plan its own retry policy. " + SCHEDULE,
    )
    def put(self, request: Request, pk: int) -> Response:
        plan = self._plan(pk)
        data = RetryPolicyIn(data=request.data)
        data.is_valid(raise_exception=True)
        retries.retry_policy_set(
            plan_id=plan.pk, days=data.validated_data["days"], actor=request_actor(request),
            as_of=timezone.now(),
        )  # fmt: skip
        return Response(RetryPolicyOut(retries.retry_policy_effective(plan_id=plan.pk)).data)

    @extend_schema(
        operation_id="plans_retry_policy_remove",
        request=None,
        responses={204: None, **error_responses(401, 404)},
        tags=TAGS,
        description="Remove the plan's own policy: its invoices follow the global one again "
        "(404 when it has none).",
    )
    def delete(self, request: Request, pk: int) -> Response:
        plan = self._plan(pk)
        retries.retry_policy_remove(
            plan_id=plan.pk, actor=request_actor(request), as_of=timezone.now()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvoiceRetryPayment(generics.GenericAPIView[Any]):
    """Retry now: the invoice's next automatic attempt, charged at once (after the commit)."""

    serializer_class = RetryPaymentOut
    permission_model = Payment
    permission_actions = {"POST": "add"}  # it makes a payment

    @extend_schema(
        operation_id="invoices_retry_payment",
        request=RetryPaymentIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: RetryPaymentOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Make the invoice's next automatic payment attempt now, for its amount due, "
        "with the payment method it would be charged to now. The payment is `pending` until "
        "the gateway answers. Refused (400) when the invoice cannot be paid (`not_payable`) "
        "or owes nothing (`nothing_due`), when an attempt is pending (`attempt_pending`), on "
        "`invoice`; when there is no usable method (`no_payment_method`, on "
        "`payment_method`). With `payment_method` that method is charged (one of the "
        "customer's own, active: else `not_found` or `payment_method_not_active` on "
        "`payment_method`), also for a customer whose automatic collection is off. A failure "
        "continues the invoice's retry schedule.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = RetryPaymentIn(data=request.data)
        data.is_valid(raise_exception=True)
        owner = Invoice.objects.filter(pk=pk).values_list("customer_id", flat=True).first()
        payment = retries.payment_retry_now(
            invoice_id=pk,
            actor=request_actor(request),
            as_of=customer_id_as_of(owner, timezone.now()) if owner else timezone.now(),
            method_id=data.validated_data.get("payment_method"),
        )
        payment = Payment.objects.select_related("customer").get(pk=payment.pk)
        return Response(RetryPaymentOut(payment).data, status=status.HTTP_201_CREATED)
