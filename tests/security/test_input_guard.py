"""Issue 11, item 8: text PostgreSQL cannot store (the NUL character, a lone surrogate) is refused
with a 400 in the one error shape, naming where it is, by one input guard: the JSON parser for
bodies, and the guard middleware for the URL (path and query parameters) of every API route.
Never a 500, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from billing.models import Customer
from catalog.models import BillableMetric, Feature, PlanVersion
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.catalog.factories import plan as make_plan

NUL = "\\u0000"  # as written in JSON
SURROGATE = "\\ud800"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    metric("api_calls", aggregation="sum", field_name="calls")
    return {"customer": CustomerFactory(external_id="acme"), "plan": make_plan("pro")}


def only_error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert "errors" in body
    [error] = body["errors"]
    return error


WRITES = [
    ("post", "/api/v1/customers/",
     '{"external_id": "c-1", "name": "A", "currency": "USD", "metadata": {"crm": "a%sb"}}',
     "metadata.crm"),
    ("post", "/api/v1/customers/",
     '{"external_id": "c%s", "name": "A", "currency": "USD"}', "external_id"),
    ("patch", "/api/v1/customers/{customer}/", '{"metadata": {"crm": "x%s"}}', "metadata.crm"),
    ("patch", "/api/v1/customers/{customer}/", '{"name": "A%s"}', "name"),
    ("post", "/api/v1/features/", '{"code": "f1", "name": "F%s", "kind": "boolean"}', "name"),
    ("post", "/api/v1/metrics/",
     '{"code": "m1", "name": "M", "aggregation": "sum", "field_name": "n%s"}', "field_name"),
    ("post", "/api/v1/plan-versions/",
     '{"plan": "pro", "effective_from": "2026-01-01T00:00:00Z", "charges": [{"metric": '
     '"api%s", "pricing_model": "standard", "params": {"unit_amount": "1"}}]}',
     "charges[0].metric"),
    ("post", "/api/v1/plan-versions/",
     '{"plan": "pro", "effective_from": "2026-01-01T00:00:00Z", "features": [{"feature": '
     '"seats%s"}]}', "features[0].feature"),
]  # fmt: skip


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(("method", "url", "body", "where"), WRITES)
def test_writes_with_unstorable_text_are_a_400_naming_the_field(
    api: APIClient, world: dict[str, Any], bad: str, method: str, url: str, body: str, where: str
) -> None:
    counts = (Customer.objects.count(), Feature.objects.count(), BillableMetric.objects.count(),
              PlanVersion.objects.count())  # fmt: skip
    path = url.format(customer=world["customer"].pk)
    response = getattr(api, method)(path, data=body % bad, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    error = only_error(response)
    assert error["field"] == where
    assert "NUL" in error["message"]
    assert counts == (Customer.objects.count(), Feature.objects.count(),
                      BillableMetric.objects.count(), PlanVersion.objects.count())  # fmt: skip
    world["customer"].refresh_from_db()
    assert world["customer"].metadata == {}


LOOKUPS = [
    ("/api/v1/customers/external/ac%00me/", "external_id"),
    ("/api/v1/customers/?external_id=ac%00me", "external_id"),
    ("/api/v1/customers/?q=%00", "q"),
    ("/api/v1/entitlements/check/?customer=ac%00me&feature=seats", "customer"),
    ("/api/v1/entitlements/check/?customer=acme&feature=seats%00", "feature"),
    ("/api/v1/events/?customer=a%00", "customer"),
    ("/api/v1/invoices/?customer=a%00", "customer"),
    ("/api/v1/plans/?x%00y=1", "x\\x00y"),
]


@pytest.mark.parametrize(("url", "where"), LOOKUPS)
def test_lookups_with_the_nul_character_are_a_400_naming_the_parameter(
    api: APIClient, world: dict[str, Any], url: str, where: str
) -> None:
    response = api.get(url)
    assert response.status_code == 400, response.content[:300]
    error = only_error(response)
    assert (error["field"], error["code"]) == (where, "invalid_text")


def test_a_write_with_the_nul_character_in_its_query_is_refused_before_it_runs(
    api: APIClient, world: dict[str, Any]
) -> None:
    response = api.post(
        "/api/v1/customers/?note=%00",
        data={"external_id": "c-2", "name": "B", "currency": "USD"},
        format="json",
    )
    assert response.status_code == 400
    assert only_error(response)["field"] == "note"
    assert not Customer.objects.filter(external_id="c-2").exists()


@pytest.mark.parametrize("number", ["1E-" + "9" * 30, "9" * 20_000])
def test_numbers_no_decimal_or_integer_can_hold_are_a_400_not_a_500(
    api: APIClient, world: dict[str, Any], number: str
) -> None:
    body = '{"external_id": "c-3", "name": "C", "currency": "USD", "payment_terms_days": %s}'
    response = api.post("/api/v1/customers/", data=body % number, content_type="application/json")
    assert response.status_code == 400
    assert only_error(response)["code"] == "parse_error"
    assert not Customer.objects.filter(external_id="c-3").exists()


def test_the_guard_leaves_ordinary_text_alone(api: APIClient, world: dict[str, Any]) -> None:
    assert api.get("/api/v1/customers/external/acme/").status_code == 200
    assert api.get("/api/v1/customers/?q=%C3%A9t%C3%A9").status_code == 200
    response = api.post(
        "/api/v1/customers/",
        data='{"external_id": "emoji", "name": "\\ud83d\\ude00", "currency": "USD"}',
        content_type="application/json",
    )
    assert response.status_code == 201
