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


def test_a_subscription_start_is_typed_in_the_customers_time_zone(staff_client: Any) -> None:
    """Issue 10, item 12: 09:00 typed for a Berlin customer in June is 07:00 UTC; a time the
    clocks skip is refused, never guessed."""
    from billing.models import Subscription
    from tests.billing.subs import customer, priced_plan, utc

    berlin = customer("Europe/Berlin")
    basic = priced_plan("basic", "30")
    url = reverse("admin:billing_subscription_add")
    page = staff_client.get(url).content.decode()
    assert "Start (customer&#x27;s time zone)" in page
    form = {"customer": berlin.pk, "plan": basic.pk, "quantity": "1", "trial_days": "",
            "billing_anchor": ""}  # fmt: skip
    skipped = staff_client.post(url, {**form, "start_at_0": "2030-03-31", "start_at_1": "02:30:00"})
    assert skipped.status_code == 200
    assert "does not exist in Europe/Berlin" in skipped.content.decode()
    done = staff_client.post(url, {**form, "start_at_0": "2030-06-03", "start_at_1": "09:00:00"})
    assert done.status_code == 302
    assert Subscription.objects.get().start_at == utc(2030, 6, 3, 7, 0)


def test_admin_instants_carry_their_time_zone(staff_client: Any) -> None:
    customer = CustomerFactory()
    page = staff_client.get(reverse("admin:billing_customer_changelist")).content.decode()
    created = timezone.localtime(Customer.objects.get(pk=customer.pk).created_at)
    assert f"{created:%Y-%m-%d %H:%M} UTC" in page


def test_currency_country_and_time_zone_are_searchable_choices(staff_client: Any) -> None:
    """Issue 10, item 12: picked from ISO/IANA lists (typed to filter), not free text."""
    import re

    page = staff_client.get(reverse("admin:billing_customer_add")).content.decode()
    for name in ("currency", "country", "timezone"):
        tag = re.search(rf'<select name="{name}"[^>]*>', page)
        assert tag is not None, name
        assert "admin-searchable-select" in tag.group(0)
    assert '<option value="EUR">EUR — Euro</option>' in page
    assert "Germany (DE)" in page
    assert "Europe/Berlin" in page
    plan_page = staff_client.get(reverse("admin:catalog_plan_add")).content.decode()
    assert re.search(r'<select name="currency"[^>]*admin-searchable-select', plan_page)
    tax_page = staff_client.get(reverse("admin:catalog_taxrate_add")).content.decode()
    assert re.search(r'<select name="country"[^>]*admin-searchable-select', tax_page)


def test_an_end_date_the_service_refuses_is_an_error_on_that_field(staff_client: Any) -> None:
    from billing.services import subscription_create
    from tests.billing.subs import customer, priced_plan

    sub = subscription_create(
        customer_id=customer().pk, plan_id=priced_plan("basic", "30").pk, actor=TEST_ACTOR,
        as_of=timezone.now(),
    )  # fmt: skip
    response = staff_client.post(
        reverse("admin:billing_subscription_end", args=[sub.pk]),
        {"ends_at_0": "2001-01-01", "ends_at_1": "00:00:00", "reason": "too late"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors  # on the form, not a message after a redirect
    sub.refresh_from_db()
    assert sub.ends_at is None


def test_a_time_the_servers_zone_skips_is_fine_for_a_customer_elsewhere() -> None:
    """Review: 02:30 on 2030-03-10 does not exist in New York; typed for a UTC customer while
    the server runs in New York, it is 02:30 UTC, not refused."""
    from billing.admin_subscriptions import SubscriptionAddForm
    from tests.billing.subs import customer, priced_plan, utc

    utc_customer = customer("UTC")
    basic = priced_plan("basic", "30")
    with timezone.override("America/New_York"):
        form = SubscriptionAddForm(
            data={"customer": utc_customer.pk, "plan": basic.pk, "quantity": "1",
                  "start_at_0": "2030-03-10", "start_at_1": "02:30:00"}
        )  # fmt: skip
        assert form.is_valid(), form.errors
    assert form.cleaned_data["start_at"] == utc(2030, 3, 10, 2, 30)
