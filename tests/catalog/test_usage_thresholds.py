"""Usage thresholds (progressive billing) and charges paid in advance in the API and the admin
(issue 17 items 5 and 6a): read and written through the catalog services, a 400 naming the
field, the OpenAPI schema, the price book screen's inline and the charge form's inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from billing.models import JournalEvent
from catalog import services
from catalog.admin_charges import ChargeForm, describe_params
from catalog.models import BillableMetric, Charge, PlanVersion, UsageThreshold
from tests.catalog.factories import feature, metric, plan, utc
from tests.catalog.test_admin import version_form
from tests.catalog.test_api import V1, error, post
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
D = Decimal
THRESHOLDS = [{"amount": "50.00", "name": "first"}, {"amount": "100", "recurring": True}]


@pytest.fixture
def pro(api: APIClient) -> None:
    body = {"code": "pro", "name": "Pro", "currency": "usd", "interval_unit": "month"}
    assert post(api, "plans/", body).status_code == 201
    metric("api_calls")


def version_body(**extra: Any) -> dict[str, Any]:
    return {
        "plan": "pro",
        "effective_from": "2026-01-01T00:00:00Z",
        "fixed_fee": "0",
        "charges": [
            {
                "metric": "api_calls",
                "pricing_model": "per_unit",
                "params": {"unit_price": "0.10", "pay_in_advance": True, "invoice": "next"},
            },
        ],
        "usage_thresholds": THRESHOLDS,
        **extra,
    }


def shown(body: dict[str, Any]) -> list[tuple[str, bool, str]]:
    return [(t["amount"], t["recurring"], t["name"]) for t in body["usage_thresholds"]]


def test_thresholds_over_the_api_read_write_copy_and_frozen(api: APIClient, pro: None) -> None:
    created = post(api, "plan-versions/", version_body())
    assert created.status_code == 201, created.json()
    body = created.json()
    # ordered one-off first (by amount), then the recurring one
    assert shown(body) == [
        ("50.000000000000", False, "first"), ("100.000000000000", True, ""),
    ]  # fmt: skip
    assert body["charges"][0]["params"]["pay_in_advance"] is True
    assert body["charges"][0]["params"]["invoice"] == "next"
    # a PATCH without usage_thresholds keeps them; with a list replaces them
    url = f"{V1}plan-versions/{body['id']}/"
    kept = api.patch(url, {"note": "x"}, format="json")
    assert kept.status_code == 200
    assert len(kept.json()["usage_thresholds"]) == 2
    patched = api.patch(url, {"usage_thresholds": [{"amount": "75"}]}, format="json")
    assert patched.status_code == 200, patched.json()
    assert shown(patched.json()) == [("75.000000000000", False, "")]
    event = JournalEvent.objects.filter(type="plan_version.updated").latest("id")
    assert event.payload["changes"]["usage_thresholds"] == "replaced"
    assert api.get(url).json()["usage_thresholds"] == patched.json()["usage_thresholds"]
    # published: frozen (409); a copy carries them
    assert api.post(f"{url}publish/").status_code == 200
    frozen = api.patch(url, {"usage_thresholds": []}, format="json")
    assert frozen.status_code == 409
    assert UsageThreshold.objects.filter(plan_version_id=body["id"]).count() == 1
    copy = post(api, f"plan-versions/{body['id']}/copy/", {})
    assert copy.status_code == 201
    assert shown(copy.json()) == [("75.000000000000", False, "")]
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parts = schema["components"]["schemas"]
    assert "usage_thresholds" in parts["PlanVersionOut"]["properties"]
    assert "usage_thresholds" in parts["PlanVersionCreateInRequest"]["properties"]
    assert "usage_thresholds" in parts["PatchedPlanVersionInRequest"]["properties"]
    assert set(parts["UsageThresholdInRequest"]["properties"]) == {"amount", "recurring", "name"}


@pytest.mark.parametrize(
    ("thresholds", "field"),
    [
        ([{"amount": "0"}], "usage_thresholds[0].amount"),  # the service: above 0
        ([{"amount": "-5"}], "usage_thresholds[0].amount"),
        ([{"amount": "10.001"}], "usage_thresholds[0].amount"),  # USD has 2 decimals
        ([{"recurring": True}], "usage_thresholds[0].amount"),  # the serializer: required
        ([{"amount": "ten"}], "usage_thresholds[0].amount"),
        ([{"amount": "10"}, {"amount": "10"}], "usage_thresholds[1].amount"),
        (
            [{"amount": "10", "recurring": True}, {"amount": "20", "recurring": True}],
            "usage_thresholds[1].recurring",
        ),
        ([{"amount": "10", "every": "month"}], "usage_thresholds[0].every"),  # unknown: refused
        ([{"amount": "10", "recurring": "sometimes"}], "usage_thresholds[0].recurring"),
    ],
)
def test_a_bad_threshold_is_a_400_naming_the_field(
    api: APIClient, pro: None, thresholds: list[dict[str, Any]], field: str
) -> None:
    response = post(api, "plan-versions/", version_body(usage_thresholds=thresholds))
    assert response.status_code == 400, response.json()
    assert error(response)["field"] == field
    assert not PlanVersion.objects.exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (
            {"unit_price": "1", "pay_in_advance": True, "invoice": "later"},
            "charges[0].params.invoice",
        ),
        ({"unit_price": "1", "invoice": "own"}, "charges[0].params.invoice"),
        ({"unit_price": "1", "pay_in_advance": "yes"}, "charges[0].params.pay_in_advance"),
    ],
)
def test_a_bad_pay_in_advance_is_a_400_naming_the_field(
    api: APIClient, pro: None, params: dict[str, Any], field: str
) -> None:
    charge = {"metric": "api_calls", "pricing_model": "per_unit", "params": params}
    response = post(api, "plan-versions/", version_body(charges=[charge]))
    assert response.status_code == 400, response.json()
    assert error(response)["field"] == field


# ---------------------------------------------------------------------------------- the admin


def threshold_rows(*rows: tuple[str, bool, str]) -> dict[str, str]:
    form = {
        "usage_thresholds-TOTAL_FORMS": str(len(rows)),
        "usage_thresholds-INITIAL_FORMS": "0",
        "usage_thresholds-MIN_NUM_FORMS": "0",
        "usage_thresholds-MAX_NUM_FORMS": "1000",
    }
    for i, (amount, recurring, name) in enumerate(rows):
        form[f"usage_thresholds-{i}-amount"] = amount
        form[f"usage_thresholds-{i}-name"] = name
        if recurring:
            form[f"usage_thresholds-{i}-recurring"] = "on"
    return form


def inline_errors(response: Any, prefix: str) -> list[dict[str, Any]]:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return [dict(form.errors) for form in inline.formset.forms]
    raise AssertionError(prefix)


def test_thresholds_in_the_admin_price_book_screen(staff_client: Any) -> None:
    pro, calls, seats = plan(), metric(), feature()
    tiers = {"tiers": [{"from": "0", "to": None, "unit_price": "0.10"}]}
    base = version_form(pro.pk, calls.pk, seats.pk, tiers)
    add = reverse("admin:catalog_planversion_add")
    # refused by the form (not above 0) and by the service (two recurring), each on its row
    zero = staff_client.post(add, {**base, **threshold_rows(("0", False, ""))})
    assert zero.status_code == 200
    assert inline_errors(zero, "usage_thresholds")[0]["amount"] == ["A usage threshold is above 0."]
    two = threshold_rows(("10", True, ""), ("20", True, ""))
    refused = staff_client.post(add, {**base, **two})
    assert refused.status_code == 200
    errors = inline_errors(refused, "usage_thresholds")
    assert errors[0] == {}
    assert errors[1]["recurring"] == ["A price book has at most one recurring threshold."]
    cents = staff_client.post(add, {**base, **threshold_rows(("10.001", False, ""))})
    assert "more decimals than USD" in inline_errors(cents, "usage_thresholds")[0]["amount"][0]
    assert not PlanVersion.objects.exists()
    # accepted: written by the service
    response = staff_client.post(
        add, {**base, **threshold_rows(("50", False, "first"), ("100", True, ""))}
    )
    assert response.status_code == 302, response.context["errors"]
    version = PlanVersion.objects.get()
    assert [(t.amount, t.recurring, t.name) for t in version.usage_thresholds.all()] == [
        (D("50"), False, "first"), (D("100"), True, ""),
    ]  # fmt: skip
    # edited without the thresholds' rows posted (an older form): kept
    change = reverse("admin:catalog_planversion_change", args=[version.pk])
    page = staff_client.get(change)
    assert "Usage thresholds (progressive billing" in page.content.decode()
    services.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=utc(2024, 1, 1))
    html = staff_client.get(change).content.decode()
    assert 'name="usage_thresholds-0-amount"' not in html  # published: read-only
    assert "first" in html


def test_an_admin_edit_keeps_thresholds_not_posted_and_replaces_posted_ones(
    staff_client: Any,
) -> None:
    pro, calls, seats = plan(), metric(), feature()
    version = services.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=utc(2024, 1, 1),
        data={"effective_from": utc(2024, 1, 1)}, usage_thresholds=THRESHOLDS,
    )  # fmt: skip
    tiers = {"tiers": [{"from": "0", "to": None, "unit_price": "0.10"}]}
    base = version_form(pro.pk, calls.pk, seats.pk, tiers)
    change = reverse("admin:catalog_planversion_change", args=[version.pk])
    assert staff_client.post(change, base).status_code == 302  # no thresholds' rows: kept
    assert version.usage_thresholds.count() == 2
    rows = {**threshold_rows(("25", False, "")), "usage_thresholds-INITIAL_FORMS": "0"}
    assert staff_client.post(change, {**base, **rows}).status_code == 302
    assert [t.amount for t in version.usage_thresholds.all()] == [D("25")]


@pytest.fixture
def calls(db: None) -> BillableMetric:
    return metric()


def charge_form(calls: BillableMetric, model: str, **data: str) -> ChargeForm:
    return ChargeForm(
        data={"metric": str(calls.pk), "pricing_model": model, "position": "0", **data}
    )


def test_the_charge_form_offers_pay_in_advance(calls: BillableMetric) -> None:
    form = charge_form(calls, "per_unit", unit_price="2", pay_in_advance="on", invoice="next")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["params"] == {
        "unit_price": "2", "pay_in_advance": True, "invoice": "next",
    }  # fmt: skip
    own = charge_form(calls, "per_unit", unit_price="2", pay_in_advance="on")
    assert own.is_valid(), own.errors
    assert own.cleaned_data["params"]["invoice"] == "own"  # empty: its own invoice
    plain = charge_form(calls, "per_unit", unit_price="2")
    assert plain.is_valid()
    assert plain.cleaned_data["params"] == {"unit_price": "2"}
    tiers = {"tiers-0-from": "0", "tiers-0-to": "", "tiers-0-unit_price": "1"}
    graduated = charge_form(calls, "graduated", pay_in_advance="on", **tiers)
    assert graduated.is_valid(), graduated.errors


def test_the_charge_form_refuses_pay_in_advance_where_it_does_not_apply(
    calls: BillableMetric,
) -> None:
    tiers = {"tiers-0-from": "0", "tiers-0-to": "", "tiers-0-unit_price": "1"}
    volume = charge_form(calls, "volume", pay_in_advance="on", **tiers)
    assert not volume.is_valid()
    assert "pay_in_advance applies to the per_unit" in volume.errors["pricing_model"][0]
    alone = charge_form(calls, "per_unit", unit_price="2", invoice="next")
    assert not alone.is_valid()
    assert alone.errors["invoice"] == [
        "invoice (own or next) applies to a charge paid in advance only."
    ]
    minimum = charge_form(
        calls, "per_unit", unit_price="2", pay_in_advance="on", minimum_amount="5"
    )
    assert not minimum.is_valid()
    assert "no minimum" in minimum.errors["minimum_amount"][0]
    bad = charge_form(calls, "per_unit", unit_price="2", pay_in_advance="on", invoice="later")
    assert not bad.is_valid()
    assert "invoice" in bad.errors


def test_a_stored_charge_paid_in_advance_opens_and_reads_with_it(calls: BillableMetric) -> None:
    pro = plan()
    version = services.plan_version_create(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=utc(2024, 1, 1),
        data={"effective_from": utc(2024, 1, 1)},
        charges=[{"metric": calls, "pricing_model": "per_unit",
                  "params": {"unit_price": "2", "pay_in_advance": True, "invoice": "next"}}],
    )  # fmt: skip
    charge = Charge.objects.get(plan_version=version)
    form = ChargeForm(instance=charge)
    assert (form.initial["pay_in_advance"], form.initial["invoice"]) == (True, "next")
    assert "paid in advance: next invoice" in str(describe_params("per_unit", charge.params))
    tiered = {"tiers": [{"from": "0", "to": None, "unit_price": "1"}], "pay_in_advance": True}
    assert "Paid in advance: own invoice." in str(describe_params("graduated", tiered))
