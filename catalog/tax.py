"""Taxes and coupon discounts on invoice lines. Pure: no ORM, no clock.

Tax is computed per line and rounded once per line (half away from zero, as every amount):
- exclusive rate r: the line's amount is net; tax = amount x r / 100, added on top;
- inclusive rate r: the line's amount already holds the tax; tax = amount x r / (100 + r),
  and the net is the amount less that tax.
A discount line is taxed like any other line (negative), so tax is always on what is charged.

Coupons discount the charges of a subscription's billed period (fixed fees, usage, minimum
commitments; not proration lines, add-ons or one-off lines): a percentage of them, or a fixed
amount (never more than they come to). Several coupons apply one after the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from catalog.money import quantize
from catalog.pricing import plain

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineTax:
    amount: Decimal  # rounded
    percentage: Decimal
    inclusive: bool

    @property
    def exclusive_amount(self) -> Decimal:
        return Decimal(0) if self.inclusive else self.amount


def line_tax(amount: Decimal, percentage: Decimal, inclusive: bool, currency: str) -> LineTax:
    if not percentage:
        return LineTax(Decimal(0), Decimal(0), inclusive)
    if inclusive:
        exact = amount * percentage / (HUNDRED + percentage)
    else:
        exact = amount * percentage / HUNDRED
    return LineTax(quantize(exact, currency), percentage, inclusive)


@dataclass(frozen=True)
class CouponTerms:
    code: str
    kind: str  # percent | fixed
    percent_off: Decimal | None
    amount_off: Decimal | None
    currency: str


@dataclass(frozen=True)
class Discount:
    code: str
    amount: Decimal  # negative, rounded
    base: Decimal
    formula: str


def discounts(base: Decimal, coupons: Sequence[CouponTerms], currency: str) -> list[Discount]:
    """The discount of each coupon, in order, on what is left of `base` after the ones before."""
    left = base
    found = []
    for coupon in coupons:
        if left <= 0:
            break
        if coupon.kind == "percent":
            assert coupon.percent_off is not None
            off = min(quantize(left * coupon.percent_off / HUNDRED, currency), left)
            formula = f"{left} x {plain(coupon.percent_off)}% = {off}"
        else:
            assert coupon.amount_off is not None
            off = min(quantize(coupon.amount_off, currency), left)
            formula = f"min({plain(coupon.amount_off)}, {left}) = {off}"
        if off:
            found.append(Discount(coupon.code, -off, left, formula))
        left -= off
    return found
