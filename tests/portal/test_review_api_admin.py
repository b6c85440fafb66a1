"""The second review's findings on the portal's API and admin, each first as a failing test."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Customer
from billing.services import customer_archive
from portal.models import PortalConfiguration, PortalLink, PortalUser
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.portal.test_pages import default_configuration

pytestmark = pytest.mark.django_db


def only_error(response: Any) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return dict(errors[0])


def test_a_portal_session_url_is_on_portal_base_url_when_set(api: Any, settings: Any) -> None:
    CustomerFactory(external_id="acme-url")
    settings.PORTAL_BASE_URL = "https://billing.example.com/"
    created = api.post("/api/v1/portal-sessions/", {"customer": "acme-url"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["url"].startswith("https://billing.example.com/portal/session/")
    settings.PORTAL_BASE_URL = ""
    created = api.post("/api/v1/portal-sessions/", {"customer": "acme-url"}, format="json")
    assert created.json()["url"].startswith("http://testserver/portal/session/")


def archived_customer() -> Customer:
    found = CustomerFactory(external_id="gone")
    customer_archive(customer_id=found.pk, actor=TEST_ACTOR, as_of=timezone.now(), reason="")
    return Customer.objects.get(pk=found.pk)


def test_no_portal_session_for_an_archived_customer(api: Any) -> None:
    archived_customer()
    response = api.post("/api/v1/portal-sessions/", {"customer": "gone"}, format="json")
    assert response.status_code == 409, response.json()
    error = only_error(response)
    assert error["field"] == "customer"
    assert "archived" in error["message"]
    assert not PortalLink.objects.exists()


def test_no_portal_user_invited_for_an_archived_customer(api: Any) -> None:
    archived_customer()
    response = api.post(
        "/api/v1/portal-users/", {"customer": "gone", "email": "a@gone.test"}, format="json"
    )
    assert response.status_code == 409, response.json()
    error = only_error(response)
    assert error["field"] == "customer"
    assert "archived" in error["message"]
    assert not PortalUser.objects.exists()


def test_adding_a_default_configuration_in_the_admin_moves_the_default(
    django_user_model: Any,
) -> None:
    old = default_configuration()
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.io", "pw"))
    response = client.post(
        "/admin/portal/portalconfiguration/add/",
        {
            "name": "Gold", "is_default": "on", "allow_plan_change": "on", "allow_cancel": "on",
            "plan_rows-TOTAL_FORMS": "0", "plan_rows-INITIAL_FORMS": "0",
            "plan_rows-MIN_NUM_FORMS": "0", "plan_rows-MAX_NUM_FORMS": "1000",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "portal_one_default_configuration" not in response.content.decode()
    assert PortalConfiguration.objects.get(is_default=True).name == "Gold"
    old.refresh_from_db()
    assert not old.is_default
