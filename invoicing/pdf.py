"""Invoice PDFs: an HTML template rendered by WeasyPrint, with numbers, dates and amounts
formatted for the customer's locale and currency (Babel). A finalized invoice's PDF is rendered
once, after finalization, by a Celery task, and stored with its SHA-256: it is never re-rendered
differently (the stored file is served from then on)."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from django.template.loader import render_to_string

from catalog.money import format_money
from invoicing.models import Invoice

LABELS = {
    "tax_id": "Tax ID",
    "customer": "Customer",
    "issued": "Issued",
    "due": "Due",
    "currency": "Currency",
    "description": "Description",
    "period": "Period",
    "quantity": "Quantity",
    "amount": "Amount",
    "subtotal": "Subtotal",
    "tax": "Tax",
    "total": "Total",
    "credit": "Paid from your credit balance",
    "due_amount": "Amount due",
    "your_tax_id": "Your tax ID",
    "inclusive": "included",
    "pay": "Payment",
    "reference": "Reference",
}


def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, LookupError):
        return Locale.parse("en")


def invoice_html(invoice: Invoice) -> str:
    snapshot: dict[str, Any] = invoice.customer_snapshot or {}
    locale = _locale(str(snapshot.get("locale") or "en"))
    currency = invoice.currency

    def money(amount: Decimal) -> str:  # the ISO 4217 exponent's decimals, never CLDR's
        return format_money(amount, currency, str(locale))

    zone = ZoneInfo(str(snapshot.get("timezone") or "UTC"))

    def day(value: Any) -> str:  # dates as the customer's calendar shows them
        if not value:
            return ""
        return format_date(value.astimezone(zone).date(), format="medium", locale=locale)

    lines = []
    taxes: dict[tuple[str, bool], Decimal] = {}
    for line in invoice.lines.order_by("position", "id"):
        if line.tax_percentage:
            key = (
                format_decimal(line.tax_percentage.normalize(), locale=locale),
                line.tax_inclusive,
            )
            taxes[key] = taxes.get(key, Decimal(0)) + line.tax_amount
        explanation = line.explanation or {}
        how = str(explanation.get("formula", ""))
        if explanation.get("price_version"):
            how += f" · {explanation['price_version']}"
        period = f"{day(line.period_start)} to {day(line.period_end)}" if line.period_start else ""
        lines.append(
            {
                "description": line.description,
                "how": how,
                "period": period,
                "quantity": format_decimal(line.quantity.normalize(), locale=locale),
                "amount": money(line.amount),
            }
        )
    return render_to_string(
        "invoices/invoice.html",
        {
            "lang": locale.language,
            "title": f"Invoice {invoice.number}",
            "heading": "Invoice",
            "number": invoice.number or f"draft {invoice.pk}",
            "company": invoice.company_snapshot,
            "customer": snapshot,
            "issued": day(invoice.finalized_at),
            "due": day(invoice.due_at),
            "currency": currency,
            "lines": lines,
            "subtotal": money(invoice.subtotal),
            "tax": money(invoice.tax_total),
            "taxes": [
                {"rate": f"{rate} %", "inclusive": inclusive, "amount": money(amount)}
                for (rate, inclusive), amount in sorted(taxes.items())
            ],
            "total": money(invoice.total),
            "credit": money(invoice.credit_applied) if invoice.credit_applied else "",
            "amount_due": money(invoice.amount_due),
            "labels": LABELS,
        },
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is slow and not always needed

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
