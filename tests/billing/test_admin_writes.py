"""Issue 10, item 9: the billing admin pages write through their services, from an explicit view:
validating a form writes nothing; the service's refusal is an error on its field; every write
leaves its history and journal event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.admin_credits import BalanceForm, RedeemForm
from billing.models import (
    CouponRedemption,
    Customer,
    CustomerBalanceTransaction,
    EntitlementOverride,
    JournalEvent,
)
from catalog import services as catalog
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import feature
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db


def test_validating_the_balance_form_writes_nothing() -> None:
    """The old form called the service from `clean()`: validation itself wrote money."""
    customer = CustomerFactory()
    form = BalanceForm(
        data={"customer": customer.pk, "kind": "grant", "amount": "10", "reason": "welcome"}
    )
    assert form.is_valid(), form.errors
    assert not CustomerBalanceTransaction.objects.exists()
    assert Customer.objects.get().balance == 0

    coupon = catalog.coupon_create(
        actor=TEST_ACTOR, as_of=timezone.now(),
        data={"code": "ten", "name": "Ten", "kind": "percent", "percent_off": Decimal(10),
              "duration": "once"},
    )  # fmt: skip
    redeem = RedeemForm(data={"customer": customer.pk, "coupon": coupon.pk})
    assert redeem.is_valid(), redeem.errors
    assert not CouponRedemption.objects.exists()


def test_balance_added_in_the_admin_and_refused_on_its_field(staff_client: Any) -> None:
    customer = CustomerFactory()
    url = reverse("admin:billing_customerbalancetransaction_add")
    too_fine = staff_client.post(
        url, {"customer": customer.pk, "kind": "grant", "amount": "10.005", "reason": "x"}
    )
    assert too_fine.status_code == 200
    assert "decimals" in too_fine.context["adminform"].form.errors["amount"][0]
    below_zero = staff_client.post(
        url, {"customer": customer.pk, "kind": "adjustment", "amount": "-5", "reason": "x"}
    )
    assert below_zero.status_code == 200
    assert below_zero.context["adminform"].form.errors["amount"]
    assert not CustomerBalanceTransaction.objects.exists()

    done = staff_client.post(
        url, {"customer": customer.pk, "kind": "grant", "amount": "10.00", "reason": "welcome"}
    )
    assert done.status_code == 302
    assert Customer.objects.get().balance == Decimal("10.00")
    [event] = JournalEvent.objects.filter(type="customer.balance_changed")
    assert event.actor["label"] == "finance"
    # then read-only: no change, no delete
    row = CustomerBalanceTransaction.objects.get()
    change = reverse("admin:billing_customerbalancetransaction_change", args=[row.pk])
    assert staff_client.post(change, {"amount": "1000"}).status_code == 403
    assert Customer.objects.get().balance == Decimal("10.00")


def test_customer_edit_is_an_explicit_view_calling_the_service(staff_client: Any) -> None:
    from tests.billing.test_admin import change_form_data

    customer = CustomerFactory(name="Acme")
    url = reverse("admin:billing_customer_change", args=[customer.pk])
    response = staff_client.post(url, change_form_data(customer, name="Acme GmbH"))
    assert response.status_code == 302
    [event] = JournalEvent.objects.filter(type="customer.updated")
    assert event.payload["changes"] == {"name": ["Acme", "Acme GmbH"]}
    # a bad value is a form error and nothing is written
    response = staff_client.post(url, change_form_data(customer, currency="XYZ"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["currency"]
    assert Customer.objects.get().currency == "USD"


def test_entitlement_overrides_set_and_removed_through_the_services(staff_client: Any) -> None:
    customer, seats = CustomerFactory(), feature()
    add = reverse("admin:billing_entitlementoverride_add")
    response = staff_client.post(
        add,
        {"customer": customer.pk, "feature": seats.pk, "enabled": "on", "limit": "3",
         "reason": "trial of more seats"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["errors"]
    override = EntitlementOverride.objects.get()
    assert override.limit == 3
    assert JournalEvent.objects.filter(type="customer.entitlements_changed").exists()
    staff_client.post(
        reverse("admin:billing_entitlementoverride_changelist"),
        {"action": "remove_selected", "_selected_action": [override.pk]},
    )
    assert not EntitlementOverride.objects.exists()
