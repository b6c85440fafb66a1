"""Forms a finance person can use: the tiers table and the other pricing models' inputs of a
charge, and the searchable choices (currencies, countries, time zones)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.admin_charges import MODEL_PARAMS, PARAM_FIELDSETS, ChargeForm, TiersWidget
from catalog.admin_fields import CurrencyField, currency_choices
from catalog.models import BillableMetric, Charge, PricingModel
from catalog.pricing import MODELS, compile_charge
from core.admin_widgets import (
    CountryField,
    SearchableSelect,
    TimeZoneField,
    country_choices,
    timezone_choices,
)
from tests.catalog.factories import metric, plan, published_version, utc
from tests.conftest import TEST_ACTOR

KEYS = ("from", "to", "unit_price", "flat_fee")


def rows(*cells: tuple[str, ...]) -> dict[str, str]:
    """Table rows as posted: tiers-<row>-<key>."""
    return {
        f"tiers-{i}-{key}": value
        for i, row in enumerate(cells)
        for key, value in zip(KEYS, row, strict=True)
    }


def charge_form(calls: BillableMetric, model: str, **data: str) -> ChargeForm:
    return ChargeForm(
        data={"metric": str(calls.pk), "pricing_model": model, "position": "0", **data}
    )


@pytest.fixture
def calls(db: None) -> BillableMetric:
    return metric()


# ----------------------------------------------------------------------------- tiers table


def test_tier_rows_become_the_params_the_api_takes(calls: BillableMetric) -> None:
    form = charge_form(
        calls,
        "graduated",
        **rows(("0", "1000", "0.10", "5"), ("", "", "0.08", ""), ("", "", "", "")),
    )
    assert form.is_valid(), form.errors
    params = form.cleaned_data["params"]
    assert params == {
        "tiers": [
            {"from": "0", "to": "1000", "unit_price": "0.10", "flat_fee": "5"},
            {"from": "1000", "to": None, "unit_price": "0.08"},  # starts where tier 1 ends
        ]
    }
    assert form.instance.params == params
    rating = compile_charge("graduated", params, currency="USD").rate(Decimal(1234))
    assert rating.amount == Decimal("123.72")  # 1000 x 0.10 + 5 + 234 x 0.08


def test_numbers_stay_decimal_text_and_empty_rows_are_dropped(calls: BillableMetric) -> None:
    form = charge_form(
        calls,
        "volume",
        **rows((" ", "", "", ""), ("", "1e3", " 0.100 ", ""), ("1000", "", "0.080000000001", "")),
    )
    assert form.is_valid(), form.errors
    tiers = form.cleaned_data["params"]["tiers"]
    assert tiers == [
        {"from": "0", "to": "1000", "unit_price": "0.100"},
        {"from": "1000", "to": None, "unit_price": "0.080000000001"},
    ]
    assert all(isinstance(v, str | None) for tier in tiers for v in tier.values())


@pytest.mark.parametrize(
    ("table", "cell", "message"),
    [
        (
            [("0", "10", "1", ""), ("10", "20", "1", "")],
            (1, "to"),
            "Tier 2, to: The last tier must be unbounded (leave its “to” empty); it ends at 20.",
        ),
        (
            [("0", "10", "1", ""), ("20", "", "1", "")],
            (1, "from"),
            "Tier 2, from: Gap between tiers: tier 1 ends at 10 and tier 2 starts at 20.",
        ),
        (
            [("0", "10", "1", ""), ("", "5", "1", ""), ("", "", "1", "")],
            (1, "to"),
            "Tier 2, to: tier 2 ends at 5, not after its start 10.",
        ),
        (
            [("0", "10", "1", ""), ("", "", "1", ""), ("", "", "abc", "")],
            (1, "to"),  # the next row would start where this one ends: it needs an end
            "Tier 2, to: Only the last tier may be unbounded; tier 2 has no end.",
        ),
        (
            [("0", "10", "1", ""), ("", "", "abc", "")],
            (1, "unit_price"),
            "Tier 2, unit price: 'abc' is not a number.",
        ),
        ([("0", "", "", "")], (0, "unit_price"), "Tier 1, unit price is required."),
        ([("5", "", "1", "")], (0, "from"), "Tier 1, from: The first tier must start at 0."),
        (
            [("0", "10", "1", "-2"), ("", "", "1", "")],
            (0, "flat_fee"),
            "Tier 1, flat fee cannot be negative.",
        ),
    ],
)
def test_an_engine_error_is_shown_on_its_row_and_cell(
    calls: BillableMetric, table: list[tuple[str, ...]], cell: tuple[int, str], message: str
) -> None:
    form = charge_form(calls, "graduated", **rows(*table))
    assert not form.is_valid()
    assert form.errors["tiers"] == [message]
    widget = form.fields["tiers"].widget
    assert isinstance(widget, TiersWidget)
    assert widget.cell_errors == {cell: message}
    html = str(form["tiers"])
    row, key = cell
    marked = html.split(f'id="id_tiers-{row}-{key}"')[0].rsplit("<td", 1)[1]
    assert "tier-cell-error" in marked
    assert html.count("tier-cell-error") == 1
    assert html.count('aria-invalid="true"') == 1


def test_no_tier_at_all_is_refused(calls: BillableMetric) -> None:
    form = charge_form(calls, "graduated", **rows(("", "", "", "")))
    assert not form.is_valid()
    assert form.errors["tiers"] == ["Add at least one tier (to, unit price)."]


def test_a_refused_table_is_shown_again_as_typed_with_spare_rows(calls: BillableMetric) -> None:
    form = charge_form(calls, "graduated", **rows(("0", "10", "1", ""), ("", "5", "x", "")))
    assert not form.is_valid()
    html = str(form["tiers"])
    assert 'name="tiers-1-unit_price" id="id_tiers-1-unit_price" value="x"' in html
    assert 'name="tiers-3-from"' in html  # two spare rows for adding tiers without JavaScript
    assert 'name="tiers-4-from"' not in html


# ------------------------------------------------------------------ the other pricing models


@pytest.mark.parametrize(
    ("model", "inputs", "params"),
    [
        ("per_unit", {"unit_price": "0.002"}, {"unit_price": "0.002"}),
        (
            "package",
            {"package_size": "100", "package_price": "5.00", "free_units": ""},
            {"package_size": "100", "package_price": "5.00"},
        ),
        (
            "percentage",
            {
                "rate": "2.9",
                "fixed_fee": "0.30",
                "min_per_transaction": "0.50",
                "max_per_transaction": "",
                "free_transactions": "10",
            },
            {
                "rate": "2.9",
                "fixed_fee": "0.30",
                "min_per_transaction": "0.50",
                "free_transactions": "10",
            },
        ),
        ("flat", {"amount": "49.00"}, {"amount": "49.00"}),
    ],
)
def test_each_model_takes_its_own_inputs_only(
    calls: BillableMetric, model: str, inputs: dict[str, str], params: dict[str, str]
) -> None:
    others = {"unit_price": "9", "amount": "9", "rate": "9", **rows(("0", "", "9", ""))}
    form = charge_form(calls, model, **{**others, **inputs})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["params"] == params
    compile_charge(model, params, currency="USD")


@pytest.mark.parametrize(
    ("model", "inputs", "field", "message"),
    [
        ("per_unit", {"unit_price": ""}, "unit_price", "unit price is required."),
        ("per_unit", {"unit_price": "0,5"}, "unit_price", "unit price: '0,5' is not a number."),
        (
            "package",
            {"package_size": "2.5", "package_price": "1"},
            "package_size",
            "package size must be a whole number above 0.",
        ),
        ("percentage", {"rate": "150"}, "rate", "rate is a percentage between 0 and 100."),
        (
            "percentage",
            {"rate": "1", "min_per_transaction": "5", "max_per_transaction": "1"},
            "min_per_transaction",
            "minimum fee per transaction cannot exceed maximum fee per transaction.",
        ),
        ("flat", {"amount": "-1"}, "amount", "amount cannot be negative."),
    ],
)
def test_a_parameter_error_is_shown_on_its_input(
    calls: BillableMetric, model: str, inputs: dict[str, str], field: str, message: str
) -> None:
    form = charge_form(calls, model, **inputs)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_a_negative_minimum_is_an_error_on_the_minimum(calls: BillableMetric) -> None:
    form = charge_form(calls, "flat", amount="1", minimum_amount="-1")
    assert not form.is_valid()
    assert form.errors["minimum_amount"] == ["minimum cannot be negative."]


def test_every_pricing_model_has_its_inputs_and_its_fieldset() -> None:
    assert set(MODEL_PARAMS) == set(MODELS) == set(PricingModel.values)
    shown = {c for _name, options in PARAM_FIELDSETS for c in options["classes"]}
    assert {f"charge-params-{m}" for m in MODELS} <= shown
    for keys in MODEL_PARAMS.values():
        assert set(keys) <= set(ChargeForm.base_fields)


# ------------------------------------------------------------------ stored charges reopened


def test_a_stored_charge_opens_with_its_tiers_in_the_table(calls: BillableMetric) -> None:
    params = {
        "tiers": [
            {"from": "0", "to": "1000", "unit_price": "0.10", "flat_fee": "0"},
            {"from": 1000, "to": None, "unit_price": 0.08},  # integers and legacy floats
        ]
    }
    charge = Charge(metric=calls, pricing_model="graduated", params=params, position=0, pk=7)
    form = ChargeForm(instance=charge)
    html = str(form["tiers"])
    for name, value in [
        ("tiers-0-to", "1000"),
        ("tiers-0-unit_price", "0.10"),
        ("tiers-0-flat_fee", "0"),
        ("tiers-1-from", "1000"),
        ("tiers-1-to", ""),
        ("tiers-1-unit_price", "0.08"),
    ]:
        assert f'name="{name}" id="id_{name}" value="{value}"' in html
    same = rows(("0", "1000", "0.10", "0"), ("1000", "", "0.08", ""), ("", "", "", ""))
    for cells, changed in [(same, False), ({**same, "tiers-1-unit_price": "0.07"}, True)]:
        posted = ChargeForm(
            data={"metric": str(calls.pk), "pricing_model": "graduated", "position": "0", **cells},
            instance=charge,
        )
        assert posted.changed_data == (["tiers"] if changed else [])


def test_a_stored_plain_charge_opens_with_its_inputs(calls: BillableMetric) -> None:
    charge = Charge(
        metric=calls, pricing_model="package", pk=8, position=0,
        params={"package_size": 100, "package_price": "5.00"},
    )  # fmt: skip
    form = ChargeForm(instance=charge)
    assert (form["package_size"].value(), form["package_price"].value()) == ("100", "5.00")
    assert form["free_units"].value() is None


# ------------------------------------------------------------------- the admin's pages


def test_a_draft_shows_the_table_and_a_published_book_reads_its_tiers(staff_client: Any) -> None:
    pro, calls = plan(), metric()
    tiers = [
        {"from": "0", "to": "1000", "unit_price": "0.10"},
        {"from": "1000", "to": None, "unit_price": "0.08"},
    ]
    charges = [{"metric": calls, "pricing_model": "graduated", "params": {"tiers": tiers}}]
    draft = services.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1)}, charges=charges,
    )  # fmt: skip
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[draft.pk]))
    html = page.content.decode()
    assert 'name="charges-0-tiers-1-unit_price" id="id_charges-0-tiers-1-unit_price"' in html
    assert 'value="0.08"' in html
    assert "Add a tier" in html
    assert "charge-params-graduated" in html
    assert "admin-searchable-select" in html  # the metric picker
    for asset in (
        "catalog/admin/charge_form.js",
        "catalog/admin/charge_form.css",
        "core/admin/searchable_select.js",
        "admin/js/vendor/select2/select2.full",
    ):
        assert asset in html
    assert 'name="charges-0-params"' not in html  # no JSON to type any more

    book = published_version(plan("team"), utc(2024, 1, 1), charges)
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[book.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="tiers-readonly"' in html
    assert "<td>1000</td><td>and above</td><td>0.08</td>" in html
    assert "tier-input" not in html


def test_the_static_files_are_found_by_collectstatic_and_runserver() -> None:
    for path in (
        "core/admin/searchable_select.js",
        "core/admin/searchable_select.css",
        "catalog/admin/charge_form.js",
        "catalog/admin/charge_form.css",
        "admin/js/vendor/select2/select2.full.min.js",
        "admin/js/vendor/jquery/jquery.min.js",
    ):
        assert finders.find(path), path


# ------------------------------------------------------------- searchable choice fields


class PlaceForm(forms.Form):
    currency = CurrencyField()
    country = CountryField(required=False)
    time_zone = TimeZoneField()


def test_codes_are_normalized_and_unknown_ones_refused_clearly() -> None:
    form = PlaceForm({"currency": "usd", "country": "de", "time_zone": "america/new_york"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "currency": "USD",
        "country": "DE",
        "time_zone": "America/New_York",
    }
    assert PlaceForm({"currency": "JPY", "country": "", "time_zone": "UTC"}).is_valid()

    bad = PlaceForm({"currency": "ABC", "country": "ZZ", "time_zone": "Mars/Olympus"})
    assert not bad.is_valid()
    assert bad.errors == {
        "currency": ["Unknown currency 'ABC': use an ISO 4217 code such as USD, EUR or JPY."],
        "country": ["Unknown country 'ZZ': use an ISO 3166-1 alpha-2 code such as DE or US."],
        "time_zone": ["Unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Berlin."],
    }
    missing = PlaceForm({"currency": "", "country": "", "time_zone": ""})
    assert set(missing.errors) == {"currency", "time_zone"}


def test_the_choices_name_what_they_are() -> None:
    currencies = dict(currency_choices())
    assert currencies["USD"] == "USD — US Dollar"
    assert currencies["KWD"] == "KWD — Kuwaiti Dinar"
    assert "XAU" not in currencies  # no minor unit: cannot be billed in
    assert [code for code, _label in currency_choices()] == sorted(currencies)

    countries = dict(country_choices())
    assert countries["DE"] == "Germany (DE)"
    assert all(len(code) == 2 and code.isalpha() for code in countries)
    assert not {"EU", "ZZ", "XA", "UN", "001"} & set(countries)
    labels = [label for _code, label in country_choices()]
    assert labels == sorted(labels)

    zones = timezone_choices()
    assert zones[0] == ("UTC", "UTC")
    assert ("America/New_York", "America/New York") in zones
    names = [name for name, _label in zones[1:]]
    assert names == sorted(names)


def test_the_searchable_select_uses_the_admins_select2() -> None:
    form = PlaceForm(initial={"currency": "EUR", "time_zone": "Europe/Berlin"})
    html = str(form["currency"])
    assert 'class="admin-searchable-select"' in html
    assert 'data-theme="admin-autocomplete"' in html
    assert 'data-allow-clear="false"' in html
    assert '<option value="EUR" selected>EUR — Euro</option>' in html
    assert 'data-allow-clear="true"' in str(form["country"])
    media = str(form.media)
    for asset in (
        "admin/js/vendor/jquery/jquery",
        "admin/js/vendor/select2/select2.full",
        "admin/js/jquery.init.js",
        "core/admin/searchable_select.js",
        "admin/css/vendor/select2/select2",
        "admin/css/autocomplete.css",
    ):
        assert asset in media
    assert media.index("select2.full") < media.index("jquery.init.js")  # select2 on jQuery first


def test_a_stored_code_outside_the_list_is_kept_visible_not_replaced() -> None:
    form = PlaceForm(initial={"currency": "USD", "country": "EU", "time_zone": "UTC"})
    html = str(form["country"])
    assert '<option value="EU" selected>EU (not a known code)</option>' in html
    widget = SearchableSelect(choices=[("", "---------"), ("A", "a")])
    assert "(not a known code)" not in widget.render("x", "A")
