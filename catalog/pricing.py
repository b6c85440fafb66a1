"""The rating engine: pure functions from a quantity and a charge's parameters to an amount and an
explanation. No ORM, no clock, no floats.

    rater = compile_charge("graduated", {"tiers": [...]}, currency="USD", minimum="50")
    rating = rater.rate(Decimal("1234"))
    rating.amount          # exact amount, Decimal (unit prices keep their precision)
    rating.rounded         # the line amount, rounded once by catalog.money.quantize
    rating.true_up         # exact minimum-commitment true-up (0 when usage reaches the minimum)
    rating.explanation()   # JSON-ready: model, formula, tiers applied, price version ...

Pricing models (parameters in `params`, decimals as strings or integers):

- per_unit:   unit_price. amount = quantity x unit_price.
- graduated:  tiers, flat_fee_at_zero (optional). Each tier prices the units that fall inside it,
              plus its optional flat fee when any unit falls inside it.
- volume:     tiers, flat_fee_at_zero (optional). Every unit is priced at the tier the total
              reaches, plus that tier's flat fee.
- graduated_percentage: tiers with a `rate` (percent) instead of a unit price (Lago's graduated
              percentage). Each tier's rate applies to the part of the aggregated amount inside
              it, plus the tier's optional flat fee once when the amount reaches into the tier
              (Lago: "the flat fee is applied to the entire tier", not per transaction). An
              amount of 0 costs nothing.
- package:    package_size, package_price, free_units (optional). Units beyond the free ones are
              billed by whole packages, a partial package rounded up.
- percentage: rate (percent), fixed_fee (per transaction), min_per_transaction,
              max_per_transaction, free_transactions, free_amount (optional). The quantity is the
              total of the transactions' amounts; per-transaction parameters need the
              transactions themselves. free_amount: the first X of the aggregated amount is free
              of the rate, amount = max(0, total - X) x rate. With per-transaction parameters the
              free allowance is spent in time order and ends with whichever of free_transactions
              and free_amount runs out first (Lago: "the first 3 events or $500 are free"): a
              transaction inside the allowance costs nothing (no rate, no fixed fee, no minimum);
              the transaction that goes past free_amount pays the rate on its part beyond it plus
              the fixed fee, kept within [min, max]; every later one pays in full. Either
              parameter alone is an allowance of its own kind only (free_transactions alone: the
              first N transactions, as before; free_amount alone: until the amount is used up).
- flat:       amount, whatever the quantity.

Tiers: [{"from": "0", "to": "1000", "unit_price": "0.10", "flat_fee": "0"},
        {"from": "1000", "to": null, "unit_price": "0.08"}]
A tier covers quantities q with from < q <= to; the first starts at 0, each next one starts where
the previous ends, and only the last is unbounded. Gaps, overlaps, unsorted and bounded-last tiers
are refused. A quantity of 0 costs nothing (no flat fee) in every tiered and per-unit model,
unless a graduated or volume charge sets `flat_fee_at_zero: true` (a JSON boolean; absent or null
is false): then quantity 0 bills the first tier's flat fee, as Stripe does for a tiered price
with a first-tier flat amount.

The minimum commitment of a charge adds a true-up when the amount falls short: exactly (minimum -
amount), and as a line (minimum - the rounded usage line), so that the two lines add up to the
minimum to the cent.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from catalog.money import get_currency, quantize

MODELS = (
    "per_unit",
    "graduated",
    "volume",
    "package",
    "percentage",
    "graduated_percentage",
    "flat",
)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class PricingError(ValueError):
    """Parameters or a quantity the engine refuses. `field` is a path into the parameters."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


MAX_INTEGER_DIGITS, PARAM_DECIMALS = 16, 12  # DecimalField(max_digits=28, decimal_places=12)
MAX_PARAM = Decimal(10) ** MAX_INTEGER_DIGITS
PARAM_STEP = Decimal(1).scaleb(-PARAM_DECIMALS)


def _decimal(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    if isinstance(value, bool | float):
        raise PricingError(
            f"{field} must be a decimal string or an integer, not {type(value).__name__}.",
            field=field,
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise PricingError(f"{field}: {value!r} is not a number.", field=field) from None
    else:
        raise PricingError(f"{field} must be a number.", field=field)
    if not number.is_finite():
        raise PricingError(f"{field} must be a finite number.", field=field)
    if number < 0 and not allow_negative:
        raise PricingError(f"{field} cannot be negative.", field=field)
    # what a price's column holds, DecimalField(28, 12): a larger one overflows the amounts
    if abs(number) >= MAX_PARAM:
        raise PricingError(
            f"{field} is too large: at most {MAX_INTEGER_DIGITS} digits before the decimal point.",
            field=field,
        )
    if number != number.quantize(PARAM_STEP):
        raise PricingError(f"{field} has more than {PARAM_DECIMALS} decimal places.", field=field)
    return number


def _optional(params: Mapping[str, Any], key: str) -> Decimal | None:
    value = params.get(key)
    return None if value is None or value == "" else _decimal(value, key)


def _required(params: Mapping[str, Any], key: str) -> Decimal:
    if key not in params or params[key] is None or params[key] == "":
        raise PricingError(f"{key} is required.", field=key)
    return _decimal(params[key], key)


def _check_keys(params: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise PricingError(f"Unknown parameter {unknown[0]!r}.", field=unknown[0])


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent, for formulas."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


@dataclass(frozen=True)
class Tier:
    lower: Decimal
    upper: Decimal | None
    unit_price: Decimal  # the tier's price: a unit price, or a rate in percent (price_key "rate")
    flat_fee: Decimal
    price_key: str = "unit_price"

    def as_dict(self) -> dict[str, str | None]:
        """The tier as an explanation shows it (a new dict each time; its text built once: a
        billing chunk explains the same tiers on every line)."""
        return dict(self._text)

    @cached_property
    def _text(self) -> dict[str, str | None]:
        return {
            "from": plain(self.lower),
            "to": None if self.upper is None else plain(self.upper),
            self.price_key: plain(self.unit_price),
            "flat_fee": plain(self.flat_fee),
        }


def parse_tiers(raw: Any, *, price_key: str = "unit_price") -> tuple[Tier, ...]:
    """Tiers priced by `price_key` ("unit_price", or "rate" in percent for graduated_percentage)."""
    if not isinstance(raw, list | tuple) or not raw:
        raise PricingError("tiers must be a non-empty list.", field="tiers")
    tiers: list[Tier] = []
    for index, item in enumerate(raw):
        path = f"tiers[{index}]"
        if not isinstance(item, Mapping):
            raise PricingError(f"{path} must be an object.", field=path)
        unknown = sorted(set(item) - {"from", "to", price_key, "flat_fee"})
        if unknown:
            raise PricingError(f"{path}: unknown key {unknown[0]!r}.", field=f"{path}.{unknown[0]}")
        lower = _decimal(item.get("from", tiers[-1].upper if tiers else 0), f"{path}.from")
        upper_raw = item.get("to")
        upper = None if upper_raw is None else _decimal(upper_raw, f"{path}.to")
        if price_key not in item:
            raise PricingError(f"{path}.{price_key} is required.", field=f"{path}.{price_key}")
        unit_price = _decimal(item[price_key], f"{path}.{price_key}")
        if price_key == "rate" and unit_price > HUNDRED:
            raise PricingError(
                f"{path}.rate is a percentage between 0 and 100.", field=f"{path}.rate"
            )
        flat_fee = _decimal(item.get("flat_fee", 0) or 0, f"{path}.flat_fee")
        if upper is not None and upper <= lower:
            raise PricingError(
                f"{path} ends at {plain(upper)}, not after its start {plain(lower)}.",
                field=f"{path}.to",
            )
        if not tiers:
            if lower != 0:
                raise PricingError("The first tier must start at 0.", field=f"{path}.from")
        else:
            previous = tiers[-1]
            if previous.upper is None:
                raise PricingError(
                    f"Only the last tier may be unbounded; tiers[{index - 1}] has no end.",
                    field=f"tiers[{index - 1}].to",
                )
            if lower < previous.lower:
                raise PricingError("Tiers must be sorted by their start.", field=f"{path}.from")
            if lower > previous.upper:
                raise PricingError(
                    f"Gap between tiers: tiers[{index - 1}] ends at {plain(previous.upper)} "
                    f"and {path} starts at {plain(lower)}.",
                    field=f"{path}.from",
                )
            if lower < previous.upper:
                raise PricingError(
                    f"Tiers overlap: tiers[{index - 1}] ends at {plain(previous.upper)} "
                    f"and {path} starts at {plain(lower)}.",
                    field=f"{path}.from",
                )
        tiers.append(Tier(lower, upper, unit_price, flat_fee, price_key))
    if tiers[-1].upper is not None:
        raise PricingError(
            f'The last tier must be unbounded ("to": null); it ends at {plain(tiers[-1].upper)}.',
            field=f"tiers[{len(tiers) - 1}].to",
        )
    return tuple(tiers)


class Rating:
    """The result of rating one quantity. `explanation()` is built on demand from the inputs."""

    __slots__ = ("amount", "quantity", "rater", "transactions", "true_up")

    def __init__(
        self,
        rater: Rater,
        quantity: Decimal,
        amount: Decimal,
        true_up: Decimal,
        transactions: tuple[Decimal, ...] | None = None,
    ) -> None:
        self.rater = rater
        self.quantity = quantity
        self.amount = amount
        self.true_up = true_up
        self.transactions = transactions

    @property
    def rounded(self) -> Decimal:
        return quantize(self.amount, self.rater.currency)

    @property
    def rounded_true_up(self) -> Decimal:
        """The true-up line: what the rounded usage line lacks to the minimum, so that the two
        lines together are exactly the minimum (9.995 rounds to 10.00 and needs none)."""
        currency = self.rater.currency
        minimum = self.rater.minimum
        if not self.true_up or minimum is None:
            return quantize(ZERO, currency)
        return max(quantize(ZERO, currency), quantize(minimum, currency) - self.rounded)

    @property
    def total(self) -> Decimal:
        """The charge's lines after rounding each once: usage line + true-up line."""
        return self.rounded + self.rounded_true_up

    def explanation(self) -> dict[str, Any]:
        return self.rater.explain(self)


class Rater:
    """A charge compiled once (parameters parsed and checked), then rated many times."""

    model: str = ""
    prorated: bool = False  # the charge's `prorated` parameter (compile_charge)
    # the charge's `pay_in_advance` parameter: billed as its events arrive (invoicing/interim),
    # on an invoice of its own ("own") or on the customer's next invoice ("next")
    pay_in_advance: bool = False
    advance_invoice: str = ""

    def __init__(
        self,
        params: Mapping[str, Any],
        *,
        currency: str,
        minimum: Decimal | None = None,
        price_version: str | None = None,
    ) -> None:
        self.currency = get_currency(currency).code
        self.minimum = minimum if minimum is not None and minimum > 0 else None
        self.price_version = price_version
        self.parse(params)

    def parse(self, params: Mapping[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def amount(self, quantity: Decimal) -> Decimal:  # pragma: no cover - abstract
        raise NotImplementedError

    def check_quantity(self, quantity: Decimal) -> Decimal:
        if not isinstance(quantity, Decimal):
            quantity = _decimal(quantity, "quantity")
        if quantity < 0:
            raise PricingError(
                f"A quantity cannot be negative ({plain(quantity)}).", field="quantity"
            )
        if not quantity.is_finite():
            raise PricingError("A quantity must be finite.", field="quantity")
        return quantity

    def rate(self, quantity: Decimal) -> Rating:
        quantity = self.check_quantity(quantity)
        amount = self.amount(quantity)
        minimum = self.minimum
        true_up = minimum - amount if minimum is not None and amount < minimum else ZERO
        return Rating(self, quantity, amount, true_up)

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:  # pragma: no cover
        raise NotImplementedError

    def describe_params(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def explain(self, rating: Rating) -> dict[str, Any]:
        formula, tiers = self.formula(rating)
        explanation: dict[str, Any] = {
            "model": self.model,
            "currency": self.currency,
            "quantity": plain(rating.quantity),
            "parameters": self.describe_params()
            | ({"prorated": True} if self.prorated else {})
            | (
                {"pay_in_advance": True, "invoice": self.advance_invoice}
                if self.pay_in_advance
                else {}
            ),
            "formula": formula,
            "amount": plain(rating.amount),
            "amount_rounded": str(rating.rounded),
            "rounding": "half away from zero to the currency's minor unit, once per line",
            "price_version": self.price_version,
        }
        if tiers:
            explanation["tiers"] = tiers
        if self.minimum is not None:
            explanation["minimum_commitment"] = {
                "minimum": plain(self.minimum),
                "true_up": plain(rating.true_up),
                "true_up_rounded": str(rating.rounded_true_up),
                "formula": f"max(0, {plain(self.minimum)} - {plain(rating.amount)}) "
                f"= {plain(rating.true_up)}; as a line, {plain(self.minimum)} - "
                f"{rating.rounded} (the rounded usage line) = {rating.rounded_true_up}",
            }
        return explanation


class PerUnit(Rater):
    model = "per_unit"

    def parse(self, params: Mapping[str, Any]) -> None:
        _check_keys(params, {"unit_price"})
        self.unit_price = _required(params, "unit_price")

    def amount(self, quantity: Decimal) -> Decimal:
        return quantity * self.unit_price

    def describe_params(self) -> dict[str, Any]:
        return {"unit_price": plain(self.unit_price)}

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        return (
            f"{plain(rating.quantity)} x {plain(self.unit_price)} = {plain(rating.amount)}",
            [],
        )


def _flag(params: Mapping[str, Any], key: str) -> bool:
    """An optional boolean parameter: true or false (absent or null: false). Strings such as
    "true" and numbers are refused, so that a mistyped value is never read as a choice."""
    value = params.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise PricingError(
            f"{key} must be true or false (a JSON boolean), not {type(value).__name__}.",
            field=key,
        )
    return value


class _Tiered(Rater):
    price_key = "unit_price"
    takes_flat_fee_at_zero = True

    def parse(self, params: Mapping[str, Any]) -> None:
        allowed = {"tiers", "flat_fee_at_zero"} if self.takes_flat_fee_at_zero else {"tiers"}
        _check_keys(params, allowed)
        self.tiers = parse_tiers(params.get("tiers"), price_key=self.price_key)
        self.flat_fee_at_zero = self.takes_flat_fee_at_zero and _flag(params, "flat_fee_at_zero")
        # the bounded ends, for a binary search of the tier a quantity reaches
        self.uppers = [t.upper for t in self.tiers[:-1] if t.upper is not None]

    def tier_index(self, quantity: Decimal) -> int:
        return bisect_left(self.uppers, quantity)

    def zero_amount(self) -> Decimal:
        """What a quantity of 0 costs: nothing, or with flat_fee_at_zero the first tier's flat
        fee (Stripe bills a tiered price's first flat amount at quantity 0)."""
        return self.tiers[0].flat_fee if self.flat_fee_at_zero else ZERO

    def zero_formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        first = self.tiers[0]
        used = [{**first.as_dict(), "units": "0", "amount": plain(rating.amount)}]
        return (
            f"0 units: the first tier's flat fee {plain(first.flat_fee)} = {plain(rating.amount)} "
            f"(flat_fee_at_zero)",
            used,
        )

    def describe_params(self) -> dict[str, Any]:
        described: dict[str, Any] = {"tiers": [t.as_dict() for t in self.tiers]}
        if self.flat_fee_at_zero:
            described["flat_fee_at_zero"] = True
        return described

    def explain(self, rating: Rating) -> dict[str, Any]:
        explanation = super().explain(rating)
        if self.flat_fee_at_zero and not rating.quantity:
            explanation["zero_quantity"] = (
                "quantity 0 bills the first tier's flat fee: the charge sets flat_fee_at_zero "
                "(as Stripe bills a tiered price); without it a quantity of 0 costs nothing"
            )
        return explanation


class Graduated(_Tiered):
    model = "graduated"

    def unit(self, tier: Tier) -> Decimal:
        """What one unit inside the tier costs."""
        return tier.unit_price

    def price_text(self, tier: Tier) -> str:
        return plain(tier.unit_price)

    def parse(self, params: Mapping[str, Any]) -> None:
        super().parse(params)
        # what all the tiers below tier i cost when full: amount = before[i] + partial tier i
        before = [ZERO]
        for tier in self.tiers[:-1]:
            assert tier.upper is not None
            before.append(before[-1] + (tier.upper - tier.lower) * self.unit(tier) + tier.flat_fee)
        self.before = before

    def amount(self, quantity: Decimal) -> Decimal:
        if not quantity:
            return self.zero_amount()
        i = bisect_left(self.uppers, quantity)
        tier = self.tiers[i]
        return self.before[i] + (quantity - tier.lower) * self.unit(tier) + tier.flat_fee

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        if not rating.quantity and rating.amount:
            return self.zero_formula(rating)
        used: list[dict[str, Any]] = []
        parts: list[str] = []
        for tier in self.tiers:
            if rating.quantity <= tier.lower:
                break
            top = rating.quantity if tier.upper is None else min(rating.quantity, tier.upper)
            units = top - tier.lower
            amount = units * self.unit(tier) + tier.flat_fee
            used.append(
                {
                    **tier.as_dict(),
                    "units": plain(units),
                    "amount": plain(amount),
                }
            )
            part = f"{plain(units)} x {self.price_text(tier)}"
            parts.append(part + (f" + {plain(tier.flat_fee)}" if tier.flat_fee else ""))
        text = " + ".join(parts) if parts else "0"
        return f"{text} = {plain(rating.amount)}", used


class GraduatedPercentage(Graduated):
    """Lago's graduated percentage: each tier's rate (percent) applies to the part of the
    aggregated amount inside the tier, plus the tier's flat fee once when the amount reaches into
    it. An amount of 0 costs nothing (Lago adds no flat fee at zero)."""

    model = "graduated_percentage"
    price_key = "rate"
    takes_flat_fee_at_zero = False

    def unit(self, tier: Tier) -> Decimal:
        return tier.unit_price / HUNDRED

    def price_text(self, tier: Tier) -> str:
        return f"{plain(tier.unit_price)}%"


class Volume(_Tiered):
    model = "volume"

    def amount(self, quantity: Decimal) -> Decimal:
        if not quantity:
            return self.zero_amount()
        tier = self.tiers[bisect_left(self.uppers, quantity)]
        return quantity * tier.unit_price + tier.flat_fee

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        if not rating.quantity:
            return self.zero_formula(rating) if rating.amount else ("0 units = 0", [])
        tier = self.tiers[self.tier_index(rating.quantity)]
        used = [{**tier.as_dict(), "units": plain(rating.quantity), "amount": plain(rating.amount)}]
        flat = f" + {plain(tier.flat_fee)}" if tier.flat_fee else ""
        return (
            f"{plain(rating.quantity)} x {plain(tier.unit_price)}{flat} = {plain(rating.amount)} "
            f"(every unit at the tier the total reaches)",
            used,
        )


class Package(Rater):
    model = "package"

    def parse(self, params: Mapping[str, Any]) -> None:
        _check_keys(params, {"package_size", "package_price", "free_units"})
        size = _required(params, "package_size")
        if size <= 0 or size != size.to_integral_value():
            raise PricingError("package_size must be a whole number above 0.", field="package_size")
        self.size = size
        self.price = _required(params, "package_price")
        self.free = _optional(params, "free_units") or ZERO

    def packages(self, quantity: Decimal) -> Decimal:
        billable = quantity - self.free
        if billable <= 0:
            return ZERO
        return (billable / self.size).to_integral_value(rounding=ROUND_CEILING)

    def amount(self, quantity: Decimal) -> Decimal:
        return self.packages(quantity) * self.price

    def describe_params(self) -> dict[str, Any]:
        return {
            "package_size": plain(self.size),
            "package_price": plain(self.price),
            "free_units": plain(self.free),
        }

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        packages = self.packages(rating.quantity)
        billable = max(ZERO, rating.quantity - self.free)
        return (
            f"ceil(max(0, {plain(rating.quantity)} - {plain(self.free)} free) "
            f"/ {plain(self.size)}) "
            f"= {plain(packages)} packages for {plain(billable)} units; "
            f"{plain(packages)} x {plain(self.price)} = {plain(rating.amount)}",
            [],
        )


class Percentage(Rater):
    model = "percentage"

    def parse(self, params: Mapping[str, Any]) -> None:
        _check_keys(
            params,
            {
                "rate",
                "fixed_fee",
                "min_per_transaction",
                "max_per_transaction",
                "free_transactions",
                "free_amount",
            },
        )
        self.rate_percent = _required(params, "rate")
        if self.rate_percent > HUNDRED:
            raise PricingError("rate is a percentage between 0 and 100.", field="rate")
        self.fraction = self.rate_percent / HUNDRED
        self.fixed_fee = _optional(params, "fixed_fee") or ZERO
        self.min_fee = _optional(params, "min_per_transaction")
        self.max_fee = _optional(params, "max_per_transaction")
        free = _optional(params, "free_transactions") or ZERO
        if free != free.to_integral_value():
            raise PricingError(
                "free_transactions must be a whole number.", field="free_transactions"
            )
        self.free_transactions = int(free)
        self.free_amount = _optional(params, "free_amount") or ZERO
        if self.min_fee is not None and self.max_fee is not None and self.min_fee > self.max_fee:
            raise PricingError(
                "min_per_transaction cannot exceed max_per_transaction.",
                field="min_per_transaction",
            )

    @property
    def per_transaction(self) -> bool:
        # free_amount alone does not need the transactions: max(0, total - free) x rate
        return (
            bool(self.fixed_fee)
            or self.min_fee is not None
            or self.max_fee is not None
            or self.free_transactions > 0
        )

    def fee(self, amount: Decimal) -> Decimal:
        fee = amount * self.fraction + self.fixed_fee
        if self.min_fee is not None and fee < self.min_fee:
            fee = self.min_fee
        if self.max_fee is not None and fee > self.max_fee:
            fee = self.max_fee
        return fee

    def amount(self, quantity: Decimal) -> Decimal:
        if self.per_transaction:
            raise PricingError(
                "This percentage charge has per-transaction parameters: rate the transactions "
                "with rate_transactions().",
                field="quantity",
            )
        return max(ZERO, quantity - self.free_amount) * self.fraction

    def spend(self, values: Sequence[Decimal]) -> tuple[Decimal, int, Decimal]:
        """The fees of transactions in time order, after the free allowance: (fees, transactions
        wholly free, amount free). The allowance (free_transactions and/or free_amount, each
        unlimited when not set) ends with whichever runs out first; the transaction that goes
        past free_amount pays on its part beyond it."""
        count_left: int | None = self.free_transactions or None
        amount_left: Decimal | None = self.free_amount or None
        open_ = count_left is not None or amount_left is not None
        fees, free_count, free_amount = ZERO, 0, ZERO
        for value in values:
            charged = value
            if open_:
                if amount_left is None or value <= amount_left:  # wholly inside the allowance
                    free_count += 1
                    free_amount += value
                    if count_left is not None:
                        count_left -= 1
                        open_ = count_left > 0
                    if amount_left is not None:
                        amount_left -= value
                        open_ = open_ and amount_left > 0
                    continue
                charged = value - amount_left  # past the free amount: the rest is charged
                free_amount += amount_left
                open_ = False
            fees += self.fee(charged)
        return fees, free_count, free_amount

    def rate_transactions(self, amounts: Sequence[Decimal]) -> Rating:
        values = tuple(self.check_quantity(a) for a in amounts)
        total = sum(values, ZERO)
        fees = self.spend(values)[0]
        true_up = self.minimum - fees if self.minimum is not None and fees < self.minimum else ZERO
        return Rating(self, total, fees, true_up, transactions=values)

    def describe_params(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "rate_percent": plain(self.rate_percent),
            "fixed_fee": plain(self.fixed_fee),
            "min_per_transaction": None if self.min_fee is None else plain(self.min_fee),
            "max_per_transaction": None if self.max_fee is None else plain(self.max_fee),
            "free_transactions": self.free_transactions,
        }
        if self.free_amount:
            described["free_amount"] = plain(self.free_amount)
        return described

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        rate = plain(self.rate_percent)
        if rating.transactions is None:
            if self.free_amount:
                return (
                    f"max(0, {plain(rating.quantity)} - {plain(self.free_amount)} free) "
                    f"x {rate}% = {plain(rating.amount)}",
                    [],
                )
            return f"{plain(rating.quantity)} x {rate}% = {plain(rating.amount)}", []
        count = len(rating.transactions)
        clamp = ""
        if self.min_fee is not None or self.max_fee is not None:
            low = "-" if self.min_fee is None else plain(self.min_fee)
            high = "-" if self.max_fee is None else plain(self.max_fee)
            clamp = f", each fee kept within [{low}, {high}]"
        if not self.free_amount:
            charged = max(0, count - self.free_transactions)
            return (
                f"sum over {charged} of {count} transactions (first {self.free_transactions} "
                f"free) of (amount x {rate}% + {plain(self.fixed_fee)}){clamp} = "
                f"{plain(rating.amount)}; transaction total {plain(rating.quantity)}",
                [],
            )
        _fees, free_count, free_amount = self.spend(rating.transactions)
        allowance = f"the first {plain(self.free_amount)} of the amount"
        if self.free_transactions:
            allowance = (
                f"the first {self.free_transactions} transactions or {allowance}, "
                f"whichever runs out first"
            )
        return (
            f"free allowance ({allowance}): {free_count} transactions wholly free, "
            f"{plain(free_amount)} of the amount free; sum over the other "
            f"{count - free_count} of {count} transactions of "
            f"(amount beyond the allowance x {rate}% + {plain(self.fixed_fee)}){clamp} = "
            f"{plain(rating.amount)}; transaction total {plain(rating.quantity)}",
            [],
        )


class Flat(Rater):
    model = "flat"

    def parse(self, params: Mapping[str, Any]) -> None:
        _check_keys(params, {"amount"})
        self.flat_amount = _required(params, "amount")

    def amount(self, quantity: Decimal) -> Decimal:
        return self.flat_amount

    def describe_params(self) -> dict[str, Any]:
        return {"amount": plain(self.flat_amount)}

    def formula(self, rating: Rating) -> tuple[str, list[dict[str, Any]]]:
        return f"flat {plain(self.flat_amount)} per period", []


RATERS: dict[str, type[Rater]] = {
    cls.model: cls
    for cls in (PerUnit, Graduated, Volume, Package, Percentage, GraduatedPercentage, Flat)
}


def compile_charge(
    model: str,
    params: Mapping[str, Any],
    *,
    currency: str,
    minimum: Decimal | str | int | None = None,
    price_version: str | None = None,
) -> Rater:
    """Parse and check a charge's parameters once; the result rates any number of quantities."""
    if model not in RATERS:
        raise PricingError(
            f"Unknown pricing model {model!r}; use one of {', '.join(MODELS)}.", field="model"
        )
    if not isinstance(params, Mapping):
        raise PricingError("Parameters must be an object.", field="params")
    minimum_value = None if minimum in (None, "") else _decimal(minimum, "minimum")
    prorated = params.get("prorated", False)
    if "prorated" in params:
        if not isinstance(prorated, bool):
            raise PricingError("prorated is true or false.", field="prorated")
        if prorated and model not in PRORATED_MODELS:
            raise PricingError(
                f"prorated applies to the {', '.join(PRORATED_MODELS)} models (on a recurring "
                f"metric), not {model}.",
                field="prorated",
            )
        params = {k: v for k, v in params.items() if k != "prorated"}
    params, advance, invoice = _pay_in_advance(model, params, minimum_value, prorated)
    rater = RATERS[model](
        params, currency=currency, minimum=minimum_value, price_version=price_version
    )
    rater.prorated = prorated
    rater.pay_in_advance, rater.advance_invoice = advance, invoice
    return rater


# a charge paid in advance is billed as its events arrive: what its usage so far rates at, less
# what was billed already; models whose amount never falls as the quantity grows (Lago: not
# volume, whose unit price drops for every unit when a tier is reached)
PAY_IN_ADVANCE_MODELS = (
    "per_unit", "package", "graduated", "percentage", "graduated_percentage",
)  # fmt: skip
ADVANCE_INVOICES = ("own", "next")


def _pay_in_advance(
    model: str, params: Mapping[str, Any], minimum: Decimal | None, prorated: Any
) -> tuple[Mapping[str, Any], bool, str]:
    """The `pay_in_advance` and `invoice` parameters of a charge, checked and taken out."""
    if "pay_in_advance" not in params and "invoice" not in params:
        return params, False, ""
    advance = params.get("pay_in_advance", False)
    if not isinstance(advance, bool):
        raise PricingError("pay_in_advance is true or false.", field="pay_in_advance")
    invoice = params.get("invoice", "own" if advance else None)
    if not advance:
        if "invoice" in params:
            raise PricingError(
                "invoice (own or next) applies to a charge paid in advance only.", field="invoice"
            )
    elif invoice not in ADVANCE_INVOICES:
        raise PricingError(
            'invoice is "own" (an invoice of its own at once) or "next" (a line on the '
            "customer's next invoice).",
            field="invoice",
        )
    elif model not in PAY_IN_ADVANCE_MODELS:
        raise PricingError(
            f"pay_in_advance applies to the {', '.join(PAY_IN_ADVANCE_MODELS)} models, not "
            f"{model} (its amount can fall as the quantity grows).",
            field="pay_in_advance",
        )
    elif minimum is not None:
        raise PricingError(
            "A charge paid in advance has no minimum (its true-up is a period end's).",
            field="minimum",
        )
    elif prorated is True:
        raise PricingError(
            "A prorated charge is billed at its period's end, not in advance.",
            field="pay_in_advance",
        )
    rest = {k: v for k, v in params.items() if k not in ("pay_in_advance", "invoice")}
    return rest, advance, invoice or ""


# a charge on a recurring metric may bill each unit for the share of the period it was held
# (billing/aggregation.py's prorated_windows), as Lago's prorated charges
PRORATED_MODELS = ("per_unit", "graduated", "volume")


def rate(
    model: str,
    params: Mapping[str, Any],
    quantity: Decimal,
    *,
    currency: str,
    minimum: Decimal | str | int | None = None,
    price_version: str | None = None,
) -> Rating:
    """Rate one quantity (compiles the charge each call; compile once to rate many)."""
    return compile_charge(
        model, params, currency=currency, minimum=minimum, price_version=price_version
    ).rate(quantity)
