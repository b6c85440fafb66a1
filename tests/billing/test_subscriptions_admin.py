from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from billing.models import ProrationLine, Subscription, SubscriptionChange
from tests.billing.subs import customer, priced_plan

pytestmark = pytest.mark.django_db


def test_subscription_admin_create_change_cancel_pause(staff_client: Any) -> None:
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    add = staff_client.post(
        reverse("admin:billing_subscription_add"),
        {
            "customer": cust.pk,
            "plan": basic.pk,
            "quantity": "1",
            "start_at_0": "",
            "start_at_1": "",
            "trial_days": "",
            "billing_anchor": "",
        },
    )
    assert add.status_code == 302, add.context["adminform"].form.errors
    sub = Subscription.objects.get()
    page = staff_client.get(reverse("admin:billing_subscription_change", args=[sub.pk]))
    html = page.content.decode()
    assert "Billing periods" in html
    assert "action-change-plan" in html

    url = reverse("admin:billing_subscription_change_plan", args=[sub.pk])
    asked = {"plan": pro.pk, "quantity": "1", "when": "now", "prorate": "on", "reason": "growth"}
    previewed = staff_client.post(url, asked).context["previewed"]
    change = staff_client.post(url, {**asked, "_confirm": "1", "previewed": previewed})
    assert change.status_code == 302
    sub.refresh_from_db()
    assert sub.plan_id == pro.pk
    assert SubscriptionChange.objects.get().requested_by == "finance"
    assert ProrationLine.objects.filter(subscription=sub).count() == 2

    bad = staff_client.post(
        reverse("admin:billing_subscription_change_plan", args=[sub.pk]),
        {"plan": pro.pk, "quantity": "1", "when": "date", "reason": ""},
    )
    assert "Give the date" in bad.content.decode()

    staff_client.post(reverse("admin:billing_subscription_do", args=[sub.pk, "pause"]))
    sub.refresh_from_db()
    assert sub.status == "paused"
    staff_client.post(reverse("admin:billing_subscription_do", args=[sub.pk, "resume"]))
    sub.refresh_from_db()
    assert sub.status == "active"

    cancel = staff_client.post(
        reverse("admin:billing_subscription_cancel", args=[sub.pk]),
        {"mode": "period_end", "reason": "moving to a competitor"},
    )
    assert cancel.status_code == 302
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    history = staff_client.get(reverse("admin:billing_subscription_history", args=[sub.pk]))
    assert "moving to a competitor" in history.content.decode()
    for name in (
        "billing_subscription_changelist",
        "billing_entitlementoverride_changelist",
        "billing_entitlementoverride_add",
    ):
        assert staff_client.get(reverse(f"admin:{name}")).status_code == 200


def test_admin_refusal_is_shown_not_raised(staff_client: Any) -> None:
    cust = customer()
    basic = priced_plan("basic", "30")
    euro = priced_plan("euro", "30", currency="EUR")
    from django.utils import timezone

    from billing.services import subscription_create
    from tests.conftest import TEST_ACTOR

    sub = subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=timezone.now()
    )
    response = staff_client.post(
        reverse("admin:billing_subscription_change_plan", args=[sub.pk]),
        {"plan": euro.pk, "quantity": "1", "when": "now", "prorate": "on"},
        follow=True,
    )
    assert "priced in EUR" in response.content.decode()
    sub.refresh_from_db()
    assert sub.plan_id == basic.pk


def test_adding_a_subscription_the_service_refuses_shows_form_errors(staff_client: Any) -> None:
    """Issue 10, item 10: a start before the plan's first price book, or a plan in another
    currency than the customer's, is a form error on the add page, never a traceback."""
    cust = customer()
    euro = priced_plan("euro", "30", currency="EUR")
    usd = priced_plan("basic", "30")
    form = {"customer": cust.pk, "quantity": "1", "start_at_0": "", "start_at_1": "",
            "trial_days": "", "billing_anchor": ""}  # fmt: skip
    other_currency = staff_client.post(
        reverse("admin:billing_subscription_add"), {**form, "plan": euro.pk}
    )
    assert other_currency.status_code == 200
    assert "priced in EUR" in other_currency.content.decode()
    too_early = staff_client.post(
        reverse("admin:billing_subscription_add"),
        {**form, "plan": usd.pk, "start_at_0": "2001-01-01", "start_at_1": "00:00:00"},
    )
    assert too_early.status_code == 200
    assert "Plan basic has no published version in force at 2001-01-01" in (
        too_early.content.decode()
    )
    assert not Subscription.objects.exists()
