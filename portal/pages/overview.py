"""What the overview shows: the customer's subscriptions, the upcoming invoice with its lines,
its balance and credits, and what is overdue. Reads only, through the selectors of billing,
invoicing and payments; a fixed number of queries however many documents the customer has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from billing.lifecycle import FINISHED
from billing.models import Customer, Subscription
from core.exceptions import ApplicationError
from invoicing import pdf
from invoicing.models import Invoice, InvoiceStatus
from invoicing.selectors import upcoming_invoice
from payments.selectors import customer_unapplied_cash
from payments.wallet_reads import wallet_of
from portal.models import PortalConfiguration
from portal.pages import display

UNPAID = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
BILLING = ("trialing", "active", "past_due")  # the statuses a subscription is billed in


@dataclass(frozen=True)
class Overdue:
    invoice: Invoice
    days: int


def live_subscriptions(customer: Customer) -> list[Subscription]:
    """The customer's subscriptions not finished yet (and one that ended within its last
    period, still to be billed), with their plans: one query."""
    return list(
        Subscription.objects.filter(customer=customer)
        .filter(~Q(status__in=FINISHED))
        .select_related("plan", "plan_version__plan__product", "customer")
        .order_by("start_at", "id")
    )


def bills(sub: Subscription) -> bool:
    """Whether the subscription is running and billed (its plan can change, it can be
    canceled at its period end)."""
    return sub.status in BILLING


def may_cancel(sub: Subscription) -> bool:
    """Whether the customer can cancel the subscription at its period end in the portal (when
    the configuration allows cancelling): the one rule of the overview's button and of the
    cancel page (GET and POST)."""
    return bills(sub) and not sub.cancel_at_period_end


def not_cancellable_words(sub: Subscription) -> str:
    """Why cancelling is not offered for a subscription `may_cancel` refuses, in a sentence."""
    if sub.status == "pending":
        return _(
            "This subscription has not started yet, so it cannot be canceled here. "
            "Please contact us if you no longer want it."
        )
    if sub.status == "paused":
        return _(
            "This subscription is paused, so it cannot be canceled here. "
            "Please contact us if you want to end it."
        )
    if sub.cancel_at_period_end:
        return _("A cancellation is already scheduled.")
    return _("This subscription cannot be canceled here. Please contact us.")


def subscription_rows(
    subscriptions: list[Subscription],
    configuration: PortalConfiguration | None,
    reader: pdf.Reader,
    next_billing: datetime | None = None,
) -> list[dict[str, Any]]:
    """Each subscription as the customer reads it, and what it may do with it. Its next
    billing date is the upcoming invoice's issue date (`next_billing`, the date the page shows
    with that invoice), for a subscription still billed after its current period."""
    may_change = bool(configuration and configuration.allow_plan_change)
    cancelling = bool(configuration and configuration.allow_cancel)
    rows = []
    for sub in subscriptions:
        billing = bills(sub)
        rows.append(
            {
                "id": sub.pk,
                "plan": display.plan_words(sub.plan.name),
                "quantity": sub.quantity,
                "status": display.subscription_status_words(sub.status),
                "status_code": sub.status,
                "period": display.period_words(
                    sub.current_period_start, sub.current_period_end, reader
                ),
                "trial_end": sub.trial_end if sub.status == "trialing" else None,
                "next_billing": next_billing if billing and not sub.cancel_at_period_end else None,
                "ends_at": sub.current_period_end if sub.cancel_at_period_end else sub.ends_at,
                "cancel_at_period_end": sub.cancel_at_period_end,
                "may_change_plan": may_change and billing and not sub.cancel_at_period_end,
                "may_cancel": cancelling and may_cancel(sub),
                "may_uncancel": cancelling and sub.cancel_at_period_end,
            }
        )
    return rows


def upcoming(customer: Customer, reader: pdf.Reader, as_of: datetime) -> dict[str, Any] | None:
    """The next invoice the clock will issue (the planner run forward, nothing written), with
    its lines in the customer's words; None when nothing more is to be billed or it cannot be
    planned now (a price book in an invalid state: the page still shows the rest)."""
    try:
        found = upcoming_invoice(customer_id=customer.pk, as_of=as_of)
    except ApplicationError:
        return None
    if found["billing_date"] is None:
        return None
    return {
        "billing_date": found["billing_date"],
        "lines": display.line_rows(display.upcoming_lines(found["lines"]), reader),
        **{
            key: found[key]
            for key in ("subtotal", "tax_total", "total", "credit_applied", "amount_due")
        },
    }


def overdue_invoices(customer: Customer, reader: pdf.Reader, as_of: datetime) -> list[Overdue]:
    """Open invoices past their due date with something still due, oldest due first, each
    with the days it is overdue (calendar days in the customer's time zone)."""
    today = as_of.astimezone(reader.zone).date()
    invoices = Invoice.objects.filter(
        customer=customer, status__in=UNPAID, due_at__lt=as_of, amount_due__gt=0
    ).order_by("due_at", "id")
    return [
        Overdue(invoice, max((today - invoice.due_at.astimezone(reader.zone).date()).days, 0))
        for invoice in invoices
        if invoice.due_at is not None
    ]


def balances(customer: Customer) -> dict[str, Any]:
    """The customer's credit balance (applied to its next invoices), the part of it held in
    prepaid credits (and their soonest expiry) and its cash on account (payments not applied
    to an invoice yet)."""
    wallet = wallet_of(customer, grants=0)
    cash = customer_unapplied_cash(customer=customer)
    return {
        "credit": wallet["balance"],
        "in_grants": wallet["in_grants"],
        "next_expiry": wallet["next_expiry"],
        "expiring_next": wallet["expiring_next"],
        "cash": cash.total,
        "any": bool(wallet["balance"] or cash.total),
    }


def overview_of(
    customer: Customer,
    configuration: PortalConfiguration | None,
    reader: pdf.Reader,
    as_of: datetime,
) -> dict[str, Any]:
    overdue = overdue_invoices(customer, reader, as_of)
    next_invoice = upcoming(customer, reader, as_of)
    return {
        "subscriptions": subscription_rows(
            live_subscriptions(customer),
            configuration,
            reader,
            next_invoice["billing_date"] if next_invoice else None,
        ),
        "upcoming": next_invoice,
        "balances": balances(customer),
        "overdue": overdue,
        "overdue_total": sum((o.invoice.amount_due for o in overdue), Decimal(0)),
    }
