from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from catalog.money import get_currency
from catalog.pricing import PricingError, compile_charge, parse_tiers, rate

D = Decimal


def t(lower: str, upper: str | None, unit_price: Any) -> dict[str, Any]:
    """One tier, written short."""
    return {"from": lower, "to": upper, "unit_price": unit_price}


REFERENCE_TIERS = {
    "tiers": [
        t("0", "1000", "0.10"),
        t("1000", None, "0.08"),
    ]
}


def test_reference_example_graduated_volume_flat() -> None:
    assert rate("graduated", REFERENCE_TIERS, D(1234), currency="USD").rounded == D("118.72")
    assert rate("volume", REFERENCE_TIERS, D(1234), currency="USD").rounded == D("98.72")
    assert rate("per_unit", {"unit_price": "0.08"}, D(1234), currency="USD").rounded == D("98.72")


def test_graduated_explanation_names_each_tier_and_the_version() -> None:
    rating = rate("graduated", REFERENCE_TIERS, D(1234), currency="USD", price_version="api@v2")
    explanation = rating.explanation()
    assert explanation["formula"] == "1000 x 0.1 + 234 x 0.08 = 118.72"
    assert explanation["price_version"] == "api@v2"
    assert [(t["units"], t["unit_price"], t["amount"]) for t in explanation["tiers"]] == [
        ("1000", "0.1", "100"),
        ("234", "0.08", "18.72"),
    ]
    assert explanation["model"] == "graduated"
    assert explanation["amount_rounded"] == "118.72"


def test_tier_boundaries_belong_to_the_lower_tier() -> None:
    graduated = compile_charge("graduated", REFERENCE_TIERS, currency="USD")
    volume = compile_charge("volume", REFERENCE_TIERS, currency="USD")
    assert graduated.rate(D(1000)).amount == D("100.00")
    assert volume.rate(D(1000)).amount == D("100.00")  # 1000 x 0.10: still the first tier
    assert volume.rate(D(1001)).amount == D("80.08")
    assert graduated.rate(D(0)).amount == 0
    assert volume.rate(D(0)).amount == 0


def test_flat_fees_of_tiers() -> None:
    tiers = {
        "tiers": [
            {"from": "0", "to": "10", "unit_price": "1", "flat_fee": "5"},
            {"from": "10", "to": None, "unit_price": "0.5", "flat_fee": "20"},
        ]
    }
    assert rate("graduated", tiers, D(15), currency="USD").amount == D("10") + 5 + D("2.5") + 20
    assert rate("graduated", tiers, D(3), currency="USD").amount == D(8)
    assert rate("volume", tiers, D(15), currency="USD").amount == D("7.5") + 20
    assert rate("volume", tiers, D(0), currency="USD").amount == 0


def test_decimal_quantities_gb_hours() -> None:
    rating = rate("per_unit", {"unit_price": "0.0001389"}, D("7200.5"), currency="USD")
    assert rating.amount == D("1.00014945")
    assert rating.rounded == D("1.00")


def test_package_rounds_partial_packages_up_after_free_units() -> None:
    params = {"package_size": 100, "package_price": "5", "free_units": "50"}
    charge = compile_charge("package", params, currency="USD")
    assert charge.rate(D(50)).amount == 0
    assert charge.rate(D(51)).amount == D(5)
    assert charge.rate(D(150)).amount == D(5)
    assert charge.rate(D(151)).amount == D(10)
    assert "2 packages" in charge.rate(D(151)).explanation()["formula"]


def test_percentage_on_a_total_and_per_transaction() -> None:
    simple = compile_charge("percentage", {"rate": "1.5"}, currency="USD")
    assert simple.rate(D("1000")).amount == D("15.000")
    card = compile_charge(
        "percentage",
        {
            "rate": "2.9",
            "fixed_fee": "0.30",
            "min_per_transaction": "0.50",
            "max_per_transaction": "5",
            "free_transactions": 1,
        },
        currency="USD",
    )
    rating = card.rate_transactions([D(100), D(10), D(100), D(1000)])
    # first free; 10 -> 0.59; 100 -> 3.20; 1000 -> 29.30 capped at 5
    assert rating.amount == D("0.59") + D("3.20") + D(5)
    assert rating.quantity == D(1210)
    with pytest.raises(PricingError, match="per-transaction"):
        card.rate(D(100))


def test_flat_ignores_quantity() -> None:
    flat = compile_charge("flat", {"amount": "49"}, currency="USD")
    assert flat.rate(D(0)).amount == flat.rate(D(10**6)).amount == D(49)


def test_minimum_commitment_adds_a_separately_rounded_true_up() -> None:
    charge = compile_charge("per_unit", {"unit_price": "0.013"}, currency="USD", minimum="10")
    short = charge.rate(D(333))  # 4.329
    assert short.rounded == D("4.33")
    assert short.true_up == D("5.671")
    assert short.rounded_true_up == D("5.67")
    assert short.total == D("10.00")
    assert short.explanation()["minimum_commitment"]["true_up"] == "5.671"
    assert charge.rate(D(1000)).true_up == 0


@pytest.mark.parametrize(("calls", "usage", "true_up"), [
    (9995, "10.00", "0.00"),  # 9.995 rounds up to the minimum: no true-up (not 10.00 + 0.01)
    (4995, "5.00", "5.00"),  # 4.995 -> 5.00; the true-up completes the minimum (not 5.01)
])  # fmt: skip
def test_the_true_up_completes_the_rounded_usage_line_to_the_minimum(
    calls: int, usage: str, true_up: str
) -> None:
    charge = compile_charge("per_unit", {"unit_price": "0.001"}, currency="USD", minimum="10")
    rating = charge.rate(D(calls))
    assert (rating.rounded, rating.rounded_true_up) == (D(usage), D(true_up))
    assert rating.total == D("10.00")


@given(
    price=st.decimals(min_value="0.0001", max_value="3", places=4),
    quantity=st.integers(min_value=0, max_value=100_000),
    minimum=st.decimals(min_value="0.01", max_value="500", places=2),
)
def test_a_charge_with_a_minimum_bills_exactly_the_greater_of_usage_and_minimum(
    price: Decimal, quantity: int, minimum: Decimal
) -> None:
    charge = compile_charge("per_unit", {"unit_price": str(price)}, currency="USD",
                            minimum=minimum)  # fmt: skip
    rating = charge.rate(D(quantity))
    rounded_usage = (price * quantity).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert rating.rounded == rounded_usage
    assert rating.total == max(rounded_usage, minimum)
    assert rating.rounded_true_up >= 0


@pytest.mark.parametrize(
    ("tiers", "field", "message"),
    [
        ([t("0", "10", "1"), t("12", None, "1")], "tiers[1].from", "Gap"),
        ([t("0", "10", "1"), t("8", None, "1")], "tiers[1].from", "overlap"),
        ([t("0", "10", "1"), t("10", "20", "1")], "tiers[1].to", "unbounded"),
        ([t("5", None, "1")], "tiers[0].from", "start at 0"),
        ([t("0", None, "1"), t("10", None, "1")], "tiers[0].to", "Only the last tier"),
        ([t("0", "10", "1"), t("0", None, "1")], "tiers[1].from", "overlap"),
        ([t("0", "0", "1")], "tiers[0].to", "not after"),
        ([t("0", None, "-1")], "tiers[0].unit_price", "negative"),
        ([t("0", None, 0.1)], "tiers[0].unit_price", "not float"),
        ([{"from": "0", "to": None}], "tiers[0].unit_price", "required"),
        ([], "tiers", "non-empty"),
        ([{**t("0", None, "1"), "colour": "red"}], "tiers[0].colour", "unknown"),
    ],
)
def test_malformed_tiers_are_refused(tiers: list[dict[str, Any]], field: str, message: str) -> None:
    with pytest.raises(PricingError, match=message) as info:
        parse_tiers(tiers)
    assert info.value.field == field


def test_unsorted_tiers_are_refused() -> None:
    unsorted = [
        t("10", None, "1"),
        t("0", "10", "1"),
    ]
    with pytest.raises(PricingError):
        parse_tiers(unsorted)


@pytest.mark.parametrize("quantity", [D(-1), D("-0.001")])
def test_negative_quantities_are_refused(quantity: Decimal) -> None:
    for model, params in [("graduated", REFERENCE_TIERS), ("per_unit", {"unit_price": "1"})]:
        with pytest.raises(PricingError, match="negative") as info:
            rate(model, params, quantity, currency="USD")
        assert info.value.field == "quantity"


@pytest.mark.parametrize(
    ("model", "params", "field"),
    [
        ("per_unit", {}, "unit_price"),
        ("per_unit", {"unit_price": "x"}, "unit_price"),
        ("per_unit", {"unit_price": "1", "extra": 1}, "extra"),
        ("package", {"package_size": "2.5", "package_price": "1"}, "package_size"),
        ("package", {"package_size": 0, "package_price": "1"}, "package_size"),
        ("percentage", {"rate": "101"}, "rate"),
        (
            "percentage",
            {"rate": "1", "min_per_transaction": "5", "max_per_transaction": "1"},
            "min_per_transaction",
        ),
        ("flat", {"amount": True}, "amount"),
        ("magic", {}, "model"),
    ],
)
def test_bad_parameters_name_the_field(model: str, params: dict[str, Any], field: str) -> None:
    with pytest.raises(PricingError) as info:
        compile_charge(model, params, currency="USD")
    assert info.value.field == field


# ------------------------------------------------------------------------ property-based

quantities = st.decimals(
    min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False
)
prices = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False)


@st.composite
def tier_tables(draw: Any) -> dict[str, Any]:
    count = draw(st.integers(min_value=1, max_value=6))
    bounds = sorted(draw(st.sets(st.integers(1, 10**7), min_size=count - 1, max_size=count - 1)))
    edges = [0, *bounds, None]
    return {
        "tiers": [
            {
                **t(
                    str(edges[i]),
                    None if edges[i + 1] is None else str(edges[i + 1]),
                    str(draw(prices)),
                ),
                "flat_fee": draw(st.sampled_from(["0", "0", "5"])),
            }
            for i in range(count)
        ]
    }


@given(table=tier_tables(), a=quantities, b=quantities)
def test_graduated_total_never_decreases_as_quantity_grows(
    table: dict[str, Any], a: Decimal, b: Decimal
) -> None:
    charge = compile_charge("graduated", table, currency="USD")
    low, high = sorted((a, b))
    assert charge.rate(low).amount <= charge.rate(high).amount


@given(table=tier_tables(), q=quantities)
def test_volume_is_quantity_times_reached_tier_price_plus_its_flat_fee(
    table: dict[str, Any], q: Decimal
) -> None:
    assume(q > 0)
    tiers = parse_tiers(table["tiers"])
    reached = next(t for t in tiers if t.upper is None or q <= t.upper)
    assert reached.lower < q
    charge = compile_charge("volume", table, currency="USD")
    assert charge.rate(q).amount == q * reached.unit_price + reached.flat_fee


@given(table=tier_tables(), q=quantities)
def test_graduated_equals_the_sum_of_its_explained_tiers(table: dict[str, Any], q: Decimal) -> None:
    rating = compile_charge("graduated", table, currency="USD").rate(q)
    explained = rating.explanation().get("tiers", [])
    assert sum((D(t["amount"]) for t in explained), D(0)) == rating.amount
    assert sum((D(t["units"]) for t in explained), D(0)) == q


@given(
    size=st.integers(min_value=1, max_value=1000),
    free=st.integers(min_value=0, max_value=500),
    q=st.integers(min_value=0, max_value=10**6),
)
def test_package_amount_steps_only_at_package_boundaries(size: int, free: int, q: int) -> None:
    charge = compile_charge(
        "package", {"package_size": size, "package_price": "3", "free_units": free}, currency="USD"
    )
    here, nxt = charge.rate(D(q)).amount, charge.rate(D(q + 1)).amount
    billable = q - free
    if billable >= 0 and billable % size == 0:
        assert nxt - here == 3  # the next unit opens a new package
    else:
        assert nxt == here


@given(
    unit_price=st.decimals(min_value=0, max_value=100, places=10, allow_nan=False),
    q=quantities,
    code=st.sampled_from(["USD", "JPY", "KWD", "EUR", "CLF", "BHD"]),
)
def test_each_rounded_line_is_within_half_a_minor_unit(
    unit_price: Decimal, q: Decimal, code: str
) -> None:
    rating = rate("per_unit", {"unit_price": str(unit_price)}, q, currency=code)
    exponent = get_currency(code).exponent
    assert abs(rating.rounded - rating.amount) <= get_currency(code).minor_unit / 2
    assert rating.rounded.as_tuple().exponent == -exponent


def test_jpy_and_kwd_round_to_their_own_minor_units() -> None:
    jpy = rate("per_unit", {"unit_price": "0.5"}, D(3), currency="JPY")  # 1.5 yen
    kwd = rate("per_unit", {"unit_price": "0.0005"}, D(3), currency="KWD")  # 0.0015 KWD
    assert (jpy.rounded, str(jpy.rounded)) == (D(2), "2")
    assert (kwd.rounded, str(kwd.rounded)) == (D("0.002"), "0.002")
    assert str(rate("graduated", REFERENCE_TIERS, D(1234), currency="JPY").rounded) == "119"
