"""Payouts: the review's defects, each proved by a test first (issue 13 review). The basis of a
percentage payout is what it counted (PayoutBasisItem), not a window of dates; ended periods are
paid out before a schedule stops; a payout is never processing without a gateway; bad schedule
input is refused on its field."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from core.exceptions import ValidationFailed
from payments.models.payouts import PayeeCustomer, Payout, PayoutBasisItem, PayoutCall
from payments.services.payouts import (
    payee_archive,
    payee_create,
    payee_customer_add,
    payee_customer_remove,
    payout_method_add,
    payout_schedule_create,
    payout_schedule_update,
)
from payments.services.payouts_run import _claim, payouts_due, payouts_reconcile
from payments.services.refunds import refund_create
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero
from tests.payments.test_payouts import (  # noqa: F401 (sandbox: the autouse fixture)
    MON,
    D,
    a_payee,
    execute_pending,
    linked_customer,
    paid,
    sandbox,
    weekly,
    weeks,
)
from tests.payments.test_payouts_api import errors

pytestmark = pytest.mark.django_db


def amounts(schedule: Any) -> list[Any]:
    return list(
        Payout.objects.filter(schedule=schedule)
        .order_by("period_start")
        .values_list("amount", flat=True)
    )


def recorded(customer: Any, amount: str, received: Any, at: Any) -> int:
    """Staff record a transfer received at `received`, at `at` (later)."""
    from payments.services import payment_record

    return payment_record(
        customer_id=customer.pk, amount=D(amount), currency="USD", received_at=received,
        reference=f"wire-{uuid.uuid4().hex[:6]}", actor=ACTOR, as_of=at,
    ).pk  # fmt: skip


# ------------------------------------------------------------------------------ 1-4, 9: the basis


def test_a_payment_recorded_after_its_period_was_computed_counts_in_the_next_period() -> None:
    """Review 1: a 500.00 transfer received on Wednesday of week 1, recorded the Monday after
    (week 1 computed already), counts once: in week 2 (the period it was recorded in)."""
    payee = a_payee()
    schedule = weekly(payee, percentage="10")
    customer = linked_customer(payee)
    payouts_due(MON + weeks(1) + timedelta(minutes=5))
    pk = recorded(customer, "500.00", MON + timedelta(days=2), MON + weeks(1) + timedelta(hours=10))
    for w in range(2, 6):
        payouts_due(MON + weeks(w) + timedelta(minutes=5))
    assert amounts(schedule) == [D(0), D("50.00"), D(0), D(0), D(0)]
    week2 = Payout.objects.get(schedule=schedule, period_start=MON + weeks(1))
    assert list(week2.basis_items.values_list("payment_id", "amount")) == [(pk, D("500.00"))]


def test_a_refund_of_a_payment_never_counted_does_not_reduce_the_payout() -> None:
    """Review 2: 100.00 paid before the schedule's first period (never counted), refunded in
    week 1; week 1's 200.00 of sales pay 10% = 20.00."""
    payee = a_payee()
    schedule = weekly(payee, percentage="10")
    customer = a_customer()
    payee_customer_add(payee_id=payee.pk, customer_id=customer.pk, actor=ACTOR,
                       as_of=MON - weeks(1))  # fmt: skip
    old = paid(customer, "100.00", MON - timedelta(days=3))
    paid(customer, "200.00", MON + timedelta(days=1))
    refund_create(payment_id=old, amount=D("100.00"), reason="r", actor=ACTOR,
                  as_of=MON + timedelta(days=2))  # fmt: skip
    payouts_due(MON + weeks(1) + timedelta(minutes=5))
    [payout] = Payout.objects.filter(schedule=schedule)
    assert (payout.amount, payout.payments_total, payout.refunds_total) == (
        D("20.00"), D("200.00"), D(0),
    )  # fmt: skip


def test_a_refund_after_the_customer_moved_is_taken_from_the_payee_paid_on_the_payment() -> None:
    """Review 3: A was paid 10% on 100.00; the customer moves to B; the 100.00 is refunded.
    B's payout is 10% of its own 300.00; A carries the -100.00 forward."""
    a, b = a_payee(), a_payee()
    sa, sb = weekly(a, percentage="10"), weekly(b, percentage="10")
    customer = linked_customer(a)
    p = paid(customer, "100.00", MON + timedelta(days=1))
    payouts_due(MON + weeks(1) + timedelta(minutes=5))
    assert amounts(sa) == [D("10.00")]
    link = PayeeCustomer.objects.get(customer=customer)
    moved = MON + weeks(1) + timedelta(hours=1)
    payee_customer_remove(link_id=link.pk, actor=ACTOR, as_of=moved)
    payee_customer_add(payee_id=b.pk, customer_id=customer.pk, actor=ACTOR, as_of=moved)
    paid(customer, "300.00", MON + weeks(1) + timedelta(days=1))
    refund_create(payment_id=p, amount=D("100.00"), reason="r", actor=ACTOR,
                  as_of=MON + weeks(1) + timedelta(days=2))  # fmt: skip
    payouts_due(MON + weeks(2) + timedelta(minutes=5))
    assert amounts(sb) == [D(0), D("30.00")]
    a2 = Payout.objects.get(schedule=sa, period_start=MON + weeks(1))
    assert (a2.state, a2.refunds_total, a2.carried_out) == ("skipped", D("100.00"), D("-100.00"))
    link.refresh_from_db()
    assert link.unlinked_at == moved  # kept, with its end


def test_a_negative_net_is_carried_to_the_next_period() -> None:
    """Review 4: week 1 pays 10.00 on 100.00; week 2 refunds it (net -100, skipped, carried);
    week 3's 100.00 only makes up for it: 10.00 in all, on a net 100.00 of sales."""
    payee = a_payee()
    schedule = weekly(payee, percentage="10")
    customer = linked_customer(payee)
    p = paid(customer, "100.00", MON + timedelta(days=1))
    refund_create(payment_id=p, amount=D("100.00"), reason="r", actor=ACTOR,
                  as_of=MON + weeks(1) + timedelta(days=1))  # fmt: skip
    paid(customer, "100.00", MON + weeks(2) + timedelta(days=1))
    paid(customer, "250.00", MON + weeks(3) + timedelta(days=1))
    payouts_due(MON + weeks(4) + timedelta(minutes=5))  # four periods caught up at once
    payouts = list(Payout.objects.filter(schedule=schedule).order_by("period_start"))
    assert [(x.amount, x.carried_in, x.carried_out) for x in payouts] == [
        (D("10.00"), D(0), D(0)),
        (D(0), D(0), D("-100.00")),
        (D(0), D("-100.00"), D(0)),
        (D("25.00"), D(0), D(0)),
    ]
    assert PayoutBasisItem.objects.filter(schedule=schedule).count() == 4  # 3 payments, 1 refund
    assert_trial_balance_zero()


def test_a_customer_unlinked_after_the_period_ended_still_counts_for_that_period() -> None:
    """Review 9: the link was in place all of week 1 (500.00 paid); it is removed a minute after
    the week ended, before the tick: week 1 still pays 50.00. A customer linked later does not
    bring its earlier payments."""
    payee = a_payee()
    schedule = weekly(payee, percentage="10")
    customer = linked_customer(payee)
    paid(customer, "500.00", MON + timedelta(days=2))
    late = a_customer()
    paid(late, "70.00", MON + timedelta(days=3))  # before its link: never counts
    link = PayeeCustomer.objects.get(customer=customer)
    payee_customer_remove(link_id=link.pk, actor=ACTOR, as_of=MON + weeks(1) + timedelta(minutes=1))
    payee_customer_add(payee_id=payee.pk, customer_id=late.pk, actor=ACTOR,
                       as_of=MON + weeks(1) + timedelta(minutes=1))  # fmt: skip
    paid(customer, "900.00", MON + weeks(1) + timedelta(days=1))  # after its link ended
    payouts_due(MON + weeks(1) + timedelta(minutes=5))
    payouts_due(MON + weeks(2) + timedelta(minutes=5))
    assert amounts(schedule) == [D("50.00"), D(0)]


# ------------------------------------------------------------------------------ 5, 6: ended periods


def test_a_schedule_switched_off_right_after_a_period_ended_pays_that_period() -> None:
    """Review 5: on all of week 1, switched off a minute after it ended (before the tick) and on
    again: week 1 is paid out (when switched off), and week 2 too (it was on in part)."""
    payee = a_payee()
    schedule = weekly(payee, fixed="50.00")
    end = MON + weeks(1)
    payout_schedule_update(schedule_id=schedule.pk, changes={"active": False}, actor=ACTOR,
                           as_of=end + timedelta(minutes=1))  # fmt: skip
    assert list(Payout.objects.filter(schedule=schedule).values_list("period_start", "state")) == [
        (MON, "pending")
    ]
    payout_schedule_update(schedule_id=schedule.pk, changes={"active": True}, actor=ACTOR,
                           as_of=end + timedelta(minutes=2))  # fmt: skip
    payouts_due(end + timedelta(minutes=5))
    payouts_due(MON + weeks(2) + timedelta(minutes=5))
    starts = list(
        Payout.objects.filter(schedule=schedule)
        .order_by("period_start")
        .values_list("period_start", flat=True)
    )
    assert starts == [MON, MON + weeks(1)]


def test_a_schedule_off_for_whole_periods_resumes_at_the_first_period_not_entirely_off() -> None:
    """Off from the very start of week 2 to the middle of week 4: weeks 2 and 3 were entirely
    off (not paid, their payments not counted); week 4 is paid, with its payments."""
    payee = a_payee()
    schedule = weekly(payee, percentage="10")
    customer = linked_customer(payee)
    payouts_due(MON + weeks(1))
    payout_schedule_update(schedule_id=schedule.pk, changes={"active": False}, actor=ACTOR,
                           as_of=MON + weeks(1))  # fmt: skip
    paid(customer, "400.00", MON + weeks(2) + timedelta(days=1))  # while off
    payout_schedule_update(schedule_id=schedule.pk, changes={"active": True}, actor=ACTOR,
                           as_of=MON + weeks(3.5))  # fmt: skip
    paid(customer, "30.00", MON + weeks(3.6))
    payouts_due(MON + weeks(4))
    starts = list(
        Payout.objects.filter(schedule=schedule)
        .order_by("period_start")
        .values_list("period_start", "amount")
    )
    assert starts == [(MON, D(0)), (MON + weeks(3), D("3.00"))]


def test_archiving_a_payee_right_after_its_last_period_ended_pays_that_period() -> None:
    """Review 6: archived a minute after week 1 ended, before the tick: week 1 is paid out."""
    payee = a_payee()
    schedule = weekly(payee, fixed="50.00")
    payee_archive(payee_id=payee.pk, actor=ACTOR, as_of=MON + weeks(1) + timedelta(minutes=1))
    payouts_due(MON + weeks(1) + timedelta(minutes=5))
    payouts_due(MON + weeks(3))
    assert amounts(schedule) == [D("50.00")]
    schedule.refresh_from_db()
    assert (schedule.active, schedule.switched_off_at) == (
        False,
        MON + weeks(1) + timedelta(minutes=1),
    )


# ------------------------------------------------------------------------------ 7: no method


def test_a_payout_without_a_method_is_not_claimed_its_failure_recorded_and_retried() -> None:
    """Review 7: no payout method: the claim records `no_payout_method` (retried a day later)
    instead of leaving the payout processing; once a method is added the retry pays it."""
    payee = payee_create(data={"external_id": f"p-{uuid.uuid4().hex[:6]}", "name": "N",
                               "currency": "USD"}, actor=ACTOR, as_of=MON)  # fmt: skip
    schedule = weekly(payee, fixed="50.00")
    payouts_due(MON + weeks(1) + timedelta(minutes=1))
    [payout] = Payout.objects.filter(schedule=schedule)
    at = MON + weeks(1) + timedelta(minutes=2)
    assert _claim([payout.pk], as_of=at, actor=ACTOR) == []
    payout.refresh_from_db()
    assert (payout.state, payout.attempts, payout.failure_code, payout.next_retry_at) == (
        "pending", 1, "no_payout_method", at + timedelta(days=1),
    )  # fmt: skip
    assert list(PayoutCall.objects.filter(payout=payout).values_list("reason", flat=True)) == [
        "no_payout_method"
    ]
    payout_method_add(payee_id=payee.pk, gateway="sandbox", token="tok_ok", actor=ACTOR, as_of=at)
    payouts_due(at + timedelta(days=1))
    execute_pending(at + timedelta(days=1))
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == ("paid", 2)
    assert_trial_balance_zero()


def test_a_method_on_a_gateway_no_longer_enabled_is_treated_as_no_method(settings: Any) -> None:
    payee = a_payee(gateway="manual", token="acct-1")
    weekly(payee, fixed="50.00")
    payouts_due(MON + weeks(1))
    settings.PAYMENT_GATEWAYS = ["sandbox"]
    execute_pending(MON + weeks(1))
    [payout] = Payout.objects.all()
    assert (payout.state, payout.failure_code, payout.gateway) == (
        "pending",
        "no_payout_method",
        "",
    )
    payouts_reconcile(as_of=MON + weeks(2), actor=ACTOR)  # nothing processing: nothing stuck
    assert not Payout.objects.filter(state="processing").exists()


# ------------------------------------------------------------------------------ 8: bad schedules


@pytest.mark.parametrize(
    ("unit", "anchor"), [("day", "9999-12-31"), ("year", "9999-06-01"), ("month", "2099-03-01")]
)
def test_a_far_future_anchor_is_a_400_on_anchor(api: Any, unit: str, anchor: str) -> None:
    p = api.post("/api/v1/payees/", {"external_id": "p-1", "name": "P", "currency": "USD"},
                 format="json").json()  # fmt: skip
    r = api.post(f"/api/v1/payees/{p['id']}/schedules/",
                 {"interval_unit": unit, "anchor": anchor, "amount_kind": "fixed",
                  "fixed_amount": "5.00"}, format="json")  # fmt: skip
    assert r.status_code == 400
    assert errors(r) == [("anchor", "too_far")]


@pytest.mark.parametrize(
    ("unit", "count"), [("year", 366), ("year", 6), ("month", 25), ("week", 53), ("day", 367)]
)
def test_a_huge_interval_is_a_400_on_interval_count(api: Any, unit: str, count: int) -> None:
    p = api.post("/api/v1/payees/", {"external_id": "p-2", "name": "P", "currency": "USD"},
                 format="json").json()  # fmt: skip
    r = api.post(f"/api/v1/payees/{p['id']}/schedules/",
                 {"interval_unit": unit, "interval_count": count, "anchor": "2026-01-01",
                  "amount_kind": "fixed", "fixed_amount": "5.00"}, format="json")  # fmt: skip
    assert r.status_code == 400
    [(field, code)] = errors(r)
    assert field == "interval_count"
    assert code in ("out_of_range", "max_value")  # max_value: the serializer's 366


def test_the_longest_intervals_and_anchors_a_year_out_are_accepted() -> None:
    payee = a_payee()
    for unit, count in (("day", 366), ("week", 52), ("month", 24), ("year", 5)):
        s = payout_schedule_create(
            payee_id=payee.pk, interval_unit=unit, interval_count=count,
            anchor=(MON + timedelta(days=360)).date(), amount_kind="fixed",
            fixed_amount=D("1.00"), actor=ACTOR, as_of=MON,
        )  # fmt: skip
        assert s.next_period_start.date() == (MON + timedelta(days=360)).date()
    with pytest.raises(ValidationFailed) as refused:
        payout_schedule_create(
            payee_id=payee.pk, interval_unit="day", interval_count=1,
            anchor=(MON + timedelta(days=367)).date(), amount_kind="fixed",
            fixed_amount=D("1.00"), actor=ACTOR, as_of=MON,
        )  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("anchor", "too_far")


def test_the_admin_shows_a_far_anchor_on_its_field(staff_client: Any) -> None:
    payee = a_payee()
    r = staff_client.post(
        reverse("admin:payments_payoutschedule_add"),
        {"payee": payee.pk, "interval_unit": "year", "interval_count": 1,
         "anchor": "9999-06-01", "amount_kind": "fixed", "fixed_amount": "5.00"},
    )  # fmt: skip
    assert r.status_code == 200
    assert "at most a year ahead" in str(r.context["adminform"].form.errors["anchor"])


# ------------------------------------------------------------------------------ the reconciler


@pytest.mark.django_db(transaction=True)
def test_a_payout_another_reconciler_is_sending_is_not_sent_again(sandbox: Any) -> None:  # noqa: F811
    """Claimed, then the worker died before the call (the gateway never saw the key). While
    another reconciler holds the payout's row lock, this one asks `status` (not_found) but
    does not send it; once the lock is gone it sends it with the same key: paid once."""
    import threading

    from django.db import connection, transaction

    payee = a_payee()
    weekly(payee, fixed="50.00")
    at = MON + weeks(1)
    payouts_due(at)
    [payout] = Payout.objects.all()
    assert _claim([payout.pk], as_of=at, actor=ACTOR) != []
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_reconciler() -> None:
        try:
            with transaction.atomic():
                Payout.objects.select_for_update().get(pk=payout.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_reconciler)
    thread.start()
    assert locked.wait(30)
    try:
        payouts_reconcile(as_of=at + timedelta(minutes=2), actor=ACTOR)
        assert sandbox.payout_calls() == 0
        payout.refresh_from_db()
        assert payout.state == "processing"
    finally:
        release.set()
        done.wait(30)
        thread.join()
    payouts_reconcile(as_of=at + timedelta(minutes=3), actor=ACTOR)
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == ("paid", 1)
    assert sandbox.payout_count() == 1
    assert list(PayoutCall.objects.values_list("action", "reason")) == [
        ("status", "not_found"),
        ("payout", ""),
    ]
