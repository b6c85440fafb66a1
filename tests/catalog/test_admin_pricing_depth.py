"""Issue 17, items 4 and 13 in the admin's charge form: a table of rate tiers for the graduated
percentage model, a free amount for the percentage model, and the flat-fee-at-zero checkbox of
graduated and volume charges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.admin_charges import ChargeForm, TiersWidget, describe_params
from catalog.models import BillableMetric, Charge
from catalog.pricing import compile_charge
from tests.catalog.factories import metric, plan, published_version, utc
from tests.conftest import TEST_ACTOR


def rate_rows(*cells: tuple[str, ...]) -> dict[str, str]:
    """The rate table's rows as posted: rate_tiers-<row>-<key>."""
    keys = ("from", "to", "rate", "flat_fee")
    return {
        f"rate_tiers-{i}-{key}": value
        for i, row in enumerate(cells)
        for key, value in zip(keys, row, strict=True)
    }


def unit_rows(*cells: tuple[str, ...]) -> dict[str, str]:
    keys = ("from", "to", "unit_price", "flat_fee")
    return {
        f"tiers-{i}-{key}": value
        for i, row in enumerate(cells)
        for key, value in zip(keys, row, strict=True)
    }


def charge_form(calls: BillableMetric, model: str, **data: str) -> ChargeForm:
    return ChargeForm(
        data={"metric": str(calls.pk), "pricing_model": model, "position": "0", **data}
    )


@pytest.fixture
def calls(db: None) -> BillableMetric:
    return metric()


def test_rate_tiers_become_the_graduated_percentage_params(calls: BillableMetric) -> None:
    form = charge_form(
        calls,
        "graduated_percentage",
        **rate_rows(("0", "1000", "1", "0"), ("", "", "0.5", ""), ("", "", "", "")),
        # another model's table is ignored
        **unit_rows(("0", "", "9", "")),
    )
    assert form.is_valid(), form.errors
    params = form.cleaned_data["params"]
    assert params == {
        "tiers": [
            {"from": "0", "to": "1000", "rate": "1", "flat_fee": "0"},
            {"from": "1000", "to": None, "rate": "0.5"},
        ]
    }
    rating = compile_charge("graduated_percentage", params, currency="USD").rate(Decimal(3000))
    assert rating.amount == Decimal(20)  # 1000 x 1% + 2000 x 0.5%


def test_a_bad_rate_is_shown_on_its_cell(calls: BillableMetric) -> None:
    form = charge_form(
        calls, "graduated_percentage", **rate_rows(("0", "1000", "1", ""), ("", "", "150", ""))
    )
    assert not form.is_valid()
    message = "Tier 2, rate (%) is a percentage between 0 and 100."
    assert form.errors["rate_tiers"] == [message]
    widget = form.fields["rate_tiers"].widget
    assert isinstance(widget, TiersWidget)
    assert widget.cell_errors == {(1, "rate"): message}
    html = str(form["rate_tiers"])
    assert "Rate (%)</th>" in html
    assert 'data-price="rate"' in html
    marked = html.split('id="id_rate_tiers-1-rate"')[0].rsplit("<td", 1)[1]
    assert "tier-cell-error" in marked


def test_no_rate_tier_is_refused(calls: BillableMetric) -> None:
    form = charge_form(calls, "graduated_percentage")
    assert not form.is_valid()
    assert form.errors["rate_tiers"] == ["Add at least one tier (to, rate (%))."]


@pytest.mark.parametrize("model", ["graduated", "volume"])
def test_the_flat_fee_at_zero_box(calls: BillableMetric, model: str) -> None:
    table = unit_rows(("0", "10", "1", "5"), ("", "", "0.5", ""))
    checked = charge_form(calls, model, flat_fee_at_zero="on", **table)
    assert checked.is_valid(), checked.errors
    assert checked.cleaned_data["params"]["flat_fee_at_zero"] is True
    rater = compile_charge(model, checked.cleaned_data["params"], currency="USD")
    assert rater.rate(Decimal(0)).amount == Decimal(5)
    unchecked = charge_form(calls, model, **table)
    assert unchecked.is_valid(), unchecked.errors
    assert "flat_fee_at_zero" not in unchecked.cleaned_data["params"]  # today's params
    # the box belongs to graduated and volume: another model leaves it out
    other = charge_form(calls, "per_unit", unit_price="1", flat_fee_at_zero="on")
    assert other.is_valid(), other.errors
    assert other.cleaned_data["params"] == {"unit_price": "1"}


def test_free_amount_is_accepted_and_refused_on_its_input(calls: BillableMetric) -> None:
    form = charge_form(calls, "percentage", rate="2", free_amount="500", free_transactions="3")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["params"] == {
        "rate": "2",
        "free_transactions": "3",
        "free_amount": "500",
    }
    for typed, message in [
        ("-5", "free amount cannot be negative."),
        ("5,00", "free amount: '5,00' is not a number."),
    ]:
        refused = charge_form(calls, "percentage", rate="2", free_amount=typed)
        assert not refused.is_valid()
        assert refused.errors["free_amount"] == [message]


def test_stored_charges_open_with_their_new_parameters(calls: BillableMetric) -> None:
    tiers = [
        {"from": "0", "to": "1000", "rate": "1"},
        {"from": "1000", "to": None, "rate": "0.5", "flat_fee": "2"},
    ]
    stored = Charge(
        metric=calls, pricing_model="graduated_percentage", params={"tiers": tiers}, pk=9
    )
    html = str(ChargeForm(instance=stored)["rate_tiers"])
    assert 'name="rate_tiers-1-rate" id="id_rate_tiers-1-rate" value="0.5"' in html
    assert 'name="rate_tiers-1-flat_fee" id="id_rate_tiers-1-flat_fee" value="2"' in html
    flagged = Charge(
        metric=calls,
        pricing_model="volume",
        params={"tiers": [{"from": "0", "to": None, "unit_price": "1"}], "flat_fee_at_zero": True},
        pk=10,
    )
    assert ChargeForm(instance=flagged)["flat_fee_at_zero"].value() is True
    percentage = Charge(
        metric=calls, pricing_model="percentage", params={"rate": "2", "free_amount": "500"}, pk=11
    )
    assert ChargeForm(instance=percentage)["free_amount"].value() == "500"
    readonly = describe_params("graduated_percentage", {"tiers": tiers})
    assert "<th>rate (%)</th>" in readonly
    assert "<td>1000</td><td>and above</td><td>0.5</td><td>2</td>" in readonly
    assert "quantity 0" in describe_params("volume", flagged.params)


def test_the_draft_page_shows_the_rate_table_and_the_box(staff_client: Any) -> None:
    pro, calls = plan(), metric()
    charges = [
        {
            "metric": calls,
            "pricing_model": "graduated_percentage",
            "params": {"tiers": [{"from": "0", "to": None, "rate": "1.5"}]},
        }
    ]
    draft = services.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1)}, charges=charges,
    )  # fmt: skip
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[draft.pk]))
    html = page.content.decode()
    assert 'name="charges-0-rate_tiers-0-rate" id="id_charges-0-rate_tiers-0-rate"' in html
    assert 'value="1.5"' in html
    assert "charge-params-graduated_percentage" in html
    assert 'name="charges-0-flat_fee_at_zero"' in html
    assert 'name="charges-0-free_amount"' in html

    book = published_version(plan("team"), utc(2024, 1, 1), charges)
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[book.pk]))
    assert "<td>0</td><td>and above</td><td>1.5</td>" in page.content.decode()
