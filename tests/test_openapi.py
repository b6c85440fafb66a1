from typing import Any

import pytest


@pytest.mark.django_db
def test_schema_lists_the_endpoints(staff_client: Any) -> None:
    response = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
        "/api/v1/customers/external/{external_id}/",
        "/api/v1/customers/{id}/archive/",
        "/api/v1/customers/{id}/history/",
        "/api/v1/currencies/",
        "/api/v1/events",
        "/api/v1/events/batch",
        "/api/v1/customers/{id}/usage/",
        "/api/v1/subscriptions/",
        "/api/v1/entitlements/check/",
        "/api/v1/plan-versions/",
    ):
        assert path in paths, path
    create = paths["/api/v1/customers/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert "ApiKey" in schema["components"]["securitySchemes"]
    assert "400" in create["responses"]
    assert "401" in create["responses"]


@pytest.mark.django_db
def test_docs_page_serves_swagger_ui_from_this_server(staff_client: Any) -> None:
    response = staff_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()  # the assets come from drf-spectacular-sidecar


@pytest.mark.django_db
def test_currencies_endpoint(api: Any) -> None:
    body = api.get("/api/v1/currencies/").json()
    by_code = {c["code"]: c for c in body}
    assert by_code["JPY"]["exponent"] == 0
    assert by_code["KWD"]["exponent"] == 3
    assert "XAU" not in by_code


# ------------------------------------------------------------- issue 11, item 11: no drift


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))  # type: ignore[no-any-return]


def _query(op: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}


def test_every_operation_declares_the_errors_it_may_answer(generated: dict[str, Any]) -> None:
    for path, methods in generated["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, op in methods.items():
            declared = set(op["responses"])
            where = f"{method.upper()} {path}"
            assert {"400", "401", "403", "503"} <= declared, where
            if "cursor" in _query(op) or "{" in path:
                assert "404" in declared, where
            if method == "post":
                assert {"413", "422"} <= declared, where
            assert "Retry-After" in op["responses"]["503"]["headers"], where


def test_the_error_body_carries_the_request_id(generated: dict[str, Any]) -> None:
    body = generated["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"errors", "request_id"}


def test_limit_declares_its_bounds(generated: dict[str, Any]) -> None:
    limit = _query(generated["paths"]["/api/v1/events/"]["get"])["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 500)


def test_documented_filters_are_the_ones_that_work(generated: dict[str, Any]) -> None:
    paths = generated["paths"]
    events = set(_query(paths["/api/v1/events/"]["get"]))
    assert {"customer", "metric", "late", "event_time__gte", "event_time__lt"} <= events
    assert {"customer", "status"} <= set(_query(paths["/api/v1/invoices/"]["get"]))
    assert {"customer", "plan", "status"} <= set(_query(paths["/api/v1/subscriptions/"]["get"]))
    for path in ("/api/v1/events/", "/api/v1/invoices/", "/api/v1/subscriptions/"):
        assert not any("__external_id" in name for name in _query(paths[path]["get"])), path
    assert "cursor" not in _query(paths["/api/v1/corrections/rerate/"]["post"])


def test_output_fields_are_declared_as_they_are_returned(generated: dict[str, Any]) -> None:
    schemas = generated["components"]["schemas"]
    assert "format" not in schemas["CustomerOut"]["properties"]["email"]  # "" when none
    assert schemas["PlanOut"]["properties"]["product"]["nullable"] is True
