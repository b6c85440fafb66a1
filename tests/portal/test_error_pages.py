"""A customer who meets a 404 (another customer's invoice, a stale address) or a refused form (an
expired CSRF token) in the portal sees the portal's own page — its frame, its navigation when
signed in, the session's language (else the browser's) and a way back — not Django's bare English
pages. Elsewhere nothing changes: the API's 404 is JSON, the admin's pages are Django's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.billing.factories import CustomerFactory
from tests.invoicing.test_invoices import finalized_workload_invoice
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db

FRAME = "portal/portal.css"  # the portal's own stylesheet: the page is in the portal's frame
NAV = '<nav class="nav"'  # the signed-in customer's navigation


def text(response: Any) -> str:
    return str(response.content.decode())


def test_another_customers_invoice_is_the_portals_404_in_the_sessions_german() -> None:
    theirs = finalized_workload_invoice()
    client = signed_in(Client(), CustomerFactory(name="Globex GmbH", locale="de-DE"))

    response = client.get(reverse("portal:invoice", kwargs={"invoice_id": theirs.pk}))

    assert response.status_code == 404
    page = text(response)
    assert "Seite nicht gefunden" in page
    assert "Diese Seite gibt es nicht" in page
    assert FRAME in page
    assert NAV in page
    assert f'href="{reverse("portal:overview")}"' in page
    assert "Zurück zur Übersicht" in page
    assert '<html lang="de">' in page
    assert "The requested resource was not found" not in page
    assert response["Content-Language"] == "de"
    assert "no-store" in response["Cache-Control"]


def test_a_stale_portal_address_signed_in_in_english() -> None:
    client = signed_in(Client(), CustomerFactory(locale="en-US"))

    response = client.get("/portal/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    page = text(response)
    assert "This page does not exist" in page  # the session's language, not the browser's
    assert NAV in page


def test_an_expired_form_token_on_a_portal_form_is_the_portals_403_in_german() -> None:
    client = signed_in(
        Client(enforce_csrf_checks=True), CustomerFactory(name="Globex GmbH", locale="de-DE")
    )

    response = client.post(reverse("portal:logout"), {"csrfmiddlewaretoken": "expired"})

    assert response.status_code == 403
    page = text(response)
    assert "Dieses Formular ist abgelaufen" in page
    assert FRAME in page
    assert NAV in page
    assert "CSRF verification failed" not in page
    assert response["Content-Language"] == "de"


def test_a_refused_form_without_a_session_is_in_the_browsers_language() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("portal:login"), {"email": "a@example.com"}, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"
    )

    assert response.status_code == 403
    page = text(response)
    assert "Dieses Formular ist abgelaufen" in page
    assert f'href="{reverse("portal:login")}"' in page
    assert NAV not in page


def test_an_anonymous_unknown_portal_address_is_the_404_page_in_the_browsers_language() -> None:
    german = Client().get("/portal/nothing/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    english = Client().get("/portal/nothing/", HTTP_ACCEPT_LANGUAGE="en-GB")

    assert german.status_code == english.status_code == 404
    assert "Seite nicht gefunden" in text(german)
    assert "Page not found" in text(english)
    for response in (german, english):
        assert FRAME in text(response)
        assert NAV not in text(response)
        assert f'href="{reverse("portal:login")}"' in text(response)


def test_an_unknown_gateway_page_is_the_portals_404() -> None:
    response = Client().get("/gateways/nothing/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 404
    assert "Seite nicht gefunden" in text(response)


def test_the_apis_404_stays_json() -> None:
    response = Client().get("/api/v1/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "not_found"


def test_the_admins_404_and_csrf_pages_stay_djangos(admin_client: Client) -> None:
    response = admin_client.get("/admin/nothing/")
    assert response.status_code == 404
    assert FRAME not in text(response)
    assert "Not Found" in text(response)

    refused = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": "a", "password": "b"}
    )
    assert refused.status_code == 403
    assert "CSRF verification failed" in text(refused)
    assert FRAME not in text(refused)
