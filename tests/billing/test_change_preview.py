"""Issue 10, item 11: the proration preview shown before a plan change is confirmed is what the
change then writes — same resolution of the request, same transition — on generated cases."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import services
from billing.models import ProrationLine, Subscription, SubscriptionChange
from core.exceptions import ApplicationError
from tests.billing.subs import customer, priced_plan, utc
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
START = utc(2026, 3, 1)
STORED = Decimal("1E-12")  # exact amounts are stored with 12 decimals


EXAMPLE = itertools.count()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    old_fee=st.decimals(min_value=1, max_value=500, places=2),
    new_fee=st.decimals(min_value=1, max_value=500, places=2),
    old_timing=st.sampled_from(["advance", "arrears"]),
    new_timing=st.sampled_from(["advance", "arrears"]),
    quantity=st.integers(min_value=1, max_value=5),
    seconds=st.integers(min_value=1, max_value=30 * 86400 - 1),
    when=st.sampled_from(["now", "auto", "period_end"]),
)
def test_the_preview_is_what_the_change_writes(
    old_fee: Decimal, new_fee: Decimal, old_timing: str, new_timing: str, quantity: int,
    seconds: int, when: str,
) -> None:  # fmt: skip
    n = next(EXAMPLE)  # each example its own customer and plans, in the test's transaction
    cust = customer()
    old = priced_plan(f"old{n}", str(old_fee), timing=old_timing)
    new = priced_plan(f"new{n}", str(new_fee), timing=new_timing)
    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=old.pk, actor=TEST_ACTOR, as_of=START, start_at=START
    )
    at = START + timedelta(seconds=seconds)  # inside the first (31-day) period
    request = {"subscription_id": sub.pk, "as_of": at, "plan_id": new.pk, "quantity": quantity,
               "when": when}  # fmt: skip
    try:
        preview = services.subscription_change_preview(**request)
    except ApplicationError as refused:  # the change is refused the same way
        refusal = refused
    else:
        refusal = None
    if refusal is not None:
        with pytest.raises(type(refusal), match=re.escape(refusal.message)):
            services.subscription_change(**request, actor=TEST_ACTOR)
        return
    change = services.subscription_change(**request, actor=TEST_ACTOR)
    assert change.effective_at == preview.effective_at
    assert (change.effective_at <= at) == preview.applies_now
    written = [
        (p.kind, p.amount, p.amount_rounded, p.period_start, p.period_end)
        for p in ProrationLine.objects.filter(subscription=sub).order_by("id")
    ]
    previewed = [
        (ln.kind, ln.amount.quantize(STORED, ROUND_HALF_UP), ln.rounded, ln.start, ln.end)
        for ln in preview.lines
    ]
    if preview.applies_now:
        assert written == previewed
        assert preview.total == sum((row[2] for row in written), Decimal(0))
    else:
        assert written == []  # scheduled: its lines are written when it applies


def test_a_preview_computed_by_hand() -> None:
    """Pro at 60 replaces basic at 30 (both in advance) ten days into a 30-day period: the
    unused 20 days of basic are credited (-20.00) and pro's 20 days charged (40.00)."""
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    start = utc(2026, 4, 1)  # April: 30 days
    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=start, start_at=start
    )
    preview = services.subscription_change_preview(
        subscription_id=sub.pk, as_of=start + timedelta(days=10), plan_id=pro.pk, when="now"
    )
    assert [(ln.kind, ln.rounded) for ln in preview.lines] == [
        ("credit", Decimal("-20.00")),
        ("charge", Decimal("40.00")),
    ]
    assert preview.total == Decimal("20.00")
    assert not SubscriptionChange.objects.exists()  # a preview writes nothing
    assert Subscription.objects.get().plan_id == basic.pk


def test_the_admin_previews_then_confirms(staff_client: Any) -> None:
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    from django.utils import timezone

    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=timezone.now()
    )
    url = reverse("admin:billing_subscription_change_plan", args=[sub.pk])
    form = {"plan": pro.pk, "quantity": "1", "when": "now", "prorate": "on", "reason": "growth"}
    preview = staff_client.post(url, form)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'id="change-preview"' in html
    assert "Confirm the change" in html
    assert not SubscriptionChange.objects.exists()
    previewed = preview.context["previewed"]
    # a confirmation of another request than the one previewed is not applied: previewed again
    other = staff_client.post(url, {**form, "quantity": "3", "_confirm": "1",
                                    "previewed": previewed})  # fmt: skip
    assert other.status_code == 200
    assert "differs from its preview" in other.content.decode()
    assert not SubscriptionChange.objects.exists()
    # confirmed seconds later (the signed token carries its own time): still that preview
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(seconds=7)):
        done = staff_client.post(url, {**form, "_confirm": "1", "previewed": previewed})
    assert done.status_code == 302
    assert Subscription.objects.get().plan_id == pro.pk


def test_the_preview_through_the_api(api: Any) -> None:
    cust = customer()
    basic = priced_plan("basic", "30")
    priced_plan("pro", "60")
    from django.utils import timezone

    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=timezone.now()
    )
    url = f"/api/v1/subscriptions/{sub.pk}/change/preview/"
    response = api.post(url, {"plan": "pro", "when": "now"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [line["kind"] for line in body["lines"]] == ["credit", "charge"]
    total = sum(Decimal(line["amount"]) for line in body["lines"])
    assert Decimal(body["total"]) == total
    assert Subscription.objects.get().plan_id == basic.pk  # nothing written
    same = api.post(url, {"plan": "basic"}, format="json")
    assert same.status_code == 400
    assert same.json()["errors"][0]["field"] == "plan"


def test_the_preview_brings_the_subscription_up_to_now_as_the_change_does() -> None:
    """Review: ten days into a period the clock has not rolled yet, the change bills up to now
    first (catch-up) and prorates the new period; the preview must do the same, writing
    nothing. April has 30 days: 20 unused of basic (-20.00), 20 of pro (40.00)."""
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=START, start_at=START
    )
    request = {"subscription_id": sub.pk, "as_of": utc(2026, 4, 11), "plan_id": pro.pk,
               "when": "now"}  # fmt: skip
    preview = services.subscription_change_preview(**request)
    assert Subscription.objects.get().current_period_start == START  # nothing was written
    assert [(ln.kind, ln.rounded) for ln in preview.lines] == [
        ("credit", Decimal("-20.00")),
        ("charge", Decimal("40.00")),
    ]
    services.subscription_change(**request, actor=TEST_ACTOR)
    written = ProrationLine.objects.filter(subscription=sub).order_by("id")
    assert [(p.kind, p.amount_rounded) for p in written] == [
        (ln.kind, ln.rounded) for ln in preview.lines
    ]


def test_a_change_after_another_scheduled_one_is_priced_when_it_applies() -> None:
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    start = utc(2026, 4, 1)
    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=start, start_at=start
    )
    services.subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=start, quantity=2,
        when=utc(2026, 4, 10),
    )  # fmt: skip
    preview = services.subscription_change_preview(
        subscription_id=sub.pk, as_of=start, plan_id=pro.pk, when=utc(2026, 4, 20)
    )
    assert not preview.exact  # the quantity change before it is not priced in yet
    assert preview.lines == []


def test_a_preview_reads_what_the_change_would_leave_and_a_stale_preview_is_refused() -> None:
    """Issue 14 (the portal's plan change): `upcoming` is called with the change made, inside
    the rolled-back preview; `previewed_lines` refuses a change whose lines differ from the
    preview's. April (30 days), day 11: basic 30 -> pro 60 credits -20.00 and charges 40.00."""
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = services.subscription_create(
        customer_id=cust.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=START, start_at=START
    )
    at = utc(2026, 4, 11)

    def seen(customer_id: int, as_of: Any) -> Any:
        assert (customer_id, as_of) == (cust.pk, at)
        return list(
            ProrationLine.objects.filter(subscription=sub).values_list("kind", "amount_rounded")
        ), Subscription.objects.get(pk=sub.pk).plan_id

    preview = services.subscription_change_preview(
        subscription_id=sub.pk, as_of=at, plan_id=pro.pk, upcoming=seen
    )
    assert preview.upcoming == (
        [("credit", Decimal("-20.00")), ("charge", Decimal("40.00"))],
        pro.pk,
    )
    assert not SubscriptionChange.objects.exists()
    assert not ProrationLine.objects.exists()
    stale = [("credit", Decimal("-20.00")), ("charge", Decimal("40.01"))]
    with pytest.raises(ApplicationError) as refused:
        services.subscription_change(subscription_id=sub.pk, as_of=at, plan_id=pro.pk,
                                     actor=TEST_ACTOR, previewed_lines=stale)  # fmt: skip
    assert refused.value.code == "preview_stale"
    assert not SubscriptionChange.objects.exists()
    assert not ProrationLine.objects.exists()
    services.subscription_change(
        subscription_id=sub.pk, as_of=at, plan_id=pro.pk, actor=TEST_ACTOR,
        previewed_lines=[(ln.kind, ln.rounded) for ln in preview.lines],
    )  # fmt: skip
    assert Subscription.objects.get().plan_id == pro.pk
