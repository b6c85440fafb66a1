"""POST /api/v1/webhooks/stripe/: Stripe's signed asynchronous outcomes resolve pending payments
through collection's one recording function; the signature is the only authentication."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from billing.models import JournalEvent
from payments.gateways.base import Outcome, Result
from payments.models import GatewayCall, Payment
from payments.services import payment_method_add
from payments.services.collection import (
    Answer,
    collection_payments_create,
    payment_answers_record,
)
from payments.services.retries import retries_due
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


# ------------------------------------------------------------ Stripe's search lags behind charges


def sent_and_timed_out(payment: Payment) -> None:
    """What the charge task does when Stripe does not answer: the payment is claimed (sent at
    JAN) and the charge's answer is `unknown` (timeout)."""
    Payment.objects.filter(pk=payment.pk).update(charge_requested_at=JAN)
    timeout = Result(Outcome.UNKNOWN, reason="timeout")
    record(payment, GatewayCall.Action.CHARGE, timeout, JAN)


def record(payment: Payment, action: str, result: Result, at: datetime) -> None:
    payment_answers_record(answers=[Answer(payment.pk, action, result)], as_of=at, actor=ACTOR)


NOT_FOUND = Result(Outcome.FAILED, reason="not_found", message="No PaymentIntent")


def test_a_charge_stripes_search_has_not_indexed_yet_stays_pending_and_its_webhook_pays() -> None:
    """The review's scenario: a timeout, the reconciler's search a minute later finds nothing
    (search is eventually consistent), then Stripe's webhook says the intent succeeded. The
    payment stays pending until then, is paid by the webhook, and no second attempt is made."""
    payment = pending_stripe_payment("100.00")
    sent_and_timed_out(payment)
    record(payment, GatewayCall.Action.STATUS, NOT_FOUND, JAN + timedelta(seconds=61))
    record(payment, GatewayCall.Action.STATUS, NOT_FOUND, JAN + timedelta(hours=23))
    payment.refresh_from_db()
    assert (payment.state, payment.retry_at, payment.failure_code) == ("pending", None, "")
    assert not JournalEvent.objects.filter(type="payment.failed").exists()
    intent = {"id": "pi_late", "object": "payment_intent", "status": "succeeded",
              "metadata": {"idempotency_key": payment.idempotency_key}}  # fmt: skip
    payload = event("payment_intent.succeeded", intent)
    assert post(payload, signed(payload)).status_code == 200
    payment.refresh_from_db()
    assert (payment.state, payment.gateway_reference) == ("succeeded", "pi_late")
    assert payment.invoice is not None
    assert (payment.invoice.status, payment.invoice.amount_due) == ("paid", Decimal(0))
    assert [c.action for c in payment.calls.order_by("id")] == [
        "charge", "status", "status", "webhook"
    ]  # fmt: skip
    # no retry is ever made: the invoice is charged once
    assert retries_due(JAN + timedelta(days=4)) == {"retried": 0, "stopped": 0, "postponed": 0}
    assert Payment.objects.count() == 1
    assert_trial_balance_zero()


def test_not_found_a_day_after_the_charge_is_a_failure() -> None:
    """Stripe replays an idempotency key for 24 hours: a search that still finds nothing after
    that fails the payment (retryable, nothing was taken)."""
    payment = pending_stripe_payment("100.00")
    sent_and_timed_out(payment)
    record(payment, GatewayCall.Action.STATUS, NOT_FOUND, JAN + timedelta(hours=24, seconds=-1))
    assert Payment.objects.get(pk=payment.pk).state == "pending"
    at = JAN + timedelta(hours=24)
    record(payment, GatewayCall.Action.STATUS, NOT_FOUND, at)
    payment.refresh_from_db()
    assert (payment.state, payment.failure_code, payment.retryable) == ("failed", "not_found", True)
    assert payment.retry_at == at + timedelta(days=3)


def test_a_decline_stripe_found_fails_at_once() -> None:
    """Only "not found" waits for the search: an intent found declined is a failure now."""
    payment = pending_stripe_payment("100.00")
    sent_and_timed_out(payment)
    declined = Result(Outcome.FAILED, reference="pi_d", reason="card_declined")
    record(payment, GatewayCall.Action.STATUS, declined, JAN + timedelta(seconds=61))
    assert Payment.objects.get(pk=payment.pk).state == "failed"
