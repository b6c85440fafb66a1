"""One-time fees of a price book (a setup fee) and the trial invoice setting (issue 17, items 2
and 14): written through the API and the admin (the catalog services), copied with a version,
immutable once published, journaled with the version."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from billing.models import JournalEvent
from catalog import services
from catalog.models import OneTimeFee, PlanVersion
from tests.catalog.factories import feature, metric, plan, utc
from tests.catalog.test_admin import version_form
from tests.catalog.test_api import V1, error, post
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def pro(api: APIClient) -> None:
    body = {"code": "pro", "name": "Pro", "currency": "usd", "interval_unit": "month"}
    assert post(api, "plans/", body).status_code == 201
    vat = {"code": "vat", "name": "VAT", "percentage": "20", "country": "FR"}
    assert post(api, "tax-rates/", vat).status_code == 201


def version_body(**extra: Any) -> dict[str, Any]:
    return {
        "plan": "pro",
        "effective_from": "2026-01-01T00:00:00Z",
        "fixed_fee": "20.00",
        "trial_days": 14,
        "trial_invoice": True,
        "one_time_fees": [
            {"name": "Setup", "amount": "50.00"},
            {"name": "Onboarding", "amount": "9.99", "prorate": True, "tax_rate": "vat"},
        ],
        **extra,
    }


def test_one_time_fees_over_the_api_read_write_copy_and_frozen(api: APIClient, pro: None) -> None:
    created = post(api, "plan-versions/", version_body())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["trial_invoice"] is True
    fees = [(f["name"], f["amount"], f["prorate"], f["tax_rate"]) for f in body["one_time_fees"]]
    assert fees == [
        ("Setup", "50.000000000000", False, None),
        ("Onboarding", "9.990000000000", True, "vat"),
    ]
    # a draft's fees are replaced as a list
    patched = api.patch(
        f"{V1}plan-versions/{body['id']}/",
        {"one_time_fees": [{"name": "Setup", "amount": "75"}]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert [f["amount"] for f in patched.json()["one_time_fees"]] == ["75.000000000000"]
    event = JournalEvent.objects.filter(type="plan_version.updated").latest("id")
    assert event.payload["changes"] == {"one_time_fees": "replaced"}
    assert [f["name"] for f in event.payload["one_time_fees"]] == ["Setup"]
    # published: frozen; a copy carries them and the trial invoice setting
    assert api.post(f"{V1}plan-versions/{body['id']}/publish/").status_code == 200
    frozen = api.patch(f"{V1}plan-versions/{body['id']}/", {"one_time_fees": []}, format="json")
    assert frozen.status_code == 409
    assert OneTimeFee.objects.filter(plan_version_id=body["id"]).count() == 1
    copy = post(api, f"plan-versions/{body['id']}/copy/", {})
    assert copy.status_code == 201
    assert copy.json()["trial_invoice"] is True
    assert [(f["name"], f["amount"]) for f in copy.json()["one_time_fees"]] == [
        ("Setup", "75.000000000000")
    ]
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parts = schema["components"]["schemas"]
    assert "one_time_fees" in parts["PlanVersionOut"]["properties"]
    assert "trial_invoice" in parts["PlanVersionCreateInRequest"]["properties"]
    assert "one_time_fees" in parts["PlanVersionCreateInRequest"]["properties"]


@pytest.mark.parametrize(
    ("fee", "field"),
    [
        ({"name": "Setup", "amount": "-1"}, "one_time_fees[0].amount"),
        ({"name": "Setup"}, "one_time_fees[0].amount"),
        ({"amount": "5"}, "one_time_fees[0].name"),
        ({"name": "Setup", "amount": "5", "tax_rate": "nope"}, "one_time_fees[0].tax_rate"),
    ],
)
def test_a_bad_one_time_fee_is_a_400_naming_the_field(
    api: APIClient, pro: None, fee: dict[str, Any], field: str
) -> None:
    response = post(api, "plan-versions/", version_body(one_time_fees=[fee]))
    assert response.status_code == 400, response.json()
    assert error(response)["field"] == field
    assert not PlanVersion.objects.exists()


def test_the_service_refuses_an_unknown_or_negative_fee() -> None:
    from core.exceptions import ValidationFailed

    the_plan = plan()
    for fee, field in (
        ({"name": "Setup", "amount": Decimal(5), "colour": "red"}, "one_time_fees[0].colour"),
        ({"name": "Setup", "amount": Decimal(-5)}, "one_time_fees[0].amount"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.plan_version_create(
                plan_id=the_plan.pk, actor=TEST_ACTOR, as_of=utc(2026, 1, 1),
                data={"effective_from": utc(2026, 1, 1)}, one_time_fees=[fee],
            )  # fmt: skip
        assert caught.value.field == field


def test_one_time_fees_in_the_admin_price_book_screen(staff_client: Any) -> None:
    pro, calls, seats = plan(), metric(), feature()
    tiers = {"tiers": [{"from": "0", "to": None, "unit_price": "0.10"}]}
    form = {
        **version_form(pro.pk, calls.pk, seats.pk, tiers),
        "trial_invoice": "on",
        "cancellation_credit": "proration_line",  # (another setting of the screen)
        "one_time_fees-TOTAL_FORMS": "1",
        "one_time_fees-0-name": "Setup",
        "one_time_fees-0-amount": "50.00",
        "one_time_fees-0-prorate": "on",
        "one_time_fees-0-tax_rate": "",
        "one_time_fees-0-position": "0",
    }
    response = staff_client.post(reverse("admin:catalog_planversion_add"), form)
    assert response.status_code == 302, response.context["errors"]
    version = PlanVersion.objects.get()
    assert version.trial_invoice is True
    fee = version.one_time_fees.get()
    assert (fee.name, fee.amount, fee.prorate) == ("Setup", Decimal("50.00"), True)
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[version.pk]))
    html = page.content.decode()
    assert "billed once, at the subscription" in html
    assert 'name="trial_invoice"' in html
    bad = {**form, "one_time_fees-0-amount": "-3"}
    response = staff_client.post(reverse("admin:catalog_planversion_add"), bad)
    assert response.status_code == 200
    assert PlanVersion.objects.count() == 1
