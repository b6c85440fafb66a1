"""Shared by the pay part's portal tests: the sandbox in a namespace of the test's own, a portal
configuration, cards added as a customer adds them (through the sandbox's form)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import Customer
from payments.gateways.sandbox import SandboxGateway
from payments.models import PaymentMethod
from payments.services import payment_method_add
from portal.models import PortalConfiguration
from tests.conftest import TEST_ACTOR

VISA_OK = "4242 4242 4242 4242"
VISA_DECLINED = "4000 0000 0000 0002"
VISA_NO_FUNDS = "4000 0000 0000 9995"
VISA_FAILS_ON_CHARGE = "4000 0000 0000 0341"


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    """The registry's sandbox, in a namespace of this test's own; cards only through it."""
    namespace = f"test-portal-pay-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual"]
    settings.STRIPE_API_KEY = ""
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def configuration(allow: bool = True) -> PortalConfiguration:
    now = timezone.now()
    config, _ = PortalConfiguration.objects.update_or_create(
        is_default=True,
        defaults={"name": "Default", "allow_payment_method_update": allow,
                  "created_at": now, "updated_at": now},
    )  # fmt: skip
    return config


def add_card_in_portal(
    client: Client, number: str = VISA_OK, expiry: str = "12/34", holder: str = "Ada Lovelace"
) -> tuple[str, Any]:
    """ "Add a card" → the sandbox's form → back to the portal: (setup id, the return's answer)."""
    started = client.post("/portal/payment-methods/add/")
    assert started.status_code == 303, started
    form_url = started["Location"]
    assert form_url.startswith("/gateways/sandbox/setup/seti_sandbox_")
    setup_id = urlsplit(form_url).path.rstrip("/").rsplit("/", 1)[1]
    filled = client.post(
        form_url, {"card_number": number, "expiry": expiry, "cvc": "123", "holder_name": holder}
    )
    assert filled.status_code == 302, filled.content
    back = urlsplit(filled["Location"])
    assert back.path == "/portal/payment-methods/return/"
    assert back.query == f"setup={setup_id}"
    return setup_id, client.get(f"{back.path}?{back.query}")


def card(
    who: Customer,
    token: str = "tok_ok",  # noqa: S107 - a sandbox token, not a password
    *,
    last4: str = "4242",
    exp: tuple[int, int] = (12, 2034),
) -> PaymentMethod:
    """A sandbox card added by staff (the service), `tok_x+<suffix>` behaving as `tok_x`."""
    data = {"gateway": "sandbox", "token": f"{token}+{uuid.uuid4().hex[:8]}", "kind": "card",
            "brand": "visa", "last4": last4, "exp_month": exp[0], "exp_year": exp[1]}  # fmt: skip
    return payment_method_add(customer_id=who.pk, actor=TEST_ACTOR, as_of=timezone.now(), data=data)


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)
