"""Currencies and money rounding. Pure: no ORM, no clock.

The minor-unit exponent of each currency comes from the ISO 4217 tables shipped by the maintained
`iso4217` package (JPY 0, USD 2, KWD 3); display names and symbols come from Babel (CLDR).
Currencies without a minor unit in ISO 4217 (gold, SDR, test codes) cannot be billed in.

Rounding rule, the only one in the product: an amount is rounded once, to the currency's exponent,
half away from zero (ROUND_HALF_UP: 0.125 USD -> 0.13, -0.125 USD -> -0.13). Unit prices are kept
with at least 10 decimal places and never rounded; each invoice line is rounded once through
`quantize`; totals are sums of rounded lines.

Display: `format_money` writes an amount in a locale's pattern (CLDR: symbol, separators, sign)
with exactly the currency's ISO 4217 exponent as decimals, never CLDR's own digits (which drop the
decimals of IQD, RSD, LAK, MMK, IRR, ALL...).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_name, parse_pattern
from iso4217 import Currency as _Iso

UNIT_PRICE_DECIMAL_PLACES = 12
MAX_EXPONENT = 4


class UnknownCurrencyError(ValueError):
    def __init__(self, code: object) -> None:
        super().__init__(
            f"Unknown currency {code!r}: use an ISO 4217 code such as USD, EUR or JPY."
        )
        self.code = code


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int
    name: str

    @property
    def minor_unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.exponent)


@cache
def _table() -> dict[str, Currency]:
    table = {}
    for iso in _Iso:
        if iso.exponent is None:
            continue
        code = iso.code.upper()
        table[code] = Currency(code, int(iso.exponent), get_currency_name(code, locale="en"))
    return table


def currencies() -> list[Currency]:
    return sorted(_table().values(), key=lambda c: c.code)


def get_currency(code: str | Currency) -> Currency:
    if isinstance(code, Currency):
        return code
    if not isinstance(code, str):
        raise UnknownCurrencyError(code)
    try:
        return _table()[code.upper() if code.isalpha() and len(code) == 3 else code]
    except KeyError:
        raise UnknownCurrencyError(code) from None


def is_currency(code: str) -> bool:
    try:
        get_currency(code)
    except UnknownCurrencyError:
        return False
    return True


def quantize(amount: Decimal, currency: str | Currency) -> Decimal:
    """Round `amount` to the currency's minor unit, half away from zero. The one rounding helper."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    return amount.quantize(get_currency(currency).minor_unit, rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str | Currency) -> int:
    """An already rounded amount as an integer count of minor units (cents, yen, fils)."""
    cur = get_currency(currency)
    rounded = quantize(amount, cur)
    if rounded != amount:
        raise ValueError(f"{amount} is not rounded to {cur.code}'s {cur.exponent} decimal places")
    return int(rounded.scaleb(cur.exponent))


def from_minor_units(units: int, currency: str | Currency) -> Decimal:
    return Decimal(units).scaleb(-get_currency(currency).exponent)


@cache
def _money_pattern(locale: str, exponent: int) -> tuple[Locale, NumberPattern]:
    parsed = Locale.parse(locale.replace("-", "_"))
    standard = parsed.currency_formats["standard"]
    pattern = copy.copy(parse_pattern(standard.pattern))
    pattern.frac_prec = (exponent, exponent)
    return parsed, pattern


def format_money(amount: Decimal, currency: str | Currency, locale: str = "en") -> str:
    """`amount`, rounded once (`quantize`), in the locale's currency pattern with the ISO 4217
    exponent's decimals: 1234.567 IQD -> "IQD1,234.567", 1234.5 EUR in de -> "1.234,50 €"."""
    cur = get_currency(currency)
    parsed, pattern = _money_pattern(locale, cur.exponent)
    shown: str = pattern.apply(
        quantize(amount, cur), parsed, currency=cur.code, currency_digits=False
    )
    return shown
