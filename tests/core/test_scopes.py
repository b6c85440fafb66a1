"""API key scopes (issue 15, item 2): the vocabulary, what grants what, every route's resource,
and the OpenAPI schema stating each operation's scope as the permission class enforces it."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from django.urls import resolve
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient, APIRequestFactory

from billing.services import api_key_create
from core.api.scopes import (
    EVENT_SUBJECT_RESOURCES,
    FULL,
    FULL_ONLY_RESOURCES,
    READ,
    RESOURCES,
    event_type_scopes,
    required_scope,
    scopes_grant,
    scopes_validate,
    view_resource,
    vocabulary,
)
from core.exceptions import ValidationFailed
from tests.conftest import TEST_ACTOR
from tests.security.test_authorization import QUERIES, ROUTES, SAMPLE

SCOPED = [r for r in RESOURCES if r not in FULL_ONLY_RESOURCES]


# ------------------------------------------------------------------------------ the vocabulary


def test_the_vocabulary() -> None:
    words = vocabulary()
    assert words[:2] == ["full", "read"]
    expected = ["customers", "catalog", "subscriptions", "events", "invoices", "payments"]
    expected += ["dunning", "notifications", "portal", "branding", "webhooks", "test_clocks"]
    for resource in expected:
        assert f"{resource}:read" in words, resource
        assert f"{resource}:write" in words, resource
    assert not any(w.startswith("api_keys:") for w in words)  # only `full` manages keys
    assert len(words) == len(set(words)) == 2 + 2 * len(SCOPED)


@pytest.mark.parametrize(
    ("held", "required", "granted"),
    [
        (["full"], "invoices:read", True),
        (["full"], "full", True),
        (["read"], "invoices:read", True),
        (["read"], "invoices:write", False),
        (["read"], "full", False),
        (["events:write"], "events:write", True),
        (["events:write"], "events:read", True),  # write includes read
        (["events:write"], "invoices:read", False),
        (["events:read"], "events:write", False),
        (["read", "events:write"], "customers:read", True),
        (["read", "events:write"], "customers:write", False),
        (["invoices:read", "invoices:write"], "full", False),
        ([], "customers:read", False),
    ],
)
def test_what_grants_what(held: list[str], required: str, granted: bool) -> None:
    assert scopes_grant(held, required) is granted


@given(
    held=st.lists(st.sampled_from(vocabulary()[1:]), max_size=6),
    resource=st.sampled_from(SCOPED),
)
def test_a_write_scope_never_grants_less_than_its_read(held: list[str], resource: str) -> None:
    """Monotone: what grants `<r>:write` grants `<r>:read`; `full` grants everything and is
    the only grant of `full`."""
    if scopes_grant(held, f"{resource}:write"):
        assert scopes_grant(held, f"{resource}:read")
    assert not scopes_grant(held, FULL)
    assert scopes_grant([*held, FULL], f"{resource}:write")


def test_scopes_are_validated_naming_the_unknown_one() -> None:
    assert scopes_validate(["invoices:read", "read", "events:write", "read"]) == [
        "read",
        "events:write",
        "invoices:read",
    ]  # each once, in the vocabulary's order
    with pytest.raises(ValidationFailed) as bad:
        scopes_validate(["read", "invoices:delete"])
    assert (bad.value.field, bad.value.code) == ("scopes[1]", "unknown_scope")
    assert "'invoices:delete'" in bad.value.message
    for wrong in (["api_keys:write"], ["Read"], ["events"]):
        with pytest.raises(ValidationFailed):
            scopes_validate(wrong)
    with pytest.raises(ValidationFailed) as empty:
        scopes_validate([])
    assert empty.value.code == "required"
    with pytest.raises(ValidationFailed) as mixed:
        scopes_validate([FULL, READ])
    assert "alone" in mixed.value.message


# ------------------------------------------------------------------- every route has a resource


def _view(path: str, method: str) -> Any:
    """The view instance that would answer `method path`, set up as DRF sets it up."""
    match = resolve(path)
    cls = match.func.view_class  # type: ignore[attr-defined]
    view = cls(**getattr(match.func, "view_initkwargs", {}))
    request = APIRequestFactory().generic(method.upper(), path)
    view.args, view.kwargs, view.format_kwarg = (), match.kwargs, None
    view.request = view.initialize_request(request)
    view.headers = {}
    return view


def test_every_api_route_has_a_resource() -> None:
    """A new view of any app whose model is not in core/api/scopes.py's table and which sets no
    `scope_resource` fails here (scoped keys could not call it)."""
    assert len(ROUTES) >= 150, len(ROUTES)
    missing = []
    for path, method in ROUTES:
        resource = view_resource(_view(path, method))
        if resource not in RESOURCES:
            missing.append((method.upper(), path, resource))
    assert not missing, missing
    seen = {view_resource(_view(p, m)) for p, m in ROUTES}
    assert seen >= {"customers", "catalog", "subscriptions", "events", "invoices", "payments",
                    "dunning", "notifications", "portal", "branding", "api_keys"}  # fmt: skip


def test_previews_and_prices_are_reads() -> None:
    """POSTs that compute without writing (`permission_actions = {"POST": "view"}`) read."""
    assert required_scope(_view("/api/v1/pricing/rate/", "post"), "POST") == "catalog:read"
    assert (
        required_scope(_view("/api/v1/plan-versions/987654/preview/", "post"), "POST")
        == "catalog:read"
    )
    assert (
        required_scope(_view("/api/v1/subscriptions/987654/change/preview/", "post"), "POST")
        == "subscriptions:read"
    )
    assert required_scope(_view("/api/v1/subscriptions/987654/change/", "post"), "POST") == (
        "subscriptions:write"
    )


def test_a_view_whose_resource_cannot_be_told_asks_for_full() -> None:
    from rest_framework.views import APIView

    class Mystery(APIView):
        pass

    assert view_resource(Mystery()) is None
    assert required_scope(Mystery(), "GET") == FULL


# ----------------------------------------------------------------------- the schema's scopes


@cache
def _schema() -> dict[str, Any]:
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))  # type: ignore[no-any-return]


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, methods in _schema()["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in methods.items()
    ]


def test_the_schema_states_every_operations_scope() -> None:
    words = {*vocabulary(), FULL}
    stated = 0
    for path, method, op in _operations():
        where = f"{method.upper()} {path}"
        if {"ApiKey": []} not in op.get("security", []):
            assert path == "/api/v1/webhooks/stripe/", where  # signed by Stripe, not a key
            continue
        scope = op.get("x-required-scope")
        assert scope in words, where
        last = op["description"].rstrip().splitlines()[-1]
        assert last.startswith(f"Required scope: `{scope}`"), (where, last)
        assert "missing_scope" in op["responses"]["403"]["description"], where
        stated += 1
    assert stated >= 150
    by_op = {(p, m): o["x-required-scope"] for p, m, o in _operations() if "x-required-scope" in o}
    assert by_op[("/api/v1/events", "post")] == "events:write"
    assert by_op[("/api/v1/events/batch", "post")] == "events:write"
    assert by_op[("/api/v1/invoices/", "get")] == "invoices:read"
    assert by_op[("/api/v1/invoices/{id}/pdf/", "get")] == "invoices:read"
    assert by_op[("/api/v1/credit-notes/", "get")] == "invoices:read"
    assert by_op[("/api/v1/refunds/", "get")] == "payments:read"
    assert by_op[("/api/v1/dunning-policies/", "post")] == "dunning:write"
    assert by_op[("/api/v1/api-keys/", "get")] == "full"
    assert by_op[("/api/v1/pricing/rate/", "post")] == "catalog:read"


def test_the_security_scheme_lists_the_vocabulary() -> None:
    schema = _schema()
    text = schema["components"]["securitySchemes"]["ApiKey"]["description"]
    for resource in RESOURCES:
        assert f"`{resource}`" in text, resource
    for word in ("`full`", "`read`", "missing_scope", "required_scope", "ip_not_allowed"):
        assert word in text, word
    item = schema["components"]["schemas"]["ErrorItem"]["properties"]
    assert "required_scope" in item


PARAMETER_KINDS = {"external_id": "path", "feature": "slug"}


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE[PARAMETER_KINDS.get(m[1], "int")], path)


def _lacking(scope: str) -> str:
    """A scope that does not grant `scope`, as near to it as can be."""
    if scope == FULL:
        return READ
    resource, _, access = scope.partition(":")
    if access == "write":
        return f"{resource}:read"
    return "events:write" if resource != "events" else "customers:write"


@pytest.mark.django_db
def test_each_operation_enforces_the_scope_the_schema_states() -> None:
    """Every operation, called with a key holding exactly the scope the schema states, passes
    the scope check (whatever it answers next: 404 for the made-up ids, 400 for the empty
    bodies); with a key holding a near miss, it is a 403 `missing_scope` naming that scope."""
    clients: dict[str, APIClient] = {}

    def client(scope: str) -> APIClient:
        if scope not in clients:
            _, raw = api_key_create(
                name=scope, scopes=[scope], actor=TEST_ACTOR, as_of=timezone.now()
            )
            clients[scope] = APIClient()
            clients[scope].credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return clients[scope]

    checked = 0
    for path, method, op in _operations():
        scope = op.get("x-required-scope")
        if scope is None:
            continue
        url = _concrete(path)
        data = QUERIES.get(url) if method == "get" else {}
        fmt = None if method == "get" else "json"
        passed = getattr(client(scope), method)(url, data=data, format=fmt)
        where = f"{method.upper()} {path}"
        assert passed.status_code != 403, (where, passed.content)
        refused = getattr(client(_lacking(scope)), method)(url, data=data, format=fmt)
        assert refused.status_code == 403, (where, refused.content)
        [error] = refused.json()["errors"]
        assert error["code"] == "missing_scope", where
        assert error["required_scope"] == scope, where
        assert f"`{scope}`" in error["message"], where
        checked += 1
    assert checked >= 150


# Written by hand, not derived from required_scope(): a wrong resource or access in the code
# (a view's permission model, scope_resource or scope_access) fails here.
HAND_TABLE = [
    ("get", "/api/v1/customers/", "customers:read"),
    ("post", "/api/v1/customers/", "customers:write"),
    ("get", "/api/v1/customers/{id}/usage/", "events:read"),
    ("post", "/api/v1/events", "events:write"),
    ("post", "/api/v1/events/batch", "events:write"),
    ("get", "/api/v1/invoices/{id}/pdf/", "invoices:read"),
    ("post", "/api/v1/corrections/rerate/", "invoices:write"),
    ("get", "/api/v1/customers/{id}/balance/", "payments:read"),
    ("post", "/api/v1/payments/{id}/refunds/", "payments:write"),
    ("put", "/api/v1/customers/{id}/dunning/", "dunning:write"),
    ("post", "/api/v1/customers/{id}/entitlements/block/", "customers:write"),
    ("get", "/api/v1/customers/{id}/entitlements/", "entitlements:read"),
    ("post", "/api/v1/pricing/rate/", "catalog:read"),
    ("post", "/api/v1/subscriptions/{id}/change/preview/", "subscriptions:read"),
    ("post", "/api/v1/subscriptions/{id}/change/", "subscriptions:write"),
    ("post", "/api/v1/portal-users/", "portal:write"),
    ("patch", "/api/v1/branding/", "branding:write"),
    ("get", "/api/v1/webhook-deliveries/", "webhooks:read"),
    ("post", "/api/v1/webhook-endpoints/{id}/replay/", "webhooks:write"),
    ("post", "/api/v1/test-clocks/{id}/advance/", "test_clocks:write"),
    ("get", "/api/v1/api-keys/", "full"),
    ("post", "/api/v1/api-keys/{id}/revoke/", "full"),
]


def _everything_but(scope: str) -> list[str]:
    """The widest set of scopes that does not grant `scope`."""
    if scope == FULL:
        return [READ, *(f"{r}:write" for r in SCOPED)]
    resource, _, access = scope.partition(":")
    held = [f"{r}:write" for r in SCOPED if r != resource]
    return held + ([f"{resource}:read"] if access == "write" else [])


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "expected"), HAND_TABLE)
def test_a_hand_written_table_of_routes_and_their_scopes(
    method: str, path: str, expected: str
) -> None:
    op = _schema()["paths"][path][method]
    assert op["x-required-scope"] == expected
    url = _concrete(path)
    assert required_scope(_view(url, method), method.upper()) == expected

    def call(scopes: list[str]) -> Any:
        _, raw = api_key_create(name="t", scopes=scopes, actor=TEST_ACTOR, as_of=timezone.now())
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return getattr(client, method)(url, data={} if method != "get" else None, format="json")

    assert call([expected]).status_code != 403
    refused = call(_everything_but(expected))
    assert refused.status_code == 403, refused.content
    [error] = refused.json()["errors"]
    assert (error["code"], error["required_scope"]) == ("missing_scope", expected)


@pytest.mark.parametrize(
    ("event_type", "subject", "scopes"),
    [
        ("customer.created", "customer", ["customers:read"]),
        ("wallet.granted", "customer", ["customers:read", "payments:read"]),
        ("usage.late_received", "customer", ["customers:read", "events:read"]),
        ("dunning.state_entered", "customer", ["customers:read", "dunning:read"]),
        ("invoice.paid", "invoice", ["invoices:read"]),
        ("credit_note.created", "invoice", ["invoices:read"]),
        ("refund.created", "refund", ["payments:read"]),
        ("subscription.created", "subscription", ["subscriptions:read"]),
        ("plan_version.published", "plan_version", ["catalog:read"]),
        ("ping", "webhook_endpoint", ["webhooks:read"]),
        ("api_key.created", "api_key", ["full"]),
        ("*", None, ["full"]),
        ("something.new", "a_new_subject", ["full"]),
    ],
)
def test_what_an_event_type_needs(event_type: str, subject: str | None, scopes: list[str]) -> None:
    assert event_type_scopes(event_type, subject) == scopes


def test_every_catalogued_event_type_has_a_resource() -> None:
    """A new subject type in integrations.event_types without a resource in core/api/scopes.py
    would need `full` to subscribe: fail here instead."""
    from integrations.event_types import EVENT_TYPES

    needs_full = sorted(t for t, e in EVENT_TYPES.items() if event_type_scopes(t, e.subject_type)
                        == [FULL])  # fmt: skip
    assert needs_full == ["api_key.created", "api_key.revoked", "api_key.updated"]
    for subject in {e.subject_type for e in EVENT_TYPES.values()}:
        assert subject in EVENT_SUBJECT_RESOURCES, subject
