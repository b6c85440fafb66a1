"""Payment methods (issue 12, item 1): tokens only, one default per customer, a subscription's
own method, detach instead of delete; services, API, admin, history and journal events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from pghistory.models import Events
from rest_framework.test import APIClient

from billing.models import JournalEvent
from billing.services import subscription_create
from core.exceptions import Conflict, ValidationFailed
from payments import selectors, services
from payments.models import PaymentMethod, PaymentMethodState, SubscriptionPaymentMethod
from tests.billing.subs import customer, priced_plan
from tests.conftest import TEST_ACTOR as ACTOR

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


def add(who: Any, token: str, **extra: Any) -> PaymentMethod:
    data = {"gateway": "sandbox", "token": token, "kind": "card", "brand": "visa",
            "last4": "4242", "exp_month": 12, "exp_year": 2030, **extra}  # fmt: skip
    return services.payment_method_add(customer_id=who.pk, actor=ACTOR, as_of=NOW, data=data)


def events(type: str) -> list[JournalEvent]:
    return list(JournalEvent.objects.filter(type=type).order_by("id"))


def fresh(method: PaymentMethod) -> PaymentMethod:
    return PaymentMethod.objects.get(pk=method.pk)


def subscription_of(who: Any) -> int:
    plan = priced_plan(f"pm_{who.pk}", "10")
    return subscription_create(
        customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=NOW, start_at=NOW
    ).pk


# ------------------------------------------------------------------------------ services


def test_the_first_method_is_the_default_and_the_next_is_not() -> None:
    acme = customer(external_id="acme")
    first, second = add(acme, "tok_ok"), add(acme, "tok_ok_2")
    assert fresh(first).is_default
    assert not fresh(second).is_default
    assert [e.subject_id for e in events("payment_method.added")] == [str(first.pk), str(second.pk)]
    assert events("payment_method.added")[0].payload["payment_method"]["last4"] == "4242"


def test_set_default_switches_atomically_and_one_default_is_a_constraint() -> None:
    acme = customer(external_id="acme")
    first, second = add(acme, "tok_ok"), add(acme, "tok_ok_2")
    services.payment_method_set_default(payment_method_id=second.pk, actor=ACTOR, as_of=NOW)
    assert not fresh(first).is_default
    assert fresh(second).is_default
    (event,) = events("payment_method.default_changed")
    assert event.payload["previous_default"] == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentMethod.objects.filter(pk=first.pk).update(is_default=True)


@pytest.mark.parametrize(
    "token",
    ["4242424242424242", "4242 4242 4242 4242", "4111-1111-1111-1111", "378282246310005",
     "DE89370400440532013000", "de89 3704 0044 0532 0130 00", "GB82WEST12345698765432"],
)  # fmt: skip
def test_a_card_number_or_an_iban_is_refused_as_a_token(token: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add(customer(external_id="acme"), token)
    assert refused.value.field == "token"
    assert "Only the gateway's token is stored" in refused.value.message
    assert not PaymentMethod.objects.exists()


@pytest.mark.parametrize("token", ["tok_ok", "4242424242424241", "12345", "DE00370400440532013000"])
def test_tokens_that_are_not_account_numbers_are_accepted(token: str) -> None:
    assert add(customer(external_id="acme"), token).token == token


def test_a_gateway_not_enabled_is_refused_on_gateway() -> None:
    with override_settings(PAYMENT_GATEWAYS=["manual"]), pytest.raises(ValidationFailed) as no:
        add(customer(external_id="acme"), "tok_ok")
    assert (no.value.field, no.value.code) == ("gateway", "gateway_disabled")


def test_a_token_is_unique_per_gateway() -> None:
    acme = customer(external_id="acme")
    add(acme, "tok_ok")
    with pytest.raises(ValidationFailed) as twice:
        add(customer(external_id="other"), "tok_ok")
    assert (twice.value.field, twice.value.code) == ("token", "unique")
    add(acme, "tok_ok", gateway="manual", kind="bank_transfer", exp_month=None, exp_year=None)


def test_a_card_needs_its_expiry_and_last4_is_four_digits() -> None:
    acme = customer(external_id="acme")
    with pytest.raises(ValidationFailed) as no_expiry:
        add(acme, "tok_ok", exp_month=None, exp_year=None)
    assert no_expiry.value.field == "exp_month"
    with pytest.raises(ValidationFailed) as half:
        add(acme, "tok_ok", kind="sepa_debit", exp_year=None)
    assert half.value.field == "exp_year"
    with pytest.raises(ValidationFailed) as digits:
        add(acme, "tok_ok", last4="42a2")
    assert digits.value.field == "last4"


def test_an_expired_card_is_stored_expired_and_a_renewed_one_is_active_again() -> None:
    acme = customer(external_id="acme")
    method = add(acme, "tok_ok", exp_month=5, exp_year=2026)
    assert method.state == PaymentMethodState.EXPIRED
    assert add(acme, "tok_ok_2", exp_month=6, exp_year=2026).state == "active"  # to month's end
    renewed = services.payment_method_update(
        payment_method_id=method.pk, actor=ACTOR, as_of=NOW,
        changes={"exp_month": 5, "exp_year": 2029, "holder_name": "Ada"},
    )  # fmt: skip
    assert (renewed.state, renewed.holder_name) == ("active", "Ada")
    (event,) = events("payment_method.updated")
    assert event.payload["changes"]["state"] == ["expired", "active"]
    with pytest.raises(ValidationFailed) as stale:
        services.payment_method_update(
            payment_method_id=method.pk, actor=ACTOR, as_of=NOW,
            changes={"exp_year": 2025, "state": "active"},
        )  # fmt: skip
    assert stale.value.field == "state"


def test_detaching_the_default_makes_the_newest_other_active_method_the_default() -> None:
    acme = customer(external_id="acme")
    first, second, third = add(acme, "tok_1"), add(acme, "tok_2"), add(acme, "tok_3")
    services.payment_method_update(
        payment_method_id=third.pk, actor=ACTOR, as_of=NOW, changes={"state": "failed_verification"}
    )
    detached = services.payment_method_detach(payment_method_id=first.pk, actor=ACTOR, as_of=NOW)
    assert detached.detached_at == NOW
    assert not detached.is_default
    assert fresh(second).is_default  # the newest *active* one, not the failed third
    assert PaymentMethod.objects.filter(pk=first.pk).exists()  # kept, never deleted
    assert events("payment_method.detached")[0].subject_id == str(first.pk)
    assert events("payment_method.default_changed")[0].subject_id == str(second.pk)
    with pytest.raises(Conflict):
        services.payment_method_detach(payment_method_id=first.pk, actor=ACTOR, as_of=NOW)
    with pytest.raises(Conflict):
        services.payment_method_set_default(payment_method_id=first.pk, actor=ACTOR, as_of=NOW)
    with pytest.raises(Conflict):
        services.payment_method_set_default(payment_method_id=third.pk, actor=ACTOR, as_of=NOW)


def test_detaching_the_last_method_leaves_no_default_until_one_is_added() -> None:
    acme = customer(external_id="acme")
    only = add(acme, "tok_1")
    services.payment_method_detach(payment_method_id=only.pk, actor=ACTOR, as_of=NOW)
    assert not PaymentMethod.objects.filter(is_default=True).exists()
    assert add(acme, "tok_2").is_default


def test_a_subscription_override_same_customer_active_method_and_fallback() -> None:
    acme, other = customer(external_id="acme"), customer(external_id="other")
    default, own = add(acme, "tok_1"), add(acme, "tok_2")
    foreign = add(other, "tok_3")
    sub = subscription_of(acme)
    assert selectors.payment_method_for_subscription(subscription_id=sub) == default
    services.subscription_payment_method_set(
        subscription_id=sub, payment_method_id=own.pk, actor=ACTOR, as_of=NOW
    )
    assert selectors.payment_method_for_subscription(subscription_id=sub) == own
    with pytest.raises(ValidationFailed) as wrong:
        services.subscription_payment_method_set(
            subscription_id=sub, payment_method_id=foreign.pk, actor=ACTOR, as_of=NOW
        )
    assert (wrong.value.field, wrong.value.code) == ("payment_method", "other_customer")
    services.payment_method_detach(payment_method_id=own.pk, actor=ACTOR, as_of=NOW)
    assert not SubscriptionPaymentMethod.objects.exists()  # falls back to the default
    assert selectors.payment_method_for_subscription(subscription_id=sub) == default
    with pytest.raises(ValidationFailed) as gone:
        services.subscription_payment_method_set(
            subscription_id=sub, payment_method_id=own.pk, actor=ACTOR, as_of=NOW
        )
    assert gone.value.code == "payment_method_not_active"
    changes = events("subscription.payment_method_changed")
    assert [e.payload["payment_method"] for e in changes] == [own.pk, None]


def test_history_rows_carry_the_actor() -> None:
    method = add(customer(external_id="acme"), "tok_1")
    services.payment_method_update(
        payment_method_id=method.pk, actor=ACTOR, as_of=NOW, changes={"holder_name": "Ada"},
        reason="typo",
    )  # fmt: skip
    rows = list(Events.objects.tracks(method).order_by("pgh_id"))
    assert [r.pgh_label for r in rows] == ["insert", "update"]
    assert rows[1].pgh_context["actor"] == ACTOR.label
    assert rows[1].pgh_context["reason"] == "typo"


# ----------------------------------------------------------------------------------- API


def body(**extra: Any) -> dict[str, Any]:
    return {"customer": "acme", "gateway": "sandbox", "token": "tok_ok", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030,
            **extra}  # fmt: skip


def fields(response: Any) -> list[str | None]:
    return [e["field"] for e in response.json()["errors"]]


def test_api_create_list_filter_retrieve_and_patch(api: APIClient) -> None:
    customer(external_id="acme")
    customer(external_id="other")
    created = api.post("/api/v1/payment-methods/", body(), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["is_default"] is True
    assert created.json()["customer"] == "acme"
    api.post("/api/v1/payment-methods/", body(customer="other", token="tok_x"), format="json")
    listed = api.get("/api/v1/payment-methods/", {"customer": "acme"})
    assert [m["token"] for m in listed.json()["results"]] == ["tok_ok"]
    assert len(api.get("/api/v1/payment-methods/").json()["results"]) == 2
    pk = created.json()["id"]
    assert api.get(f"/api/v1/payment-methods/{pk}/").json()["last4"] == "4242"
    patched = api.patch(f"/api/v1/payment-methods/{pk}/", {"holder_name": "Ada"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["holder_name"] == "Ada"
    refused = api.patch(f"/api/v1/payment-methods/{pk}/", {"token": "x"}, format="json")
    assert refused.status_code == 400
    assert fields(refused) == ["token"]


def test_api_refusals_name_the_field(api: APIClient) -> None:
    customer(external_id="acme")
    card = api.post("/api/v1/payment-methods/", body(token="4242424242424242"), format="json")
    assert card.status_code == 400
    assert fields(card) == ["token"]
    assert "Only the gateway's token" in card.json()["errors"][0]["message"]
    last4 = api.post("/api/v1/payment-methods/", body(last4="42"), format="json")
    assert last4.status_code == 400
    assert fields(last4) == ["last4"]
    nobody = api.post("/api/v1/payment-methods/", body(customer="nobody"), format="json")
    assert nobody.status_code == 404
    assert fields(nobody) == ["customer"]
    with override_settings(PAYMENT_GATEWAYS=["manual"]):
        off = api.post("/api/v1/payment-methods/", body(), format="json")
    assert off.status_code == 400
    assert fields(off) == ["gateway"]
    assert not PaymentMethod.objects.exists()


def test_api_default_detach_and_subscription_override(api: APIClient) -> None:
    acme, other = customer(external_id="acme"), customer(external_id="other")
    first, second = add(acme, "tok_1"), add(acme, "tok_2")
    foreign = add(other, "tok_3")
    made = api.post(f"/api/v1/payment-methods/{second.pk}/default/")
    assert made.status_code == 200
    assert made.json()["is_default"] is True
    sub = subscription_of(acme)
    url = f"/api/v1/subscriptions/{sub}/payment-method/"
    assert api.get(url).status_code == 404
    wrong = api.put(url, {"payment_method": foreign.pk}, format="json")
    assert wrong.status_code == 400
    assert fields(wrong) == ["payment_method"]
    put = api.put(url, {"payment_method": first.pk}, format="json")
    assert put.status_code == 200
    assert put.json()["payment_method"]["id"] == first.pk
    assert api.get(url).json()["payment_method"]["id"] == first.pk
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    detached = api.post(f"/api/v1/payment-methods/{second.pk}/detach/")
    assert detached.status_code == 200
    assert detached.json()["detached_at"]
    assert fresh(first).is_default
    again = api.post(f"/api/v1/payment-methods/{second.pk}/detach/")
    assert again.status_code == 409
    live = api.get("/api/v1/payment-methods/", {"customer": "acme", "detached": "false"})
    assert [m["id"] for m in live.json()["results"]] == [first.pk]


# --------------------------------------------------------------------------------- admin


def test_admin_adds_through_the_service_and_shows_a_refusal_on_the_field(
    staff_client: Any,
) -> None:
    acme = customer(external_id="acme")
    url = reverse("admin:payments_paymentmethod_add")
    form = {"customer": acme.pk, "gateway": "sandbox", "token": "4242424242424242",
            "kind": "card", "brand": "visa", "last4": "4242", "exp_month": "12",
            "exp_year": "2030", "holder_name": "Ada"}  # fmt: skip
    refused = staff_client.post(url, form)
    assert refused.status_code == 200
    assert "token" in refused.context["adminform"].form.errors
    assert not PaymentMethod.objects.exists()
    added = staff_client.post(url, {**form, "token": "tok_ok"})
    assert added.status_code == 302
    method = PaymentMethod.objects.get()
    assert method.is_default
    (event,) = events("payment_method.added")
    assert event.actor["label"] == "finance"
    change = reverse("admin:payments_paymentmethod_change", args=[method.pk])
    page = staff_client.get(change)
    assert page.status_code == 200
    edited = staff_client.post(
        change, {"holder_name": "Ada L.", "exp_month": "11", "exp_year": "2031", "state": "active"}
    )
    assert edited.status_code == 302, edited.context["adminform"].form.errors
    assert fresh(method).holder_name == "Ada L."
    history = staff_client.get(reverse("admin:payments_paymentmethod_history", args=[method.pk]))
    assert history.status_code == 200
    assert [r["why"] for r in history.context["rows"]] == [
        "added in the admin",
        "edited in the admin",
    ]


def test_api_keeps_the_stripe_customer_of_a_method_an_integrator_attached(
    api: APIClient, settings: Any
) -> None:
    """A Stripe PaymentMethod the integrator attached to its own Stripe Customer is stored with
    that customer (`gateway_customer`, read-only afterwards): collection charges it with it."""
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    customer(external_id="acme")
    created = api.post("/api/v1/payment-methods/", body(gateway="stripe", token="pm_1Attached",
                       gateway_customer="cus_R1aB2cD3eF4gH5"), format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["gateway_customer"] == "cus_R1aB2cD3eF4gH5"
    pk = created.json()["id"]
    assert api.get(f"/api/v1/payment-methods/{pk}/").json()["gateway_customer"] == (
        "cus_R1aB2cD3eF4gH5"
    )
    plain = api.post("/api/v1/payment-methods/", body(token="tok_plain"), format="json")
    assert plain.json()["gateway_customer"] == ""
    for extra in ({"gateway_customer": "cus_X1"}, {"gateway": "stripe", "gateway_customer": "x"}):
        refused = api.post("/api/v1/payment-methods/", body(token="pm_2", **extra), format="json")
        assert refused.status_code == 400, extra
        assert fields(refused) == ["gateway_customer"]
    patched = api.patch(f"/api/v1/payment-methods/{pk}/", {"gateway_customer": "cus_Other"},
                        format="json")  # fmt: skip
    assert patched.status_code == 400
    assert fields(patched) == ["gateway_customer"]
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    assert "gateway_customer" in components["PaymentMethodInRequest"]["properties"]
    assert components["PaymentMethodOut"]["properties"]["gateway_customer"]["readOnly"] is True
