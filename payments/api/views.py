"""Payment method endpoints. Views validate input and call one service; nothing more."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import Customer, Subscription
from billing.selectors import customer_as_of, customer_id_as_of
from core.api.actors import request_actor
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from payments import selectors, services
from payments.api.serializers import (
    PaymentMethodIn,
    PaymentMethodOut,
    PaymentMethodPatchIn,
    SubscriptionPaymentMethodIn,
    SubscriptionPaymentMethodOut,
)
from payments.gateways.registry import GATEWAY_NAMES
from payments.models import (
    PaymentMethod,
    PaymentMethodKind,
    PaymentMethodState,
    SubscriptionPaymentMethod,
)

TAGS = ["payment methods"]


class PaymentMethodFilter(django_filters.FilterSet):  # type: ignore[misc]
    customer = django_filters.CharFilter(
        field_name="customer__external_id", label="the customer's external id"
    )
    gateway = django_filters.ChoiceFilter(choices=[(n, n) for n in GATEWAY_NAMES])
    kind = django_filters.ChoiceFilter(choices=PaymentMethodKind.choices)
    state = django_filters.ChoiceFilter(choices=PaymentMethodState.choices)
    detached = django_filters.BooleanFilter(
        field_name="detached_at", lookup_expr="isnull", exclude=True, label="Detached"
    )

    class Meta:
        model = PaymentMethod
        fields: list[str] = []


class PaymentMethodCollection(generics.GenericAPIView[Any]):
    serializer_class = PaymentMethodOut
    filterset_class = PaymentMethodFilter

    def get_queryset(self) -> Any:
        return selectors.payment_method_list()

    @extend_schema(
        operation_id="payment_methods_list",
        responses={200: PaymentMethodOut(many=True), **error_responses(400, 401)},
        tags=TAGS,
        description="Payment methods, newest first (detached ones too: `detached=false` "
        "leaves them out).",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PaymentMethodOut(page, many=True).data)

    @extend_schema(
        operation_id="payment_methods_create",
        request=PaymentMethodIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: PaymentMethodOut, **error_responses(400, 401, 404, 409, 422)},
        tags=TAGS,
        description="Store a customer's payment method as the gateway's token (a card number "
        "or an IBAN is refused). The customer's first method becomes its default. A Stripe "
        "PaymentMethod you attached to a Stripe Customer yourself: send that customer as "
        "`gateway_customer` (Stripe charges it off session only through it).",
    )
    def post(self, request: Request) -> Response:
        data = PaymentMethodIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        external_id = values.pop("customer")
        gateway_customer = values.pop("gateway_customer", "")
        customer = Customer.objects.filter(external_id=external_id).first()
        if customer is None:
            raise NotFound(f"No customer {external_id!r}.", field="customer")
        method = services.payment_method_add(
            customer_id=customer.pk, actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
            data=values, gateway_customer=gateway_customer,
        )  # fmt: skip
        return Response(PaymentMethodOut(method).data, status=status.HTTP_201_CREATED)


class PaymentMethodDetail(generics.GenericAPIView[Any]):
    serializer_class = PaymentMethodOut

    def get_queryset(self) -> Any:
        return selectors.payment_method_list()

    @extend_schema(
        operation_id="payment_methods_retrieve",
        responses={200: PaymentMethodOut, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(PaymentMethodOut(self.get_object()).data)

    @extend_schema(
        operation_id="payment_methods_update",
        request=PaymentMethodPatchIn,
        responses={200: PaymentMethodOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Change the holder's name, the expiry or the state. A card whose expiry "
        "has passed becomes `expired`.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        method = self.get_object()
        data = PaymentMethodPatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        method = services.payment_method_update(
            payment_method_id=method.pk, actor=request_actor(request),
            as_of=customer_id_as_of(method.customer_id, timezone.now()),
            changes=dict(data.validated_data),
        )  # fmt: skip
        return Response(PaymentMethodOut(method).data)


class PaymentMethodDefault(generics.GenericAPIView[Any]):
    serializer_class = PaymentMethodOut

    def get_queryset(self) -> Any:
        return selectors.payment_method_list()

    @extend_schema(
        operation_id="payment_methods_make_default",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PaymentMethodOut, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Make this active method its customer's default (the previous default "
        "stops being it).",
    )
    def post(self, request: Request, pk: int) -> Response:
        method = self.get_object()
        method = services.payment_method_set_default(
            payment_method_id=method.pk, actor=request_actor(request),
            as_of=customer_id_as_of(method.customer_id, timezone.now()),
        )  # fmt: skip
        return Response(PaymentMethodOut(method).data)


class PaymentMethodDetach(generics.GenericAPIView[Any]):
    serializer_class = PaymentMethodOut

    def get_queryset(self) -> Any:
        return selectors.payment_method_list()

    @extend_schema(
        operation_id="payment_methods_detach",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: PaymentMethodOut, **error_responses(401, 404, 409)},
        tags=TAGS,
        description="Detach the method (it is kept for the payments made with it). Detaching "
        "the default makes the customer's newest other active method the default; "
        "subscriptions that named this method fall back to the customer's default.",
    )
    def post(self, request: Request, pk: int) -> Response:
        method = self.get_object()
        method = services.payment_method_detach(
            payment_method_id=method.pk, actor=request_actor(request),
            as_of=customer_id_as_of(method.customer_id, timezone.now()),
        )  # fmt: skip
        return Response(PaymentMethodOut(method).data)


class SubscriptionPaymentMethodView(generics.GenericAPIView[Any]):
    """The subscription's own payment method (instead of its customer's default)."""

    serializer_class = SubscriptionPaymentMethodOut
    permission_model = SubscriptionPaymentMethod

    def _subscription(self, pk: int) -> Subscription:
        subscription = Subscription.objects.filter(pk=pk).first()
        if subscription is None:
            raise NotFound(f"No subscription with id {pk}.")
        return subscription

    @extend_schema(
        operation_id="subscriptions_payment_method_retrieve",
        responses={200: SubscriptionPaymentMethodOut, **error_responses(401, 404)},
        tags=["subscriptions"],
        description="The subscription's own payment method; 404 when it pays with its "
        "customer's default.",
    )
    def get(self, request: Request, pk: int) -> Response:
        subscription = self._subscription(pk)
        override = (
            SubscriptionPaymentMethod.objects.select_related("payment_method__customer")
            .filter(subscription=subscription)
            .first()
        )
        if override is None:
            raise NotFound("This subscription pays with its customer's default method.")
        return Response(SubscriptionPaymentMethodOut(override).data)

    @extend_schema(
        operation_id="subscriptions_payment_method_set",
        request=SubscriptionPaymentMethodIn,
        responses={200: SubscriptionPaymentMethodOut, **error_responses(400, 401, 404)},
        tags=["subscriptions"],
        description="Pay this subscription with another active method of its customer.",
    )
    def put(self, request: Request, pk: int) -> Response:
        subscription = self._subscription(pk)
        data = SubscriptionPaymentMethodIn(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.subscription_payment_method_set(
            subscription_id=subscription.pk,
            payment_method_id=data.validated_data["payment_method"],
            actor=request_actor(request),
            as_of=customer_id_as_of(subscription.customer_id, timezone.now()),
        )  # fmt: skip
        return Response(SubscriptionPaymentMethodOut(override).data)

    @extend_schema(
        operation_id="subscriptions_payment_method_clear",
        request=None,
        responses={204: None, **error_responses(401, 404)},
        tags=["subscriptions"],
        description="Pay this subscription with its customer's default method again.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        subscription = self._subscription(pk)
        services.subscription_payment_method_clear(
            subscription_id=subscription.pk,
            actor=request_actor(request),
            as_of=customer_id_as_of(subscription.customer_id, timezone.now()),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
