"""Who may call what (issue 11, item 2): the authorization matrix over every route of /api/v1/.

The routes come from the URL resolver, so a new route is covered the day it is added. API keys
have full access (scopes come with the integration issue); a staff user's admin session has the
Django model permissions the admin asks for, and nothing more."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer
from billing.services import api_key_create, api_key_revoke
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITES)
# a value for each kind of path parameter: ids that do not exist (a read answers 404)
SAMPLE = {"int": "987654", "path": "nobody", "slug": "no-feature", "str": "nothing"}
# reads that need a query to reach the permission-checked lookup (else a 400 for a missing one)
QUERIES = {"/api/v1/entitlements/check/": {"customer": "nobody", "feature": "no-feature"}}


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _concrete(route: str) -> str:
    return re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route.replace("^", "")
    )


# authenticated by a signature instead of a key (tests/payments/test_stripe_webhooks.py)
SIGNED = ("/api/v1/webhooks/stripe/",)


def api_routes() -> list[tuple[str, str]]:
    """(path, method) for every operation under /api/v1/."""
    found = []
    for route, callback in _walk(get_resolver().url_patterns, "/"):
        if not route.startswith("/api/v1/") or route in SIGNED:
            continue
        view = getattr(callback, "cls", None) or callback.view_class
        found += [(_concrete(route), m) for m in METHODS if hasattr(view, m)]
    return sorted(set(found))


ROUTES = api_routes()


def test_the_matrix_covers_the_api() -> None:
    paths = {path for path, _ in ROUTES}
    assert len(ROUTES) >= 80, len(ROUTES)
    for expected in (
        "/api/v1/customers/987654/balance/",
        "/api/v1/customers/987654/archive/",
        "/api/v1/invoices/",
        "/api/v1/events/batch",
        "/api/v1/invoices/987654/lines/987654/",
    ):
        assert expected in paths, expected


def call(client: APIClient, path: str, method: str) -> Any:
    data = QUERIES.get(path) if method == "get" else {}
    return getattr(client, method)(path, data=data, format=None if method == "get" else "json")


def session(django_user_model: Any, name: str, perms: Any) -> APIClient:
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.user_permissions.set(perms)
    client = APIClient()  # CSRF is not enforced by the test client: the permission is what refuses
    client.force_login(user)
    return client


@pytest.fixture
def view_only(django_user_model: Any) -> APIClient:
    return session(
        django_user_model, "viewer", Permission.objects.filter(codename__startswith="view_")
    )


@pytest.fixture
def no_perms(django_user_model: Any) -> APIClient:
    return session(django_user_model, "nobody", [])


@pytest.fixture
def all_perms(django_user_model: Any) -> APIClient:
    """Every model permission, but not a superuser (who passes any permission check at all)."""
    return session(django_user_model, "finance-lead", Permission.objects.all())


@pytest.fixture
def revoked() -> APIClient:
    key, raw = api_key_create(name="old", actor=TEST_ACTOR, as_of=timezone.now())
    api_key_revoke(api_key_id=key.pk, actor=TEST_ACTOR, as_of=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _codes(client: APIClient) -> dict[tuple[str, str], int]:
    return {(path, method): call(client, path, method).status_code for path, method in ROUTES}


def _wrong(codes: dict[tuple[str, str], int], ok: Any) -> dict[str, int]:
    return {f"{m.upper()} {p}": c for (p, m), c in codes.items() if not ok(m, c)}


def test_no_credentials_is_401_everywhere(anon_api: APIClient) -> None:
    assert _wrong(_codes(anon_api), lambda m, c: c == 401) == {}


def test_a_revoked_key_is_401_everywhere(revoked: APIClient) -> None:
    assert _wrong(_codes(revoked), lambda m, c: c == 401) == {}


def test_a_session_without_permissions_is_403_everywhere(no_perms: APIClient) -> None:
    assert _wrong(_codes(no_perms), lambda m, c: c == 403) == {}


# POSTs that only compute and write nothing: a view permission is enough (review of issue 11)
READ_ONLY_POSTS = (
    "/api/v1/pricing/rate/", "/api/v1/plan-versions/987654/preview/",
    "/api/v1/subscriptions/987654/change/preview/",
    "/api/v1/imports/validate/",  # an import's dry run (issue 17)
)  # fmt: skip


def test_a_view_only_session_reads_and_never_writes(view_only: APIClient) -> None:
    codes = _codes(view_only)
    wrong = _wrong(codes, lambda m, c: c in ((200, 404) if m == "get" else (403,)))
    previews = {f"POST {path}" for path in READ_ONLY_POSTS}
    assert set(wrong) == previews
    assert all(wrong[route] in (200, 400, 404) for route in previews)  # past the permission


def test_every_route_resolves_to_a_model_permission(all_perms: APIClient) -> None:
    """A view whose model cannot be told refuses sessions: with every model permission, no route
    may still answer 403 (nor 401)."""
    assert _wrong(_codes(all_perms), lambda m, c: c not in (401, 403)) == {}


def test_an_api_key_passes_the_permission_check(api: APIClient) -> None:
    assert _wrong(_codes(api), lambda m, c: c not in (401, 403)) == {}


# ------------------------------------------------------------- the probe's own case, and the admin


@pytest.fixture
def acme() -> Customer:
    from billing.services import customer_create

    return customer_create(
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"external_id": "acme", "name": "Acme", "currency": "USD"},
    )


def test_view_customer_only_cannot_grant_credit_archive_or_list_invoices(
    django_user_model: Any, acme: Customer
) -> None:
    client = session(
        django_user_model, "clerk", Permission.objects.filter(codename="view_customer")
    )
    assert client.get(f"/api/v1/customers/{acme.pk}/").status_code == 200
    assert client.get("/api/v1/customers/").status_code == 200
    granted = client.post(
        f"/api/v1/customers/{acme.pk}/balance/",
        {"amount": "500.00", "reason": "probe"},
        format="json",
    )
    assert granted.status_code == 403
    assert granted.json()["errors"][0]["code"] == "permission_denied"
    assert (
        client.post(f"/api/v1/customers/{acme.pk}/archive/", {}, format="json").status_code == 403
    )
    assert client.get("/api/v1/invoices/").status_code == 403
    acme.refresh_from_db()
    assert acme.archived_at is None
    assert not acme.balance_transactions.exists()


def test_the_permission_the_admin_asks_for_lets_the_session_act(
    django_user_model: Any, acme: Customer
) -> None:
    perms = Permission.objects.filter(
        codename__in=["view_customer", "change_customer", "add_customerbalancetransaction"]
    )
    client = session(django_user_model, "lead", perms)
    assert (
        client.post(f"/api/v1/customers/{acme.pk}/archive/", {}, format="json").status_code == 200
    )
    granted = client.post(
        f"/api/v1/customers/{acme.pk}/balance/", {"amount": "5.00", "reason": "ok"}, format="json"
    )
    assert granted.status_code == 201, granted.content


def test_a_session_still_needs_its_csrf_token(django_user_model: Any, acme: Customer) -> None:
    user = django_user_model.objects.create_superuser("boss", "b@example.com", "pw")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    answer = client.post(f"/api/v1/customers/{acme.pk}/archive/", {}, format="json")
    assert answer.status_code == 403
    acme.refresh_from_db()
    assert acme.archived_at is None
