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
