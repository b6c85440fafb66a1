"""Shared by the portal's tests: a Django test client signed into one customer's portal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Customer
from portal.services import portal_session_create
from portal.services.access import link_path
from tests.conftest import TEST_ACTOR
from tests.notifications.smtp import smtp_server

__all__ = ["portal_client_for", "signed_in", "smtp_server"]


def signed_in(client: Client, customer: Customer, **link: str) -> Client:
    """Open a portal session for `customer` the way a customer does: through a link."""
    _, token = portal_session_create(
        customer_id=customer.pk, as_of=timezone.now(), actor=TEST_ACTOR, **link
    )
    response = client.get(link_path(token))
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def portal_client_for(db: None) -> Callable[[Customer], Client]:
    """portal_client_for(customer) -> a fresh Client signed into that customer's portal."""
    return lambda customer: signed_in(Client(), customer)
