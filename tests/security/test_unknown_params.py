"""Issue 11, item 10: unknown query parameters and body fields are refused with a 400 naming them,
on every route; the documented filters are the ones that work; `limit` above its cap is a 400."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.billing.subs import customer, priced_plan

WRITE = ("post", "put", "patch")


def api_routes() -> Iterator[tuple[str, str]]:
    """(a concrete path, method) for every view method under /api/v1/, from the URL patterns
    themselves (not from the schema), so that no route escapes."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    for route, callback in walk(get_resolver().url_patterns, ""):
        if not route.startswith("api/v1/"):
            continue
        cls = callback.cls
        path = "/" + re.sub(r"<(?:[^>:]+:)?[^>]+>", "1", route)
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(cls, method):
                yield path, method


ROUTES = sorted(set(api_routes()))


def test_the_walk_finds_every_api_route() -> None:
    paths = {path for path, _ in ROUTES}
    assert len(ROUTES) >= 90
    for expected in ("/api/v1/events", "/api/v1/events/batch", "/api/v1/customers/1/"):
        assert expected in paths


def _named(response: Any, field: str, code: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    errors = response.json()["errors"]
    assert any(e["field"] == field and e["code"] == code for e in errors), errors


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), ROUTES)
def test_an_unknown_query_parameter_is_a_400_naming_it(
    api: APIClient, path: str, method: str
) -> None:
    send = getattr(api, method)
    kwargs: dict[str, Any] = {"format": "json"} if method in WRITE else {}
    response = send(f"{path}?bogus=1", {} if method in WRITE else None, **kwargs)
    _named(response, "bogus", "unknown_parameter")
    assert "bogus" in response.json()["errors"][0]["message"]


# a body that is another system's signed document (Stripe's events: Stripe adds fields in every
# API version) is not ours to refuse by field; its signature is checked (test_stripe_webhooks.py)
FOREIGN_BODIES = ("/api/v1/webhooks/stripe/",)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method"), [r for r in ROUTES if r[1] in WRITE and r[0] not in FOREIGN_BODIES]
)
def test_an_unknown_body_field_is_a_400_naming_it(api: APIClient, path: str, method: str) -> None:
    response = getattr(api, method)(path, {"bogus": 1}, format="json")
    _named(response, "bogus", "unknown_field")


@pytest.mark.django_db
def test_without_a_key_it_is_401_before_any_input_check(anon_api: APIClient) -> None:
    assert anon_api.get("/api/v1/customers/?bogus=1").status_code == 401
    assert anon_api.post("/api/v1/customers/", {"bogus": 1}, format="json").status_code == 401


@pytest.mark.django_db
def test_nested_unknown_fields_are_named_by_their_path(api: APIClient) -> None:
    c = customer()
    response = api.patch(
        f"/api/v1/customers/{c.pk}/",
        {"billing_address": {"country": "DE", "contry": "DE"}},
        format="json",
    )
    _named(response, "billing_address.contry", "unknown_field")
    # metadata takes any key: not an unknown field
    ok = api.patch(f"/api/v1/customers/{c.pk}/", {"metadata": {"anything": "x"}}, format="json")
    assert ok.status_code == 200, ok.json()


@pytest.mark.django_db
def test_an_event_s_unknown_field_in_a_batch_is_that_event_s_rejection(api: APIClient) -> None:
    customer(external_id="acme")
    batch = {"events": [{"event_id": "a", "customer": "acme", "metric": "m", "colour": "red"}]}
    response = api.post("/api/v1/events/batch", batch, format="json")
    assert response.status_code == 200, response.json()
    outcome = response.json()["events"][0]
    assert outcome["status"] == "rejected"
    assert outcome["errors"][0]["field"] == "colour"


@pytest.mark.django_db
def test_the_catalog_patch_refuses_unknown_fields_through_the_same_check(api: APIClient) -> None:
    product = api.post("/api/v1/products/", {"code": "p1", "name": "P"}, format="json").json()
    typo = api.patch(f"/api/v1/products/{product['id']}/", {"nmae": "Q"}, format="json")
    _named(typo, "nmae", "unknown_field")


# ------------------------------------------------------------------------ documented filters


def _events(api: APIClient) -> None:
    from tests.catalog.factories import metric as make_metric

    make_metric("api_calls")
    for external_id in ("acme", "globex"):
        customer(external_id=external_id)
        for n in range(2):
            event = {"event_id": f"{external_id}-{n}", "customer": external_id,
                     "metric": "api_calls", "properties": {"calls": 1}}  # fmt: skip
            assert api.post("/api/v1/events", event, format="json").status_code == 201


@pytest.mark.django_db
def test_events_filter_by_customer_and_metric(api: APIClient) -> None:
    _events(api)
    rows = api.get("/api/v1/events/", {"customer": "acme"}).json()["results"]
    assert sorted(r["event_id"] for r in rows) == ["acme-0", "acme-1"]
    assert api.get("/api/v1/events/", {"metric": "nothing"}).json()["results"] == []
    assert len(api.get("/api/v1/events/", {"metric": "api_calls"}).json()["results"]) == 4
    _named(
        api.get("/api/v1/events/", {"customer__external_id": "acme"}),
        "customer__external_id",
        "unknown_parameter",
    )


@pytest.mark.django_db
def test_invoices_filter_by_customer(api: APIClient) -> None:
    for external_id in ("acme", "globex"):
        customer(external_id=external_id)
        created = api.post("/api/v1/invoices/", {"customer": external_id}, format="json")
        assert created.status_code == 201, created.json()
    rows = api.get("/api/v1/invoices/", {"customer": "acme"}).json()["results"]
    assert [r["customer"] for r in rows] == ["acme"]
    assert api.get("/api/v1/invoices/", {"customer": "nobody"}).json()["results"] == []


@pytest.mark.django_db
def test_subscriptions_filter_by_customer_and_plan(api: APIClient) -> None:
    priced_plan("pro", "10.00")
    for external_id in ("acme", "globex"):
        customer(external_id=external_id)
        created = api.post(
            "/api/v1/subscriptions/", {"customer": external_id, "plan": "pro"}, format="json"
        )
        assert created.status_code == 201, created.json()
    rows = api.get("/api/v1/subscriptions/", {"customer": "acme"}).json()["results"]
    assert len(rows) == 1
    assert api.get("/api/v1/subscriptions/", {"plan": "basic"}).json()["results"] == []
    assert len(api.get("/api/v1/subscriptions/", {"plan": "pro"}).json()["results"]) == 2


# ----------------------------------------------------------------------------------- limit


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["501", "1000", "0", "-1", "abc", "1.5"])
def test_a_limit_outside_1_to_500_is_a_400(api: APIClient, limit: str) -> None:
    _named(api.get("/api/v1/customers/", {"limit": limit}), "limit", "invalid")


@pytest.mark.django_db
def test_a_limit_up_to_500_is_accepted(api: APIClient) -> None:
    customer()
    for limit in ("1", "500"):
        assert api.get("/api/v1/customers/", {"limit": limit}).status_code == 200


@pytest.mark.django_db
def test_an_integer_parameter_that_is_not_one_is_a_400(api: APIClient) -> None:
    _named(api.get("/api/v1/subscriptions/1/timeline/", {"periods": "x"}), "periods", "invalid")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/events/", "event_time__gte"),
        ("/api/v1/invoices/", "billing_date__lt"),
        ("/api/v1/customers/", "created_after"),
    ],
)
@pytest.mark.parametrize(
    "instant",
    ["2664-05-15T10:38:46.2+22:59", "0073-12-18T00:55:01-23:42", "0001-01-01T00:00:00+14:00"],
)
def test_an_instant_filter_postgresql_cannot_take_is_a_400_not_a_500(
    api: APIClient, path: str, name: str, instant: str
) -> None:
    """Found by schemathesis: offsets beyond ±15:59 reached PostgreSQL (DataError, 500)."""
    response = api.get(path, {name: instant})
    if response.status_code == 200:  # a far offset PostgreSQL can take once in UTC
        return
    _named(response, name, "invalid")


@pytest.mark.django_db
def test_a_staff_form_post_is_refused_in_the_error_shape(staff_user: Any) -> None:
    """The CSRF check of a session parses a form body; the input check reads only JSON bodies,
    so a form is DRF's 415, never a RawPostDataException."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(staff_user)
    client.get("/admin/")  # the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/customers/", {"csrfmiddlewaretoken": token, "name": "Form"}
    )  # multipart
    assert response.status_code in (400, 415), response.content[:300]


def _bodyless_routes() -> list[tuple[str, str]]:
    """Write routes whose operation documents no request body."""
    from core.api.strict import operations

    ops = operations()
    found = []
    for (key, method), op in ops.items():
        if method.lower() in WRITE and op.body is None:
            found.append((key, method))
    return sorted(found)


def test_some_write_routes_take_no_body() -> None:
    assert len(_bodyless_routes()) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["1", '"text"', "[1, 2]", "true"])
def test_a_body_where_none_is_taken_is_refused_not_ignored(api: APIClient, body: str) -> None:
    """A route that takes no body refuses one that is not an object, as it refuses an object's
    unknown fields: a client sending it meant something, and nothing would be done with it."""
    c = customer()
    response = api.post(
        f"/api/v1/customers/{c.pk}/dunning/evaluate/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["code"] == "unexpected_body", error
    # no body, an empty body and an empty object are all fine
    for empty in ("", "{}"):
        ok = api.post(
            f"/api/v1/customers/{c.pk}/dunning/evaluate/", empty, content_type="application/json"
        )
        assert ok.status_code < 300, ok.content
