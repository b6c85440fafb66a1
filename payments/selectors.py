"""Reads of payments' data: payment methods, payments with their allocations, gateway calls
and refunds, and a customer's unapplied cash."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from billing.models import Customer
from payments.models import (
    Allocation,
    GatewayCall,
    Payment,
    PaymentMethod,
    PaymentMethodState,
    PaymentState,
    Refund,
    SubscriptionPaymentMethod,
)


def payment_method_list() -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.select_related("customer")


def payment_method_for_subscription(*, subscription_id: int) -> PaymentMethod | None:
    """What a subscription's invoices are charged to: its own method, else its customer's
    default; None when neither is an active, attached method."""
    override = (
        SubscriptionPaymentMethod.objects.select_related("payment_method")
        .filter(subscription_id=subscription_id)
        .first()
    )
    method: PaymentMethod | None
    if override is not None:
        method = override.payment_method
    else:
        method = PaymentMethod.objects.filter(
            customer__subscriptions__pk=subscription_id, is_default=True
        ).first()
    if method is None or method.is_detached or method.state != PaymentMethodState.ACTIVE:
        return None
    return method


# ---------------------------------------------------------------------------------------------
# payments


def payment_list() -> QuerySet[Payment]:
    """Payments with what a list row shows (the customer's external id)."""
    return Payment.objects.select_related("customer")


def payment_detail_list() -> QuerySet[Payment]:
    """Payments with their timeline: allocations (live and taken back, with their invoice's
    number), every gateway call, refunds; each in its own query, whatever the number of rows."""
    return Payment.objects.select_related("customer").prefetch_related(
        Prefetch(
            "allocations",
            queryset=Allocation.objects.select_related("invoice").order_by("created_at", "id"),
        ),
        Prefetch("calls", queryset=GatewayCall.objects.order_by("at", "id")),
        Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")),
    )


def payments_of_invoice(queryset: QuerySet[Payment], invoice_id: int) -> QuerySet[Payment]:
    """The payments that ever touched an invoice: collecting it (automatic collection) or
    applied to it (allocations live or taken back)."""
    applied = Allocation.objects.filter(invoice_id=invoice_id).values("payment_id")
    return queryset.filter(Q(invoice_id=invoice_id) | Q(pk__in=applied))


@dataclass(frozen=True)
class UnappliedCash:
    customer: Customer
    total: Decimal
    payments: list[Payment]  # succeeded, holding unapplied cash, oldest received first


def customer_unapplied_cash(*, customer: Customer) -> UnappliedCash:
    """The cash a customer has on account: the sum of its payments' unapplied rests, and the
    payments holding it (the oldest received first, as it is usually applied)."""
    holding = Payment.objects.select_related("customer").filter(
        customer=customer, state=PaymentState.SUCCEEDED, unapplied__gt=0
    )
    total = holding.aggregate(t=Sum("unapplied"))["t"] or Decimal(0)
    return UnappliedCash(
        customer=customer,
        total=total,
        payments=list(holding.order_by("received_at", "created_at", "id")),
    )
