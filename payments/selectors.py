"""Reads of payments' data: payment methods, payments with their allocations, gateway calls
and refunds, and a customer's unapplied cash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum

from billing.models import Customer, JournalEvent, Subscription
from invoicing.models import Invoice
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


def gateway_customer_of(*, customer_id: int, gateway: str) -> str:
    """The customer's own customer at `gateway` (Stripe: `cus_...`), as its newest method there
    keeps it (detached ones too: the gateway's customer outlives them); "" when none is known."""
    found = (
        PaymentMethod.objects.filter(customer_id=customer_id, gateway=gateway)
        .exclude(gateway_customer="")
        .order_by("-created_at", "-id")
        .values_list("gateway_customer", flat=True)
        .first()
    )
    return found or ""


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


def event_customers(events: Sequence[JournalEvent]) -> dict[tuple[str, str], int]:
    """The customer of each event's subject: (subject type, subject id) -> customer id, for
    invoices, payments, subscriptions and customers (one query per kind of subject; subjects
    gone or of another kind are left out). The journal handlers of dunning and notifications
    read their batches through it."""
    ids: dict[str, set[int]] = {}
    for e in events:
        if e.subject_id.isdigit():
            ids.setdefault(e.subject_type, set()).add(int(e.subject_id))
    found: dict[tuple[str, str], int] = {}
    models: dict[str, Any] = {"invoice": Invoice, "payment": Payment, "subscription": Subscription}
    for subject_type, model in models.items():
        if subject_type in ids:
            rows = model.objects.filter(pk__in=ids[subject_type]).values_list("pk", "customer_id")
            found |= {(subject_type, str(pk)): customer for pk, customer in rows}
    if "customer" in ids:
        rows = Customer.objects.filter(pk__in=ids["customer"]).values_list("pk", flat=True)
        found |= {("customer", str(pk)): pk for pk in rows}
    return found
