"""Issue 11, "checks that keep them fixed": the hostile inputs of the probe, put in every field
of every write route's documented body — a NUL byte, a lone surrogate, an integer of 2^70, a
20,000-digit number, 1E-20000, a year-1 instant at +14:00 — never give a server error: each is a
4xx in the one error shape (a field the route refuses), or accepted as a value it may hold."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.test import APIClient

from tests.security.test_unknown_params import ROUTES

pytestmark = pytest.mark.django_db
WRITE = ("post", "put", "patch")

# raw JSON texts: some cannot be written by json.dumps (a 20,000-digit literal, 1E-20000)
HOSTILE = {
    "nul": '"a\\u0000b"',
    "surrogate": '"\\ud800"',
    "int_2_70": str(2**70),
    "digits_20000": "9" * 20_000,
    "tiny": "1E-20000",
    "year_1": '"0001-01-01T00:00:00+14:00"',
}


@cache
def _schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))  # type: ignore[no-any-return]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = _schema()["components"]["schemas"][name]
    return node


def _body_fields(path: str, method: str) -> list[str]:
    """The top-level properties the schema documents for this route's JSON body."""
    for template, operations in _schema()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in operations:
            body = operations[method].get("requestBody", {}).get("content", {})
            media = body.get("application/json", {}).get("schema")
            if media is None:
                return []
            return sorted(_resolve(media).get("properties", {}))
    return []


CASES = [
    (path, method, field, name)
    for path, method in ROUTES
    if method in WRITE
    for field in _body_fields(path, method)
    for name in HOSTILE
]


def test_the_cases_cover_the_write_routes() -> None:
    routes = {(path, method) for path, method, _field, _name in CASES}
    assert len(routes) >= 30
    assert ("/api/v1/customers/", "post") in routes


@pytest.mark.parametrize(("path", "method", "field", "name"), CASES)
def test_a_hostile_value_in_any_field_is_never_a_server_error(
    api: APIClient, path: str, method: str, field: str, name: str
) -> None:
    body = f'{{"{field}": {HOSTILE[name]}}}'
    response = getattr(api, method)(path, data=body, content_type="application/json")
    assert response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert response.json()["errors"], response.content[:300]
