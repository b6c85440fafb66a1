"""Restricted API keys (issue 15, items 2 and 6): scopes at work, expiry, IP allow-lists behind
proxies, and keys managed over REST and in the admin."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import ApiKey, JournalEvent
from billing.services import api_key_create
from billing.services.apikeys import api_key_update
from core.exceptions import Conflict, ValidationFailed
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


def keyed(scopes: list[str] | None = None, **options: Any) -> tuple[ApiKey, APIClient]:
    key, raw = api_key_create(
        name="k", scopes=scopes or ["full"], actor=TEST_ACTOR, as_of=timezone.now(), **options
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return key, client


def only_error(response: Any) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]  # type: ignore[no-any-return]


def event(event_id: str) -> dict[str, Any]:
    return {"event_id": event_id, "customer": "acme", "metric": "api_calls",
            "properties": {"calls": 3}}  # fmt: skip


@pytest.fixture
def acme(db: None) -> Any:
    metric("api_calls", aggregation="sum", field_name="calls")
    return CustomerFactory(external_id="acme")


# ------------------------------------------------------------------------------- scopes at work


def test_an_events_write_key_ingests_and_cannot_read_invoices(acme: Any) -> None:
    _, pipeline = keyed(["events:write"])
    assert pipeline.post("/api/v1/events", event("e1"), format="json").status_code == 201
    batch = pipeline.post("/api/v1/events/batch", {"events": [event("e2")]}, format="json")
    assert batch.status_code == 200, batch.content
    assert [e["status"] for e in batch.json()["events"]] == ["accepted"]
    assert pipeline.get("/api/v1/events/").status_code == 200  # write includes read

    refused = pipeline.get("/api/v1/invoices/")
    assert refused.status_code == 403
    error = only_error(refused)
    assert error["code"] == "missing_scope"
    assert error["required_scope"] == "invoices:read"
    assert "`invoices:read`" in error["message"]
    assert "`events:write`" in error["message"]
    assert pipeline.get(f"/api/v1/customers/{acme.pk}/").status_code == 403
    assert pipeline.get("/api/v1/invoices/1/pdf/").json()["errors"][0]["required_scope"] == (
        "invoices:read"
    )


def test_a_customers_current_usage_is_an_events_read(acme: Any) -> None:
    """GET /customers/{id}/usage/ is usage data: events:read (or events:write), not customers."""
    path = f"/api/v1/customers/{acme.pk}/usage/"
    for scopes in (["events:read"], ["events:write"], ["read"]):
        assert keyed(scopes)[1].get(path).status_code == 200, scopes
    refused = keyed(["customers:read"])[1].get(path)
    assert refused.status_code == 403
    assert only_error(refused)["required_scope"] == "events:read"


def test_a_read_key_reads_everything_and_writes_nothing(acme: Any) -> None:
    _, reporting = keyed(["read"])
    for path in ("/api/v1/customers/", "/api/v1/invoices/", "/api/v1/payments/",
                 "/api/v1/events/", "/api/v1/plans/", f"/api/v1/customers/{acme.pk}/"):  # fmt: skip
        assert reporting.get(path).status_code == 200, path
    writes = [
        ("post", "/api/v1/customers/", "customers:write"),
        ("patch", f"/api/v1/customers/{acme.pk}/", "customers:write"),
        ("post", "/api/v1/events", "events:write"),
        ("post", f"/api/v1/customers/{acme.pk}/archive/", "customers:write"),
    ]
    for method, path, scope in writes:
        response = getattr(reporting, method)(path, {}, format="json")
        assert response.status_code == 403, path
        assert only_error(response)["required_scope"] == scope
    acme.refresh_from_db()
    assert not acme.is_archived
    # a price is computed, not written: a read
    rate = reporting.post("/api/v1/pricing/rate/", {}, format="json")
    assert rate.status_code == 400  # past the scope check, to the body's validation
    # the keys themselves: `full` only
    assert only_error(reporting.get("/api/v1/api-keys/"))["required_scope"] == "full"


def test_scopes_combine_and_the_refusal_runs_before_the_input_checks(acme: Any) -> None:
    _, client = keyed(["read", "events:write"])
    assert client.post("/api/v1/events", event("e1"), format="json").status_code == 201
    assert client.get("/api/v1/invoices/").status_code == 200
    # an unknown field or parameter is not looked at before the scope: a caller learns nothing
    response = client.post("/api/v1/customers/", {"bogus": 1}, format="json")
    assert only_error(response)["code"] == "missing_scope"
    assert only_error(client.get("/api/v1/api-keys/?bogus=1"))["code"] == "missing_scope"


def test_a_change_of_scopes_applies_to_the_next_request(acme: Any) -> None:
    key, client = keyed(["customers:read"])
    assert client.get("/api/v1/customers/").status_code == 200
    api_key_update(
        api_key_id=key.pk, changes={"scopes": ["invoices:read"]}, actor=TEST_ACTOR,
        as_of=timezone.now(),
    )  # fmt: skip
    assert client.get("/api/v1/customers/").status_code == 403
    assert client.get("/api/v1/invoices/").status_code == 200


# ------------------------------------------------------------------------------------- expiry


def test_an_expired_key_is_401_naming_when() -> None:
    start = timezone.now()
    key, client = keyed(expires_at=start + timedelta(hours=1))
    assert client.get("/api/v1/customers/").status_code == 200
    with time_machine.travel(start + timedelta(hours=1, seconds=1)):
        response = client.get("/api/v1/customers/")
    assert response.status_code == 401
    error = only_error(response)
    assert error["code"] == "api_key_expired"
    assert error["message"] == (
        f"API key {key.prefix} expired on {key.expires_at.isoformat()}."  # type: ignore[union-attr]
    )
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expiry_must_be_in_the_future() -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as past:
        api_key_create(name="x", expires_at=now, actor=TEST_ACTOR, as_of=now)
    assert (past.value.field, past.value.code) == ("expires_at", "in_the_past")


# ------------------------------------------------------------------------------ IP allow-lists


def test_the_allow_list_takes_addresses_and_networks(settings: Any) -> None:
    key, client = keyed(allowed_ips=["203.0.113.0/24", "2001:db8::1", "198.51.100.7"])
    assert key.allowed_ips == ["203.0.113.0/24", "2001:db8::1", "198.51.100.7"]
    ok = ("203.0.113.9", "203.0.113.255", "2001:0db8:0:0::1", "198.51.100.7", "::ffff:203.0.113.5")
    for address in ok:
        response = client.get("/api/v1/customers/", REMOTE_ADDR=address)
        assert response.status_code == 200, address
    for address in ("203.0.114.1", "198.51.100.8", "2001:db8::2", "10.0.0.1"):
        response = client.get("/api/v1/customers/", REMOTE_ADDR=address)
        assert response.status_code == 403, address
        error = only_error(response)
        assert error["code"] == "ip_not_allowed"
        assert address in error["message"]
    key.refresh_from_db()
    assert key.last_used_at is not None  # the accepted requests were uses


def test_a_refused_request_is_not_a_use_of_the_key() -> None:
    key, client = keyed(allowed_ips=["203.0.113.7"])
    assert client.get("/api/v1/customers/", REMOTE_ADDR="192.0.2.1").status_code == 403
    key.refresh_from_db()
    assert key.last_used_at is None


def test_the_client_address_behind_trusted_proxies(settings: Any) -> None:
    """The same client address as the portal's (core/request_ips.py): without trusted proxies
    X-Forwarded-For is the client's word and ignored; with them, read from the right while each
    hop is a trusted proxy (10.0.0.0/8 is one by default)."""
    _, client = keyed(allowed_ips=["203.0.113.0/24"])
    proxy = "10.0.0.1"
    assert settings.TRUSTED_PROXY_COUNT == 0
    spoofed = client.get(
        "/api/v1/customers/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert spoofed.status_code == 403
    assert proxy in only_error(spoofed)["message"]

    settings.TRUSTED_PROXY_COUNT = 1
    through = client.get(
        "/api/v1/customers/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert through.status_code == 200
    # a client writing an allowed address left of its own does not pass
    forged = client.get(
        "/api/v1/customers/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.66"
    )
    assert forged.status_code == 403
    assert "192.0.2.66" in only_error(forged)["message"]

    settings.TRUSTED_PROXY_COUNT = 2
    two = client.get(
        "/api/v1/customers/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2"
    )
    assert two.status_code == 200


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("10.0.0.5/24", "did you mean '10.0.0.0/24'"),
        ("not-an-ip", "neither an IP address nor a CIDR network"),
        ("300.1.1.1", "neither"),
        ("10.0.0.0/33", "neither"),
    ],
)
def test_the_allow_list_is_validated(entry: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as bad:
        api_key_create(
            name="x", allowed_ips=["192.0.2.1", entry], actor=TEST_ACTOR, as_of=timezone.now()
        )
    assert (bad.value.field, bad.value.code) == ("allowed_ips[1]", "invalid_ip")
    assert message in bad.value.message


# ------------------------------------------------------------------------------ keys over REST


def test_a_full_key_creates_changes_and_revokes_keys(api: APIClient) -> None:
    created = api.post(
        "/api/v1/api-keys/",
        {"name": "metering", "scopes": ["events:write"], "allowed_ips": ["203.0.113.0/24"],
         "expires_at": (timezone.now() + timedelta(days=30)).isoformat()},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    secret = body["secret"]
    assert re.fullmatch(r"bk_[0-9a-f]{12}_[A-Za-z0-9_-]{32,}", secret)
    assert body["scopes"] == ["events:write"]
    assert body["state"] == "active"
    assert body["allowed_ips"] == ["203.0.113.0/24"]
    assert body["created_by"] is None
    key_id = body["id"]

    listed = api.get("/api/v1/api-keys/").json()
    assert secret not in json.dumps(listed)
    assert {k["name"] for k in listed["results"]} == {"tests", "metering"}
    detail = api.get(f"/api/v1/api-keys/{key_id}/").json()
    assert "secret" not in detail
    assert detail["prefix"] == body["prefix"]

    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert new.get("/api/v1/events/", REMOTE_ADDR="203.0.113.1").status_code == 200

    changed = api.patch(
        f"/api/v1/api-keys/{key_id}/",
        {"scopes": ["read", "events:write"], "allowed_ips": [], "expires_at": None},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["scopes"] == ["read", "events:write"]
    assert changed.json()["expires_at"] is None
    assert changed.json()["allowed_ips"] == []
    event = JournalEvent.objects.get(type="api_key.updated", subject_id=str(key_id))
    assert event.payload["changes"]["scopes"] == [["events:write"], ["read", "events:write"]]
    assert event.payload["changes"]["allowed_ips"] == [["203.0.113.0/24"], []]
    assert "secret" not in json.dumps(event.payload)
    key = ApiKey.objects.get(pk=key_id)
    history = list(key.events.order_by("pgh_id").values_list("pgh_label", "scopes"))  # type: ignore[attr-defined]
    assert history == [("insert", ["events:write"]), ("update", ["read", "events:write"])]
    assert new.get("/api/v1/invoices/", REMOTE_ADDR="192.0.2.1").status_code == 200

    revoked = api.post(f"/api/v1/api-keys/{key_id}/revoke/", {"reason": "rotated"}, format="json")
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    assert new.get("/api/v1/events/").status_code == 401
    again = api.post(f"/api/v1/api-keys/{key_id}/revoke/", {}, format="json")
    assert again.status_code == 409
    late = api.patch(f"/api/v1/api-keys/{key_id}/", {"name": "x"}, format="json")
    assert (late.status_code, only_error(late)["code"]) == (409, "revoked")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "x", "scopes": ["read", "invoices:delete"]}, "scopes[1]", "unknown_scope"),
        ({"name": "x", "scopes": ["full", "read"]}, "scopes", "invalid"),
        ({"name": "x", "scopes": []}, "scopes", "required"),
        (
            {"name": "x", "scopes": ["read"], "allowed_ips": ["10.0.0.1/8"]},
            "allowed_ips[0]",
            "invalid_ip",
        ),
        (
            {"name": "x", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"},
            "expires_at",
            "in_the_past",
        ),
        (
            {"name": "x", "scopes": ["read"], "secret": "bk_000000000000_mine"},
            "secret",
            "unknown_field",
        ),
        ({"name": "x"}, "scopes", "required"),
        ({"scopes": ["read"]}, "name", "required"),
    ],
)
def test_bad_key_input_is_a_400_naming_the_field(
    api: APIClient, body: dict[str, Any], field: str, code: str
) -> None:
    response = api.post("/api/v1/api-keys/", body, format="json")
    assert response.status_code == 400, response.content
    error = only_error(response)
    assert (error["field"], error["code"]) == (field, code), error
    assert ApiKey.objects.count() == 1  # the test's own


def test_a_scoped_key_can_never_grant_scopes_it_lacks(acme: Any) -> None:
    key, client = keyed(["read", "events:write", "customers:write"])
    for method, path, body in [
        ("post", "/api/v1/api-keys/", {"name": "escalate", "scopes": ["full"]}),
        ("patch", f"/api/v1/api-keys/{key.pk}/", {"scopes": ["full"]}),
        ("post", f"/api/v1/api-keys/{key.pk}/revoke/", {}),
    ]:
        response = getattr(client, method)(path, body, format="json")
        assert response.status_code == 403, path
        assert only_error(response)["required_scope"] == "full"
    key.refresh_from_db()
    assert key.scopes == ["read", "customers:write", "events:write"]  # the vocabulary's order
    assert ApiKey.objects.count() == 1


def restricted_full_key() -> tuple[ApiKey, APIClient]:
    expiry = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    return keyed(["full"], expires_at=expiry, allowed_ips=["203.0.113.0/24", "2001:db8::/32"])


FROM_ALLOWED = {"REMOTE_ADDR": "203.0.113.5"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"allowed_ips": []}, "allowed_ips"),
        ({"allowed_ips": ["203.0.113.0/24", "198.51.100.0/24"]}, "allowed_ips[1]"),
        ({"allowed_ips": ["203.0.0.0/16"]}, "allowed_ips[0]"),
        ({"expires_at": None}, "expires_at"),
        ({"expires_at": "2099-01-01T00:00:00Z"}, "expires_at"),
    ],
)
def test_a_restricted_key_cannot_shed_its_own_restrictions(
    changes: dict[str, Any], field: str
) -> None:
    key, client = restricted_full_key()
    before = (key.expires_at, key.allowed_ips)
    response = client.patch(f"/api/v1/api-keys/{key.pk}/", changes, format="json", **FROM_ALLOWED)
    assert response.status_code == 403, response.content
    error = only_error(response)
    assert (error["code"], error["field"]) == ("cannot_grant", field), error
    key.refresh_from_db()
    assert (key.expires_at, key.allowed_ips) == before
    assert not JournalEvent.objects.filter(type="api_key.updated").exists()


def test_a_restricted_key_may_narrow_itself_and_rename_others(api_key: Any) -> None:
    key, client = restricted_full_key()
    assert key.expires_at is not None
    sooner = (key.expires_at - timedelta(days=1)).isoformat()
    narrowed = client.patch(
        f"/api/v1/api-keys/{key.pk}/",
        {"allowed_ips": ["203.0.113.0/25"], "expires_at": sooner, "name": "narrow"},
        format="json", **FROM_ALLOWED,
    )  # fmt: skip
    assert narrowed.status_code == 200, narrowed.content
    assert narrowed.json()["allowed_ips"] == ["203.0.113.0/25"]
    # another, unrestricted key: its name may change, not its reach
    other = api_key[0]
    url = f"/api/v1/api-keys/{other.pk}/"
    assert client.patch(url, {"name": "renamed"}, format="json", **FROM_ALLOWED).status_code == 200
    widened = client.patch(url, {"scopes": ["read"]}, format="json", **FROM_ALLOWED)
    assert widened.status_code == 403
    assert only_error(widened)["field"] == "expires_at"  # the result would not expire
    other.refresh_from_db()
    assert (other.name, other.scopes) == ("renamed", ["full"])


def test_a_key_made_by_a_restricted_key_is_bounded_by_it() -> None:
    key, client = restricted_full_key()
    assert key.expires_at is not None
    later = (key.expires_at + timedelta(seconds=1)).isoformat()
    within = (key.expires_at - timedelta(hours=1)).isoformat()
    for body, field in [
        ({"scopes": ["full"]}, "expires_at"),
        ({"scopes": ["full"], "expires_at": later, "allowed_ips": ["203.0.113.7"]}, "expires_at"),
        ({"scopes": ["read"], "expires_at": within}, "allowed_ips"),
        ({"scopes": ["read"], "expires_at": within, "allowed_ips": ["10.0.0.0/8"]},
         "allowed_ips[0]"),
    ]:  # fmt: skip
        response = client.post(
            "/api/v1/api-keys/", {"name": "child", **body}, format="json", **FROM_ALLOWED
        )
        assert response.status_code == 403, (body, response.content)
        assert (only_error(response)["code"], only_error(response)["field"]) == (
            "cannot_grant", field,
        ), body  # fmt: skip
    assert not ApiKey.objects.filter(name="child").exists()
    made = client.post(
        "/api/v1/api-keys/",
        {"name": "child", "scopes": ["full"], "expires_at": key.expires_at.isoformat(),
         "allowed_ips": ["203.0.113.7", "2001:db8:1::/48"]},
        format="json", **FROM_ALLOWED,
    )  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["allowed_ips"] == ["203.0.113.7", "2001:db8:1::/48"]


def staff_with(django_user_model: Any, *codenames: str) -> tuple[Any, APIClient]:
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_login(user)
    return user, client


CUSTOMER_MODELS = ("customer", "couponredemption", "customernote")  # the resource `customers`


def test_what_a_staff_user_may_grant(django_user_model: Any) -> None:
    """`full`: superusers only; `<r>:read`: the view permission of each of the resource's models;
    `<r>:write`: all four (view, add, change, delete); `read`: view on every resource's."""
    _, client = staff_with(
        django_user_model, "add_apikey", "view_apikey", "change_apikey",
        *(f"view_{m}" for m in CUSTOMER_MODELS),
    )  # fmt: skip

    def create(scopes: list[str]) -> Any:
        return client.post("/api/v1/api-keys/", {"name": "s", "scopes": scopes}, format="json")

    full = create(["full"])
    assert full.status_code == 403
    error = only_error(full)
    assert (error["code"], error["field"]) == ("cannot_grant", "scopes[0]")
    assert "superuser" in error["message"]
    write = create(["customers:read", "customers:write"])
    assert write.status_code == 403
    error = only_error(write)
    assert error["field"] == "scopes[1]"
    assert "billing.add_customer" in error["message"]
    read_all = create(["read"])
    assert read_all.status_code == 403
    assert "you lack catalog.view_currency" in only_error(read_all)["message"]
    assert not ApiKey.objects.exists()
    made = create(["customers:read"])
    assert made.status_code == 201, made.content
    # nor may the user widen an existing key: a change of scopes is a grant
    key_id = made.json()["id"]
    patched = client.patch(f"/api/v1/api-keys/{key_id}/", {"scopes": ["full"]}, format="json")
    assert patched.status_code == 403
    renamed = client.patch(f"/api/v1/api-keys/{key_id}/", {"name": "t"}, format="json")
    assert renamed.status_code == 200


def test_a_superuser_grants_anything(django_user_model: Any) -> None:
    root = django_user_model.objects.create_superuser("root", "r@example.com", "pw")
    client = APIClient()
    client.force_login(root)
    made = client.post("/api/v1/api-keys/", {"name": "f", "scopes": ["full"]}, format="json")
    assert made.status_code == 201, made.content


def test_staff_sessions_need_the_api_key_permissions(django_user_model: Any) -> None:
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("ops", "ops@example.com", "pw", is_staff=True)
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/api-keys/").status_code == 403
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_apikey",
                "add_apikey",
                "view_customer",
                "view_couponredemption",
                "view_customernote",
            ]
        )
    )
    client.force_login(django_user_model.objects.get(pk=user.pk))
    assert client.get("/api/v1/api-keys/").status_code == 200
    created = client.post(
        "/api/v1/api-keys/", {"name": "by staff", "scopes": ["customers:read"]}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["created_by"] == "ops"
    key_id = created.json()["id"]
    assert client.post(f"/api/v1/api-keys/{key_id}/revoke/", {}, format="json").status_code == 403


def test_a_retried_creation_never_shows_the_secret_again(api: APIClient) -> None:
    from core.models import IdempotencyKey

    headers = {"HTTP_IDEMPOTENCY_KEY": "create-metering-1"}
    body = {"name": "m", "scopes": ["events:write"]}
    first = api.post("/api/v1/api-keys/", body, format="json", **headers)
    assert first.status_code == 201
    again = api.post("/api/v1/api-keys/", body, format="json", **headers)
    assert again.status_code == 409
    assert only_error(again)["code"] == "secret_shown_once"
    assert again["Idempotent-Replayed"] == "true"
    stored = b"".join(bytes(r.response_body) for r in IdempotencyKey.objects.all())
    assert first.json()["secret"].encode() not in stored
    assert ApiKey.objects.filter(name="m").count() == 1


def test_the_update_service_refuses_what_cannot_change() -> None:
    key, _ = keyed()
    with pytest.raises(ValidationFailed) as bad:
        api_key_update(
            api_key_id=key.pk, changes={"prefix": "x"}, actor=TEST_ACTOR, as_of=timezone.now()
        )
    assert bad.value.field == "prefix"
    same = api_key_update(
        api_key_id=key.pk, changes={"name": "k"}, actor=TEST_ACTOR, as_of=timezone.now()
    )
    assert same.name == "k"
    assert not JournalEvent.objects.filter(type="api_key.updated").exists()  # nothing changed
    key.revoked_at = timezone.now()
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=key.revoked_at)
    with pytest.raises(Conflict):
        api_key_update(
            api_key_id=key.pk, changes={"name": "y"}, actor=TEST_ACTOR, as_of=timezone.now()
        )


def test_an_idempotent_replay_checks_the_scopes_of_now(acme: Any) -> None:
    """A stored answer is replayed only to a caller still allowed to make the request: a key
    whose scopes were reduced gets the view's 403, not the stored 201."""
    key, client = keyed(["customers:write"])
    body = {"external_id": "idem-scope", "name": "Idem", "email": "i@example.com",
            "currency": "USD"}  # fmt: skip
    headers = {"HTTP_IDEMPOTENCY_KEY": "reduced-scope-1"}
    first = client.post("/api/v1/customers/", body, format="json", **headers)
    assert first.status_code == 201, first.content
    assert client.post("/api/v1/customers/", body, format="json", **headers).status_code == 201
    api_key_update(
        api_key_id=key.pk, changes={"scopes": ["customers:read"]}, actor=TEST_ACTOR,
        as_of=timezone.now(),
    )  # fmt: skip
    again = client.post("/api/v1/customers/", body, format="json", **headers)
    assert again.status_code == 403
    assert "Idempotent-Replayed" not in again
    assert only_error(again)["required_scope"] == "customers:write"
    # a different body with the same key: still the 403, not the 422 (nothing is learnt)
    other = client.post("/api/v1/customers/", {**body, "name": "X"}, format="json", **headers)
    assert other.status_code == 403


def test_an_idempotent_replay_checks_a_staff_users_permissions_of_now(
    django_user_model: Any,
) -> None:
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("clerk", "c@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="add_customer"))
    client = APIClient()
    client.force_login(user)
    body = {"external_id": "idem-staff", "name": "Idem", "email": "i@example.com",
            "currency": "USD"}  # fmt: skip
    headers = {"HTTP_IDEMPOTENCY_KEY": "staff-1"}
    assert client.post("/api/v1/customers/", body, format="json", **headers).status_code == 201
    user.user_permissions.clear()
    client.force_login(django_user_model.objects.get(pk=user.pk))
    again = client.post("/api/v1/customers/", body, format="json", **headers)
    assert again.status_code == 403
    assert "Idempotent-Replayed" not in again


# ------------------------------------------------------------------------------------ the admin


def test_the_admin_creates_a_restricted_key_and_edits_it(staff_client: Any) -> None:
    expires = timezone.localtime(timezone.now() + timedelta(days=7))
    response = staff_client.post(
        reverse("admin:billing_apikey_add"),
        {"name": "pipeline", "scopes": ["events:write", "customers:read"],
         "expires_at_0": expires.strftime("%Y-%m-%d"), "expires_at_1": "12:00:00",
         "allowed_ips": "203.0.113.0/24\n\n 2001:db8::/32 \n"},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    match = re.search(r"<code id='new-api-key'>(bk_[0-9a-f]{12}_[A-Za-z0-9_-]+)</code>", html)
    assert match, html
    key = ApiKey.objects.get(name="pipeline")
    assert key.scopes == ["customers:read", "events:write"]
    assert key.allowed_ips == ["203.0.113.0/24", "2001:db8::/32"]
    assert key.expires_at is not None
    assert key.expires_at.date() == expires.date()
    assert key.created_by is not None

    page = staff_client.get(reverse("admin:billing_apikey_change", args=[key.pk]))
    assert page.status_code == 200
    assert "203.0.113.0/24\n2001:db8::/32" in page.content.decode()
    assert match.group(1) not in page.content.decode()

    edited = staff_client.post(
        reverse("admin:billing_apikey_change", args=[key.pk]),
        {"name": "pipeline", "scopes": ["read"], "expires_at_0": "", "expires_at_1": "",
         "allowed_ips": "203.0.113.0/24\n2001:db8::/32"},
    )  # fmt: skip
    assert edited.status_code == 302, edited.content.decode()
    key.refresh_from_db()
    assert key.scopes == ["read"]
    assert key.expires_at is None
    event = JournalEvent.objects.get(type="api_key.updated")
    assert set(event.payload["changes"]) == {"scopes", "expires_at"}


def test_the_secret_shown_once_never_travels_in_a_cookie(staff_client: Any) -> None:
    """The admin shows a new key once, through `messages`: kept in the session (server side),
    not in the signed but readable messages cookie (MESSAGE_STORAGE)."""
    response = staff_client.post(
        reverse("admin:billing_apikey_add"), {"name": "cookie", "scopes": ["read"]}
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    shown = staff_client.get(response["Location"]).content.decode()
    match = re.search(r"<code id='new-api-key'>(bk_[0-9a-f]{12}_[A-Za-z0-9_-]+)</code>", shown)
    assert match, shown
    assert match.group(1) not in str(response.cookies)
    assert not any(match.group(1) in str(c.value) for c in staff_client.cookies.values())


def test_the_admin_shows_a_refusal_on_its_field(staff_client: Any) -> None:
    response = staff_client.post(
        reverse("admin:billing_apikey_add"),
        {"name": "bad", "scopes": ["full", "read"], "allowed_ips": "10.0.0.1/8"},
    )
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["scopes"]
    assert "`full` grants everything" in message
    assert not ApiKey.objects.filter(name="bad").exists()
    response = staff_client.post(
        reverse("admin:billing_apikey_add"),
        {"name": "bad", "scopes": ["read"], "allowed_ips": "10.0.0.1/8"},
    )
    [message] = response.context["adminform"].form.errors["allowed_ips"]
    assert "did you mean '10.0.0.0/8'" in message


def test_the_admin_asks_for_scopes_and_grants_only_what_the_user_may(
    staff_client: Any, django_user_model: Any
) -> None:
    add = reverse("admin:billing_apikey_add")
    page = staff_client.get(add).content.decode()
    assert not re.search(r'<input[^>]*value="full"[^>]*checked', page)  # no default
    missing = staff_client.post(add, {"name": "none"})
    assert missing.status_code == 200
    assert "scopes" in missing.context["adminform"].form.errors
    assert not ApiKey.objects.filter(name="none").exists()

    user, _ = staff_with(django_user_model, "add_apikey", "view_apikey", "change_apikey")
    from django.test import Client

    clerk = Client()
    clerk.force_login(user)
    refused = clerk.post(add, {"name": "mine", "scopes": ["full"]})
    assert refused.status_code == 200
    [message] = refused.context["adminform"].form.errors["scopes"]
    assert "superuser" in message
    assert not ApiKey.objects.filter(name="mine").exists()


def test_a_revoked_key_is_read_only_in_the_admin(staff_client: Any) -> None:
    from billing.services import api_key_revoke

    key, _ = keyed(["read"])
    api_key_revoke(api_key_id=key.pk, actor=TEST_ACTOR, as_of=timezone.now())
    url = reverse("admin:billing_apikey_change", args=[key.pk])
    assert staff_client.get(url).status_code == 200
    refused = staff_client.post(url, {"name": "again", "scopes": ["full"]})
    assert refused.status_code == 403
    key.refresh_from_db()
    assert key.scopes == ["read"]


# --------------------------------------------------- webhooks: only events the key may read

HOOK_URL = "https://93.184.215.14/hook"  # a public address literal: no DNS in the tests
ENDPOINTS = "/api/v1/webhook-endpoints/"


def event_of(type_: str, subject_type: str, subject_id: object = 1) -> int:
    from django.db import transaction

    from billing.services.journal import journal_write

    with transaction.atomic():
        return journal_write(
            type=type_, subject_type=subject_type, subject_id=subject_id, payload={},
            actor=TEST_ACTOR, occurred_at=timezone.now(),
        ).pk  # fmt: skip


def hook_of_full_key(event_types: list[str]) -> int:
    from integrations.webhook_services import webhook_endpoint_create

    endpoint, _ = webhook_endpoint_create(
        url=HOOK_URL, description="ops", event_types=event_types, actor=TEST_ACTOR,
        as_of=timezone.now(),
    )  # fmt: skip
    return endpoint.pk


def refused_for(response: Any, scope: str, field: str) -> None:
    assert response.status_code == 403, response.content
    error = only_error(response)
    assert (error["code"], error["required_scope"], error["field"]) == (
        "missing_scope", scope, field,
    ), error  # fmt: skip


def test_an_endpoint_subscribes_only_to_events_its_key_may_read() -> None:
    """webhooks:write is not a way to read everything: each event type needs the read scope of
    what it shows (its subject's resource, and for a customer's wallet, dunning or usage events
    that resource's too); `*` (every type, API keys' included) needs `full`."""
    from integrations.models import WebhookEndpoint

    _, client = keyed(["webhooks:write", "invoices:read"])

    def create(types: list[str]) -> Any:
        return client.post(ENDPOINTS, {"url": HOOK_URL, "event_types": types}, format="json")

    ok = create(["invoice.paid", "credit_note.created", "webhook_endpoint.updated"])
    assert ok.status_code == 201, ok.content
    refused_for(create(["*"]), "full", "event_types")
    refused_for(create(["invoice.paid", "customer.created"]), "customers:read", "event_types[1]")
    refused_for(create(["payment.succeeded"]), "payments:read", "event_types[0]")
    refused_for(create(["api_key.created"]), "full", "event_types[0]")
    message = only_error(create(["customer.created"]))["message"]
    assert "`customer.created`" in message
    assert "`customers:read`" in message
    assert WebhookEndpoint.objects.count() == 1

    _, reader = keyed(["customers:read", "webhooks:write"])
    wallet = reader.post(
        ENDPOINTS, {"url": HOOK_URL, "event_types": ["wallet.granted"]}, format="json"
    )
    refused_for(wallet, "payments:read", "event_types[0]")  # a customer's, and payments'

    _, everything = keyed(["read", "webhooks:write"])
    assert (
        everything.post(ENDPOINTS, {"url": HOOK_URL, "event_types": ["*"]}, format="json")
        .status_code == 403
    )  # fmt: skip
    many = ["customer.created", "wallet.granted", "dunning.state_entered", "usage.late_received"]
    made = everything.post(ENDPOINTS, {"url": HOOK_URL, "event_types": many}, format="json")
    assert made.status_code == 201, made.content


def test_a_key_changes_tests_and_replays_only_endpoints_whose_events_it_may_read() -> None:
    from integrations.models import WebhookDelivery, WebhookEndpoint

    _, client = keyed(["webhooks:write", "invoices:read"])
    everything = hook_of_full_key(["*"])
    # pointing an endpoint of every event at one's own server: refused
    moved = client.patch(f"{ENDPOINTS}{everything}/", {"url": HOOK_URL + "2"}, format="json")
    refused_for(moved, "full", "event_types")
    assert WebhookEndpoint.objects.get(pk=everything).url == HOOK_URL
    since = {"since": "1970-01-01T00:00:00Z"}
    refused_for(
        client.post(f"{ENDPOINTS}{everything}/replay/", since, format="json"),
        "full", "event_types",
    )  # fmt: skip
    refused_for(client.post(f"{ENDPOINTS}{everything}/test/"), "full", "event_types")

    mine = client.post(ENDPOINTS, {"url": HOOK_URL, "event_types": ["invoice.paid"]}, format="json")
    hook = mine.json()["id"]
    widened = client.patch(f"{ENDPOINTS}{hook}/", {"event_types": ["*"]}, format="json")
    refused_for(widened, "full", "event_types")
    # any event by its id: only one the key may read
    customer_event = event_of("customer.created", "customer")
    refused_for(
        client.post(f"{ENDPOINTS}{hook}/replay/", {"event": f"evt_{customer_event}"},
                    format="json"),
        "customers:read", "event",
    )  # fmt: skip
    # a delivery from before its types were narrowed: its event is checked too
    key_event = event_of("api_key.created", "api_key")
    old = WebhookDelivery.objects.create(
        endpoint_id=hook, event_id=key_event, event_type="api_key.created",
        subject=f"api_key:{key_event}", status="failed", created_at=timezone.now(),
    )  # fmt: skip
    refused_for(
        client.post(f"{ENDPOINTS}{hook}/replay/", {"delivery": old.pk}, format="json"),
        "full", "delivery",
    )  # fmt: skip
    assert WebhookDelivery.objects.filter(kind="replay").count() == 0

    invoice_event = event_of("invoice.paid", "invoice")
    replayed = client.post(
        f"{ENDPOINTS}{hook}/replay/", {"event": f"evt_{invoice_event}"}, format="json"
    )
    assert replayed.status_code == 202, replayed.content
    assert client.post(f"{ENDPOINTS}{hook}/replay/", since, format="json").status_code == 202
    assert client.post(f"{ENDPOINTS}{hook}/test/").status_code == 202


def test_staff_sessions_subscribe_with_the_model_permissions(django_user_model: Any) -> None:
    _, client = staff_with(django_user_model, "add_webhookendpoint", "view_webhookendpoint")
    made = client.post(ENDPOINTS, {"url": HOOK_URL, "event_types": ["*"]}, format="json")
    assert made.status_code == 201, made.content
