from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent
from billing.services import api_key_revoke
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def payload(**overrides: Any) -> dict[str, Any]:
    data = {
        "external_id": "cus-42",
        "name": "Acme Corp",
        "email": "ap@acme.example",
        "currency": "usd",
        "timezone": "America/New_York",
        "locale": "en-US",
        "billing_address": {"line1": "1 Main St", "city": "Springfield", "country": "us"},
        "payment_terms_days": 14,
        "invoice_grace_period_days": 2,
        "metadata": {"crm": "hubspot-123"},
    }
    data.update(overrides)
    return data


def only_error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert list(body) == ["errors", "request_id"]
    assert body["request_id"] == response["Request-Id"]
    assert len(body["errors"]) == 1, body
    return body["errors"][0]  # type: ignore[no-any-return]


def test_create_retrieve_by_id_and_external_id(api: APIClient) -> None:
    response = api.post(URL, payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["currency"] == "USD"
    assert body["billing_address"]["country"] == "US"
    assert body["metadata"] == {"crm": "hubspot-123"}
    assert body["archived_at"] is None

    by_id = api.get(f"{URL}{body['id']}/").json()
    by_external = api.get(f"{URL}external/cus-42/").json()
    assert by_id == by_external == body

    event = JournalEvent.objects.get(type="customer.created")
    assert event.subject_id == str(body["id"])
    assert event.payload["customer"]["external_id"] == "cus-42"
    assert event.actor["kind"] == "api_key"


def test_defaults_apply_when_optional_fields_are_left_out(api: APIClient) -> None:
    response = api.post(URL, {"external_id": "min", "name": "M", "currency": "EUR"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["timezone"], body["locale"], body["payment_terms_days"]) == ("UTC", "en", 30)


def test_without_an_api_key_it_is_401(anon_api: APIClient) -> None:
    response = anon_api.post(URL, payload(), format="json")
    assert response.status_code == 401
    assert only_error(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"
    assert anon_api.get(URL).status_code == 401
    assert not Customer.objects.exists()


def test_a_wrong_or_revoked_key_is_401(api: APIClient, api_key: Any) -> None:
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer bk_0123456789ab_" + "x" * 43)
    assert bad.get(URL).status_code == 401
    api_key_revoke(api_key_id=api_key[0].pk, actor=TEST_ACTOR, as_of=timezone.now())
    response = api.get(URL)
    assert response.status_code == 401
    assert only_error(response)["message"] == "Unknown or revoked API key."


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"currency": "XYZ"}, "currency", "unknown_currency"),
        ({"currency": "XAU"}, "currency", "unknown_currency"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown_timezone"),
        ({"email": "not-an-email"}, "email", "invalid"),
        ({"locale": "zz-ZZ-bogus"}, "locale", "unknown_locale"),
        ({"billing_address": {"country": "XX"}}, "billing_address.country", "unknown_country"),
        ({"payment_terms_days": -1}, "payment_terms_days", "min_value"),
        ({"payment_terms_days": "soon"}, "payment_terms_days", "invalid"),
        ({"invoice_grace_period_days": 61}, "invoice_grace_period_days", "max_value"),
        ({"external_id": "has space"}, "external_id", "invalid_external_id"),
        ({"external_id": ""}, "external_id", "blank"),
        ({"name": None}, "name", "null"),
        ({"metadata": ["a"]}, "metadata", "invalid_metadata"),
        ({"metadata": {"k": 1}}, "metadata", "invalid_metadata"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    api: APIClient, overrides: dict[str, Any], field: str, code: str
) -> None:
    response = api.post(URL, payload(**overrides), format="json")
    assert response.status_code == 400
    error = only_error(response)
    assert (error["field"], error["code"]) == (field, code), error
    assert error["message"]
    assert not Customer.objects.exists()
    assert not JournalEvent.objects.filter(subject_type="customer").exists()


def test_missing_required_fields_are_each_named(api: APIClient) -> None:
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"external_id", "name", "currency"}
    assert {e["code"] for e in response.json()["errors"]} == {"required"}


def test_duplicate_external_id_is_a_400(api: APIClient) -> None:
    assert api.post(URL, payload(), format="json").status_code == 201
    response = api.post(URL, payload(name="Other"), format="json")
    assert response.status_code == 400
    error = only_error(response)
    assert (error["field"], error["code"]) == ("external_id", "unique")
    assert Customer.objects.count() == 1


def test_malformed_json_is_a_400(api: APIClient) -> None:
    response = api.post(URL, data='{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert only_error(response)["code"] == "parse_error"


def test_update_changes_fields_and_journals_the_diff(api: APIClient) -> None:
    customer = CustomerFactory(name="Old name", payment_terms_days=30)
    response = api.patch(
        f"{URL}{customer.pk}/",
        {"name": "New name", "billing_address": {"city": "Paris", "country": "FR"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "New name"
    assert response.json()["billing_address"]["city"] == "Paris"
    customer.refresh_from_db()
    assert (customer.name, customer.city, customer.country) == ("New name", "Paris", "FR")
    event = JournalEvent.objects.get(type="customer.updated")
    assert event.payload["changes"]["name"] == ["Old name", "New name"]


def test_update_refuses_bad_values_and_external_id_changes(api: APIClient) -> None:
    customer = CustomerFactory()
    response = api.patch(f"{URL}{customer.pk}/", {"currency": "ZZZ"}, format="json")
    assert response.status_code == 400
    assert only_error(response)["field"] == "currency"
    response = api.patch(f"{URL}{customer.pk}/", {"external_id": "other"}, format="json")
    assert response.status_code == 400
    assert only_error(response)["code"] == "immutable"
    customer.refresh_from_db()
    assert customer.currency == "USD"


def test_unknown_customer_is_404_in_the_error_body(api: APIClient) -> None:
    response = api.get(f"{URL}999999/")
    assert response.status_code == 404
    assert only_error(response)["code"] == "not_found"
    assert api.get(f"{URL}external/nobody/").status_code == 404
    assert api.get("/api/v1/no-such-thing/").json()["errors"][0]["code"] == "not_found"


def test_archive_and_restore_never_delete(api: APIClient) -> None:
    customer = CustomerFactory()
    response = api.post(f"{URL}{customer.pk}/archive/", {"reason": "churned"}, format="json")
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None
    again = api.post(f"{URL}{customer.pk}/archive/", {}, format="json")
    assert again.status_code == 409
    assert api.delete(f"{URL}{customer.pk}/").status_code == 405
    assert api.post(f"{URL}{customer.pk}/unarchive/", {}, format="json").status_code == 200
    assert Customer.objects.filter(pk=customer.pk).exists()
    types = list(
        JournalEvent.objects.filter(subject_type="customer")
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert types == ["customer.created", "customer.archived", "customer.unarchived"]


def test_list_is_paginated_and_filterable(api: APIClient) -> None:
    for i in range(7):
        CustomerFactory(external_id=f"c{i}", currency="EUR" if i % 2 else "USD", name=f"N{i}")
    archived = CustomerFactory(external_id="gone", currency="USD", name="Gone Ltd")
    api.post(f"{URL}{archived.pk}/archive/", {}, format="json")

    page = api.get(URL, {"limit": 3}).json()
    assert len(page["results"]) == 3
    seen = [c["external_id"] for c in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [c["external_id"] for c in page["results"]]
    assert sorted(seen) == sorted([f"c{i}" for i in range(7)] + ["gone"])
    assert seen[0] == "gone"  # newest first

    def ids(params: dict[str, str]) -> set[str]:
        return {c["external_id"] for c in api.get(URL, params).json()["results"]}

    assert ids({"currency": "eur"}) == {"c1", "c3", "c5"}
    assert ids({"archived": "true"}) == {"gone"}
    assert "gone" not in ids({"archived": "false"})
    assert ids({"q": "gone"}) == {"gone"}
    assert ids({"external_id": "c4"}) == {"c4"}
    response = api.get(URL, {"created_after": "yesterday-ish"})
    assert response.status_code == 400
    assert only_error(response)["field"] == "created_after"


def test_history_endpoint_lists_who_changed_what(api: APIClient) -> None:
    customer = CustomerFactory(name="Before")
    api.patch(f"{URL}{customer.pk}/", {"name": "After"}, format="json")
    history = api.get(f"{URL}{customer.pk}/history/").json()
    assert [h["event"] for h in history] == ["insert", "update"]
    assert history[0]["who"] == "system:tests"
    assert history[1]["who"].startswith("api_key:tests")
    assert {"field": "name", "old": "Before", "new": "After"} in history[1]["changes"]


def test_staff_session_may_use_the_api_but_not_other_users(client: Any, staff_user: Any) -> None:
    client.force_login(staff_user)
    assert client.get(URL).status_code == 200
    from django.contrib.auth import get_user_model

    plain = get_user_model().objects.create_user("plain", password="pw-12345")
    client.force_login(plain)
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("text", "where"),
    [('"crm": "a\\u0000b"', "metadata.crm"), ('"\\udc00": "x"', "metadata.\\udc00")],
)
def test_text_that_cannot_be_stored_is_a_400_naming_where_it_is(
    api: APIClient, text: str, where: str
) -> None:
    document = '{"external_id": "cus-1", "name": "Acme", "currency": "USD", "metadata": {%s}}'
    response = api.post(URL, data=document % text, content_type="application/json")
    assert response.status_code == 400
    error = only_error(response)
    assert error["code"] == "parse_error"
    assert where in error["message"]
    assert not Customer.objects.exists()
