"""Gateways by mode (issue 15, test clocks review item 1): a test customer (on a test clock)
never moves real money. It may add the sandbox (even where PAYMENT_GATEWAYS leaves it out, as
in production), the manual gateway, or Stripe only with a test key; a live customer gets the
sandbox only where PAYMENT_GATEWAYS lists it. Second line: a test customer's payment or refund
on Stripe with a live key fails `test_mode_gateway` without a request. Stripe is replaced at its
transport: a real HTTP server on loopback that counts what it receives."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe._stripe_client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, TestClock
from billing.selectors import customer_as_of
from billing.services import customer_create, subscription_create
from billing.services import testclocks as clocks
from core.exceptions import Conflict, ValidationFailed
from integrations.testclocks import clock_advance, clock_advance_run
from invoicing.models import Invoice
from payments.models import Payment, PaymentMethod, PaymentState
from payments.services import payment_method_add
from payments.services.collection import COLLECTOR, payments_charge
from payments.services.refunds import refund_create
from tests.billing.subs import priced_plan
from tests.conftest import TEST_ACTOR as ACTOR

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LIVE_KEY = "sk_live_" + "x" * 24
TEST_KEY = "sk_test_" + "x" * 24


class StripeStub:
    """Stripe on loopback: counts every request and declines it (a card error)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                stub.requests.append(f"{self.command} {self.path}")
                body = json.dumps({"error": {"type": "card_error", "code": "card_declined",
                                             "decline_code": "generic_decline",
                                             "message": "declined (stub)"}}).encode()  # fmt: skip
                self.send_response(402)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stripe_stub(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStub]:
    stub = StripeStub()
    # the library's transport goes to the stub instead of api.stripe.com
    monkeypatch.setattr(stripe._stripe_client, "DEFAULT_API_BASE", stub.base)
    settings.STRIPE_API_KEY = LIVE_KEY
    settings.PAYMENT_GATEWAYS = ["manual", "stripe"]  # production's: no sandbox
    settings.SANDBOX_GATEWAY_NAMESPACE = f"gateway-modes-{uuid.uuid4().hex[:12]}"
    yield stub
    stub.close()


def a_clock() -> TestClock:
    return clocks.clock_create(name="modes", frozen_time=T0, actor=ACTOR, as_of=timezone.now())


def a_customer(external_id: str, clock: TestClock | None = None) -> Customer:
    data = {"external_id": external_id, "name": external_id, "currency": "USD",
            "timezone": "UTC", "payment_terms_days": 0}  # fmt: skip
    return customer_create(
        actor=ACTOR, as_of=T0, data=data, test_clock_id=clock.pk if clock else None
    )


def add(who: Customer, gateway: str, token: str) -> PaymentMethod:
    data = {"gateway": gateway, "token": token, "kind": "card", "brand": "visa", "last4": "4242",
            "exp_month": 12, "exp_year": 2030}  # fmt: skip
    return payment_method_add(
        customer_id=who.pk, actor=ACTOR, as_of=customer_as_of(who, T0), data=data
    )


def refused(who: Customer, gateway: str, token: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as no:
        add(who, gateway, token)
    return no.value


def test_a_test_customer_gets_the_sandbox_and_never_stripe_with_a_live_key(
    stripe_stub: StripeStub, settings: Any, api: APIClient
) -> None:
    clock = a_clock()
    test, live = a_customer("mode-test", clock), a_customer("mode-live")
    # production settings: the sandbox is off for live customers, on for test customers
    no = refused(live, "sandbox", "tok_ok")
    assert (no.field, no.code) == ("gateway", "gateway_disabled")
    assert add(test, "sandbox", "tok_ok").gateway == "sandbox"
    # Stripe with the live key: live customers yes, test customers no (400 on gateway over REST)
    assert add(live, "stripe", "pm_live_1").gateway == "stripe"
    no = refused(test, "stripe", "pm_test_1")
    assert (no.field, no.code) == ("gateway", "test_mode_gateway")
    answer = api.post(
        reverse("payment-method-list"),
        {"customer": test.external_id, "gateway": "stripe", "token": "pm_test_2", "kind": "card",
         "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 400, answer.content
    assert "gateway" in json.dumps(answer.json())
    assert "test_mode_gateway" in json.dumps(answer.json())
    # the manual gateway moves no money: allowed when enabled
    assert add(test, "manual", "bank-transfer-1").gateway == "manual"
    # a Stripe test key (secret or restricted) moves no money: a test customer may use it
    for key in (TEST_KEY, "rk_test_" + "y" * 24):
        settings.STRIPE_API_KEY = key
        assert add(test, "stripe", f"pm_{key[:2]}_ok").gateway == "stripe"
    assert stripe_stub.requests == []  # adding a method sends nothing


def test_a_test_customers_stripe_payment_is_never_charged_with_a_live_key(
    stripe_stub: StripeStub,
) -> None:
    """A Stripe method of a test customer written before this rule (or by hand): the advance
    bills and collects, the charge fails `test_mode_gateway` and the stub sees no request,
    while a live customer's Stripe payment goes to the stub (the control)."""
    clock = a_clock()
    test, live = a_customer("charge-test", clock), a_customer("charge-live")
    method = add(test, "sandbox", f"tok_ok+{uuid.uuid4().hex[:8]}")
    PaymentMethod.objects.filter(pk=method.pk).update(gateway="stripe", token="pm_old_row")
    plan = priced_plan("modes", "30")
    subscription_create(customer_id=test.pk, plan_id=plan.pk, actor=ACTOR, as_of=T0, start_at=T0)
    advance(clock, T0 + timedelta(days=2))
    invoice = Invoice.objects.get(customer=test)
    assert (invoice.status, invoice.total) == ("open", Decimal("30.00"))
    assert not Payment.objects.filter(customer=test).exists()  # collection skips the method
    # a pending payment on it (written before this rule): the advance's charge refuses it
    payment = pending_payment(test, PaymentMethod.objects.get(pk=method.pk), invoice=invoice)
    advance(clock, T0 + timedelta(days=3))
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code) == (PaymentState.FAILED, "test_mode_gateway")
    assert payment.charge_requested_at == T0 + timedelta(days=2)  # its first instant
    assert stripe_stub.requests == []
    # the control: the same charge path sends a live customer's Stripe payment to the stub
    control = pending_payment(live, add(live, "stripe", "pm_live_control"))
    counts = payments_charge(payment_ids=[control.pk], as_of=T0, actor=COLLECTOR)
    assert counts["failed"] == 1
    assert len(stripe_stub.requests) == 1
    control.refresh_from_db()
    assert control.failure_code == "generic_decline"


def advance(clock: TestClock, to: datetime) -> None:
    clock_advance(test_clock_id=clock.pk, frozen_time=to, actor=ACTOR, as_of=timezone.now())
    assert clock_advance_run(test_clock_id=clock.pk, now=timezone.now, seconds=3600) == "ready"


def pending_payment(
    who: Customer, method: PaymentMethod, invoice: Invoice | None = None
) -> Payment:
    return Payment.objects.create(
        customer=who, kind="automatic", state=PaymentState.PENDING, currency="USD",
        amount=invoice.total if invoice else Decimal("10.00"), method=method,
        gateway=method.gateway, invoice=invoice, attempt=1 if invoice else None,
        idempotency_key=f"modes-{uuid.uuid4().hex}", created_by="test", created_at=T0,
        updated_at=T0,
    )  # fmt: skip


def test_a_test_customers_stripe_refund_is_never_sent_with_a_live_key(
    stripe_stub: StripeStub,
) -> None:
    clock = a_clock()
    test = a_customer("refund-test", clock)
    method = add(test, "sandbox", "tok_ok+refund")
    payment = Payment.objects.create(
        customer=test, kind="manual", state=PaymentState.SUCCEEDED, currency="USD",
        amount=Decimal("10.00"), unapplied=Decimal("10.00"), method=method, gateway="stripe",
        gateway_reference="pi_old", idempotency_key=f"modes-{uuid.uuid4().hex}",
        created_by="test", created_at=T0, updated_at=T0,
    )  # fmt: skip
    with pytest.raises(Conflict) as no:
        refund_create(payment_id=payment.pk, amount=None, reason="test", actor=ACTOR, as_of=T0)
    assert no.value.code == "test_mode_gateway"
    assert stripe_stub.requests == []
