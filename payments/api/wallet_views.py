"""Wallets over REST: a customer's wallet, its history, grants, top-ups and settings. Each view
validates and calls one service (payments.services.wallets) or reads (payments.wallet_reads)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from billing.models import Customer, CustomerBalanceTransaction
from billing.selectors import customer_as_of
from core.api.actors import request_actor
from core.api.pagination import CursorPagination
from core.api.schema import IDEMPOTENCY_KEY, error_responses
from core.exceptions import NotFound
from invoicing.api.views import InvoiceOut
from invoicing.models import Invoice
from payments.api.wallet_serializers import (
    GrantIn,
    GrantOut,
    HistoryOut,
    SettingsIn,
    SettingsOut,
    TopUpIn,
    WalletOut,
)
from payments.models import CreditGrant, WalletSettings
from payments.services import wallets as services
from payments.wallet_reads import wallet_of

TAGS = ["wallets"]


def _customer(pk: int) -> Customer:
    customer = Customer.objects.filter(pk=pk).first()
    if customer is None:
        raise NotFound(f"No customer with id {pk}.")
    return customer


class GrantPages(CursorPagination):
    ordering = ("-granted_at", "-id")


class CustomerWallet(generics.GenericAPIView[Any]):
    """The wallet at a glance."""

    serializer_class = WalletOut
    permission_model = CreditGrant
    pagination_class = None

    @extend_schema(
        operation_id="customers_wallet_retrieve",
        responses={200: WalletOut, **error_responses(401, 404)},
        tags=TAGS,
        description="The customer's wallet: its credit balance, what its live grants hold and "
        "when the next one expires, its automatic top-up, the top-up invoices being collected "
        "and its latest grants. The full history: wallet/history/; every grant: wallet/grants/.",
    )
    def get(self, request: Request, pk: int) -> Response:
        s = wallet_of(_customer(pk))
        body = {
            **{k: s[k] for k in ("customer_id", "currency", "balance", "in_grants",
                                 "next_expiry", "expiring_next")},
            "settings": {k: s[k] for k in ("auto_top_up", "threshold", "top_up_amount")},
            "unpaid_top_ups": [i.number for i in s["unpaid_top_ups"]],
            "grants": s["grants"],
        }  # fmt: skip
        return Response(WalletOut(body).data)


class CustomerWalletHistory(generics.GenericAPIView[Any]):
    serializer_class = HistoryOut
    queryset = CustomerBalanceTransaction.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return CustomerBalanceTransaction.objects.filter(customer_id=self.kwargs["pk"])

    @extend_schema(
        operation_id="customers_wallet_history",
        responses={200: HistoryOut(many=True), **error_responses(401, 404)},
        tags=TAGS,
        description="Every movement of the customer's credit balance, newest first: grants "
        "(`grant`), top-ups paid (`prepaid`), use by invoices (`applied`), voids (`restored`), "
        "expiries (`expired`) and the rest (adjustments, overpayments, credit notes).",
    )
    def get(self, request: Request, pk: int) -> Response:
        _customer(pk)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(HistoryOut(page, many=True).data)


class CustomerWalletGrants(generics.GenericAPIView[Any]):
    serializer_class = GrantOut
    permission_actions = {"POST": "add"}
    pagination_class = GrantPages
    queryset = CreditGrant.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return CreditGrant.objects.filter(customer_id=self.kwargs["pk"]).select_related(
            "top_up_invoice"
        )

    @extend_schema(
        operation_id="customers_wallet_grants",
        responses={200: GrantOut(many=True), **error_responses(401, 404)},
        tags=TAGS,
        description="The customer's credit grants, newest first, with what each still holds.",
    )
    def get(self, request: Request, pk: int) -> Response:
        _customer(pk)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(GrantOut(page, many=True).data)

    @extend_schema(
        operation_id="customers_wallet_grant",
        request=GrantIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: GrantOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Grant credit to the customer, with a reason and an optional expiry (in "
        "the future). It is added to the balance, which pays the next invoices.",
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        data = GrantIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grant = services.wallet_grant(
            customer_id=customer.pk, amount=v["amount"], reason=v["reason"],
            expires_at=v["expires_at"], actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        return Response(GrantOut(grant).data, status=201)


class CustomerWalletTopUps(generics.GenericAPIView[Any]):
    serializer_class = InvoiceOut
    permission_model = CreditGrant
    permission_actions = {"POST": "add"}

    @extend_schema(
        operation_id="customers_wallet_top_up",
        request=TopUpIn,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: InvoiceOut, **error_responses(400, 401, 404, 409)},
        tags=TAGS,
        description="Buy prepaid credit: a top-up invoice (one untaxed prepaid-credit line), "
        "finalized at once and collected like any invoice. Its credit is granted when it is "
        "paid.",
    )
    def post(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        data = TopUpIn(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = services.wallet_top_up(
            customer_id=customer.pk, amount=data.validated_data["amount"],
            actor=request_actor(request), as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        invoice = (
            Invoice.objects.select_related("customer").prefetch_related("lines").get(pk=invoice.pk)
        )
        return Response(InvoiceOut(invoice).data, status=201)


class CustomerWalletSettings(generics.GenericAPIView[Any]):
    serializer_class = SettingsOut
    permission_model = WalletSettings

    @extend_schema(
        operation_id="customers_wallet_settings_set",
        request=SettingsIn,
        responses={200: SettingsOut, **error_responses(400, 401, 404)},
        tags=TAGS,
        description="The automatic top-up: when the balance falls below `threshold`, a top-up "
        "of `top_up_amount` is bought and charged to the default payment method (one at a "
        "time). Both are needed to turn it on.",
    )
    def put(self, request: Request, pk: int) -> Response:
        customer = _customer(pk)
        data = SettingsIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        wallet = services.wallet_settings_set(
            customer_id=customer.pk, auto_top_up=v["auto_top_up"], threshold=v["threshold"],
            top_up_amount=v["top_up_amount"], actor=request_actor(request),
            as_of=customer_as_of(customer, timezone.now()),
        )  # fmt: skip
        return Response(SettingsOut(wallet).data)
