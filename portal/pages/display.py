"""How the portal's reading pages write what they show: in the customer's words and locale,
through the invoice PDF's own functions (invoicing/pdf.py: `Reader`, `line_title`,
`customer_explanation`, `line_columns`, `period_text`), so a line reads the same on the page
and on the PDF."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from invoicing import pdf
from invoicing.models import InvoiceLine, InvoiceStatus
from portal.access import PortalContext


def reader_for(portal: PortalContext) -> pdf.Reader:
    """How this session reads numbers, dates and amounts: the session's locale (the language
    switch) or the customer's, the customer's time zone and currency."""
    customer = portal.customer
    return pdf.Reader(
        pdf.babel_locale(portal.session.locale or customer.locale),
        pdf.time_zone(customer.timezone),
        customer.currency,
    )


def line_rows(lines: Iterable[InvoiceLine], reader: pdf.Reader) -> list[dict[str, Any]]:
    """An invoice's (or the upcoming invoice's) lines as the PDF writes them: title, how the
    amount comes about, period, quantity, unit, unit price, tax and amount. Three queries at
    most (the catalog names of plans, metrics and coupons the lines refer to)."""
    lines = list(lines)
    names = pdf.document_names(lines)
    locale = str(reader.locale)
    rows = []
    with translation.override(reader.language):
        for line in lines:
            unit = names.metrics.get(line.metric_code, line.metric_code)
            columns = pdf.line_columns(line, reader, unit)
            rows.append(
                {
                    "title": pdf.line_title(line, locale, names),
                    "how": pdf.customer_explanation(
                        line, locale, currency=reader.currency, unit=unit, zone=reader.zone
                    ),
                    "period": pdf.period_text(
                        line.period_start, line.period_end, reader.locale, reader.zone
                    )
                    if line.period_start and line.period_end
                    else "",
                    "quantity": columns.quantity,
                    "unit": columns.unit,
                    "unit_price": columns.unit_price,
                    "tax": line.tax_amount,
                    "amount": line.amount,
                }
            )
    return rows


def upcoming_lines(rows: Iterable[Mapping[str, Any]]) -> list[InvoiceLine]:
    """The upcoming invoice's planned lines (`invoicing.selectors.upcoming_invoice`) as unsaved
    invoice lines, for the PDF's functions. A usage line's metric is in its explanation."""
    lines = []
    for row in rows:
        explanation = row.get("explanation") or {}
        lines.append(
            InvoiceLine(
                kind=row["kind"],
                description=row["description"],
                quantity=row["quantity"],
                unit_amount=row.get("unit_amount"),
                amount=row["amount"],
                tax_amount=row["tax_amount"],
                period_start=row.get("period_start"),
                period_end=row.get("period_end"),
                metric_code=row.get("metric_code") or str(explanation.get("metric") or ""),
                explanation=explanation,
            )
        )
    return lines


def last_day(end: datetime, zone: tzinfo) -> date:
    """The last day of what ends at `end`, in the customer's zone: an end is an exclusive
    instant, so a period ending at midnight ends on the day before (the period ending Mar 1,
    00:00 ends on Feb 28), as `period_words` writes it."""
    return (end.astimezone(zone) - timedelta(microseconds=1)).date()


def period_words(start: datetime, end: datetime, reader: pdf.Reader) -> str:
    return pdf.period_text(start, end, reader.locale, reader.zone)


def invoice_status_words(status: str, overdue: bool = False) -> str:
    """An invoice's status as a customer says it."""
    if overdue:
        return _("Overdue")
    words: dict[str, str] = {
        InvoiceStatus.OPEN: _("Awaiting payment"),
        InvoiceStatus.PARTIALLY_PAID: _("Partly paid"),
        InvoiceStatus.PAID: _("Paid"),
        InvoiceStatus.VOID: _("Canceled"),
        InvoiceStatus.UNCOLLECTIBLE: _("Not collected"),
    }
    return words.get(status, status)


def subscription_status_words(status: str) -> str:
    """A subscription's status as a customer says it."""
    return {
        "pending": _("Starts later"),
        "trialing": _("Trial"),
        "active": _("Active"),
        "paused": _("Paused"),
        "past_due": _("Payment overdue"),
        "canceled": _("Canceled"),
        "ended": _("Ended"),
    }.get(status, status)


def plan_words(plan_name: str) -> str:
    """A plan as the invoice's lines name it ("Pro plan", "Tarif Pro")."""
    return _("%(plan)s plan") % {"plan": plan_name}
