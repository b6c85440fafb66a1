"""Saving a card through a gateway's hosted form (`setup_start` / `setup_result`): the sandbox's
own form (test cards mapped to tokens, refusals, nothing of the card number kept) and Stripe
Checkout in setup mode against recorded answers at the library's HTTP transport."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from payments.gateways.base import GatewayError, SetupState
from payments.gateways.manual import ManualGateway
from payments.gateways.sandbox import SETUP_TTL_SECONDS, SandboxGateway
from payments.sandbox_setup import card_brand, sandbox_card
from tests.payments.card_traces import card_number_nowhere
from tests.payments.test_stripe_gateway import API_KEY
from tests.payments.test_stripe_gateway import gateway as stripe_gateway

RETURN = "https://billing.example.com/portal/payment-methods/return/"
CANCEL = "https://billing.example.com/portal/payment-methods/?canceled=1"
CS = "cs_test_c1SetupA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz"


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-setup-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def start(gw: SandboxGateway, key: str | None = None) -> str:
    started = gw.setup_start(
        customer_ref="acme-42",
        return_url=RETURN,
        cancel_url=CANCEL,
        idempotency_key=key or uuid.uuid4().hex,
    )
    assert started.url == f"/gateways/sandbox/setup/{started.id}/"
    return started.id


def fill(client: Client, setup_id: str, **fields: str) -> Any:
    data = {"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123",
            "holder_name": "Ada Lovelace"} | fields  # fmt: skip
    return client.post(f"/gateways/sandbox/setup/{setup_id}/", data)


# --------------------------------------------------------------------------- the pure mapping


def test_test_cards_map_to_sandbox_tokens_with_a_fresh_suffix() -> None:
    ok = sandbox_card("4242 4242 4242 4242")
    assert ok.token.startswith("tok_ok+")
    assert len(ok.token) == len("tok_ok+") + 16
    assert (ok.brand, ok.last4) == ("visa", "4242")
    assert sandbox_card("4242-4242-4242-4242").token != ok.token  # each saved card its own
    assert sandbox_card("4000000000000002").token.startswith("tok_declined+")
    assert sandbox_card("4000 0000 0000 9995").token.startswith("tok_insufficient_funds+")
    fails = sandbox_card("4000 0000 0000 0341")
    assert fails.token.startswith("tok_processing_error+")
    assert fails.last4 == "0341"
    with pytest.raises(ValueError, match="not_a_test_card"):
        sandbox_card("5555 5555 5555 4444")  # Luhn-valid, a real-looking card
    for bad in ("4242 4242 4242 4241", "1234", "abcd efgh ijkl mnop", ""):
        with pytest.raises(ValueError, match="invalid"):
            sandbox_card(bad)
    assert [card_brand(n) for n in ("4242", "5555", "2221", "3782", "6011", "9999")] == [
        "visa", "mastercard", "mastercard", "amex", "discover", ""
    ]  # fmt: skip


# ---------------------------------------------------------------------------- the sandbox form


@pytest.mark.django_db
def test_the_sandbox_form_saves_a_token_and_returns_without_keeping_the_number(
    sandbox: SandboxGateway, client: Client, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    setup_id = start(sandbox)
    assert sandbox.setup_result(setup_id=setup_id).state is SetupState.OPEN
    page = client.get(f"/gateways/sandbox/setup/{setup_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Card number", "Expiry (MM/YY)", "CVC", "Name on the card"):
        assert f">{label}</label>" in html
    assert "<script" not in html
    assert CANCEL.replace("&", "&amp;") in html
    done = fill(client, setup_id, card_number="4000 0000 0000 0341", expiry="08/31")
    assert done.status_code == 302
    assert done["Location"] == f"{RETURN}?setup={setup_id}"
    result = sandbox.setup_result(setup_id=setup_id)
    assert result.state is SetupState.COMPLETE
    assert result.token.startswith("tok_processing_error+")
    assert (result.kind, result.brand, result.last4) == ("card", "visa", "0341")
    assert (result.exp_month, result.exp_year, result.holder_name) == (8, 2031, "Ada Lovelace")
    ttl = sandbox._redis.ttl(f"{sandbox.namespace}:setup:{setup_id}")
    assert 0 < ttl <= SETUP_TTL_SECONDS
    # a complete setup's form is gone: a second submission cannot change the card
    assert fill(client, setup_id).status_code == 404
    assert sandbox.setup_result(setup_id=setup_id).token == result.token
    card_number_nowhere("4000000000000341", "4000 0000 0000 0341")
    assert "4000000000000341" not in caplog.text
    assert "0000 0341" not in caplog.text


@pytest.mark.django_db
def test_the_sandbox_form_refuses_bad_cards_next_to_their_fields(
    sandbox: SandboxGateway, client: Client
) -> None:
    setup_id = start(sandbox)
    cases = [
        ({"card_number": "5555 5555 5555 4444"}, "card_number", "use a test card"),
        ({"card_number": "4242 4242 4242 4241"}, "card_number", "not a valid card number"),
        ({"expiry": "01/20"}, "expiry", "has expired"),
        ({"expiry": "13/30"}, "expiry", "MM/YY"),
        ({"cvc": ""}, "cvc", "security code"),
        ({"cvc": "12"}, "cvc", "3 or 4 digits"),
        ({"holder_name": ""}, "holder_name", "required"),
    ]
    for fields, field, words in cases:
        refused = fill(client, setup_id, **fields)
        assert refused.status_code == 400, fields
        errors = refused.context["form"].errors
        assert list(errors) == [field], (fields, errors)
        assert words in errors[field][0], (fields, errors)
        # a refused form never shows the number again
        assert "5555 5555 5555 4444" not in refused.content.decode()
        assert "4242 4242 4242 4241" not in refused.content.decode()
    assert sandbox.setup_result(setup_id=setup_id).state is SetupState.OPEN
    card_number_nowhere("5555555555554444", "4242424242424241")


@pytest.mark.django_db
def test_the_sandbox_form_is_only_there_while_the_sandbox_is_enabled(
    sandbox: SandboxGateway, client: Client, settings: Any
) -> None:
    setup_id = start(sandbox)
    assert client.get("/gateways/sandbox/setup/seti_sandbox_" + "0" * 24 + "/").status_code == 404
    assert client.get("/gateways/sandbox/setup/nonsense/").status_code == 404
    settings.PAYMENT_GATEWAYS = ["manual", "stripe"]
    assert client.get(f"/gateways/sandbox/setup/{setup_id}/").status_code == 404
    assert fill(client, setup_id).status_code == 404
    settings.PAYMENT_GATEWAYS = ["sandbox"]
    assert client.get(f"/gateways/sandbox/setup/{setup_id}/").status_code == 200


def test_a_setup_start_is_idempotent_by_key_and_unknown_setups_are_expired(
    sandbox: SandboxGateway,
) -> None:
    assert start(sandbox, "k-1") == start(sandbox, "k-1")
    assert start(sandbox, "k-2") != start(sandbox, "k-1")
    assert sandbox.setup_result(setup_id="seti_sandbox_" + "f" * 24).state is SetupState.EXPIRED
    assert sandbox.setup_result(setup_id="other:key").state is SetupState.EXPIRED
    with pytest.raises(GatewayError) as refused:
        ManualGateway().setup_start(
            customer_ref="x", return_url=RETURN, cancel_url=CANCEL, idempotency_key="k"
        )
    assert refused.value.code == "setup_unsupported"


# ------------------------------------------------------------------------------------ Stripe


def test_stripe_setup_start_creates_a_checkout_session_in_setup_mode() -> None:
    """Stripe reuses a saved PaymentMethod off session only when it is attached to a Customer,
    and Checkout's setup mode attaches it only to the `customer` it is given: a customer without
    a Stripe Customer gets one first (idempotent by our customer's id, our ids in metadata)."""
    gw, transport = stripe_gateway("customer_create", "checkout_session_create_setup_customer")
    started = gw.setup_start(
        customer_ref="acme-42",
        customer_id=42,
        return_url=RETURN,
        cancel_url=CANCEL,
        idempotency_key="portal-setup-0001",
        currency="EUR",
    )
    assert started.id == CS
    assert started.url.startswith(f"https://checkout.stripe.com/c/pay/{CS}")
    created, session = transport.sent
    assert (created.method, created.path) == ("POST", "/v1/customers")
    assert created.headers["Idempotency-Key"] == "billing-customer-42"
    assert created.form == {"metadata[customer]": "acme-42", "metadata[customer_id]": "42"}
    assert (session.method, session.path) == ("POST", "/v1/checkout/sessions")
    assert session.headers["Idempotency-Key"] == "portal-setup-0001"
    assert session.form == {
        "mode": "setup",
        "currency": "eur",
        "success_url": RETURN + "?setup={CHECKOUT_SESSION_ID}",
        "cancel_url": CANCEL,
        "customer": "cus_SNewAcme42Xy9Z",
        "client_reference_id": "acme-42",
        "metadata[idempotency_key]": "portal-setup-0001",
    }
    # a known Stripe customer is the session's customer: none created; no currency: cards only
    gw, transport = stripe_gateway("checkout_session_create_setup_customer")
    gw.setup_start(customer_ref="acme-42", customer_id=42, gateway_customer="cus_R1aB2cD3eF4gH5",
                   return_url=RETURN + "?x=1", cancel_url=CANCEL, idempotency_key="k2")  # fmt: skip
    [sent] = transport.sent
    assert sent.path == "/v1/checkout/sessions"
    assert sent.form["customer"] == "cus_R1aB2cD3eF4gH5"
    assert sent.form["payment_method_types[0]"] == "card"
    assert "currency" not in sent.form
    assert sent.form["success_url"] == RETURN + "?x=1&setup={CHECKOUT_SESSION_ID}"
    # a `cus_...` ref itself is the customer (callers that know only that)
    gw, transport = stripe_gateway("checkout_session_create_setup_customer")
    gw.setup_start(customer_ref="cus_R1aB2cD3eF4gH5", return_url=RETURN, cancel_url=CANCEL,
                   idempotency_key="k3")  # fmt: skip
    [sent] = transport.sent
    assert sent.form["customer"] == "cus_R1aB2cD3eF4gH5"
    assert "client_reference_id" not in sent.form
    # a refused customer creation opens no session
    gw, transport = stripe_gateway()
    with pytest.raises(GatewayError):
        gw.setup_start(customer_ref="acme-42", gateway_customer="not-a-stripe-id",
                       return_url=RETURN, cancel_url=CANCEL, idempotency_key="k4")  # fmt: skip
    assert transport.sent == []


def test_stripe_setup_result_reads_the_expanded_payment_method() -> None:
    gw, transport = stripe_gateway("checkout_session_retrieve_setup_complete")
    result = gw.setup_result(setup_id=CS)
    assert result.state is SetupState.COMPLETE
    assert result.token == "pm_1QSavedCardVisa4242AbCd"
    assert (result.kind, result.brand, result.last4) == ("card", "visa", "4242")
    assert (result.exp_month, result.exp_year, result.holder_name) == (8, 2031, "Ada Lovelace")
    assert result.gateway_customer == ""  # a session without a customer (older setups)
    [sent] = transport.sent
    assert (sent.method, sent.path) == ("GET", f"/v1/checkout/sessions/{CS}")
    assert sent.query == {"expand[0]": "setup_intent.payment_method"}
    for recording, state in (
        ("checkout_session_retrieve_setup_open", SetupState.OPEN),
        ("checkout_session_retrieve_setup_expired", SetupState.EXPIRED),
    ):
        gw, _ = stripe_gateway(recording)
        assert gw.setup_result(setup_id=CS).state is state
    gw, _ = stripe_gateway("checkout_session_retrieve_missing")
    missing = gw.setup_result(setup_id="cs_test_madeUp")
    assert (missing.state, missing.reason) == (SetupState.EXPIRED, "unknown_setup")
    gw, transport = stripe_gateway()
    assert gw.setup_result(setup_id="seti_sandbox_x").state is SetupState.EXPIRED
    assert transport.sent == []  # not a Checkout Session id: nothing asked


@pytest.mark.django_db
def test_a_card_saved_on_stripe_is_charged_later_with_its_stripe_customer(settings: Any) -> None:
    """The setup's Stripe Customer is kept with the method (`gateway_customer`) and sent as the
    PaymentIntent's `customer` when collection charges it off session."""
    from billing.services import journal_dispatch
    from payments.models import Payment
    from payments.services import payment_method_add
    from payments.services.collection import _charge_all
    from tests.billing.factories import CustomerFactory
    from tests.conftest import TEST_ACTOR
    from tests.payments.helpers import open_invoice

    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    settings.STRIPE_API_KEY = API_KEY  # enabled: collection resolves the Stripe method
    gw, transport = stripe_gateway("checkout_session_retrieve_setup_complete_customer")
    result = gw.setup_result(setup_id=CS)
    assert (result.state, result.token) == (SetupState.COMPLETE, "pm_1QSavedCardVisa4242AbCd")
    assert result.gateway_customer == "cus_SNewAcme42Xy9Z"
    acme = CustomerFactory(currency="EUR")
    now = timezone.now()
    method = payment_method_add(
        customer_id=acme.pk, actor=TEST_ACTOR, as_of=now,
        data={"gateway": "stripe", "token": result.token, "kind": result.kind,
              "brand": result.brand, "last4": result.last4, "exp_month": result.exp_month,
              "exp_year": result.exp_year, "holder_name": result.holder_name},
        gateway_customer=result.gateway_customer,
    )  # fmt: skip
    assert method.gateway_customer == "cus_SNewAcme42Xy9Z"
    invoice = open_invoice(acme, "123.45", now)
    journal_dispatch(as_of=now)  # collection makes the invoice's first automatic attempt
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.method_id, payment.gateway) == (method.pk, "stripe")
    gw, transport = stripe_gateway("payment_intent_create_succeeded")
    [answer] = _charge_all({("stripe", False): gw}, [payment])
    assert answer.result.reference == "pi_3QAbCdEfGhIjKlMn0aBcDeFg"
    [sent] = transport.sent
    assert (sent.method, sent.path) == ("POST", "/v1/payment_intents")
    assert sent.form["customer"] == "cus_SNewAcme42Xy9Z"
    assert sent.form["payment_method"] == "pm_1QSavedCardVisa4242AbCd"
    assert (sent.form["off_session"], sent.form["confirm"]) == ("true", "true")
    assert sent.form["amount"] == "12345"


@pytest.mark.django_db
def test_a_gateway_customer_is_a_stripe_customer_of_a_stripe_method(settings: Any) -> None:
    from core.exceptions import ValidationFailed
    from payments.services import payment_method_add
    from tests.billing.factories import CustomerFactory
    from tests.conftest import TEST_ACTOR

    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    acme = CustomerFactory()
    card = {"kind": "card", "brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2031}
    for gateway, ref in (("stripe", "acme-42"), ("stripe", "cus_ bad"), ("sandbox", "cus_X1")):
        with pytest.raises(ValidationFailed) as refused:
            payment_method_add(customer_id=acme.pk, actor=TEST_ACTOR, as_of=timezone.now(),
                               data={"gateway": gateway, "token": f"pm_{uuid.uuid4().hex}", **card},
                               gateway_customer=ref)  # fmt: skip
        assert refused.value.field == "gateway_customer", (gateway, ref)
    plain = payment_method_add(customer_id=acme.pk, actor=TEST_ACTOR, as_of=timezone.now(),
                               data={"gateway": "stripe", "token": "pm_plain", **card})  # fmt: skip
    assert plain.gateway_customer == ""
