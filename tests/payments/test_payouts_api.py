"""Payouts' REST API: payees, methods, customers, schedules, payouts; 400s with the field."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from payments.gateways.sandbox import SandboxGateway
from payments.models.payouts import Payout
from payments.services.payouts_run import payouts_execute
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-payouts-api-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def errors(response: Any) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_a_payee_set_up_and_paid_through_the_api(api: Any) -> None:
    created = api.post("/api/v1/payees/", {"external_id": "seller-1", "name": "Seller",
                       "currency": "usd", "timezone": "Europe/Paris"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    payee = created.json()
    assert (payee["currency"], payee["state"]) == ("USD", "active")
    method = api.post(f"/api/v1/payees/{payee['id']}/payout-methods/",
                      {"gateway": "sandbox", "token": "tok_ok"}, format="json")  # fmt: skip
    assert method.status_code == 201
    assert method.json()["is_default"] is True
    customer = a_customer()
    linked = api.post(f"/api/v1/payees/{payee['id']}/customers/",
                      {"customer": customer.external_id}, format="json")  # fmt: skip
    assert linked.status_code == 201
    assert linked.json()["customer"] == customer.external_id
    anchor = (timezone.now() - timedelta(days=20)).date().isoformat()
    schedule = api.post(f"/api/v1/payees/{payee['id']}/schedules/",
                        {"interval_unit": "week", "anchor": anchor, "amount_kind": "fixed",
                         "fixed_amount": "25.00"}, format="json")  # fmt: skip
    assert schedule.status_code == 201, schedule.json()
    run = api.post(f"/api/v1/payout-schedules/{schedule.json()['id']}/run/")
    assert run.status_code == 200
    assert run.json()["created"] in (2, 3)
    payouts = api.get("/api/v1/payouts/", {"payee": "seller-1", "state": "pending"}).json()
    assert len(payouts["results"]) == run.json()["created"]
    assert {p["amount"] for p in payouts["results"]} == {"25.00"}
    first = payouts["results"][-1]["id"]
    payouts_execute(payout_ids=[first], as_of=timezone.now(), actor=ACTOR)
    detail = api.get(f"/api/v1/payouts/{first}/").json()
    assert detail["state"] == "paid"
    assert [c["outcome"] for c in detail["calls"]] == ["succeeded"]
    refused = api.post(f"/api/v1/payouts/{first}/cancel/", {"reason": "x"}, format="json")
    assert refused.status_code == 409
    other = payouts["results"][0]["id"]
    canceled = api.post(f"/api/v1/payouts/{other}/cancel/", {"reason": "dispute"}, format="json")
    assert canceled.status_code == 200
    assert canceled.json()["state"] == "canceled"
    assert api.post(f"/api/v1/payouts/{other}/retry/").status_code == 409
    patched = api.patch(f"/api/v1/payout-schedules/{schedule.json()['id']}/",
                        {"fixed_amount": "30.00", "active": False}, format="json")  # fmt: skip
    assert patched.status_code == 200
    assert patched.json()["active"] is False
    assert api.post(f"/api/v1/payees/{payee['id']}/archive/").json()["state"] == "archived"


def test_refusals_are_400s_naming_the_field(api: Any) -> None:
    bad = api.post("/api/v1/payees/", {"external_id": "x", "name": "X", "currency": "USD",
                   "timezone": "Mars/Olympus"}, format="json")  # fmt: skip
    assert bad.status_code == 400
    assert errors(bad) == [("timezone", "invalid_choice")]
    payee = api.post("/api/v1/payees/", {"external_id": "x", "name": "X", "currency": "USD"},
                     format="json").json()  # fmt: skip
    again = api.post("/api/v1/payees/", {"external_id": "x", "name": "Y", "currency": "USD"},
                     format="json")  # fmt: skip
    assert again.status_code == 400
    assert errors(again) == [("external_id", "unique")]
    token = api.post(f"/api/v1/payees/{payee['id']}/payout-methods/",
                     {"gateway": "sandbox", "token": "tok_nope"}, format="json")  # fmt: skip
    assert token.status_code == 400
    assert errors(token) == [("token", "invalid_token")]
    stripe = api.post(f"/api/v1/payees/{payee['id']}/payout-methods/",
                      {"gateway": "stripe", "token": "acct_1"}, format="json")  # fmt: skip
    assert stripe.status_code == 400
    assert errors(stripe)[0][0] == "gateway"
    today = timezone.now().date().isoformat()
    for body, field in (
        ({"amount_kind": "percentage", "percentage": "120"}, "percentage"),
        ({"amount_kind": "fixed", "fixed_amount": "1.001"}, "fixed_amount"),
        ({"amount_kind": "fixed"}, "fixed_amount"),
        ({"amount_kind": "fixed", "fixed_amount": "5", "percentage": "5"}, "percentage"),
    ):
        url = f"/api/v1/payees/{payee['id']}/schedules/"
        r = api.post(url, {"interval_unit": "month", "anchor": today, **body}, format="json")
        assert r.status_code == 400, (body, r.json())
        assert errors(r)[0][0] == field, (body, r.json())
    euro = a_customer(currency="EUR")
    mismatch = api.post(f"/api/v1/payees/{payee['id']}/customers/",
                        {"customer": euro.external_id}, format="json")  # fmt: skip
    assert mismatch.status_code == 400
    assert errors(mismatch) == [("customer", "currency_mismatch")]
    assert api.get("/api/v1/payouts/", {"state": "nope"}).status_code == 400
    assert api.get("/api/v1/payouts/999999/").status_code == 404
    assert not Payout.objects.exists()


def test_the_schema_lists_the_payout_endpoints(staff_client: Any) -> None:
    schema = staff_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/payees/", "/api/v1/payees/{id}/schedules/", "/api/v1/payouts/",
        "/api/v1/payouts/{id}/retry/", "/api/v1/payouts/{id}/cancel/",
        "/api/v1/payee-customers/{id}/", "/api/v1/payout-methods/{id}/detach/",
    ):  # fmt: skip
        assert path in schema["paths"], path
    create = schema["paths"]["/api/v1/payees/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
