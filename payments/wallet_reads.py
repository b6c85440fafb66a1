"""Reads of wallets (no writes, no locks): what the admin's customer page and the API show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from billing.models import Customer
from core.exceptions import NotFound
from invoicing.models import Invoice, LineKind
from payments.models import CreditGrant, WalletSettings
from payments.services.wallets import UNPAID

ZERO = Decimal(0)
SUMMARY_GRANTS = 50


def unpaid_top_ups(customer_id: int) -> list[Invoice]:
    """The customer's top-up invoices still being collected, oldest first."""
    return list(
        Invoice.objects.filter(
            customer_id=customer_id, status__in=UNPAID, lines__kind=LineKind.PREPAID
        )
        .distinct()
        .order_by("id")
    )


def wallet_summary(customer_id: int) -> dict[str, Any]:
    """The wallet of the customer `customer_id` (see `wallet_of`). Raises NotFound for an
    unknown customer."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return wallet_of(customer)


def wallet_of(customer: Customer, *, grants: int = SUMMARY_GRANTS) -> dict[str, Any]:
    """A customer's wallet for display (the API's summary, the admin's customer page), as a
    dict, in five queries:

    - `customer_id`, `currency`, `balance` (Decimal: the whole credit balance);
    - `in_grants` (Decimal): what its live grants still hold (the rest of the balance came from
      elsewhere: overpayments, credit notes, invoices below zero);
    - `next_expiry` (datetime | None): the soonest expiry of a live grant, and
      `expiring_next` (Decimal): what that grant still holds;
    - `settings` (WalletSettings | None), `auto_top_up` (bool), `threshold`, `top_up_amount`
      (Decimal | None);
    - `unpaid_top_ups` (list[Invoice]): top-up invoices still being collected;
    - `grants` (list[CreditGrant]): its latest `grants` grants, newest first, each with
      `amount`, `remaining`, `consumed`, `amount_expired`, `expires_at`, `expired_at`, `source`,
      `top_up_invoice` (selected)."""
    wallet = WalletSettings.objects.filter(customer=customer).first()
    latest = list(
        CreditGrant.objects.filter(customer=customer)
        .select_related("top_up_invoice")
        .order_by("-granted_at", "-id")[:grants]
    )
    live = CreditGrant.objects.filter(customer=customer, expired_at__isnull=True, remaining__gt=0)
    held = live.aggregate(t=Sum("remaining"))["t"] or ZERO
    soonest = live.filter(expires_at__isnull=False).order_by("expires_at", "id").first()
    return {
        "customer_id": customer.pk,
        "currency": customer.currency,
        "balance": customer.balance,
        "in_grants": held,
        "next_expiry": soonest.expires_at if soonest else None,
        "expiring_next": soonest.remaining if soonest else ZERO,
        "settings": wallet,
        "auto_top_up": bool(wallet and wallet.auto_top_up),
        "threshold": wallet.threshold if wallet else None,
        "top_up_amount": wallet.top_up_amount if wallet else None,
        "unpaid_top_ups": unpaid_top_ups(customer.pk),
        "grants": latest,
    }
