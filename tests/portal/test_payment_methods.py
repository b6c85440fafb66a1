"""Payment methods in the portal: add a card through the sandbox's hosted form (the setup used
once, by the session that started it), make one the default, remove one after confirming; all
only when the portal configuration allows it; the card number kept nowhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from pghistory.models import Events

from billing.models import Customer, JournalEvent
from payments.gateways.sandbox import SandboxGateway
from payments.models import PaymentMethod
from portal.views.payment_methods import card_gateway
from tests.billing.factories import CustomerFactory
from tests.payments.card_traces import card_number_nowhere
from tests.portal.conftest import signed_in
from tests.portal.pay_helpers import (
    VISA_DECLINED,
    VISA_OK,
    add_card_in_portal,
    card,
    configuration,
    sandbox,
)

pytestmark = pytest.mark.django_db
__all__ = ["sandbox"]  # the fixture


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_add_a_card_through_the_sandbox_form(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client], caplog: Any
) -> None:
    configuration()
    acme = CustomerFactory(name="Acme")
    client = portal_client_for(acme)
    empty = client.get("/portal/payment-methods/")
    assert empty.status_code == 200
    assert "You have no payment method yet." in empty.content.decode()
    assert 'id="add-card"' in empty.content.decode()
    # Chromium checks the add form's redirect against the page's CSP form-action
    assert "https://checkout.stripe.com" in empty["Content-Security-Policy"]
    _, back = add_card_in_portal(client, VISA_OK, expiry="09/33", holder="Ada Lovelace")
    assert (back.status_code, back["Location"]) == (302, "/portal/payment-methods/")
    method = PaymentMethod.objects.get(customer=acme)
    assert method.token.startswith("tok_ok+")
    assert (method.gateway, method.kind, method.brand, method.last4) == (
        "sandbox", "card", "visa", "4242"
    )  # fmt: skip
    assert (method.exp_month, method.exp_year, method.holder_name) == (9, 2033, "Ada Lovelace")
    assert method.is_default  # the first card
    listed = client.get("/portal/payment-methods/")
    html = listed.content.decode()
    assert "Card ending in 4242 added." in messages_of(listed)
    assert "Visa ···· 4242" in html
    assert "Expires 09/2033" in html
    assert ">Default<" in html
    event = JournalEvent.objects.get(type="payment_method.added")
    assert event.actor["kind"] == "customer"
    assert event.actor["label"].startswith("portal:session ")
    history = Events.objects.tracks(method).first()
    assert history is not None
    assert history.pgh_context["reason"] == "added in the customer portal"
    # a declined test card is added too: it fails only when charged
    add_card_in_portal(client, VISA_DECLINED)
    assert PaymentMethod.objects.filter(customer=acme, token__startswith="tok_declined+").exists()
    card_number_nowhere("4242424242424242", "4000000000000002")
    assert "4242 4242 4242 4242" not in caplog.text


def test_a_setup_is_used_once_and_only_by_the_session_that_started_it(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme, other = CustomerFactory(), CustomerFactory()
    client = portal_client_for(acme)
    started = client.post("/portal/payment-methods/add/")
    form_url = started["Location"]
    setup_id = urlsplit(form_url).path.rstrip("/").rsplit("/", 1)[1]
    # back before the form was filled: nothing added, the setup still usable
    early = client.get(f"/portal/payment-methods/return/?setup={setup_id}", follow=True)
    assert "The card form was not finished: no card was added." in messages_of(early)
    client.post(form_url, {"card_number": VISA_OK, "expiry": "12/34", "cvc": "123",
                           "holder_name": "A"})  # fmt: skip
    return_path = f"/portal/payment-methods/return/?setup={setup_id}"
    refused = "This card setup was not started in this session, or was used already."
    # another customer, and another session of the same customer, replaying the return URL
    for intruder in (portal_client_for(other), signed_in(Client(), acme)):
        answer = intruder.get(return_path, follow=True)
        assert answer.status_code == 200
        assert refused in messages_of(answer)
    assert not PaymentMethod.objects.exists()
    assert "Card ending in 4242 added." in messages_of(client.get(return_path, follow=True))
    assert refused in messages_of(client.get(return_path, follow=True))  # used once
    assert refused in messages_of(client.get("/portal/payment-methods/return/", follow=True))
    assert PaymentMethod.objects.filter(customer=acme).count() == 1
    assert not PaymentMethod.objects.filter(customer=other).exists()


def test_make_default_and_remove_after_confirming(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme, other = CustomerFactory(), CustomerFactory()
    first = card(acme, last4="1111")
    second = card(acme, last4="2222")
    expired = card(acme, last4="3333", exp=(1, 2020))
    theirs = card(other, last4="9999")
    client = portal_client_for(acme)
    page = client.get("/portal/payment-methods/").content.decode()
    assert re.search(rf'id="method-{expired.pk}".*?Expired', page, re.S)
    assert f"/portal/payment-methods/{expired.pk}/default/" not in page  # no default button
    assert "9999" not in page
    made = client.post(f"/portal/payment-methods/{second.pk}/default/", follow=True)
    assert "The card ending in 2222 is now your default." in messages_of(made)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert JournalEvent.objects.filter(type="payment_method.default_changed").count() == 1
    # the confirmation page, then the removal: the default moves to the newest other card
    confirm = client.get(f"/portal/payment-methods/{second.pk}/remove/")
    assert confirm.status_code == 200
    assert "Remove Visa ending in 2222?" in confirm.content.decode()
    second.refresh_from_db()
    assert second.detached_at is None  # a GET changes nothing
    gone = client.post(f"/portal/payment-methods/{second.pk}/remove/", follow=True)
    assert "The card ending in 2222 was removed." in messages_of(gone)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.detached_at is not None
    assert first.is_default
    assert client.post(f"/portal/payment-methods/{second.pk}/remove/").status_code == 404
    # another customer's method: 404 on every action
    for path in (f"/portal/payment-methods/{theirs.pk}/default/",
                 f"/portal/payment-methods/{theirs.pk}/remove/"):  # fmt: skip
        assert client.post(path).status_code == 404
        assert client.get(path).status_code in (404, 405)
    theirs.refresh_from_db()
    assert theirs.is_default
    assert theirs.detached_at is None


def test_nothing_changes_when_the_configuration_does_not_allow_it(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration(allow=False)
    acme = CustomerFactory()
    first, second = card(acme, last4="1111"), card(acme, last4="2222")
    client = portal_client_for(acme)
    page = client.get("/portal/payment-methods/").content.decode()
    assert "To change your payment methods, please contact us." in page
    assert 'id="add-card"' not in page
    assert "/default/" not in page
    not_allowed = "Payment methods cannot be changed here. Please contact us."
    for path in ("/portal/payment-methods/add/", f"/portal/payment-methods/{second.pk}/default/",
                 f"/portal/payment-methods/{first.pk}/remove/"):  # fmt: skip
        assert not_allowed in messages_of(client.post(path, follow=True)), path
    assert PaymentMethod.objects.filter(customer=acme, detached_at__isnull=True).count() == 2
    assert PaymentMethod.objects.get(is_default=True) == first
    assert sandbox.setup_record("seti_sandbox_" + "0" * 24) == {}


def test_which_gateway_saves_cards(settings: Any) -> None:
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    settings.STRIPE_API_KEY = ""
    assert card_gateway() == "sandbox"
    settings.STRIPE_API_KEY = "sk_test_x"
    assert card_gateway() == "stripe"
    settings.PAYMENT_GATEWAYS = ["manual"]
    assert card_gateway() is None


def test_adding_is_refused_without_a_card_gateway(
    settings: Any, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    settings.PAYMENT_GATEWAYS = ["manual"]
    client = portal_client_for(CustomerFactory())
    assert 'id="add-card"' not in client.get("/portal/payment-methods/").content.decode()
    answer = client.post("/portal/payment-methods/add/", follow=True)
    assert "Cards cannot be added here at the moment." in messages_of(answer)


def test_the_pages_need_a_portal_session(sandbox: SandboxGateway) -> None:
    anonymous = Client()
    for path in ("/portal/payment-methods/", "/portal/payment-methods/return/?setup=x"):
        assert anonymous.get(path)["Location"].startswith("/portal/login/")
    assert anonymous.post("/portal/payment-methods/add/")["Location"].startswith("/portal/login/")


def test_the_pages_read_in_a_bounded_number_of_queries(
    sandbox: SandboxGateway,
    portal_client_for: Callable[[Customer], Client],
    django_assert_max_num_queries: Any,
) -> None:
    from tests.payments.helpers import open_invoice
    from tests.portal.pay_helpers import days_ago

    configuration()
    acme = CustomerFactory()
    for last4 in ("1111", "2222", "3333", "4444", "5555"):
        card(acme, last4=last4)
    invoice = open_invoice(acme, "10.00", days_ago(1))
    client = portal_client_for(acme)
    with django_assert_max_num_queries(6):  # the session, its configuration, the methods
        assert client.get("/portal/payment-methods/").status_code == 200
    with django_assert_max_num_queries(8):  # ... the invoice and its latest attempt
        assert client.get(f"/portal/invoices/{invoice.pk}/pay/").status_code == 200
