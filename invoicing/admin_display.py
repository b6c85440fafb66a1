"""How the invoicing admin shows money and instants: an amount rounded once to its currency's
ISO 4217 exponent (`catalog.money.quantize`) with thousands separators and the currency code
("1,234.50 USD", "1,234 JPY", "1.235 KWD"); an instant in a named time zone
("2026-02-01 00:05 UTC", "2026-01-31 19:05 America/New_York"), never a bare wall-clock time."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.text import Truncator

from catalog.money import quantize


def money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "-"
    return f"{quantize(amount, currency):,} {currency}"


def instant(value: datetime | None, zone: str = "UTC") -> str:
    """`value` in `zone`, with the zone's name."""
    if value is None:
        return "-"
    return f"{value.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def instant_both(value: datetime | None, zone: str) -> str:
    """`value` in UTC and, when the customer's zone differs, in that zone too."""
    if value is None or zone in ("UTC", "Etc/UTC"):
        return instant(value)
    return f"{instant(value)} ({instant(value, zone)})"


def period_short(start: datetime, end: datetime, zone: str = "UTC") -> str:
    """A period for a list column: its days when it runs from midnight to midnight in `zone`
    ("2026-01-01 to 2026-02-01 UTC"), its instants otherwise."""
    local = [value.astimezone(ZoneInfo(zone)) for value in (start, end)]
    if all(value.time() == time(0) for value in local):
        return f"{local[0]:%Y-%m-%d} to {local[1]:%Y-%m-%d} {zone}"
    return f"{instant(start, zone)} to {instant(end, zone)}"


def short(text: str, length: int = 60) -> str:
    """A long text cut for a list column (the whole text is on the object's page)."""
    return Truncator(text).chars(length)


def credit_note_pdf_url(pk: int) -> str:
    """The API's PDF of a credit note (rendered on request; it authenticates a staff member's
    admin session as well as an API key, like the invoice's)."""
    return reverse("credit-note-pdf", args=[pk])
