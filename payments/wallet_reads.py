"""Reads of wallets (no writes, no locks): what the admin's customer page and the API show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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
    """A customer's wallet for display, as a dict:

    - `customer_id`, `currency`, `balance` (Decimal: the whole credit balance);
    - `in_grants` (Decimal): what its live grants still hold (the rest of the balance came from
      elsewhere: overpayments, credit notes, invoices below zero);
    - `next_expiry` (datetime | None): the soonest expiry of a live grant, and
      `expiring_next` (Decimal): what that grant still holds;
    - `auto_top_up` (bool), `threshold`, `top_up_amount` (Decimal | None);
    - `unpaid_top_ups` (list[Invoice]): top-up invoices still being collected;
    - `grants` (list[CreditGrant]): its latest 50 grants, newest first, each with `amount`,
      `remaining`, `consumed`, `amount_expired`, `expires_at`, `expired_at`, `source`,
      `top_up_invoice` (selected).

    Raises NotFound for an unknown customer."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    wallet = WalletSettings.objects.filter(customer=customer).first()
    grants = list(
        CreditGrant.objects.filter(customer=customer)
        .select_related("top_up_invoice")
        .order_by("-granted_at", "-id")[:SUMMARY_GRANTS]
    )
    live = CreditGrant.objects.filter(customer=customer, expired_at__isnull=True, remaining__gt=0)
    soonest = live.filter(expires_at__isnull=False).order_by("expires_at", "id").first()
    return {
        "customer_id": customer.pk,
        "currency": customer.currency,
        "balance": customer.balance,
        "in_grants": sum(live.values_list("remaining", flat=True), ZERO),
        "next_expiry": soonest.expires_at if soonest else None,
        "expiring_next": soonest.remaining if soonest else ZERO,
        "auto_top_up": bool(wallet and wallet.auto_top_up),
        "threshold": wallet.threshold if wallet else None,
        "top_up_amount": wallet.top_up_amount if wallet else None,
        "unpaid_top_ups": unpaid_top_ups(customer.pk),
        "grants": grants,
    }
