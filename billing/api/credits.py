"""Customer credit balance, coupon redemptions and add-ons for a subscription's next invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from billing import services
from billing.models import (
    BalanceKind,
    CouponRedemption,
    Customer,
    CustomerBalanceTransaction,
    ProrationLine,
    Subscription,
)
from billing.selectors import customer_as_of, customer_id_as_of
from core.api.actors import request_actor
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses

TAGS = ["customers"]


class BalanceIn(serializers.Serializer[Any]):
    amount = serializers.DecimalField(
        max_digits=20, decimal_places=4, help_text="positive: credit granted; negative: taken back"
    )
    reason = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(
        choices=[BalanceKind.GRANT, BalanceKind.ADJUSTMENT, BalanceKind.PREPAID],
        default=BalanceKind.GRANT,
    )


class BalanceTransactionOut(serializers.ModelSerializer[CustomerBalanceTransaction]):
    class Meta:
        model = CustomerBalanceTransaction
        fields = (
            "id",
            "kind",
            "amount",
            "currency",
            "balance_after",
            "document_type",
            "document_id",
            "reason",
            "created_by",
            "created_at",
        )


class CustomerBalance(generics.GenericAPIView[Any]):
    serializer_class = BalanceTransactionOut
    permission_actions = {"POST": "add"}  # a new balance transaction, as in the admin

    queryset = CustomerBalanceTransaction.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return CustomerBalanceTransaction.objects.filter(customer_id=self.kwargs["pk"])

    @extend_schema(
        operation_id="customers_balance_transactions",
        responses={200: BalanceTransactionOut(many=True), **error_responses(404)},
        tags=TAGS,
        description="The movements of the customer's credit balance, newest first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        get_object_or_404(Customer, pk=pk)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BalanceTransactionOut(page, many=True).data)

    @extend_schema(
        operation_id="customers_balance_adjust",
        request=BalanceIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: BalanceTransactionOut, **error_responses(400, 404)},
        tags=TAGS,
        description="Grant credit to the customer, or take unused credit back, with a reason. "
        "The balance pays the customer's next finalized invoices.",
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        data = BalanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = services.customer_balance_adjust(
            customer_id=customer.pk, amount=v["amount"], reason=v["reason"], kind=v["kind"],
            actor=request_actor(request), as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        return Response(BalanceTransactionOut(row).data, status=201)


class RedeemIn(serializers.Serializer[Any]):
    coupon = serializers.CharField(max_length=64, help_text="the coupon's code")
    subscription = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="omit: all its subscriptions"
    )


class RedemptionOut(serializers.ModelSerializer[CouponRedemption]):
    coupon: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = CouponRedemption
        fields = (
            "id",
            "coupon",
            "subscription",
            "status",
            "periods_applied",
            "amount_discounted",
            "redeemed_at",
            "removed_at",
        )


class RedemptionPages(CursorPagination):
    ordering = ("-redeemed_at", "-id")


class CustomerCoupons(generics.GenericAPIView[Any]):
    serializer_class = RedemptionOut
    permission_actions = {"POST": "add"}  # a new redemption, as in the admin
    pagination_class = RedemptionPages

    queryset = CouponRedemption.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return CouponRedemption.objects.filter(customer_id=self.kwargs["pk"]).select_related(
            "coupon"
        )

    @extend_schema(
        operation_id="customers_coupons",
        responses={200: RedemptionOut(many=True), **error_responses(404)},
        tags=TAGS,
        description="The coupons the customer redeemed, newest first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        get_object_or_404(Customer, pk=pk)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RedemptionOut(page, many=True).data)

    @extend_schema(
        operation_id="customers_coupons_redeem",
        request=RedeemIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: RedemptionOut, **error_responses(400, 404, 409)},
        tags=TAGS,
        description="Redeem a coupon: it discounts the next billings of one subscription or of "
        "all the customer's subscriptions (on the coupon's plans) for its duration.",
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = get_object_or_404(Customer, pk=pk)
        data = RedeemIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        redemption = services.coupon_redeem(
            customer_id=customer.pk, coupon_code=v["coupon"], subscription_id=v["subscription"],
            actor=request_actor(request), as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        return Response(RedemptionOut(redemption).data, status=201)


class RedemptionRemove(generics.GenericAPIView[Any]):
    serializer_class = RedemptionOut

    def get_queryset(self) -> Any:
        return CouponRedemption.objects.all()

    @extend_schema(
        operation_id="coupon_redemptions_remove",
        request=None,
        responses={200: RedemptionOut, **error_responses(404, 409)},
        tags=TAGS,
        description="Stop a coupon from discounting further billings.",
    )
    def post(self, request: Request, pk: int) -> Response:
        found = self.get_object()
        redemption = services.coupon_redemption_remove(
            redemption_id=found.pk, actor=request_actor(request),
            as_of=customer_id_as_of(found.customer_id, timezone.now()),
        )  # fmt: skip
        return Response(RedemptionOut(redemption).data)


class AddOnPurchaseIn(serializers.Serializer[Any]):
    add_on = serializers.CharField(max_length=64, help_text="the add-on's code")
    quantity = serializers.DecimalField(
        max_digits=20, decimal_places=6, default=Decimal(1), min_value=Decimal("0.000001")
    )


class PendingLineOut(serializers.ModelSerializer[ProrationLine]):
    class Meta:
        model = ProrationLine
        fields = ("id", "kind", "description", "currency", "amount_rounded", "explanation")


class SubscriptionAddOn(generics.GenericAPIView[Any]):
    serializer_class = PendingLineOut

    def get_queryset(self) -> Any:
        return Subscription.objects.all()

    @extend_schema(
        operation_id="subscriptions_add_ons_add",
        request=AddOnPurchaseIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: PendingLineOut, **error_responses(400, 404, 409)},
        tags=["subscriptions"],
        description="Buy a catalog add-on: a line waiting for the subscription's next invoice.",
    )
    def post(self, request: Request, pk: int) -> Response:
        sub = self.get_object()
        data = AddOnPurchaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.subscription_addon_add(
            subscription_id=sub.pk, addon_code=data.validated_data["add_on"],
            quantity=data.validated_data["quantity"], actor=request_actor(request),
            as_of=customer_id_as_of(sub.customer_id, timezone.now()),
        )  # fmt: skip
        return Response(PendingLineOut(line).data, status=201)
