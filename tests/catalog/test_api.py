from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from catalog.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db
V1 = "/api/v1/"


def t(lower: str, upper: str | None, unit_price: Any) -> dict[str, Any]:
    """One tier, written short."""
    return {"from": lower, "to": upper, "unit_price": unit_price}


def post(api: APIClient, path: str, body: dict[str, Any]) -> Any:
    return api.post(V1 + path, body, format="json")


def error(response: Any) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]  # type: ignore[no-any-return]


@pytest.fixture
def catalog(api: APIClient) -> dict[str, Any]:
    assert post(api, "products/", {"code": "api", "name": "API"}).status_code == 201
    plan = post(
        api,
        "plans/",
        {
            "code": "pro",
            "name": "Pro",
            "currency": "usd",
            "interval_unit": "month",
            "product": "api",
        },
    )
    assert plan.status_code == 201, plan.json()
    metric = post(
        api,
        "metrics/",
        {"code": "api_calls", "name": "API calls", "aggregation": "sum", "field_name": "calls"},
    )
    assert metric.status_code == 201, metric.json()
    assert (
        post(api, "features/", {"code": "seats", "name": "Seats", "kind": "limit"}).status_code
        == 201
    )
    return {"plan": plan.json(), "metric": metric.json()}


TIERS = [
    t("0", "1000", "0.10"),
    t("1000", None, 0.08),  # a JSON number: parsed as a Decimal
]


def draft(api: APIClient, effective_from: str, tiers: list[dict[str, Any]] = TIERS) -> Any:
    return post(
        api,
        "plan-versions/",
        {
            "plan": "pro",
            "effective_from": effective_from,
            "fixed_fee": "49.00",
            "fee_timing": "arrears",
            "trial_days": 14,
            "charges": [
                {
                    "metric": "api_calls",
                    "pricing_model": "graduated",
                    "params": {"tiers": tiers},
                    "minimum_amount": "10",
                }
            ],
            "features": [{"feature": "seats", "limit": 5}],
        },
    )


def test_build_publish_and_price_a_plan_over_the_api(api: APIClient, catalog: Any) -> None:
    created = draft(api, "2024-01-01T00:00:00Z")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["number"], body["label"]) == ("draft", 1, "pro@v1")
    assert body["charges"][0]["params"]["tiers"][1]["unit_price"] == "0.08"
    assert body["features"] == [{"feature": "seats", "enabled": True, "limit": "5.0000"}]

    published = api.post(f"{V1}plan-versions/{body['id']}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"

    preview = post(
        api, f"plan-versions/{body['id']}/preview/", {"metric": "api_calls", "quantity": "1234"}
    )
    assert preview.status_code == 200
    assert preview.json()["amount_rounded"] == "118.72"
    assert preview.json()["explanation"]["price_version"] == "pro@v1"
    assert preview.json()["explanation"]["formula"] == "1000 x 0.1 + 234 x 0.08 = 118.72"

    plan_id = catalog["plan"]["id"]
    at = api.get(f"{V1}plans/{plan_id}/price/", {"at": "2024-02-01T00:00:00Z"})
    assert at.status_code == 200
    assert at.json()["label"] == "pro@v1"
    none = api.get(f"{V1}plans/{plan_id}/price/", {"at": "2023-01-01T00:00:00Z"})
    assert none.status_code == 404
    assert error(none)["code"] == "no_price_in_force"
    timeline = api.get(f"{V1}plans/{plan_id}/timeline/").json()
    assert [(r["number"], r["status"]) for r in timeline] == [(1, "published")]


def test_published_versions_are_read_only_over_the_api(api: APIClient, catalog: Any) -> None:
    version = draft(api, "2024-01-01T00:00:00Z").json()
    api.post(f"{V1}plan-versions/{version['id']}/publish/")
    response = api.patch(f"{V1}plan-versions/{version['id']}/", {"trial_days": 0}, format="json")
    assert response.status_code == 409
    assert error(response)["code"] == "transition_not_allowed"
    assert api.delete(f"{V1}plan-versions/{version['id']}/").status_code == 405
    again = api.post(f"{V1}plan-versions/{version['id']}/publish/")
    assert again.status_code == 409

    copy = post(
        api, f"plan-versions/{version['id']}/copy/", {"effective_from": "2024-02-01T00:00:00Z"}
    )
    assert copy.status_code == 201
    edited = api.patch(
        f"{V1}plan-versions/{copy.json()['id']}/",
        {
            "fixed_fee": "59",
            "charges": [
                {
                    "metric": "api_calls",
                    "pricing_model": "per_unit",
                    "params": {"unit_price": "0.09"},
                }
            ],
        },
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["fixed_fee"] == "59.000000000000"
    assert api.post(f"{V1}plan-versions/{copy.json()['id']}/publish/").status_code == 200
    assert PlanVersion.objects.get(pk=version["id"]).effective_until is not None


@pytest.mark.parametrize(
    ("tiers", "field"),
    [
        ([t("0", "10", "1"), t("12", None, "1")], "charges[0].params.tiers[1].from"),
        ([t("0", "10", "1"), t("5", None, "1")], "charges[0].params.tiers[1].from"),
        ([t("0", "10", "1")], "charges[0].params.tiers[0].to"),
        ([t("0", None, "-2")], "charges[0].params.tiers[0].unit_price"),
    ],
)
def test_malformed_tiers_are_a_400_naming_the_tier(
    api: APIClient, catalog: Any, tiers: list[dict[str, Any]], field: str
) -> None:
    response = draft(api, "2024-01-01T00:00:00Z", tiers)
    assert response.status_code == 400
    assert (error(response)["field"], error(response)["code"]) == (field, "invalid_pricing")
    assert not PlanVersion.objects.exists()


def test_overlap_on_publish_is_a_409(api: APIClient, catalog: Any) -> None:
    first = draft(api, "2024-01-01T00:00:00Z").json()
    second = draft(api, "2024-02-01T00:00:00Z").json()
    api.post(f"{V1}plan-versions/{second['id']}/publish/")
    response = api.post(f"{V1}plan-versions/{first['id']}/publish/")
    assert response.status_code == 409
    assert error(response)["code"] == "overlapping_versions"


@pytest.mark.parametrize(
    ("path", "body", "field", "code"),
    [
        (
            "plans/",
            {"code": "x", "name": "X", "currency": "ZZZ", "interval_unit": "month"},
            "currency",
            "unknown_currency",
        ),
        (
            "plans/",
            {"code": "x", "name": "X", "currency": "USD", "interval_unit": "fortnight"},
            "interval_unit",
            "invalid_choice",
        ),
        (
            "plans/",
            {"code": "Bad Code", "name": "X", "currency": "USD", "interval_unit": "month"},
            "code",
            "invalid_code",
        ),
        (
            "plans/",
            {"code": "pro", "name": "X", "currency": "USD", "interval_unit": "month"},
            "code",
            "unique",
        ),
        (
            "metrics/",
            {"code": "m", "name": "M", "aggregation": "median", "field_name": "x"},
            "aggregation",
            "invalid_choice",
        ),
        ("metrics/", {"code": "m", "name": "M", "aggregation": "sum"}, "field_name", "required"),
        (
            "tax-rates/",
            {"code": "vat", "name": "VAT", "percentage": "120"},
            "percentage",
            "max_value",
        ),
        (
            "tax-rates/",
            {"code": "vat", "name": "VAT", "percentage": "19", "country": "XX"},
            "country",
            "unknown_country",
        ),
        (
            "addons/",
            {"code": "setup", "name": "Setup", "currency": "USD", "amount": "abc"},
            "amount",
            "invalid",
        ),
        (
            "coupons/",
            {"code": "c", "name": "C", "kind": "fixed", "amount_off": "5", "duration": "once"},
            "currency",
            "invalid",
        ),
        (
            "plan-versions/",
            {"plan": "nope", "effective_from": "2024-01-01T00:00:00Z"},
            "plan",
            "does_not_exist",
        ),
        (
            "plan-versions/",
            {
                "plan": "pro",
                "effective_from": "2024-01-01T00:00:00Z",
                "charges": [
                    {
                        "metric": "api_calls",
                        "pricing_model": "per_unit",
                        "params": {"unit_price": "1"},
                        "minimum_amount": "-1",
                    }
                ],
            },
            "charges[0].minimum_amount",
            "min_value",
        ),
        (
            "pricing/rate/",
            {
                "pricing_model": "volume",
                "params": {"tiers": []},
                "currency": "USD",
                "quantity": "5",
            },
            "params.tiers",
            "invalid_pricing",
        ),
        (
            "pricing/rate/",
            {
                "pricing_model": "per_unit",
                "params": {"unit_price": "1"},
                "currency": "USD",
                "quantity": "-5",
            },
            "quantity",
            "invalid_pricing",
        ),
    ],
)
def test_bad_catalog_input_is_a_400_naming_the_field(
    api: APIClient, catalog: Any, path: str, body: dict[str, Any], field: str, code: str
) -> None:
    response = post(api, path, body)
    assert response.status_code == 400, response.json()
    assert (error(response)["field"], error(response)["code"]) == (field, code)


def test_create_and_read_every_catalog_object(api: APIClient, catalog: Any) -> None:
    bodies = {
        "tax-rates/": {"code": "de-vat", "name": "VAT DE", "percentage": "19", "country": "DE"},
        "addons/": {"code": "setup", "name": "Setup", "currency": "usd", "amount": "99.5"},
        "coupons/": {
            "code": "launch",
            "name": "Launch",
            "kind": "percent",
            "percent_off": "10",
            "duration": "forever",
            "plans": ["pro"],
        },
    }
    for path, body in bodies.items():
        created = post(api, path, body)
        assert created.status_code == 201, created.json()
        one = api.get(f"{V1}{path}{created.json()['id']}/")
        assert one.status_code == 200
        assert one.json()["code"] == body["code"]
    for path in (
        "products/",
        "plans/",
        "metrics/",
        "features/",
        "tax-rates/",
        "addons/",
        "coupons/",
        "plan-versions/",
    ):
        listing = api.get(V1 + path)
        assert listing.status_code == 200, path
        assert "results" in listing.json()
    assert api.get(V1 + "plans/", {"currency": "USD"}).json()["results"][0]["code"] == "pro"
    assert Plan.objects.get(code="pro").product is not None


def test_stateless_rating_endpoint(api: APIClient) -> None:
    response = post(
        api,
        "pricing/rate/",
        {
            "pricing_model": "percentage",
            "currency": "usd",
            "params": {"rate": "2.9", "fixed_fee": "0.30"},
            "transactions": ["10", "100"],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["amount"] == "3.79"
    assert response.json()["total"] == "3.79"


def test_catalog_needs_an_api_key(anon_api: APIClient) -> None:
    assert anon_api.get(V1 + "plans/").status_code == 401
    assert anon_api.post(V1 + "plans/", {}, format="json").status_code == 401
