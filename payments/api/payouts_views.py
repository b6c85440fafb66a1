"""Payout endpoints: payees, their payout methods, the customers whose payments count, schedules,
and payouts (list, retrieve with every gateway call, retry now, cancel). Views validate input
and call one service (payments.services.payouts); a refusal is the service's, with its field.

Staff sessions need the models' permissions (view_/add_/change_ of Payee, PayoutMethod,
PayeeCustomer, PayoutSchedule, Payout)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.api.filters import InstantFilter
from billing.models import Customer
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from payments.api import payouts_serializers as s
from payments.models.payouts import (
    Payee,
    PayeeCustomer,
    PayeeState,
    Payout,
    PayoutMethod,
    PayoutSchedule,
    PayoutState,
)
from payments.services import payouts as services

TAGS = ["payouts"]
POST_ERRORS = error_responses(400, 401, 404, 409)


def _now() -> Any:
    return timezone.now()


class PayeeFilter(django_filters.FilterSet):  # type: ignore[misc]
    external_id = django_filters.CharFilter()
    state = django_filters.ChoiceFilter(choices=PayeeState.choices)

    class Meta:
        model = Payee
        fields: list[str] = []


class PayeeCollection(generics.GenericAPIView[Any]):
    serializer_class = s.PayeeOut
    queryset = Payee.objects.order_by("id")
    filterset_class = PayeeFilter

    @extend_schema(
        operation_id="payees_list",
        responses={200: s.PayeeOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="Payees.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.PayeeOut(page, many=True).data)

    @extend_schema(
        operation_id="payees_create",
        request=s.PayeeIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PayeeOut, **POST_ERRORS},
        tags=TAGS,
        description="A payee: someone the platform pays out to, in its currency; its schedules' "
        "periods are counted in its time zone. 400 `unique` on `external_id` when taken.",
    )
    def post(self, request: Request) -> Response:
        data = s.PayeeIn(data=request.data)
        data.is_valid(raise_exception=True)
        payee = services.payee_create(
            data=data.validated_data, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayeeOut(payee).data, status=status.HTTP_201_CREATED)


class PayeeDetail(generics.GenericAPIView[Any]):
    serializer_class = s.PayeeOut
    queryset = Payee.objects.all()

    @extend_schema(
        operation_id="payees_retrieve",
        responses={200: s.PayeeOut, **error_responses(401, 404)},
        tags=TAGS,
        description="A payee.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PayeeOut(self.get_object()).data)

    @extend_schema(
        operation_id="payees_update",
        request=s.PayeePatchIn,
        responses={200: s.PayeeOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="Change a payee's name or e-mail (currency and zone are fixed).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        payee = self.get_object()
        data = s.PayeePatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        payee = services.payee_update(
            payee_id=payee.pk,
            changes=data.validated_data,
            actor=request_actor(request),
            as_of=_now(),
        )
        return Response(s.PayeeOut(payee).data)


class PayeeArchive(generics.GenericAPIView[Any]):
    serializer_class = s.PayeeOut
    queryset = Payee.objects.all()

    @extend_schema(
        operation_id="payees_archive",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PayeeOut, **POST_ERRORS},
        tags=TAGS,
        description="Archive a payee: its schedules stop; its payouts already made stay.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payee = services.payee_archive(
            payee_id=self.get_object().pk, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayeeOut(payee).data)


class _OfPayee(generics.GenericAPIView[Any]):
    """A list under a payee, and adding to it (the model's `add` permission)."""

    permission_actions = {"POST": "add"}

    def payee(self) -> Payee:
        payee = Payee.objects.filter(pk=self.kwargs["pk"]).first()
        if payee is None:
            raise NotFound(f"No payee with id {self.kwargs['pk']}.")
        return payee


class PayeePayoutMethods(_OfPayee):
    serializer_class = s.PayoutMethodOut
    permission_model = PayoutMethod

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator
            return PayoutMethod.objects.none()
        return PayoutMethod.objects.filter(payee_id=self.kwargs["pk"]).order_by("id")

    @extend_schema(
        operation_id="payees_payout_methods_list",
        responses={200: s.PayoutMethodOut(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
        description="A payee's payout methods.",
    )
    def get(self, request: Request, pk: int) -> Response:
        self.payee()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PayoutMethodOut(page, many=True).data)

    @extend_schema(
        operation_id="payees_payout_methods_add",
        request=s.PayoutMethodIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PayoutMethodOut, **POST_ERRORS},
        tags=TAGS,
        description="Add where the payee is paid: a sandbox token, or a bank account staff pay "
        "by hand (manual). The first one is the default.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payee = self.payee()
        data = s.PayoutMethodIn(data=request.data)
        data.is_valid(raise_exception=True)
        method = services.payout_method_add(
            payee_id=payee.pk, **data.validated_data, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayoutMethodOut(method).data, status=status.HTTP_201_CREATED)


class PayoutMethodDefault(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutMethodOut
    queryset = PayoutMethod.objects.all()

    @extend_schema(
        operation_id="payout_methods_default",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PayoutMethodOut, **POST_ERRORS},
        tags=TAGS,
        description="Make this the payee's default payout method.",
    )
    def post(self, request: Request, pk: int) -> Response:
        method = services.payout_method_set_default(
            payout_method_id=self.get_object().pk, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayoutMethodOut(method).data)


class PayoutMethodDetach(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutMethodOut
    queryset = PayoutMethod.objects.all()

    @extend_schema(
        operation_id="payout_methods_detach",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PayoutMethodOut, **POST_ERRORS},
        tags=TAGS,
        description="Stop using a payout method.",
    )
    def post(self, request: Request, pk: int) -> Response:
        method = services.payout_method_detach(
            payout_method_id=self.get_object().pk, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayoutMethodOut(method).data)


class PayeeCustomers(_OfPayee):
    serializer_class = s.PayeeCustomerOut
    permission_model = PayeeCustomer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator
            return PayeeCustomer.objects.none()
        return (
            PayeeCustomer.objects.filter(payee_id=self.kwargs["pk"])
            .select_related("customer")
            .order_by("id")
        )

    @extend_schema(
        operation_id="payees_customers_list",
        responses={200: s.PayeeCustomerOut(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
        description="The customers whose payments count for the payee: current links "
        "(`unlinked_at` empty) and removed ones (a payment counts for the payee whose link was "
        "in place when it was recorded).",
    )
    def get(self, request: Request, pk: int) -> Response:
        self.payee()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PayeeCustomerOut(page, many=True).data)

    @extend_schema(
        operation_id="payees_customers_add",
        request=s.PayeeCustomerIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PayeeCustomerOut, **POST_ERRORS},
        tags=TAGS,
        description="Count a customer's payments (less refunds) for the payee's percentage "
        "payouts, from now on (payments recorded before the link do not count). A customer "
        "counts for one payee at a time (`unique`), in the payee's currency "
        "(`currency_mismatch`), both on `customer`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payee = self.payee()
        data = s.PayeeCustomerIn(data=request.data)
        data.is_valid(raise_exception=True)
        customer = Customer.objects.filter(external_id=data.validated_data["customer"]).first()
        if customer is None:
            raise NotFound(f"No customer {data.validated_data['customer']!r}.", field="customer")
        link = services.payee_customer_add(
            payee_id=payee.pk, customer_id=customer.pk, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayeeCustomerOut(link).data, status=status.HTTP_201_CREATED)


class PayeeCustomerDetail(generics.GenericAPIView[Any]):
    serializer_class = s.PayeeCustomerOut
    queryset = PayeeCustomer.objects.all()

    @extend_schema(
        operation_id="payee_customers_remove",
        request=None,
        responses={204: None, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Stop counting the customer for its payee: its payments recorded from now "
        "on no longer count for it; the link is kept with `unlinked_at` (removed twice: 409).",
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.payee_customer_remove(
            link_id=self.get_object().pk, actor=request_actor(request), as_of=_now()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PayeeSchedules(_OfPayee):
    serializer_class = s.PayoutScheduleOut
    permission_model = PayoutSchedule

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator
            return PayoutSchedule.objects.none()
        return PayoutSchedule.objects.filter(payee_id=self.kwargs["pk"]).order_by("id")

    @extend_schema(
        operation_id="payees_schedules_list",
        responses={200: s.PayoutScheduleOut(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
        description="A payee's payout schedules.",
    )
    def get(self, request: Request, pk: int) -> Response:
        self.payee()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.PayoutScheduleOut(page, many=True).data)

    @extend_schema(
        operation_id="payees_schedules_create",
        request=s.PayoutScheduleIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.PayoutScheduleOut, **POST_ERRORS},
        tags=TAGS,
        description="A payout schedule: every `interval_count` x `interval_unit` from `anchor` "
        "(month ends clamped: an anchor on the 31st pays on Feb 28/29, Mar 31, Apr 30...). "
        "`amount_kind` `fixed` with `fixed_amount`, or `percentage` with `percentage` (0 < p "
        "<= 100) of the payee's customers' payments received in each period less refunds "
        "settled in it, in the payee's currency, rounded once; a period whose net is not above "
        "zero gives a `skipped` payout of 0.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payee = self.payee()
        data = s.PayoutScheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.payout_schedule_create(
            payee_id=payee.pk, **data.validated_data, actor=request_actor(request), as_of=_now()
        )
        return Response(s.PayoutScheduleOut(schedule).data, status=status.HTTP_201_CREATED)


class PayoutScheduleDetail(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutScheduleOut
    queryset = PayoutSchedule.objects.all()

    @extend_schema(
        operation_id="payout_schedules_retrieve",
        responses={200: s.PayoutScheduleOut, **error_responses(401, 404)},
        tags=TAGS,
        description="A payout schedule, with its next period.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PayoutScheduleOut(self.get_object()).data)

    @extend_schema(
        operation_id="payout_schedules_update",
        request=s.PayoutSchedulePatchIn,
        responses={200: s.PayoutScheduleOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Change the amount (periods not yet paid out use it) or switch the "
        "schedule off (`active: false`) and on; on again, it resumes with the current period.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        schedule = self.get_object()
        data = s.PayoutSchedulePatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        schedule = services.payout_schedule_update(
            schedule_id=schedule.pk,
            changes=data.validated_data,
            actor=request_actor(request),
            as_of=_now(),
        )
        return Response(s.PayoutScheduleOut(schedule).data)


class PayoutScheduleRun(generics.GenericAPIView[Any]):
    serializer_class = s.ScheduleRunOut
    queryset = PayoutSchedule.objects.all()
    permission_model = Payout
    permission_actions = {"POST": "add"}  # it makes payouts

    @extend_schema(
        operation_id="payout_schedules_run",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.ScheduleRunOut, **POST_ERRORS},
        tags=TAGS,
        description="Run the schedule to date now: a payout for each "
        "period ended and not paid out yet (what the clock's next tick does).",
    )
    def post(self, request: Request, pk: int) -> Response:
        report = services.payout_schedule_run(
            schedule_id=self.get_object().pk, actor=request_actor(request), as_of=_now()
        )
        return Response(s.ScheduleRunOut(report).data)


class PayoutFilter(django_filters.FilterSet):  # type: ignore[misc]
    payee = django_filters.CharFilter(field_name="payee__external_id", label="payee external id")
    schedule = django_filters.NumberFilter(field_name="schedule_id")
    state = django_filters.ChoiceFilter(choices=PayoutState.choices)
    period_start_after = InstantFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = InstantFilter(field_name="period_start", lookup_expr="lt")

    class Meta:
        model = Payout
        fields: list[str] = []


class PayoutCollection(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutOut
    queryset = Payout.objects.select_related("payee").order_by("-period_start", "-id")
    filterset_class = PayoutFilter

    @extend_schema(
        operation_id="payouts_list",
        responses={200: s.PayoutOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="Payouts, latest period first.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.PayoutOut(page, many=True).data)


class PayoutDetail(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutDetailOut
    queryset = Payout.objects.select_related("payee").prefetch_related("calls", "basis_items")

    @extend_schema(
        operation_id="payouts_retrieve",
        responses={200: s.PayoutDetailOut, **error_responses(401, 404)},
        tags=TAGS,
        description="A payout with its basis and every gateway call.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PayoutDetailOut(self.get_object()).data)


def _detail(payout_id: int) -> Any:
    return s.PayoutDetailOut(
        Payout.objects.select_related("payee")
        .prefetch_related("calls", "basis_items")
        .get(pk=payout_id)
    ).data


class PayoutRetry(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutDetailOut
    queryset = Payout.objects.all()

    @extend_schema(
        operation_id="payouts_retry",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PayoutDetailOut, **POST_ERRORS},
        tags=TAGS,
        description="Send a failed payout (or one waiting for its retry) again now, "
        "to the payee's default method. 409 `transition_not_allowed` otherwise.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payout = services.payout_retry_now(
            payout_id=self.get_object().pk, actor=request_actor(request), as_of=_now()
        )
        return Response(_detail(payout.pk))


class PayoutCancel(generics.GenericAPIView[Any]):
    serializer_class = s.PayoutDetailOut
    queryset = Payout.objects.all()

    @extend_schema(
        operation_id="payouts_cancel",
        request=s.PayoutCancelIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.PayoutDetailOut, **POST_ERRORS},
        tags=TAGS,
        description="Cancel a pending or failed payout, with a reason: no "
        "longer owed (the payable is reversed). 409 for one being sent or paid.",
    )
    def post(self, request: Request, pk: int) -> Response:
        payout = self.get_object()
        data = s.PayoutCancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.payout_cancel(
            payout_id=payout.pk,
            reason=data.validated_data["reason"],
            actor=request_actor(request),
            as_of=_now(),
        )
        return Response(_detail(payout.pk))
