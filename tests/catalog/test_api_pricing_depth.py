"""Issue 17, items 4 and 13 end to end: a price book with a graduated percentage charge, percentage
charges with a free amount, and tiered charges with and without `flat_fee_at_zero`, built over the
API; a subscription and usage events over the API; the billing writer's invoice checked to the
cent against arithmetic written here, and the upcoming invoice equal to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from invoicing.models import Invoice
from invoicing.services import subscriptions_bill
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
V1 = "/api/v1/"
D = Decimal
JAN, FEB = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)

SYNC_TIERS = [
    {"from": "0", "to": "100", "unit_price": "0.10", "flat_fee": "5"},
    {"from": "100", "to": None, "unit_price": "0.05"},
]


def post(api: APIClient, path: str, body: dict[str, Any]) -> Any:
    return api.post(V1 + path, body, format="json")


def charges() -> list[dict[str, Any]]:
    return [
        {
            "metric": "gmv",
            "pricing_model": "graduated_percentage",
            "params": {
                "tiers": [
                    {"from": "0", "to": "1000", "rate": "1", "flat_fee": "0"},
                    {"from": "1000", "to": None, "rate": "0.5", "flat_fee": "2"},
                ]
            },
        },
        {
            "metric": "cards",
            "pricing_model": "percentage",
            "params": {
                "rate": "2.9",
                "fixed_fee": "0.30",
                "free_transactions": 3,
                "free_amount": "100",
            },
        },
        {
            "metric": "payouts",
            "pricing_model": "percentage",
            "params": {"rate": "1.5", "free_amount": "500"},
        },
        {
            "metric": "syncs",
            "pricing_model": "volume",
            "params": {"tiers": SYNC_TIERS, "flat_fee_at_zero": True},
        },
        {"metric": "exports", "pricing_model": "graduated", "params": {"tiers": SYNC_TIERS}},
    ]


@pytest.fixture
def catalog(api: APIClient) -> None:
    plan = {"code": "fin", "name": "Fin", "currency": "USD", "interval_unit": "month"}
    assert post(api, "plans/", plan).status_code == 201
    for code in ("gmv", "cards", "payouts"):
        body = {"code": code, "name": code, "aggregation": "sum", "field_name": "amount"}
        assert post(api, "metrics/", body).status_code == 201
    for code in ("syncs", "exports"):
        body = {"code": code, "name": code, "aggregation": "count"}
        assert post(api, "metrics/", body).status_code == 201


def version(api: APIClient, items: list[dict[str, Any]]) -> Any:
    body = {
        "plan": "fin",
        "effective_from": JAN.isoformat(),
        "fixed_fee": "10.00",
        "fee_timing": "arrears",
        "charges": items,
    }
    return post(api, "plan-versions/", body)


@pytest.mark.parametrize(
    ("index", "params", "field"),
    [
        (
            0,
            {"tiers": [{"from": "0", "to": None, "rate": "150"}]},
            "charges[0].params.tiers[0].rate",
        ),
        (
            0,
            {"tiers": [{"from": "0", "to": None, "unit_price": "1"}]},
            "charges[0].params.tiers[0]",
        ),
        (2, {"rate": "1", "free_amount": "-1"}, "charges[2].params.free_amount"),
        (3, {"tiers": SYNC_TIERS, "flat_fee_at_zero": "yes"}, "charges[3].params.flat_fee_at_zero"),
        (3, {"tiers": SYNC_TIERS, "flat_fee_at_zero": 1}, "charges[3].params.flat_fee_at_zero"),
    ],
)
def test_bad_new_parameters_are_a_400_on_their_field(
    api: APIClient, catalog: None, index: int, params: dict[str, Any], field: str
) -> None:
    items = charges()
    items[index] = {**items[index], "params": params}
    response = version(api, items)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    assert errors[0]["field"].startswith(field), errors


def test_the_new_models_are_documented_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    described = components["ChargeInRequest"]["properties"]["params"]["description"]
    for word in ("graduated_percentage", "free_amount", "flat_fee_at_zero", "rate"):
        assert word in described
    models = components["PricingModelEnum"]["enum"]
    assert "graduated_percentage" in models


def test_rating_endpoint_prices_the_new_models(api: APIClient) -> None:
    rated = post(
        api,
        "pricing/rate/",
        {
            "pricing_model": "graduated_percentage",
            "params": charges()[0]["params"],
            "currency": "USD",
            "quantity": "2600.25",
        },
    )
    assert rated.status_code == 200, rated.json()
    assert rated.json()["amount_rounded"] == "20.00"  # 10 + 1600.25 x 0.5% + 2 = 20.00125
    zero = post(
        api,
        "pricing/rate/",
        {"pricing_model": "volume", "params": charges()[3]["params"], "currency": "USD",
         "quantity": "0"},
    )  # fmt: skip
    assert zero.json()["amount_rounded"] == "5.00"
    assert "flat_fee_at_zero" in zero.json()["explanation"]["zero_quantity"]


def test_a_month_billed_to_the_cent_and_previewed_alike(api: APIClient, catalog: None) -> None:
    created = version(api, charges())
    assert created.status_code == 201, created.json()
    book = created.json()
    assert book["charges"][3]["params"]["flat_fee_at_zero"] is True
    assert book["charges"][0]["params"]["tiers"][1]["rate"] == "0.5"
    assert api.post(f"{V1}plan-versions/{book['id']}/publish/").status_code == 200

    with time_machine.travel(JAN, tick=False):
        customer = post(
            api, "customers/", {"external_id": "fin-1", "name": "Fin One", "currency": "USD"}
        )
        assert customer.status_code == 201, customer.json()
        sub = post(api, "subscriptions/", {"customer": "fin-1", "plan": "fin"})
        assert sub.status_code == 201, sub.json()

    values = {
        "gmv": ["400", "700.25", "1500"],
        "cards": ["30", "50", "80", "200"],  # in time order
        "payouts": ["300", "450.40"],
    }
    events = [
        {
            "event_id": f"{code}-{n}",
            "customer": "fin-1",
            "metric": code,
            "event_time": (JAN + timedelta(days=2 + n, hours=len(code))).isoformat(),
            "properties": {"amount": value},
        }
        for code, amounts in values.items()
        for n, value in enumerate(amounts)
    ]
    with time_machine.travel(JAN + timedelta(days=20), tick=False):
        sent = post(api, "events/batch", {"events": events})
        assert sent.status_code == 200, sent.json()
        assert [e["status"] for e in sent.json()["events"]] == ["accepted"] * len(events)

    with time_machine.travel(FEB - timedelta(hours=1), tick=False):
        upcoming = api.get(f"{V1}customers/{customer.json()['id']}/upcoming-invoice/")
        assert upcoming.status_code == 200, upcoming.json()
        preview = upcoming.json()

    subscriptions_bill(subscription_ids=[sub.json()["id"]], as_of=FEB, actor=TEST_ACTOR)
    invoice = Invoice.objects.get(customer__external_id="fin-1", billing_date=FEB, kind="billing")
    lines = {(line.metric_code or line.kind): line for line in invoice.lines.all()}

    # gmv 400 + 700.25 + 1500 = 2600.25: 1000 x 1% = 10, 1600.25 x 0.5% = 8.00125, tier 2's
    # flat fee 2 -> 20.00125 -> 20.00
    assert lines["gmv"].amount == D("20.00")
    assert lines["gmv"].explanation["formula"] == "1000 x 1% + 1600.25 x 0.5% + 2 = 20.00125"
    # cards, free: the first 3 transactions or the first 100, whichever runs out first:
    # 30 free (70 left), 50 free (20 left), 80 goes past by 60: 60 x 2.9% + 0.30 = 2.04;
    # 200: 5.80 + 0.30 = 6.10 -> 8.14
    assert lines["cards"].amount == D("8.14")
    assert (
        "2 transactions wholly free, 100 of the amount free"
        in (lines["cards"].explanation["formula"])
    )
    # payouts (300 + 450.40 - 500 free) x 1.5% = 3.756 -> 3.76
    assert lines["payouts"].amount == D("3.76")
    assert lines["payouts"].explanation["formula"] == "max(0, 750.4 - 500 free) x 1.5% = 3.756"
    # syncs: no event, flat_fee_at_zero: the first tier's flat fee 5
    assert lines["syncs"].amount == D("5.00")
    assert "zero_quantity" in lines["syncs"].explanation
    # exports: no event, today's rule: nothing
    assert lines["exports"].amount == D("0.00")
    assert lines["fixed_fee"].amount == D("10.00")
    # 10 + 20.00 + 8.14 + 3.76 + 5.00 + 0.00
    assert invoice.subtotal == D("46.90")

    billed = sorted((line.kind, line.amount) for line in invoice.lines.all())
    planned = sorted((line["kind"], D(line["amount"])) for line in preview["lines"])
    assert planned == billed
    explained = {
        line["explanation"]["metric"]: line["explanation"]["formula"]
        for line in preview["lines"]
        if line["kind"] == "usage"
    }
    assert explained == {code: line.explanation["formula"] for code, line in lines.items()
                         if line.kind == "usage"}  # fmt: skip
    assert D(preview["subtotal"]) == invoice.subtotal
    assert D(preview["total"]) == invoice.total
