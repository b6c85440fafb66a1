"""Subscription items (issue 17 item 3): one subscription with several plans billed on its cycle,
each with its own quantity, through the subscription services, the one billing writer
(subscriptions_bill), the upcoming invoice and the API. Amounts computed by hand in comments.

November 2026 has 30 days: a monthly plan anchored on Nov 1 (UTC) has the period Nov 1 - Dec 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, ProrationLine, Subscription
from billing.services import (
    coupon_redeem,
    subscription_cancel,
    subscription_create,
    subscription_end,
    subscription_item_add,
    subscription_item_remove,
    subscription_item_update,
    subscription_pause,
    subscription_resume,
    subscription_undo_cancel,
)
from catalog import services as catalog
from catalog.models import Plan
from core.exceptions import Conflict, ValidationFailed
from invoicing import planner
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill
from tests.billing.factories import CustomerFactory as _CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
D = Decimal
NOV1, DEC1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: int, hour: int = 0) -> datetime:
    return NOV1 + timedelta(days=n - 1, hours=hour)


def CustomerFactory(**fields: Any) -> Customer:  # the factory, typed
    return _CustomerFactory(**fields)  # type: ignore[return-value]


def a_plan(
    code: str, fee: str, *, timing: str = "arrears", unit: str = "month", currency: str = "USD"
) -> Plan:
    plan = catalog.plan_create(
        actor=TEST_ACTOR, as_of=SINCE,
        data={"code": code, "name": code.title(), "currency": currency, "interval_unit": unit},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=SINCE,
        data={"effective_from": SINCE, "fixed_fee": D(fee), "fee_timing": timing}, charges=[],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=SINCE)
    return plan


def parent_of(customer: Customer, plan: Plan, at: datetime = NOV1) -> Subscription:
    return subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=at,
        billing_anchor=NOV1.date(),
    )  # fmt: skip


def add(parent: Subscription, plan: Plan, quantity: int, at: datetime, **kw: Any) -> Subscription:
    return subscription_item_add(
        subscription_id=parent.pk, plan_id=plan.pk, quantity=quantity, actor=TEST_ACTOR,
        as_of=at, **kw,
    )  # fmt: skip


def bill(customer: Customer, as_of: datetime) -> list[Invoice]:
    subs = list(Subscription.objects.filter(customer=customer).values_list("pk", flat=True))
    subscriptions_bill(subscription_ids=subs, as_of=as_of, actor=TEST_ACTOR)
    return list(Invoice.objects.filter(customer=customer, kind="billing").order_by("billing_date"))


def on(customer: Customer, at: datetime) -> Invoice:
    return Invoice.objects.get(customer=customer, kind="billing", billing_date=at)


def amounts(invoice: Invoice) -> list[tuple[str, int | None, Decimal]]:
    return sorted((line.kind, line.subscription_id, line.amount) for line in invoice.lines.all())


@pytest.fixture
def plans() -> dict[str, Plan]:
    return {"a": a_plan("plan_a", "30.00"), "b": a_plan("plan_b", "10.00")}


# -------------------------------------------------------------------------- the billing writer


def test_a_parent_and_its_item_are_billed_on_one_invoice(plans: dict[str, Plan]) -> None:
    customer = CustomerFactory(external_id="one")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 5, NOV1)
    assert (item.parent_id, item.billing_anchor) == (parent.pk, parent.billing_anchor)
    assert (item.current_period_start, item.current_period_end) == (NOV1, DEC1)
    invoices = bill(customer, DEC1)
    # one invoice on Dec 1: plan A 30.00 x 1 = 30.00; plan B 10.00 x 5 = 50.00
    assert len(invoices) == 1
    assert amounts(invoices[0]) == [
        ("fixed_fee", parent.pk, D("30.00")),
        ("fixed_fee", item.pk, D("50.00")),
    ]
    assert invoices[0].subtotal == D("80.00")


def test_an_item_added_on_day_11_bills_its_share_of_the_period(plans: dict[str, Plan]) -> None:
    customer = CustomerFactory(external_id="eleven")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 2, day(11, 10))
    # its first period is the stub from local midnight of Nov 11 to the parent's Dec 1
    assert (item.current_period_start, item.current_period_end) == (day(11), DEC1)
    preview = upcoming_invoice(customer_id=customer.pk, as_of=day(15))
    invoices = bill(customer, DEC1)
    # 10.00 x 2 x 20 days / 30 days = 13.333... -> 13.33, on the parent's Dec 1 invoice
    assert amounts(invoices[0]) == [
        ("fixed_fee", parent.pk, D("30.00")),
        ("fixed_fee", item.pk, D("13.33")),
    ]
    assert preview["billing_date"] == DEC1
    assert preview["subtotal"] == invoices[0].subtotal == D("43.33")
    added = JournalEvent.objects.get(type="subscription.item_added")
    assert added.subject_id == str(parent.pk)
    assert added.payload["item"] == {"id": item.pk, "plan": "plan_b", "quantity": 2,
                                     "status": "active"}  # fmt: skip


def test_an_item_removed_on_day_21_credits_its_unused_part_alone() -> None:
    a = a_plan("adv_a", "30.00", timing="advance")
    b = a_plan("adv_b", "10.00", timing="advance")
    customer = CustomerFactory(external_id="removed")
    parent = parent_of(customer, a)
    item = add(parent, b, 1, NOV1)
    nov1 = bill(customer, NOV1)[0]
    assert amounts(nov1) == [
        ("fixed_fee", parent.pk, D("30.00")),
        ("fixed_fee", item.pk, D("10.00")),
    ]
    subscription_item_remove(
        subscription_id=parent.pk, item_id=item.pk, actor=TEST_ACTOR, as_of=day(21)
    )
    item.refresh_from_db()
    parent.refresh_from_db()
    assert (item.status, parent.status) == ("canceled", "active")
    # the unused Nov 21 - Dec 1 of 10.00: -10.00 x 10 days / 30 days = -3.333... -> -3.33
    (credit,) = ProrationLine.objects.filter(subscription=item)
    assert credit.amount_rounded == D("-3.33")
    assert not ProrationLine.objects.filter(subscription=parent).exists()  # the item alone
    bill(customer, DEC1)
    # the credit on the invoice of the day it was removed (its closing step); A renews Dec 1
    assert amounts(on(customer, day(21))) == [("proration", item.pk, D("-3.33"))]
    assert amounts(on(customer, DEC1)) == [("fixed_fee", parent.pk, D("30.00"))]
    removed = JournalEvent.objects.get(type="subscription.item_removed")
    assert (removed.subject_id, removed.payload["item"]["id"]) == (str(parent.pk), item.pk)


def test_an_items_quantity_change_prorates_the_item_alone() -> None:
    a = a_plan("q_a", "30.00", timing="advance")
    b = a_plan("q_b", "10.00", timing="advance")
    customer = CustomerFactory(external_id="qty")
    parent = parent_of(customer, a)
    item = add(parent, b, 1, NOV1)
    bill(customer, NOV1)
    subscription_item_update(
        subscription_id=parent.pk, item_id=item.pk, quantity=3, actor=TEST_ACTOR, as_of=day(16)
    )
    # Nov 16 - Dec 1 is 15 of 30 days: credit -10 x 1 x 15/30 = -5.00, charge 10 x 3 x 15/30 = 15.00
    assert sorted(
        ProrationLine.objects.filter(subscription=item).values_list("amount_rounded", flat=True)
    ) == [D("-5.00"), D("15.00")]
    assert not ProrationLine.objects.filter(subscription=parent).exists()


# ----------------------------------------------------------------------------- coupons


def test_a_fixed_coupon_is_allocated_across_the_parent_and_its_item(
    plans: dict[str, Plan],
) -> None:
    catalog.coupon_create(
        actor=TEST_ACTOR, as_of=SINCE,
        data={"code": "fifteen", "name": "Fifteen off", "kind": "fixed", "amount_off": D(15),
              "currency": "USD", "duration": "once"},
    )  # fmt: skip
    customer = CustomerFactory(external_id="fixed")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 5, NOV1)
    coupon_redeem(customer_id=customer.pk, coupon_code="fifteen", actor=TEST_ACTOR, as_of=NOV1,
                  subscription_id=parent.pk)  # fmt: skip
    preview = upcoming_invoice(customer_id=customer.pk, as_of=day(20))
    invoice = bill(customer, DEC1)[0]
    # 15 x 30/80 = 5.625 and 15 x 50/80 = 9.375: rounded down to 5.62 and 9.37 (14.99), the cent
    # left to the largest remainder (both 0.005: a tie goes to the parent, first): 5.63 + 9.37
    assert amounts(invoice) == [
        ("discount", parent.pk, D("-5.63")),
        ("discount", item.pk, D("-9.37")),
        ("fixed_fee", parent.pk, D("30.00")),
        ("fixed_fee", item.pk, D("50.00")),
    ]
    assert invoice.subtotal == D("65.00")
    share = invoice.lines.get(kind="discount", subscription=item).explanation["allocation"]
    assert share["formula"] == "15.00 x 50.00 / 80.00 = 9.375 -> 9.37"
    assert sorted((line["kind"], line["amount"]) for line in preview["lines"]) == sorted(
        (line.kind, line.amount) for line in invoice.lines.all()
    )


def test_a_percent_coupon_on_the_parent_applies_to_each_item(plans: dict[str, Plan]) -> None:
    catalog.coupon_create(
        actor=TEST_ACTOR, as_of=SINCE,
        data={"code": "ten", "name": "Ten", "kind": "percent", "percent_off": D(10),
              "duration": "forever"},
    )  # fmt: skip
    customer = CustomerFactory(external_id="pct")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 5, NOV1)
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=NOV1,
                  subscription_id=parent.pk)  # fmt: skip
    invoice = bill(customer, DEC1)[0]
    # 30.00 x 10% = 3.00; 50.00 x 10% = 5.00
    assert [a for a in amounts(invoice) if a[0] == "discount"] == [
        ("discount", parent.pk, D("-3.00")),
        ("discount", item.pk, D("-5.00")),
    ]


def _coupon(item_parents: frozenset[tuple[int, int]]) -> planner.Coupon:
    return planner.Coupon(
        redemption_id=1, code="x", name="X", kind="fixed", percent_off=None,
        amount_off=D("10"), currency="USD", duration="forever", duration_periods=None,
        status="active", subscription_id=None, plan_ids=frozenset(), discounted=frozenset(),
        item_parents=item_parents,
    )  # fmt: skip


def test_allocation_adds_up_and_never_exceeds_an_amount() -> None:
    # 10.00 across 1/3 each of 3.00 + 3.00 + 3.00 (9.00: the whole 9.00 given, 3.00 each)
    c = _coupon(frozenset({(2, 1), (3, 1)}))
    parts = planner.allocate(c, [((1, 0), D("3.00")), ((2, 0), D("3.00")), ((3, 0), D("3.00"))],
                             D("10.00"), "USD")  # fmt: skip
    assert [p for p, _ in parts.values()] == [D("3.00"), D("3.00"), D("3.00")]
    # 10.00 across 10.00, 10.00, 10.00: 3.333.. each: 3.33 x 3 = 9.99, the cent to the first
    parts = planner.allocate(c, [((1, 0), D("10")), ((2, 0), D("10")), ((3, 0), D("10"))],
                             D("10.00"), "USD")  # fmt: skip
    assert [p for p, _ in parts.values()] == [D("3.34"), D("3.33"), D("3.33")]
    # subscriptions without items: in order, as before (7.00 then the 3.00 left)
    parts = planner.allocate(_coupon(frozenset()), [((1, 0), D("7")), ((2, 0), D("9"))],
                             D("10.00"), "USD")  # fmt: skip
    assert [p for p, _ in parts.values()] == [D("7"), D("3.00")]


# ----------------------------------------------------------------- the parent's life


def test_canceling_the_parent_cancels_its_items_each_with_its_credit() -> None:
    a = a_plan("c_a", "30.00", timing="advance")
    b = a_plan("c_b", "10.00", timing="advance")
    customer = CustomerFactory(external_id="cancel")
    parent = parent_of(customer, a)
    item = add(parent, b, 5, NOV1)
    bill(customer, NOV1)
    subscription_cancel(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(21))
    item.refresh_from_db()
    assert item.status == "canceled"
    assert item.canceled_at == day(21)
    # unused 10 of 30 days: parent -30 x 10/30 = -10.00; item -10 x 5 x 10/30 = -16.67
    assert ProrationLine.objects.get(subscription=parent).amount_rounded == D("-10.00")
    assert ProrationLine.objects.get(subscription=item).amount_rounded == D("-16.67")


def test_the_parent_at_period_end_pause_and_end_carry_its_items(plans: dict[str, Plan]) -> None:
    customer = CustomerFactory(external_id="life")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 1, NOV1)
    subscription_cancel(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(5),
                        at_period_end=True)  # fmt: skip
    item.refresh_from_db()
    assert item.cancel_at_period_end
    with pytest.raises(Conflict):  # an item cannot outlive its subscription
        subscription_undo_cancel(subscription_id=item.pk, actor=TEST_ACTOR, as_of=day(6))
    late = add(parent, plans["b"], 1, day(6))
    assert late.cancel_at_period_end  # an item added now ends with it too
    subscription_undo_cancel(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(7))
    assert not Subscription.objects.filter(parent=parent, cancel_at_period_end=True).exists()
    with pytest.raises(Conflict):  # never paused alone
        subscription_pause(subscription_id=item.pk, actor=TEST_ACTOR, as_of=day(8))
    subscription_pause(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(8))
    assert set(Subscription.objects.filter(parent=parent).values_list("status", flat=True)) == {
        "paused"
    }
    subscription_resume(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(9))
    assert set(Subscription.objects.filter(parent=parent).values_list("status", flat=True)) == {
        "active"
    }
    subscription_end(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(10), ends_at=day(20))
    assert set(Subscription.objects.filter(parent=parent).values_list("ends_at", flat=True)) == {
        day(20)
    }
    bill(customer, DEC1)
    assert set(Subscription.objects.filter(customer=customer).values_list("status", flat=True)) == {
        "ended"
    }


def test_refusals(plans: dict[str, Plan]) -> None:
    customer = CustomerFactory(external_id="refused")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 1, NOV1)
    yearly = a_plan("yearly", "100.00", unit="year")
    euro = a_plan("euro", "10.00", currency="EUR")
    cases = [(yearly, parent, "plan"), (euro, parent, "plan"), (plans["b"], item, "parent")]
    for plan, to, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            add(to, plan, 1, day(2))
        assert refused.value.field == field


# -------------------------------------------------------------------------------- the API


def test_the_api_adds_lists_changes_and_removes_items(
    api: APIClient, plans: dict[str, Plan]
) -> None:
    with time_machine.travel(day(11, 10), tick=False):
        _api_walk(api, plans)


def _api_walk(api: APIClient, plans: dict[str, Plan]) -> None:
    customer = CustomerFactory(external_id="api")
    parent = parent_of(customer, plans["a"])
    created = api.post(f"/api/v1/subscriptions/{parent.pk}/items/",
                       {"plan": "plan_b", "quantity": 2}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    item_id = created.json()["id"]
    assert created.json()["parent"] == parent.pk
    shown = api.get(f"/api/v1/subscriptions/{parent.pk}/").json()
    assert [(i["id"], i["plan"], i["quantity"], i["status"]) for i in shown["items"]] == [
        (item_id, "plan_b", 2, "active")
    ]
    changed = api.patch(f"/api/v1/subscriptions/{parent.pk}/items/{item_id}/",
                        {"quantity": 3}, format="json")  # fmt: skip
    assert changed.status_code == 201, changed.json()
    assert Subscription.objects.get(pk=item_id).quantity == 3
    a_plan("yearly", "100.00", unit="year")
    a_plan("euro", "10.00", currency="EUR")
    for body, url, field in [
        ({"plan": "yearly"}, f"/api/v1/subscriptions/{parent.pk}/items/", "plan"),
        ({"plan": "euro"}, f"/api/v1/subscriptions/{parent.pk}/items/", "plan"),
        ({"plan": "plan_b"}, f"/api/v1/subscriptions/{item_id}/items/", "parent"),
        ({"quantity": 0}, f"/api/v1/subscriptions/{parent.pk}/items/", "quantity"),
    ]:
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400, refused.json()
        assert field in str(refused.json()), refused.json()
    other = parent_of(CustomerFactory(external_id="api2"), plans["a"])
    assert api.delete(f"/api/v1/subscriptions/{other.pk}/items/{item_id}/").status_code == 404
    removed = api.delete(f"/api/v1/subscriptions/{parent.pk}/items/{item_id}/")
    assert removed.status_code == 200, removed.json()
    assert removed.json()["status"] == "canceled"
    listed = api.get(f"/api/v1/subscriptions/{parent.pk}/items/").json()
    assert [i["status"] for i in listed] == ["canceled"]


# --------------------------------------------------- the upcoming invoice is the real one


@hsettings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    added=st.integers(min_value=0, max_value=29 * 24 * 60),
    removed=st.none() | st.integers(min_value=1, max_value=29 * 24 * 60),
    advance=st.booleans(),
    quantity=st.integers(min_value=1, max_value=7),
)
@example(added=10 * 24 * 60 + 600, removed=None, advance=False, quantity=2)  # day 11: 13.33
@example(added=0, removed=20 * 24 * 60, advance=True, quantity=1)  # day 21: -3.33
def test_the_upcoming_invoice_is_the_real_invoice_whenever_items_come_and_go(
    added: int, removed: int | None, advance: bool, quantity: int
) -> None:
    timing = "advance" if advance else "arrears"
    if not Plan.objects.filter(code=f"h_a_{timing}").exists():
        a_plan(f"h_a_{timing}", "30.00", timing=timing)
        a_plan(f"h_b_{timing}", "10.00", timing=timing)
    n = Customer.objects.count()
    customer = CustomerFactory(external_id=f"h{n}")
    parent = parent_of(customer, Plan.objects.get(code=f"h_a_{timing}"))
    added_at = NOV1 + timedelta(minutes=added)
    bill(customer, added_at)
    item = add(parent, Plan.objects.get(code=f"h_b_{timing}"), quantity, added_at)
    last = added_at
    if removed is not None:
        last = min(added_at + timedelta(minutes=removed), DEC1 - timedelta(minutes=1))
        bill(customer, last)
        subscription_item_remove(subscription_id=parent.pk, item_id=item.pk, actor=TEST_ACTOR,
                                 as_of=last)  # fmt: skip
    preview = upcoming_invoice(customer_id=customer.pk, as_of=last)
    assert preview["billing_date"] is not None
    bill(customer, preview["billing_date"])
    invoice = on(customer, preview["billing_date"])
    assert sorted((line["kind"], line["amount"]) for line in preview["lines"]) == sorted(
        (line.kind, line.amount) for line in invoice.lines.all()
    )
    assert preview["subtotal"] == invoice.subtotal


# ------------------------------------------------------------------------------ the admin


def test_the_admin_adds_an_item_and_shows_refusals_on_the_form(
    staff_client: Any, plans: dict[str, Plan]
) -> None:
    customer = CustomerFactory(external_id="adm")
    with time_machine.travel(day(11, 10), tick=False):
        parent = parent_of(customer, plans["a"], at=NOV1)
        a_plan("yearly", "100.00", unit="year")
        url = reverse("admin:billing_subscription_add_item", args=[parent.pk])
        refused = staff_client.post(
            url, {"plan": Plan.objects.get(code="yearly").pk, "quantity": 1, "prorate": "on"}
        )
        assert refused.status_code == 200
        assert "every 1 year(s)" in str(refused.context["form"].errors["plan"])
        added = staff_client.post(url, {"plan": plans["b"].pk, "quantity": 2, "prorate": "on"})
        assert added.status_code == 302
        item = Subscription.objects.get(parent=parent)
        assert item.quantity == 2
        page = staff_client.get(reverse("admin:billing_subscription_change", args=[parent.pk]))
        assert page.status_code == 200
        assert b"action-add-item" in page.content
        assert b"plan_b" in page.content or b"Plan_B" in page.content
        item_page = staff_client.get(reverse("admin:billing_subscription_change", args=[item.pk]))
        assert b"action-add-item" not in item_page.content
        paused = staff_client.post(
            reverse("admin:billing_subscription_do", args=[item.pk, "pause"]), follow=True
        )
        assert "never alone" in paused.content.decode()


# ----------------------------------- an item never outlives its parent when its end moves


def a_fixed_term_plan(code: str, fee: str, periods: int = 1) -> Plan:
    """A plan whose one phase is a fixed term of `periods` months: it ends its subscriptions."""
    plan = catalog.plan_create(
        actor=TEST_ACTOR, as_of=SINCE,
        data={"code": code, "name": code.title(), "currency": "USD", "interval_unit": "month"},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=SINCE,
        data={"effective_from": SINCE, "fixed_fee": D(fee), "fee_timing": "arrears"},
        phases=[{"name": "Term", "kind": "fixed_term", "periods": periods, "fixed_fee": D(fee)}],
        charges=[],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=SINCE)
    return plan


def statuses(customer: Customer) -> dict[int, tuple[str, datetime | None]]:
    return {s.pk: (s.status, s.ended_at) for s in Subscription.objects.filter(customer=customer)}


def test_an_item_ends_with_its_parent_changed_to_a_fixed_term(plans: dict[str, Plan]) -> None:
    # the parent (open-ended, 30.00) with an item (10.00) changes on Nov 11 to a plan of one
    # fixed-term period, restarted: its walk is the period Nov 1 - Dec 1, so it ends Dec 1;
    # the item follows at once, and both end on Dec 1: nothing billed on Jan 1.
    customer = CustomerFactory(external_id="fixed-term")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 1, NOV1)
    fixed = a_fixed_term_plan("fixed", "30.00")
    from billing.services import subscription_change

    subscription_change(subscription_id=parent.pk, plan_id=fixed.pk, when="now",
                        phase="restart", actor=TEST_ACTOR, as_of=day(11))  # fmt: skip
    parent.refresh_from_db()
    item.refresh_from_db()
    assert parent.ends_at == item.ends_at == DEC1
    invoices = bill(customer, datetime(2027, 1, 2, tzinfo=UTC))
    assert statuses(customer) == {parent.pk: ("ended", DEC1), item.pk: ("ended", DEC1)}
    # Dec 1: plan A used Nov 1..11: 30 x 10/30 = 10.00 (proration); fixed 30 x 20/30 = 20.00;
    # the item's whole period 10.00. Nothing after.
    assert [i.billing_date for i in invoices] == [DEC1]
    assert amounts(invoices[0]) == [
        ("fixed_fee", parent.pk, D("20.00")),
        ("fixed_fee", item.pk, D("10.00")),
        ("proration", parent.pk, D("10.00")),
    ]


def test_an_item_follows_its_parent_back_to_open_ended(plans: dict[str, Plan]) -> None:
    # the parent on a one-period fixed term (ends Dec 1) gets an item: its end date too. The
    # parent changes on Nov 11 to an open-ended plan: no end date, and the item's (the one it
    # followed) goes with it: both billed on Jan 1 (30.00 and 10.00).
    customer = CustomerFactory(external_id="open-again")
    parent = parent_of(customer, a_fixed_term_plan("fixed2", "30.00"))
    item = add(parent, plans["b"], 1, NOV1)
    assert item.ends_at == DEC1
    from billing.services import subscription_change

    subscription_change(subscription_id=parent.pk, plan_id=plans["a"].pk, when="now",
                        actor=TEST_ACTOR, as_of=day(11))  # fmt: skip
    item.refresh_from_db()
    assert item.ends_at is None
    bill(customer, datetime(2027, 1, 2, tzinfo=UTC))
    jan = on(customer, datetime(2027, 1, 1, tzinfo=UTC))
    assert amounts(jan) == [
        ("fixed_fee", parent.pk, D("30.00")),
        ("fixed_fee", item.pk, D("10.00")),
    ]


def test_an_item_follows_its_parent_rolled_onto_a_fixed_term_version(
    plans: dict[str, Plan],
) -> None:
    # plan A's version 2, in force from Dec 1, is a fixed term of two periods (its walk counts
    # from the first paid period, Nov 1): the roll on Dec 1 moves the parent onto it and sets
    # its end (Jan 1); the item's follows in the same run, and both end on Jan 1: billed Dec 1
    # and Jan 1, nothing on Feb 1.
    customer = CustomerFactory(external_id="rolled")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 1, NOV1)
    version = catalog.plan_version_create(
        plan_id=plans["a"].pk, actor=TEST_ACTOR, as_of=SINCE,
        data={"effective_from": DEC1, "fixed_fee": D("30.00"), "fee_timing": "arrears"},
        phases=[{"name": "Term", "kind": "fixed_term", "periods": 2, "fixed_fee": D("30.00")}],
        charges=[],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=SINCE)
    jan1 = datetime(2027, 1, 1, tzinfo=UTC)
    bill(customer, DEC1 + timedelta(hours=1))
    parent.refresh_from_db()
    item.refresh_from_db()
    assert parent.ends_at == item.ends_at == jan1  # saved by the roll, followed by the item
    invoices = bill(customer, datetime(2027, 2, 2, tzinfo=UTC))
    assert [i.billing_date for i in invoices] == [DEC1, jan1]
    assert statuses(customer) == {parent.pk: ("ended", jan1), item.pk: ("ended", jan1)}


def test_the_clock_finishes_a_parents_items_with_it(plans: dict[str, Plan]) -> None:
    # an item whose end date or pending cancellation did not follow its parent (rows written
    # before the rule): the clock ends (cancels) it with its parent, in the same run.
    customer = CustomerFactory(external_id="finish")
    parent = parent_of(customer, plans["a"])
    item = add(parent, plans["b"], 1, NOV1)
    subscription_end(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(2), ends_at=day(20))
    Subscription.objects.filter(pk=item.pk).update(ends_at=None)
    bill(customer, DEC1 + timedelta(days=40))
    assert statuses(customer) == {parent.pk: ("ended", day(20)), item.pk: ("ended", day(20))}
    other = CustomerFactory(external_id="finish2")
    parent = parent_of(other, plans["a"])
    item = add(parent, plans["b"], 1, NOV1)
    subscription_cancel(subscription_id=parent.pk, actor=TEST_ACTOR, as_of=day(2),
                        at_period_end=True)  # fmt: skip
    Subscription.objects.filter(pk=item.pk).update(cancel_at_period_end=False)
    subscriptions_bill(subscription_ids=[parent.pk], as_of=DEC1 + timedelta(hours=1),
                       actor=TEST_ACTOR)  # fmt: skip
    assert statuses(other) == {parent.pk: ("canceled", DEC1), item.pk: ("canceled", DEC1)}
