"""The customer page, completed by invoicing: billing registers the customer admin (it cannot
import invoicing), and this module registers it again, extended with the customer's
subscriptions, invoices, credit notes, usage this period and upcoming invoice. Imported by
invoicing/admin.py (the admin autodiscovers admin.py only).

Every part is read in a fixed number of queries (the latest documents, and their counts), so the
page costs the same however many invoices the customer has.

Higher layers add their own parts (payments: the customer's unapplied cash and payments, its
wallet) without invoicing importing them: `customer_section_register` at start-up, with a
template and a function reading the part (in a fixed number of queries too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from billing.admin import CustomerAdmin
from billing.aggregation import current_usage
from billing.models import Customer
from billing.selectors import customer_read_as_of
from catalog.pricing import plain
from core.exceptions import ApplicationError
from invoicing.admin_display import credit_note_pdf_url, instant, money
from invoicing.selectors import (
    customer_credit_notes,
    customer_invoices,
    customer_subscriptions,
    upcoming_invoice,
)

SHOWN = 20  # documents of each kind listed on the page; the rest are a link away


@dataclass(frozen=True)
class CustomerSection:
    """A part of the customer page that a higher layer adds below invoicing's: `read(customer,
    as_of)` returns the context `template` is rendered with (as `section`)."""

    key: str
    template: str
    read: Callable[[Customer, datetime], dict[str, Any]]
    order: int = 100


_sections: dict[str, CustomerSection] = {}


def customer_section_register(section: CustomerSection) -> None:
    """Add (or replace, by key) a part of the customer page; called at start-up."""
    _sections[section.key] = section


def customer_sections(customer: Customer, as_of: datetime) -> list[dict[str, Any]]:
    """The registered parts, read for the customer, in their order."""
    return [
        {"key": s.key, "template": s.template, "context": s.read(customer, as_of)}
        for s in sorted(_sections.values(), key=lambda s: (s.order, s.key))
    ]


def _number(text: Any) -> str:
    try:
        return plain(Decimal(str(text)))
    except InvalidOperation:
        return str(text)


def customer_overview(customer: Customer, as_of: datetime) -> dict[str, Any]:
    """What the customer page shows below the customer's details, ready to display: amounts
    in their currency's decimals with its code, instants in the customer's time zone."""
    zone = customer.timezone or "UTC"
    subscriptions = [
        {
            "id": sub.pk,
            "url": reverse("admin:billing_subscription_change", args=[sub.pk]),
            "plan": f"{sub.plan.name} ({sub.plan_version.label})",
            "quantity": sub.quantity,
            "status": sub.status,
            "period": f"{instant(sub.current_period_start, zone)} to "
            f"{instant(sub.current_period_end, zone)}",
            "ends": (
                "at the period's end"
                if sub.cancel_at_period_end
                else instant(sub.ends_at or sub.ended_at, zone)
                if (sub.ends_at or sub.ended_at)
                else ""
            ),
        }
        for sub in customer_subscriptions(customer_id=customer.pk)
    ]
    invoices, invoice_count = customer_invoices(customer_id=customer.pk, limit=SHOWN)
    notes, note_count = customer_credit_notes(customer_id=customer.pk, limit=SHOWN)
    usage = [
        {
            "subscription": sub["subscription"],
            "plan_version": sub["plan_version"],
            "period": f"{instant(sub['period_start'], zone)} to {instant(sub['period_end'], zone)}",
            "charges": [
                {
                    "name": c["name"],
                    "metric": c["metric"],
                    "quantity": _number(c["quantity"]),
                    "events": c["events"],
                    "amount": money(Decimal(c["estimated_amount"]), c["currency"]),
                    "formula": c["explanation"].get("formula") or c["explanation"].get("error", ""),
                }
                for c in sub["charges"]
            ],
        }
        for sub in current_usage(customer_id=customer.pk, as_of=as_of)
    ]
    upcoming: dict[str, Any] | None = None
    upcoming_error = ""
    try:
        found = upcoming_invoice(customer_id=customer.pk, as_of=as_of)
    except ApplicationError as exc:
        upcoming_error = exc.message
    else:
        c = found["currency"]
        upcoming = {
            "billing_date": instant(found["billing_date"], zone) if found["billing_date"] else "",
            "lines": [
                {
                    "kind": line["kind"],
                    "description": line["description"],
                    "quantity": _number(line["quantity"]),
                    "period": (
                        f"{instant(line['period_start'], zone)} to "
                        f"{instant(line['period_end'], zone)}"
                        if line["period_start"]
                        else ""
                    ),
                    "amount": money(line["amount"], c),
                    "tax": money(line["tax_amount"], c),
                }
                for line in found["lines"]
            ],
            "tax_rate": found["tax_rate"] or "no tax",
            **{
                key: money(found[key], c)
                for key in ("subtotal", "tax_total", "total", "credit_applied", "amount_due")
            },
        }
    return {
        "zone": zone,
        "as_of": instant(as_of, zone),
        "subscriptions": subscriptions,
        "invoices": [
            {
                "label": str(invoice),
                "url": reverse("admin:invoicing_invoice_change", args=[invoice.pk]),
                "pdf": (
                    reverse("invoice-pdf", args=[invoice.pk]) if invoice.status != "draft" else ""
                ),
                "kind": invoice.kind,
                "status": invoice.status,
                "billing_date": instant(invoice.billing_date, zone),
                "total": money(invoice.total, invoice.currency),
                "amount_due": (
                    money(invoice.amount_due, invoice.currency) if invoice.status != "draft" else ""
                ),
                "due": instant(invoice.due_at, zone) if invoice.due_at else "",
            }
            for invoice in invoices
        ],
        "invoice_count": invoice_count,
        "invoices_url": reverse("admin:invoicing_invoice_changelist")
        + f"?customer__id__exact={customer.pk}",
        "credit_notes": [
            {
                "number": note.number,
                "url": reverse("admin:invoicing_creditnote_change", args=[note.pk]),
                "pdf": credit_note_pdf_url(note.pk),
                "invoice": str(note.invoice),
                "invoice_url": reverse("admin:invoicing_invoice_change", args=[note.invoice_id]),
                "issued": instant(note.issued_at, zone),
                "total": money(note.total, note.currency),
                "to_balance": money(note.to_balance, note.currency),
                "reason": note.reason,
            }
            for note in notes
        ],
        "credit_note_count": note_count,
        "credit_notes_url": reverse("admin:invoicing_creditnote_changelist")
        + f"?invoice__customer__id__exact={customer.pk}",
        "usage": usage,
        "upcoming": upcoming,
        "upcoming_error": upcoming_error,
        "sections": customer_sections(customer, as_of),
    }


class CustomerOverviewAdmin(CustomerAdmin):
    """Billing's customer admin, with the customer's invoicing on its page."""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        customer = self.get_object(request, unquote(object_id))
        if customer is not None:
            extra["overview"] = customer_overview(
                customer, customer_read_as_of(customer, timezone.now())
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)


if admin.site.is_registered(Customer):
    admin.site.unregister(Customer)
admin.site.register(Customer, CustomerOverviewAdmin)
