"""Issue 17, items 4 and 13: the graduated percentage model (Lago), a free amount for the
percentage model, and `flat_fee_at_zero` on graduated and volume tiers (Stripe). Amounts are
computed by hand in the comments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.pricing import MODELS, Percentage, PricingError, compile_charge, rate

D = Decimal

# Lago's documented example (guide/plans/charges/charge-models/graduated-percentage)
LAGO_TIERS = {
    "tiers": [
        {"from": "0", "to": "1000", "rate": "1", "flat_fee": "200"},
        {"from": "1000", "to": "10000", "rate": "2", "flat_fee": "300"},
        {"from": "10000", "to": None, "rate": "3", "flat_fee": "400"},
    ]
}
BRIEF_TIERS = {
    "tiers": [
        {"from": "0", "to": "1000", "rate": "1", "flat_fee": "0"},
        {"from": "1000", "to": None, "rate": "0.5"},
    ]
}


def card(params: dict[str, Any]) -> Percentage:
    """A percentage charge with per-transaction parameters (rated transaction by transaction)."""
    rater = compile_charge("percentage", params, currency="USD")
    assert isinstance(rater, Percentage)
    return rater


STEP_TIERS = {
    "tiers": [
        {"from": "0", "to": "10", "unit_price": "1", "flat_fee": "5"},
        {"from": "10", "to": None, "unit_price": "0.5", "flat_fee": "20"},
    ]
}


# ----------------------------------------------------------------- graduated percentage


def test_graduated_percentage_follows_lagos_documented_example() -> None:
    charge = compile_charge("graduated_percentage", LAGO_TIERS, currency="USD")
    # Lago: a first transaction of $500 costs 500 x 1% + $200 = $205
    assert charge.rate(D(500)).amount == D(205)
    # a second of $550 (cumulative 1050) costs (500 x 1% + 50 x 2%) + $300 = $306 more
    assert charge.rate(D(1050)).amount == D(205) + D(306)
    # a third of $4000 (cumulative 5050) costs 4000 x 2% = $80 more (no new flat fee)
    assert charge.rate(D(5050)).amount == D(511) + D(80)
    # into the third tier: 1000 x 1% + 200 + 9000 x 2% + 300 + 2000 x 3% + 400
    assert charge.rate(D(12000)).amount == D(10 + 200 + 180 + 300 + 60 + 400)


def test_graduated_percentage_hand_computed_and_explained() -> None:
    rating = rate("graduated_percentage", BRIEF_TIERS, D("2500.50"), currency="EUR")
    # 1000 x 1% = 10; 1500.50 x 0.5% = 7.5025; total 17.5025 -> 17.50
    assert rating.amount == D("17.5025")
    assert rating.rounded == D("17.50")
    explanation = rating.explanation()
    assert explanation["model"] == "graduated_percentage"
    assert explanation["formula"] == "1000 x 1% + 1500.5 x 0.5% = 17.5025"
    assert [(t["units"], t["rate"], t["amount"]) for t in explanation["tiers"]] == [
        ("1000", "1", "10"),
        ("1500.5", "0.5", "7.5025"),
    ]
    assert explanation["parameters"]["tiers"][1] == {
        "from": "1000",
        "to": None,
        "rate": "0.5",
        "flat_fee": "0",
    }


def test_graduated_percentage_tier_edges_and_zero() -> None:
    charge = compile_charge("graduated_percentage", LAGO_TIERS, currency="USD")
    assert charge.rate(D(0)).amount == 0  # Lago adds no flat fee at zero
    assert charge.rate(D(1000)).amount == D(210)  # 1000 belongs to the first tier
    assert charge.rate(D("1000.01")).amount == D(210) + D("0.0002") + 300


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"tiers": [{"from": "0", "to": None, "unit_price": "1"}]},
            "tiers[0].unit_price",
            "unknown key",
        ),
        ({"tiers": [{"from": "0", "to": None}]}, "tiers[0].rate", "rate is required"),
        ({"tiers": [{"from": "0", "to": None, "rate": "101"}]}, "tiers[0].rate", "0 and 100"),
        ({"tiers": [{"from": "0", "to": None, "rate": "-1"}]}, "tiers[0].rate", "negative"),
        ({"tiers": [{"from": "0", "to": None, "rate": 0.5}]}, "tiers[0].rate", "float"),
        ({"tiers": [{"from": "0", "to": "10", "rate": "1"}]}, "tiers[0].to", "unbounded"),
        (
            {"tiers": [{"from": "0", "to": "10", "rate": "1"}, {"from": "20", "rate": "1"}]},
            "tiers[1].from",
            "Gap",
        ),
        ({"tiers": [{"from": "5", "to": None, "rate": "1"}]}, "tiers[0].from", "start at 0"),
        (
            {"tiers": [{"from": "0", "to": None, "rate": "1"}], "flat_fee_at_zero": True},
            "flat_fee_at_zero",
            "Unknown",
        ),
    ],
)
def test_graduated_percentage_tiers_follow_the_graduated_rules(
    params: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(PricingError, match=message) as refused:
        compile_charge("graduated_percentage", params, currency="USD")
    assert refused.value.field == field


def test_graduated_percentage_is_a_model() -> None:
    assert "graduated_percentage" in MODELS


# ------------------------------------------------------------------------ free amount


def test_free_amount_on_the_total() -> None:
    charge = compile_charge("percentage", {"rate": "2", "free_amount": "500"}, currency="USD")
    assert charge.rate(D(300)).amount == 0  # all inside the free amount
    assert charge.rate(D(500)).amount == 0
    rating = charge.rate(D("1234.56"))
    # (1234.56 - 500) x 2% = 14.6912 -> 14.69
    assert rating.amount == D("14.6912")
    assert rating.rounded == D("14.69")
    explanation = rating.explanation()
    assert explanation["formula"] == "max(0, 1234.56 - 500 free) x 2% = 14.6912"
    assert explanation["parameters"]["free_amount"] == "500"
    # free_amount alone does not need the transactions
    assert isinstance(charge, Percentage)
    assert not charge.per_transaction


def test_free_amount_with_fixed_fees_is_spent_in_time_order() -> None:
    rating = card({"rate": "2", "fixed_fee": "0.30", "free_amount": "500"}).rate_transactions(
        [D(100), D(300), D(200), D(50)]
    )
    # 100 and 300 free (400 of 500 used); 200 goes past: 100 beyond x 2% + 0.30 = 2.30;
    # 50 pays in full: 1.00 + 0.30 = 1.30; total 3.60
    assert rating.amount == D("3.60")
    assert rating.quantity == D(650)
    assert "2 transactions wholly free, 500 of the amount free" in rating.explanation()["formula"]


def test_free_transactions_and_free_amount_end_with_whichever_runs_out_first() -> None:
    params = {"rate": "2", "fixed_fee": "0.30", "free_transactions": 2, "free_amount": "500"}
    fees = card(params)
    # the count runs out first: 100, 100 free (2 transactions), then 300 and 400 pay in full:
    # 6.30 + 8.30 = 14.60
    assert fees.rate_transactions([D(100), D(100), D(300), D(400)]).amount == D("14.60")
    # the amount runs out first: 450 free, then 100 pays on 50 beyond: 1.00 + 0.30 = 1.30,
    # then 10 pays in full although one free transaction was left: 0.20 + 0.30 = 0.50
    assert fees.rate_transactions([D(450), D(100), D(10)]).amount == D("1.80")
    # exactly used up: 500 free; the allowance is over, 10 pays 0.50
    assert fees.rate_transactions([D(500), D(10)]).amount == D("0.50")


def test_min_and_max_apply_to_the_part_beyond_the_free_amount_only() -> None:
    params = {
        "rate": "10",
        "min_per_transaction": "1",
        "max_per_transaction": "20",
        "free_amount": "100",
    }
    fees = card(params)
    # 60 free (no minimum on a free transaction); 45 goes past by 5: 0.50 raised to the min 1;
    # 300: 30 capped at 20; 2: 0.20 raised to 1. Total 1 + 20 + 1 = 22
    assert fees.rate_transactions([D(60), D(45), D(300), D(2)]).amount == D(22)


def test_free_transactions_alone_are_unchanged() -> None:
    params = {"rate": "2.9", "fixed_fee": "0.30", "free_transactions": 1}
    before = card(params).rate_transactions([D(100), D(10)])
    assert before.amount == D("0.59")  # 10 x 2.9% + 0.30
    assert before.explanation()["formula"].startswith("sum over 1 of 2 transactions (first 1 free)")
    assert "free_amount" not in before.explanation()["parameters"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "negative"), ("abc", "not a number"), (1.5, "float"), (True, "bool")],
)
def test_a_bad_free_amount_is_refused_by_name(value: Any, message: str) -> None:
    with pytest.raises(PricingError, match=message) as refused:
        compile_charge("percentage", {"rate": "1", "free_amount": value}, currency="USD")
    assert refused.value.field == "free_amount"


# ------------------------------------------------------------------ flat fee at zero


def test_flat_fee_at_zero_bills_the_first_tiers_flat_fee_at_quantity_0() -> None:
    for model in ("graduated", "volume"):
        today = compile_charge(model, STEP_TIERS, currency="USD")
        stripe = compile_charge(model, {**STEP_TIERS, "flat_fee_at_zero": True}, currency="USD")
        assert today.rate(D(0)).amount == 0
        rating = stripe.rate(D(0))
        assert rating.amount == D(5)  # the first tier's flat fee
        explanation = rating.explanation()
        assert explanation["formula"] == (
            "0 units: the first tier's flat fee 5 = 5 (flat_fee_at_zero)"
        )
        assert "flat_fee_at_zero" in explanation["zero_quantity"]
        assert explanation["parameters"]["flat_fee_at_zero"] is True
        assert explanation["tiers"][0]["amount"] == "5"
        # above zero nothing changes: graduated 3 x 1 + 5 = 8; volume 3 x 1 + 5 = 8
        assert stripe.rate(D(3)).amount == today.rate(D(3)).amount == D(8)
        assert "zero_quantity" not in stripe.rate(D(3)).explanation()
    explicit_false = compile_charge(
        "graduated", {**STEP_TIERS, "flat_fee_at_zero": False}, currency="USD"
    )
    assert explicit_false.rate(D(0)).amount == 0
    assert "flat_fee_at_zero" not in explicit_false.rate(D(0)).explanation()["parameters"]


def test_flat_fee_at_zero_without_a_first_flat_fee_costs_nothing() -> None:
    params = {"tiers": [{"from": "0", "to": None, "unit_price": "1"}], "flat_fee_at_zero": True}
    assert rate("volume", params, D(0), currency="USD").amount == 0
    assert rate("volume", params, D(0), currency="USD").explanation()["formula"] == "0 units = 0"


@pytest.mark.parametrize("value", ["true", 1, 0, "yes", [], {}])
@pytest.mark.parametrize("model", ["graduated", "volume"])
def test_flat_fee_at_zero_must_be_a_boolean(model: str, value: Any) -> None:
    with pytest.raises(PricingError, match="true or false") as refused:
        compile_charge(model, {**STEP_TIERS, "flat_fee_at_zero": value}, currency="USD")
    assert refused.value.field == "flat_fee_at_zero"


def test_flat_fee_at_zero_is_not_a_parameter_of_other_models() -> None:
    with pytest.raises(PricingError, match="Unknown") as refused:
        compile_charge("per_unit", {"unit_price": "1", "flat_fee_at_zero": True}, currency="USD")
    assert refused.value.field == "flat_fee_at_zero"


# ----------------------------------------------------------------------- properties

amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
rates = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False)


@st.composite
def rate_tiers(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 4))
    bounds = sorted(draw(st.sets(st.integers(1, 10**6), min_size=count - 1, max_size=count - 1)))
    edges = [0, *bounds, None]
    return {
        "tiers": [
            {
                "from": str(edges[i]),
                "to": None if edges[i + 1] is None else str(edges[i + 1]),
                "rate": str(draw(rates)),
                "flat_fee": draw(st.sampled_from(["0", "0", "2.5"])),
            }
            for i in range(count)
        ]
    }


@given(percent=rates, q=amounts)
def test_one_tier_graduated_percentage_equals_percentage(percent: Decimal, q: Decimal) -> None:
    one_tier = {"tiers": [{"from": "0", "to": None, "rate": str(percent)}]}
    graduated = rate("graduated_percentage", one_tier, q, currency="USD")
    plain_rate = rate("percentage", {"rate": str(percent)}, q, currency="USD")
    assert graduated.amount == plain_rate.amount
    assert graduated.rounded == plain_rate.rounded


@given(table=rate_tiers(), a=amounts, b=amounts)
def test_graduated_percentage_never_decreases_as_the_amount_grows(
    table: dict[str, Any], a: Decimal, b: Decimal
) -> None:
    charge = compile_charge("graduated_percentage", table, currency="USD")
    low, high = sorted((a, b))
    assert charge.rate(low).amount <= charge.rate(high).amount


@given(table=rate_tiers(), q=amounts)
def test_graduated_percentage_equals_the_sum_of_its_explained_tiers(
    table: dict[str, Any], q: Decimal
) -> None:
    rating = compile_charge("graduated_percentage", table, currency="USD").rate(q)
    explained = rating.explanation().get("tiers", [])
    assert sum((D(t["amount"]) for t in explained), D(0)) == rating.amount
    assert sum((D(t["units"]) for t in explained), D(0)) == q


@given(percent=rates, q=amounts, free=amounts, more=amounts)
def test_free_amount_properties(percent: Decimal, q: Decimal, free: Decimal, more: Decimal) -> None:
    base = {"rate": str(percent)}
    today = rate("percentage", base, q, currency="USD")
    assert rate("percentage", {**base, "free_amount": "0"}, q, currency="USD").amount == (
        today.amount
    )
    with_free = compile_charge("percentage", {**base, "free_amount": str(free)}, currency="USD")
    assert with_free.rate(q).amount == max(D(0), q - free) * percent / 100
    assert with_free.rate(q).amount <= today.amount  # a free amount never costs more
    assert with_free.rate(q).amount <= with_free.rate(q + more).amount  # monotonic


@given(
    percent=rates,
    free=amounts,
    values=st.lists(amounts, max_size=12),
)
def test_free_amount_per_transaction_agrees_with_the_total_without_fees(
    percent: Decimal, free: Decimal, values: list[Decimal]
) -> None:
    """With a cap no fee reaches, the per-transaction path (the allowance spent transaction by
    transaction) gives exactly the total's max(0, total - free) x rate."""
    params = {"rate": str(percent), "free_amount": str(free)}
    capped = compile_charge(
        "percentage", {**params, "max_per_transaction": "1000000000"}, currency="USD"
    )
    assert isinstance(capped, Percentage)
    total = sum(values, D(0))
    assert capped.rate_transactions(values).amount == (
        compile_charge("percentage", params, currency="USD").rate(total).amount
    )


@given(table=st.sampled_from(["graduated", "volume"]), q=amounts)
def test_flat_fee_at_zero_changes_only_quantity_zero(table: str, q: Decimal) -> None:
    today = compile_charge(table, STEP_TIERS, currency="USD")
    stripe = compile_charge(table, {**STEP_TIERS, "flat_fee_at_zero": True}, currency="USD")
    if q:
        assert stripe.rate(q).amount == today.rate(q).amount
    assert stripe.rate(D(0)).amount <= stripe.rate(q).amount  # still monotonic from zero
