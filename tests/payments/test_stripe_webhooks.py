"""POST /api/v1/webhooks/stripe/: Stripe's signed asynchronous outcomes resolve pending payments
through collection's one recording function; the signature is the only authentication."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from billing.models import JournalEvent
from payments.models import GatewayCall, Payment
from payments.services import payment_method_add
from payments.services.collection import collection_payments_create
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero, open_invoice

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_collection_0123456789abcdef"
URL = "/api/v1/webhooks/stripe/"
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def stripe_on(settings: Any) -> None:
    settings.STRIPE_API_KEY = "sk_test_never_sent_anywhere_000000"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]


def signed(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(kind: str, intent: dict[str, Any]) -> bytes:
    return json.dumps(
        {"id": "evt_1", "object": "event", "type": kind, "data": {"object": intent},
         "livemode": False, "created": 1795000005, "api_version": "2025-09-30.clover"}
    ).encode()  # fmt: skip


def pending_stripe_payment(amount: str = "25.00") -> Payment:
    customer = a_customer()
    method = payment_method_add(
        customer_id=customer.pk, actor=ACTOR, as_of=JAN,
        data={"gateway": "stripe", "token": f"pm_card_{customer.pk}", "kind": "card",
              "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
    )  # fmt: skip
    invoice = open_invoice(customer, amount, JAN)
    with transaction.atomic():
        [payment] = collection_payments_create([(invoice, 1, method)], as_of=JAN, actor=ACTOR)
    return payment


def post(payload: bytes, signature: str | None) -> Any:
    headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}
    return APIClient().post(URL, data=payload, content_type="application/json", **headers)


def test_a_signed_success_pays_the_pending_payment() -> None:
    payment = pending_stripe_payment()
    intent = {"id": "pi_123", "object": "payment_intent", "status": "succeeded",
              "metadata": {"idempotency_key": payment.idempotency_key}}  # fmt: skip
    payload = event("payment_intent.succeeded", intent)
    response = post(payload, signed(payload))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "received": True,
        "type": "payment_intent.succeeded",
        "payments": [payment.pk],
        "ignored": 0,
    }
    payment.refresh_from_db()
    assert (payment.state, payment.gateway_reference) == ("succeeded", "pi_123")
    assert payment.invoice is not None
    assert payment.invoice.status == "paid"
    assert payment.applied == Decimal("25.00")
    [call] = GatewayCall.objects.all()
    assert (call.action, call.outcome) == ("webhook", "succeeded")
    # Stripe sends it again: recorded on the timeline, nothing else moves
    assert post(payload, signed(payload)).status_code == 200
    assert Payment.objects.get(pk=payment.pk).applied == Decimal("25.00")
    assert GatewayCall.objects.count() == 2
    assert JournalEvent.objects.filter(type="payment.succeeded").count() == 1
    assert_trial_balance_zero()


def test_a_signed_failure_fails_it() -> None:
    payment = pending_stripe_payment()
    intent = {"id": "pi_9", "object": "payment_intent", "status": "requires_payment_method",
              "last_payment_error": {"code": "card_declined", "decline_code": "insufficient_funds",
                                     "message": "Your card has insufficient funds."},
              "metadata": {"idempotency_key": payment.idempotency_key}}  # fmt: skip
    payload = event("payment_intent.payment_failed", intent)
    assert post(payload, signed(payload)).status_code == 200
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code, payment.retryable) == (
        "failed",
        "insufficient_funds",
        True,
    )
    assert JournalEvent.objects.filter(type="payment.failed").count() == 1


@pytest.mark.parametrize(
    "signature",
    [None, "", "t=1,v1=deadbeef", "garbage", "other-secret", "too-old"],
)
def test_a_missing_or_bad_signature_is_a_400_and_changes_nothing(signature: str | None) -> None:
    payment = pending_stripe_payment()
    intent = {"id": "pi_1", "status": "succeeded",
              "metadata": {"idempotency_key": payment.idempotency_key}}  # fmt: skip
    payload = event("payment_intent.succeeded", intent)
    if signature == "other-secret":
        signature = signed(payload, secret="whsec_someone_else")
    elif signature == "too-old":
        signature = signed(payload, at=int(time.time()) - 3600)
    response = post(payload, signature)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "invalid_signature"
    assert error["field"] == "Stripe-Signature"
    assert Payment.objects.get(pk=payment.pk).state == "pending"
    assert not GatewayCall.objects.exists()


def test_a_tampered_body_is_refused() -> None:
    payment = pending_stripe_payment()
    intent = {"id": "pi_1", "status": "succeeded",
              "metadata": {"idempotency_key": payment.idempotency_key}}  # fmt: skip
    payload = event("payment_intent.succeeded", intent)
    header = signed(payload)
    assert post(payload.replace(b"pi_1", b"pi_2"), header).status_code == 400
    assert Payment.objects.get(pk=payment.pk).state == "pending"


def test_an_event_about_no_payment_of_ours_is_ignored_with_200() -> None:
    intent = {"id": "pi_x", "status": "succeeded", "metadata": {"idempotency_key": "elsewhere"}}
    for payload in (
        event("payment_intent.succeeded", intent),
        event("customer.created", {"id": "cus_1"}),
    ):
        response = post(payload, signed(payload))
        assert response.status_code == 200
        assert response.json()["payments"] == []
    assert not GatewayCall.objects.exists()


def test_stripe_not_configured_is_a_400(settings: Any) -> None:
    settings.STRIPE_API_KEY = ""
    payload = event("payment_intent.succeeded", {"id": "pi"})
    response = post(payload, signed(payload))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "disabled"


def test_the_route_is_in_the_schema_without_api_key_auth(staff_client: Any) -> None:
    schema = staff_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"][URL]["post"]
    assert operation["operationId"] == "webhooks_stripe"
    assert "security" not in schema  # no global scheme the operation would inherit
    assert not [s for s in operation.get("security", []) if s]  # no API key asked for
    assert any(p["name"] == "Stripe-Signature" for p in operation["parameters"])
