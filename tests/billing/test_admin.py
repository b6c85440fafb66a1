from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.urls import reverse

from billing.models import ApiKey, Customer, JournalEvent
from tests.billing.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def change_form_data(customer: Customer, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": customer.name,
        "email": customer.email,
        "currency": customer.currency,
        "timezone": customer.timezone,
        "locale": customer.locale,
        "address_line1": customer.address_line1,
        "address_line2": "",
        "city": customer.city,
        "postal_code": "",
        "state": "",
        "country": customer.country,
        "payment_terms_days": customer.payment_terms_days,
        "invoice_grace_period_days": customer.invoice_grace_period_days,
        "metadata": "{}",
        **({"auto_collection": "on"} if customer.auto_collection else {}),  # a checked box
        # the read-only entitlements inline still posts its management form, as a browser does
        "entitlements-TOTAL_FORMS": "0",
        "entitlements-INITIAL_FORMS": "0",
        "entitlements-MIN_NUM_FORMS": "0",
        "entitlements-MAX_NUM_FORMS": "1000",
    }
    for inline in ("redemptions", "balance_transactions"):  # read-only inlines, likewise
        data |= {f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"}
    data.update(overrides)
    return data


def test_edit_in_admin_shows_who_changed_what_in_history(staff_client: Any) -> None:
    customer = CustomerFactory(name="Initial Name", payment_terms_days=30)
    url = reverse("admin:billing_customer_change", args=[customer.pk])
    response = staff_client.post(
        url, change_form_data(customer, name="Renamed Ltd", payment_terms_days=45)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert (customer.name, customer.payment_terms_days) == ("Renamed Ltd", 45)
    event = JournalEvent.objects.get(type="customer.updated")
    assert event.actor["label"] == "finance"

    history = staff_client.get(reverse("admin:billing_customer_history", args=[customer.pk]))
    html = history.content.decode()
    assert history.status_code == 200
    rows = history.context["rows"]
    assert [r["label"] for r in rows] == ["insert", "update"]
    assert rows[1]["who"] == "finance"
    assert rows[1]["why"] == "edited in the admin"
    assert {"field": "name", "old": "Initial Name", "new": "Renamed Ltd"} in rows[1]["changes"]
    assert "Renamed Ltd" in html
    assert "finance" in html
    assert "payment_terms_days" in html


def test_admin_form_errors_for_bad_values(staff_client: Any) -> None:
    customer = CustomerFactory()
    url = reverse("admin:billing_customer_change", args=[customer.pk])
    response = staff_client.post(url, change_form_data(customer, currency="ABC", timezone="X/Y"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "currency" in errors
    assert "timezone" in errors
    customer.refresh_from_db()
    assert customer.currency == "USD"


def test_add_customer_in_admin_goes_through_the_service(staff_client: Any) -> None:
    data = change_form_data(CustomerFactory.build(), name="Added In Admin")
    data["external_id"] = "admin-added"
    response = staff_client.post(reverse("admin:billing_customer_add"), data)
    assert response.status_code == 302
    customer = Customer.objects.get(external_id="admin-added")
    assert JournalEvent.objects.filter(
        type="customer.created", subject_id=str(customer.pk)
    ).exists()


def test_customers_cannot_be_deleted_but_can_be_archived(staff_client: Any) -> None:
    customer = CustomerFactory()
    delete = staff_client.get(reverse("admin:billing_customer_delete", args=[customer.pk]))
    assert delete.status_code == 403
    response = staff_client.post(
        reverse("admin:billing_customer_changelist"),
        {"action": "archive_selected", "_selected_action": [customer.pk]},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_archived


def test_api_key_created_in_admin_is_shown_once_and_stored_hashed(staff_client: Any) -> None:
    response = staff_client.post(
        reverse("admin:billing_apikey_add"), {"name": "ingest", "scopes": "full"}, follow=True
    )
    html = response.content.decode()
    match = re.search(r"<code id='new-api-key'>(bk_[0-9a-f]{12}_[A-Za-z0-9_-]+)</code>", html)
    assert match, html
    raw = match.group(1)
    key = ApiKey.objects.get(name="ingest")
    assert key.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().first())
    # the key works, and revoking it in the admin stops it
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/customers/").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    staff_client.post(
        reverse("admin:billing_apikey_changelist"),
        {"action": "revoke_selected", "_selected_action": [key.pk]},
    )
    assert client.get("/api/v1/customers/").status_code == 401
    page = staff_client.get(reverse("admin:billing_apikey_change", args=[key.pk])).content.decode()
    assert raw not in page


def test_admin_pages_render(staff_client: Any) -> None:
    customer = CustomerFactory()
    for name in (
        "admin:index",
        "admin:billing_customer_changelist",
        "admin:billing_apikey_changelist",
        "admin:billing_journalevent_changelist",
        "admin:billing_journaldelivery_changelist",
        "admin:invoicing_clocktick_changelist",
        "admin:core_idempotencykey_changelist",
    ):
        assert staff_client.get(reverse(name)).status_code == 200, name
    event = JournalEvent.objects.get(subject_id=str(customer.pk))
    assert (
        staff_client.get(reverse("admin:billing_journalevent_change", args=[event.pk])).status_code
        == 200
    )
    search = staff_client.get(
        reverse("admin:billing_customer_changelist"), {"q": customer.external_id}
    )
    assert customer.external_id in search.content.decode()
