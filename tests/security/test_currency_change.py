"""Issue 11, item 6: a customer's currency is refused a change (409 `currency_in_use`, naming
`currency`) once anything was priced in it: a subscription (in any state), an invoice or credit
note, a balance movement, a redemption of a fixed-amount coupon. Before that it may change."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer
from billing.services import (
    coupon_redeem,
    customer_balance_adjust,
    customer_update,
    subscription_create,
)
from billing.services.customers import CURRENCY_BOUND
from catalog import services as catalog
from core.exceptions import Conflict
from invoicing.services.drafts import invoice_draft_create
from tests.billing.subs import customer as make_customer
from tests.billing.subs import priced_plan
from tests.billing.test_admin import change_form_data
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


def a_subscription(customer: Customer) -> None:
    plan = priced_plan("basic", "10.00")
    subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=now())


def an_open_invoice(customer: Customer) -> None:
    invoice_draft_create(customer_id=customer.pk, as_of=now(), actor=TEST_ACTOR, grace_days=3)


def a_balance(customer: Customer) -> None:
    customer_balance_adjust(
        customer_id=customer.pk, amount=Decimal("5.00"), actor=TEST_ACTOR, as_of=now(), reason="x"
    )


def coupon(kind: str) -> Callable[[Customer], None]:
    def redeem(customer: Customer) -> None:
        terms: dict[str, Any] = (
            {"amount_off": Decimal("5"), "currency": "USD"}
            if kind == "fixed"
            else {"percent_off": Decimal("10")}
        )
        catalog.coupon_create(
            actor=TEST_ACTOR,
            as_of=now(),
            data={"code": f"c-{kind}", "name": kind, "kind": kind, "duration": "once", **terms},
        )
        coupon_redeem(
            customer_id=customer.pk, coupon_code=f"c-{kind}", actor=TEST_ACTOR, as_of=now()
        )

    return redeem


def now() -> Any:
    return timezone.now()


LIVE = {
    "subscription": a_subscription,
    "invoice": an_open_invoice,
    "balance": a_balance,
    "fixed coupon": coupon("fixed"),
}


def only_error(response: Any) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return dict(errors[0])


@pytest.mark.parametrize("what", list(LIVE))
def test_the_api_refuses_a_new_currency_once_something_is_priced_in_it(
    api: APIClient, what: str
) -> None:
    customer = make_customer(currency="USD")
    LIVE[what](customer)
    response = api.patch(f"/api/v1/customers/{customer.pk}/", {"currency": "JPY"}, format="json")
    assert response.status_code == 409, response.content
    error = only_error(response)
    assert (error["field"], error["code"]) == ("currency", "currency_in_use")
    assert "USD" in error["message"]
    customer.refresh_from_db()
    assert customer.currency == "USD"


def test_everything_at_once_names_each_kind_of_document(api: APIClient) -> None:
    customer = make_customer(currency="USD")
    for make in LIVE.values():
        make(customer)
    response = api.patch(f"/api/v1/customers/{customer.pk}/", {"currency": "JPY"}, format="json")
    message = only_error(response)["message"]
    for words in ("subscription", "invoice", "balance", "coupon"):
        assert words in message


def test_an_ended_subscription_still_holds_the_currency() -> None:
    customer = make_customer(currency="USD")
    a_subscription(customer)
    customer.subscriptions.update(status="ended")
    with pytest.raises(Conflict) as refused:
        customer_update(
            customer_id=customer.pk, actor=TEST_ACTOR, as_of=now(), changes={"currency": "EUR"}
        )
    assert (refused.value.field, refused.value.code) == ("currency", "currency_in_use")


def test_the_currency_may_change_while_nothing_is_priced_in_it(api: APIClient) -> None:
    customer = make_customer(currency="USD")
    coupon("percent")(customer)  # a percentage is the same in any currency
    response = api.patch(f"/api/v1/customers/{customer.pk}/", {"currency": "JPY"}, format="json")
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.currency == "JPY"


def test_the_same_currency_again_is_not_a_change(api: APIClient) -> None:
    customer = make_customer(currency="USD")
    a_balance(customer)
    response = api.patch(
        f"/api/v1/customers/{customer.pk}/", {"currency": "usd", "name": "Renamed"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"


def test_the_admin_form_shows_the_refusal_on_the_currency_field(staff_client: Any) -> None:
    customer = make_customer(currency="USD")
    an_open_invoice(customer)
    url = reverse("admin:billing_customer_change", args=[customer.pk])
    response = staff_client.post(url, change_form_data(customer, currency="JPY"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["currency"]
    assert "invoice" in str(errors["currency"])
    customer.refresh_from_db()
    assert customer.currency == "USD"


def test_the_admin_form_changes_the_currency_of_a_new_customer(staff_client: Any) -> None:
    customer = make_customer(currency="USD")
    url = reverse("admin:billing_customer_change", args=[customer.pk])
    response = staff_client.post(url, change_form_data(customer, currency="EUR"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.currency == "EUR"


def test_every_document_with_a_currency_that_points_at_a_customer_is_in_the_rule() -> None:
    """A new model of any layer with a customer and a currency must join CURRENCY_BOUND."""
    covered = {accessor for accessor, _, _ in CURRENCY_BOUND}
    for relation in Customer._meta.related_objects:
        model = relation.related_model
        names = {f.name for f in model._meta.get_fields()}
        if "currency" in names and not model._meta.label.endswith("Event"):  # history rows
            assert relation.get_accessor_name() in covered, model._meta.label


def test_a_customer_counted_for_a_payee_keeps_its_currency() -> None:
    """Its payments count for a payee paid in its currency: a change would drop them silently
    from the payee's payouts (the link holds no currency of its own, hence named here)."""
    from django.utils import timezone

    from payments.services.payouts import payee_create, payee_customer_add

    assert "payee_links" in {accessor for accessor, _, _ in CURRENCY_BOUND}
    customer = make_customer(currency="USD")
    now = timezone.now()
    payee = payee_create(
        data={"external_id": "seller", "name": "Seller", "currency": "USD"},
        actor=TEST_ACTOR, as_of=now,
    )  # fmt: skip
    payee_customer_add(payee_id=payee.pk, customer_id=customer.pk, actor=TEST_ACTOR, as_of=now)
    with pytest.raises(Conflict) as refused:
        customer_update(
            customer_id=customer.pk, actor=TEST_ACTOR, as_of=now, changes={"currency": "EUR"}
        )
    assert (refused.value.field, "payee links" in str(refused.value)) == ("currency", True)
