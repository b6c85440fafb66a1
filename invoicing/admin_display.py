"""How the invoicing admin shows money and instants (`catalog.admin_display`, shared by the
whole back office): an amount rounded once to its currency's
ISO 4217 exponent (`catalog.money.quantize`) with thousands separators and the currency code
("1,234.50 USD", "1,234 JPY", "1.235 KWD"); an instant in a named time zone
("2026-02-01 00:05 UTC", "2026-01-31 19:05 America/New_York"), never a bare wall-clock time."""

from __future__ import annotations

from django.urls import reverse

from catalog.admin_display import instant, instant_both, money, period_days, short

__all__ = ["credit_note_pdf_url", "instant", "instant_both", "money", "period_days", "short"]


def credit_note_pdf_url(pk: int) -> str:
    """The API's PDF of a credit note (rendered on request; it authenticates a staff member's
    admin session as well as an API key, like the invoice's)."""
    return reverse("credit-note-pdf", args=[pk])
