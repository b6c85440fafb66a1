import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.money import (
    UnknownCurrencyError,
    currencies,
    format_money,
    from_minor_units,
    get_currency,
    quantize,
    to_minor_units,
)

CODES = [c.code for c in currencies()]
amounts = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    places=12,
    allow_nan=False,
    allow_infinity=False,
)


def test_exponents_come_from_iso_4217() -> None:
    assert get_currency("USD").exponent == 2
    assert get_currency("EUR").exponent == 2
    assert get_currency("JPY").exponent == 0
    assert get_currency("KWD").exponent == 3
    assert get_currency("CLF").exponent == 4
    assert get_currency("usd").code == "USD"


def test_currencies_without_minor_unit_cannot_be_billed() -> None:
    for code in ("XAU", "XXX", "XDR", "ABC", "", "US"):
        with pytest.raises(UnknownCurrencyError):
            get_currency(code)


@pytest.mark.parametrize(
    ("amount", "code", "expected"),
    [
        ("0.125", "USD", "0.13"),
        ("-0.125", "USD", "-0.13"),
        ("0.124999", "USD", "0.12"),
        ("2.5", "JPY", "3"),
        ("-2.5", "JPY", "-3"),
        ("1.0005", "KWD", "1.001"),
        ("1.0004999", "KWD", "1.000"),
        ("118.72", "USD", "118.72"),
    ],
)
def test_half_up_rounding(amount: str, code: str, expected: str) -> None:
    result = quantize(Decimal(amount), code)
    assert result == Decimal(expected)
    assert str(result) == expected  # the exponent of the result is the currency's


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        quantize(0.1, "USD")  # type: ignore[arg-type]


@given(amount=amounts, code=st.sampled_from(CODES))
def test_rounded_amount_is_within_half_a_minor_unit(amount: Decimal, code: str) -> None:
    currency = get_currency(code)
    rounded = quantize(amount, code)
    assert abs(rounded - amount) <= currency.minor_unit / 2
    assert rounded.as_tuple().exponent == -currency.exponent


@given(amount=amounts, code=st.sampled_from(CODES))
def test_rounding_is_idempotent_and_symmetric(amount: Decimal, code: str) -> None:
    rounded = quantize(amount, code)
    assert quantize(rounded, code) == rounded
    assert quantize(-amount, code) == -rounded


@given(units=st.integers(min_value=-(10**15), max_value=10**15), code=st.sampled_from(CODES))
def test_minor_units_round_trip(units: int, code: str) -> None:
    amount = from_minor_units(units, code)
    assert to_minor_units(amount, code) == units


@given(
    lines=st.lists(amounts, min_size=1, max_size=20),
    code=st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_total_of_rounded_lines_is_exact_in_minor_units(lines: list[Decimal], code: str) -> None:
    rounded = [quantize(line, code) for line in lines]
    total = sum(rounded, Decimal(0))
    assert quantize(total, code) == total  # a sum of rounded lines needs no further rounding


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("1234.567", "IQD", "en_US", "IQD1,234.567"),  # CLDR would print IQD1,235
        ("1234.5", "RSD", "en_US", "RSD1,234.50"),  # CLDR: no decimals
        ("99.5", "LAK", "en", "LAK99.50"),
        ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
        ("1000", "JPY", "ja_JP", "￥1,000"),
        ("-0.125", "USD", "en_US", "-$0.13"),  # rounded once, half away from zero
        ("1.2345", "KWD", "en", "KWD1.235"),
    ],
)
def test_money_is_shown_with_the_iso_exponents_decimals(
    amount: str, currency: str, locale: str, shown: str
) -> None:
    assert format_money(Decimal(amount), currency, locale) == shown


@given(
    code=st.sampled_from([c.code for c in currencies()]),
    cents=st.integers(min_value=-(10**12), max_value=10**12),
)
def test_every_currency_is_shown_with_exactly_its_exponent_as_decimals(
    code: str, cents: int
) -> None:
    exponent = get_currency(code).exponent
    shown = format_money(Decimal(cents).scaleb(-exponent), code, "en_US")
    number = re.search(r"\d[\d,]*(?:\.(\d+))?", shown)
    assert number is not None, shown
    assert len(number.group(1) or "") == exponent, shown
