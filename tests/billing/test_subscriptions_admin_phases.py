"""Plan phases in the subscription admin: the page shows the current phase and when the next
starts; the change form's phase option (same / restart) goes to the service, whose 400s
(phase_missing, not_a_plan_change) are errors on the form's phase field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Subscription, SubscriptionChange
from catalog.admin_display import instant_both
from tests.invoicing.test_plan_phases import phased_plan, subscribe

pytestmark = pytest.mark.django_db
D = Decimal


def change_plan(client: Any, sub: Subscription, **asked: Any) -> Any:
    url = reverse("admin:billing_subscription_change_plan", args=[sub.pk])
    form = {"quantity": str(sub.quantity), "when": "now", "prorate": "on", "reason": "",
            **asked}  # fmt: skip
    preview = client.post(url, form)
    if preview.context["form"].errors:
        return preview
    return client.post(url, {**form, "_confirm": "1", "previewed": preview.context["previewed"]})


def test_the_page_shows_the_phase_and_the_change_form_takes_the_phase_option(
    staff_client: Any,
) -> None:
    now = timezone.now()
    launch = phased_plan(
        "adlaunch",
        [{"name": "Launch", "kind": "discount", "periods": 3, "fixed_fee": D("10.00")},
         {"name": "Standard", "periods": None, "fixed_fee": D("30.00")}],
        timing="advance",
    )  # fmt: skip
    other = phased_plan(
        "adother",
        [{"name": "Intro", "periods": 2, "fixed_fee": D("12.00")},
         {"name": "Standard", "periods": None, "fixed_fee": D("40.00")}],
        timing="advance",
    )  # fmt: skip
    sub = subscribe(launch, start=now)
    page = staff_client.get(reverse("admin:billing_subscription_change", args=[sub.pk]))
    html = page.content.decode()
    # its first period: the Launch phase's 1st of 3; the Standard phase starts 3 periods on
    state = sub.state()
    following = state.next_phase_at()
    assert following is not None
    assert following.date() > (now + timedelta(days=85)).date()
    assert "0: Launch (period 1 of 3), fixed fee 10.00 USD" in html
    assert f"the next phase starts {instant_both(following, sub.customer.timezone)}" in html

    # "restart" on a change of quantity alone: the service's 400, on the phase field
    refused = change_plan(staff_client, sub, plan=launch.pk, quantity="2", phase="restart")
    assert "phase applies to a change of plan" in str(refused.context["form"].errors["phase"])
    # a change of plan with "restart": recorded with it
    done = change_plan(staff_client, sub, plan=other.pk, phase="restart")
    assert done.status_code == 302
    change = SubscriptionChange.objects.get(subscription=sub)
    assert change.phase == "restart"
    page = staff_client.get(reverse("admin:billing_subscription_change", args=[sub.pk]))
    assert "0: Intro (period 1 of 2), fixed fee 12.00 USD" in page.content.decode()


def test_same_to_a_plan_with_fewer_phases_is_a_form_error_on_phase(staff_client: Any) -> None:
    now = timezone.now()
    two = phased_plan(
        "adtwo",
        [{"name": "Intro", "periods": 1, "fixed_fee": D("1.00")},
         {"name": "Standard", "periods": None, "fixed_fee": D("3.00")}],
        timing="advance",
    )  # fmt: skip
    one = phased_plan("adone", [{"name": "Only", "periods": None, "fixed_fee": D("9.00")}],
                      timing="advance")  # fmt: skip
    # started 45 days ago: its second period, in the Standard phase (position 1)
    sub = subscribe(two, start=now - timedelta(days=45))
    refused = change_plan(staff_client, sub, plan=one.pk, phase="same")
    assert "has 1 phase(s)" in str(refused.context["form"].errors["phase"])
    sub.refresh_from_db()
    assert sub.plan_id == two.pk
    done = change_plan(staff_client, sub, plan=one.pk, phase="restart")
    assert done.status_code == 302
    sub.refresh_from_db()
    assert sub.plan_id == one.pk
    page = staff_client.get(reverse("admin:billing_subscription_change", args=[sub.pk]))
    assert "0: Only (period 1, open-ended), fixed fee 9.00 USD; the last phase" in (
        page.content.decode()
    )
