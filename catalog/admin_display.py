"""How the back office shows money and instants: an amount rounded once to its currency's ISO
4217 exponent (`catalog.money.quantize`) with thousands separators and the currency code
("1,234.50 USD", "1,234 JPY", "1.235 KWD"), never the stored 12 decimals; an instant in a named
time zone ("2026-02-01 00:05 UTC", "2026-01-31 19:05 America/New_York"), never a bare time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

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
    """`value` in UTC and, when the other zone differs, in that zone too."""
    if value is None or zone in ("UTC", "Etc/UTC"):
        return instant(value)
    return f"{instant(value)} ({instant(value, zone)})"


def short(text: str, length: int = 40) -> str:
    """A long text cut for a list column (the whole text is on the object's page)."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def period_days(start: datetime, end: datetime, zone: str = "UTC") -> str:
    """A period [start, end) for a list column as its reader counts it: its days, the last one
    included ("2026-01-01 to 2026-01-31 UTC"), when it runs from midnight to midnight in `zone`;
    its instants otherwise."""
    local = [value.astimezone(ZoneInfo(zone)) for value in (start, end)]
    if all(value.time() == time(0) for value in local):
        last = (end - timedelta(days=1)).astimezone(ZoneInfo(zone))
        return f"{local[0]:%Y-%m-%d} to {last:%Y-%m-%d} {zone}"
    return f"{instant(start, zone)} to {instant(end, zone)}"
