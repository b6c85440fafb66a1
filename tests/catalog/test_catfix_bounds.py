"""Review fixes of issue 17's catalog (catfix): the products and add-ons lists join their tax
rate (no query a row); a one-time fee refuses an archived rate, more decimals than its currency
and an amount no invoice can hold; pricing parameters are bounded by what their column holds and
an amount that overflows is a 400, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.catalog.test_api import V1, error, post

pytestmark = pytest.mark.django_db


def queries(api: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(V1 + path).status_code == 200
    return len(ctx.captured_queries)


def test_the_products_and_add_ons_lists_join_their_tax_rate(api: APIClient) -> None:
    for n in range(6):
        assert (
            post(api, "tax-rates/", {"code": f"r{n}", "name": "R", "percentage": "5"}).status_code
            == 201
        )

    def add(n: int) -> None:
        assert (
            post(api, "products/", {"code": f"p{n}", "name": "P", "tax_rate": f"r{n}"}).status_code
            == 201
        )
        addon = {
            "code": f"a{n}",
            "name": "A",
            "currency": "USD",
            "amount": "1",
            "tax_rate": f"r{n}",
        }
        assert post(api, "addons/", addon).status_code == 201

    add(0)
    one = (queries(api, "products/"), queries(api, "addons/"))
    for n in range(1, 6):
        add(n)
    assert (queries(api, "products/"), queries(api, "addons/")) == one  # 6 rows, same count
    listed = api.get(V1 + "products/").json()["results"]
    assert sorted(p["tax_rate"] for p in listed) == [f"r{n}" for n in range(6)]


@pytest.fixture
def pro(api: APIClient) -> None:
    body = {"code": "pro", "name": "Pro", "currency": "usd", "interval_unit": "month"}
    assert post(api, "plans/", body).status_code == 201
    old = post(api, "tax-rates/", {"code": "old", "name": "Old", "percentage": "5"}).json()
    assert (
        api.patch(f"{V1}tax-rates/{old['id']}/", {"archived": True}, format="json").status_code
        == 200
    )
    metric = {"code": "api_calls", "name": "API calls", "aggregation": "sum", "field_name": "calls"}
    assert post(api, "metrics/", metric).status_code == 201


def version(**extra: Any) -> dict[str, Any]:
    return {"plan": "pro", "effective_from": "2026-01-01T00:00:00Z", "fixed_fee": "20.00", **extra}


@pytest.mark.parametrize(
    ("fee", "field", "code"),
    [
        (
            {"name": "Setup", "amount": "5", "tax_rate": "old"},
            "one_time_fees[0].tax_rate",
            "archived",
        ),
        ({"name": "Setup", "amount": "1.005"}, "one_time_fees[0].amount", "invalid"),  # USD: 2
        ({"name": "Setup", "amount": "9999999999999999"}, "one_time_fees[0].amount", "max_value"),
    ],
)
def test_a_one_time_fee_is_checked_as_the_other_fees_are(
    api: APIClient, pro: None, fee: dict[str, Any], field: str, code: str
) -> None:
    response = post(api, "plan-versions/", version(one_time_fees=[fee]))
    assert response.status_code == 400, response.json()
    assert (error(response)["field"], error(response)["code"]) == (field, code)


def test_phase_fees_and_thresholds_refuse_an_amount_no_invoice_holds(
    api: APIClient, pro: None
) -> None:
    huge = "9999999999999999"
    for body, field in [
        (
            version(phases=[{"periods": 2, "fixed_fee": huge}, {"periods": None}]),
            "phases[0].fixed_fee",
        ),
        (version(usage_thresholds=[{"amount": huge}]), "usage_thresholds[0].amount"),
    ]:
        response = post(api, "plan-versions/", body)
        assert response.status_code == 400, response.json()
        assert error(response)["field"] == field


HUGE = "1e30"
BOUNDS = [  # (model, params, the param named)
    ("graduated_percentage",
     {"tiers": [{"from": "0", "to": None, "rate": "100", "flat_fee": HUGE}]}, "tiers[0].flat_fee"),
    ("graduated", {"tiers": [{"from": "0", "to": None, "unit_price": HUGE}]},
     "tiers[0].unit_price"),
    ("graduated", {"tiers": [{"from": "0", "to": HUGE, "unit_price": "1"},
                             {"from": HUGE, "to": None, "unit_price": "1"}]}, "tiers[0].to"),
    ("volume", {"tiers": [{"from": "0", "to": None, "unit_price": "1", "flat_fee": HUGE}]},
     "tiers[0].flat_fee"),
    ("per_unit", {"unit_price": "10000000000000000"}, "unit_price"),  # 17 digits
    ("per_unit", {"unit_price": "0.0000000000001"}, "unit_price"),  # 13 decimals
    ("package", {"package_size": "10", "package_price": HUGE}, "package_price"),
    ("percentage", {"rate": "2", "free_amount": "1e400"}, "free_amount"),
    ("percentage", {"rate": "2", "fixed_fee": HUGE}, "fixed_fee"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "params", "field"), BOUNDS)
def test_huge_pricing_parameters_are_a_400_naming_the_param(
    api: APIClient, pro: None, model: str, params: dict[str, Any], field: str
) -> None:
    rate = {"pricing_model": model, "params": params, "currency": "usd", "quantity": "1"}
    response = post(api, "pricing/rate/", rate)
    assert response.status_code == 400, response.content
    assert error(response)["field"] == f"params.{field}"
    charge = {"metric": "api_calls", "pricing_model": model, "params": params}
    response = post(api, "plan-versions/", version(charges=[charge]))
    assert response.status_code == 400, response.content
    assert error(response)["field"] == f"charges[0].params.{field}"


def test_the_largest_parameters_are_accepted_and_an_overflowing_amount_is_a_400(
    api: APIClient, pro: None
) -> None:
    largest = "9999999999999999.999999999999"  # 16 + 12 digits: DecimalField(28, 12)
    ok = {"pricing_model": "per_unit", "params": {"unit_price": largest}, "currency": "usd",
          "quantity": "1"}  # fmt: skip
    response = post(api, "pricing/rate/", ok)
    assert response.status_code == 200, response.json()
    assert response.json()["amount_rounded"] == "10000000000000000.00"  # rounded once
    # 10^18 units at ~10^16: ~10^34, beyond 28 digits
    response = post(api, "pricing/rate/", {**ok, "quantity": "999999999999999999"})
    assert response.status_code == 400, response.content
    assert (error(response)["field"], error(response)["code"]) == ("quantity", "amount_too_large")
