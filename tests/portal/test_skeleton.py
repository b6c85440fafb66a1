"""The portal's skeleton: a link opens the overview of its customer only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from billing.models import Customer
from tests.billing.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_session_link_opens_the_overview(portal_client_for: Callable[[Customer], Client]) -> None:
    customer = CustomerFactory(name="Initech")
    client = portal_client_for(customer)
    response = client.get("/portal/")
    assert response.status_code == 200
    assert "Initech" in response.content.decode()
    assert Client().get("/portal/").status_code == 302  # no session: to the sign-in page
