"""Payouts (issue 13, item 5): payees paid on schedules through the clock, exactly once; the
computed amount; failures retried; unknown answers reconciled; the ledger and cash checks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing.models import Customer, JournalEvent, LedgerEntry
from billing.services.ledger import account_balances
from catalog.money import quantize
from core.exceptions import TransitionNotAllowed, ValidationFailed
from invoicing.clock_hooks import run_tick_hooks, tick_hooks
from payments.checks import cash_mismatches
from payments.gateways.sandbox import SandboxGateway
from payments.models.payouts import Payee, Payout, PayoutCall, PayoutSchedule
from payments.services import payment_record
from payments.services.collection import database_tag
from payments.services.payouts import (
    payee_create,
    payee_customer_add,
    payout_cancel,
    payout_method_add,
    payout_retry_now,
    payout_schedule_create,
    payout_schedule_update,
)
from payments.services.payouts_run import (
    CLOCK_HOOK,
    _claim,
    payouts_due,
    payouts_execute,
    payouts_reconcile,
    percentage_amount,
)
from payments.services.refunds import refund_create
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero

pytestmark = pytest.mark.django_db

D = Decimal
MON = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def weeks(n: float) -> timedelta:
    return timedelta(weeks=n)


@pytest.fixture(autouse=True)
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-payouts-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.MANUAL_GATEWAY_NAMESPACE = f"{namespace}-manual"
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 60
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()
    from payments.gateways.manual import ManualGateway

    ManualGateway(namespace=f"{namespace}-manual").reset()


def a_payee(token: str = "tok_ok", zone: str = "UTC", gateway: str = "sandbox") -> Payee:  # noqa: S107
    payee = payee_create(
        data={"external_id": f"payee-{uuid.uuid4().hex[:8]}", "name": "Seller", "currency": "USD",
              "timezone": zone},
        actor=ACTOR, as_of=MON - weeks(1),
    )  # fmt: skip
    payout_method_add(payee_id=payee.pk, gateway=gateway, token=token, actor=ACTOR,
                      as_of=MON - weeks(1))  # fmt: skip
    return payee


def weekly(payee: Payee, *, percentage: str | None = None, fixed: str | None = None,
           anchor: date | None = None) -> PayoutSchedule:  # fmt: skip
    return payout_schedule_create(
        payee_id=payee.pk, interval_unit="week", interval_count=1, anchor=anchor or MON.date(),
        amount_kind="percentage" if percentage else "fixed",
        percentage=D(percentage) if percentage else None, fixed_amount=D(fixed) if fixed else None,
        actor=ACTOR, as_of=MON - weeks(1),
    )  # fmt: skip


def linked_customer(payee: Payee) -> Customer:
    customer = a_customer()
    payee_customer_add(payee_id=payee.pk, customer_id=customer.pk, actor=ACTOR, as_of=MON)
    return customer


def paid(customer: Customer, amount: str, at: datetime) -> int:
    payment = payment_record(
        customer_id=customer.pk, amount=D(amount), currency="USD", received_at=at,
        reference=f"wire-{uuid.uuid4().hex[:6]}", actor=ACTOR, as_of=at,
    )  # fmt: skip
    return payment.pk


def execute_pending(at: datetime) -> dict[str, int]:
    """What the execution tasks queued after the clock's commit do (called directly)."""
    ids = list(Payout.objects.filter(state="pending").values_list("pk", flat=True))
    return payouts_execute(payout_ids=ids, as_of=at, actor=ACTOR)


def payable() -> Decimal:
    return -account_balances().get(("payouts_payable", "USD"), D(0))


def events(kind: str) -> list[str]:
    return list(
        JournalEvent.objects.filter(type=kind).order_by("id").values_list("subject_id", flat=True)
    )


# ------------------------------------------------------------------------------ the quarter


def test_a_payee_paid_weekly_for_a_quarter_gets_13_payouts_of_the_computed_amounts(
    sandbox: SandboxGateway,
) -> None:
    """12.5% of each week's payments less refunds: a payment at a period's first instant counts
    in it, one a second before its end too; a refund counts in the week it settled; another
    customer's payments never count."""
    payee = a_payee()
    schedule = weekly(payee, percentage="12.5")
    seller_customer = linked_customer(payee)
    stranger = a_customer()
    assert CLOCK_HOOK in dict(tick_hooks())
    for w in range(13):
        start = MON + weeks(w)
        first = paid(seller_customer, str(D("100.05") + w + D("0.37") * w), start)
        if w % 2 == 0:
            paid(seller_customer, "33.33", start + weeks(1) - timedelta(seconds=1))
        if w % 3 == 0:
            refund = refund_create(payment_id=first, amount=D("20.00"), reason="returned goods",
                                   actor=ACTOR, as_of=start + timedelta(days=3))  # fmt: skip
            assert refund.state == "succeeded"
        paid(stranger, "999.00", start + timedelta(days=2))
        end = MON + weeks(w + 1)
        run_tick_hooks(end)
        assert execute_pending(end) == {"succeeded": 1, "failed": 0, "unknown": 0}
    payouts = list(Payout.objects.filter(schedule=schedule).order_by("period_start"))
    # by hand: 12.5% x (100.05 + 1.37w [+ 33.33 in even weeks] [- 20.00 every third week])
    expected = ["14.17", "12.68", "17.02", "10.52", "17.36", "13.36", "15.20", "13.71", "18.04",
                "11.55", "18.39", "14.39", "16.23"]  # fmt: skip
    assert len(payouts) == 13
    assert [str(quantize(p.amount, "USD")) for p in payouts] == expected
    assert [p.period_start for p in payouts] == [MON + weeks(w) for w in range(13)]
    assert {p.state for p in payouts} == {"paid"}
    assert payouts[0].payments_total == D("133.38")
    assert payouts[0].refunds_total == D("20.00")
    assert payouts[1].payments_total == D("101.42")
    assert payouts[1].refunds_total == D(0)
    assert sandbox.payout_count() == 13
    total = sum((D(x) for x in expected), D(0))
    assert account_balances()[("payout_expense", "USD")] == total
    assert payable() == 0
    assert len(events("payout.created")) == 13
    assert len(events("payout.paid")) == 13
    assert_trial_balance_zero()
    assert cash_mismatches() == []


def test_catching_up_after_downtime_makes_every_missed_period_once() -> None:
    payee = a_payee()
    schedule = weekly(payee, fixed="50.00")
    report = payouts_due(MON + weeks(13) + timedelta(hours=5))
    assert report["created"] == 13
    assert payouts_due(MON + weeks(13) + timedelta(hours=6))["created"] == 0
    schedule.refresh_from_db()
    assert (schedule.next_index, schedule.next_period_start) == (13, MON + weeks(13))
    assert Payout.objects.filter(schedule=schedule).count() == 13
    assert payable() == D("650.00")
    assert_trial_balance_zero()


def test_a_fixed_monthly_schedule_anchored_on_the_31st_clamps_to_the_months_end() -> None:
    payee = a_payee(zone="America/New_York")
    schedule = payout_schedule_create(
        payee_id=payee.pk, interval_unit="month", interval_count=1, anchor=date(2026, 1, 31),
        amount_kind="fixed", fixed_amount=D("250.00"), actor=ACTOR, as_of=MON,
    )  # fmt: skip
    payouts_due(datetime(2026, 6, 1, 12, tzinfo=UTC))
    starts = list(
        Payout.objects.filter(schedule=schedule)
        .order_by("period_start")
        .values_list("period_start", "amount")
    )
    # local midnights in New York: EST (UTC-5) until March 8, EDT (UTC-4) after
    assert starts == [
        (datetime(2026, 1, 31, 5, tzinfo=UTC), D("250.00")),
        (datetime(2026, 2, 28, 5, tzinfo=UTC), D("250.00")),
        (datetime(2026, 3, 31, 4, tzinfo=UTC), D("250.00")),
        (datetime(2026, 4, 30, 4, tzinfo=UTC), D("250.00")),
    ]
    schedule.refresh_from_db()
    assert schedule.next_period_start == datetime(2026, 5, 31, 4, tzinfo=UTC)
    assert schedule.next_period_end == datetime(2026, 6, 30, 4, tzinfo=UTC)


# ------------------------------------------------------------------------------ exactly once


def test_two_ticks_at_one_instant_and_a_task_run_twice_pay_once(sandbox: SandboxGateway) -> None:
    payee = a_payee()
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    assert payouts_due(at)["created"] == 1
    assert payouts_due(at)["created"] == 0
    [payout] = Payout.objects.all()
    assert execute_pending(at) == {"succeeded": 1, "failed": 0, "unknown": 0}
    # the same task delivered again: the payout is no longer pending, nothing is sent
    assert payouts_execute(payout_ids=[payout.pk], as_of=at, actor=ACTOR) == {
        "succeeded": 0, "failed": 0, "unknown": 0,
    }  # fmt: skip
    assert sandbox.payout_calls() == 1
    assert sandbox.payout_count() == 1
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == ("paid", 1)
    assert payout.gateway_reference == sandbox.payout_reference(payout.attempt_key(1))
    assert PayoutCall.objects.filter(payout=payout).count() == 1
    assert_trial_balance_zero()


def test_a_payout_claimed_then_lost_is_sent_again_with_the_same_key(
    sandbox: SandboxGateway,
) -> None:
    payee = a_payee()
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    payouts_due(at)
    [payout] = Payout.objects.all()
    assert [p.pk for p in _claim([payout.pk], as_of=at, actor=ACTOR)] == [payout.pk]
    # the worker died before calling the gateway; a second claim sends nothing
    assert execute_pending(at) == {"succeeded": 0, "failed": 0, "unknown": 0}
    assert payouts_reconcile(as_of=at + timedelta(seconds=30), actor=ACTOR)["asked"] == 0
    assert payouts_reconcile(as_of=at + timedelta(minutes=2), actor=ACTOR) == {
        "asked": 1, "resolved": 1,
    }  # fmt: skip
    payout.refresh_from_db()
    assert (payout.state, payout.attempts) == ("paid", 1)
    calls = list(
        PayoutCall.objects.filter(payout=payout).values_list("action", "outcome", "reason")
    )
    assert calls == [("status", "failed", "not_found"), ("payout", "succeeded", "")]
    assert sandbox.payout_count() == 1
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ failures


def test_a_failure_is_retried_a_day_later_and_then_paid(sandbox: SandboxGateway) -> None:
    payee = a_payee("tok_soft_decline_2")
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    payouts_due(at)
    assert execute_pending(at) == {"succeeded": 0, "failed": 1, "unknown": 0}
    [payout] = Payout.objects.all()
    assert (payout.state, payout.attempts, payout.failure_code) == ("pending", 1, "soft_decline")
    assert payout.next_retry_at == at + timedelta(days=1)
    assert payable() == D("80.00")  # a failure leaves it payable
    # not due yet: the hook queues nothing and a run sends nothing
    assert payouts_due(at + timedelta(hours=23))["queued"] == 0
    assert execute_pending(at + timedelta(hours=23)) == {"succeeded": 0, "failed": 0, "unknown": 0}
    assert payouts_due(at + timedelta(days=1))["queued"] == 1
    assert execute_pending(at + timedelta(days=1)) == {"succeeded": 1, "failed": 0, "unknown": 0}
    payout.refresh_from_db()
    assert (payout.state, payout.attempts, payout.next_retry_at) == ("paid", 2, None)
    keys = list(PayoutCall.objects.filter(payout=payout).values_list("idempotency_key", flat=True))
    assert keys == [payout.attempt_key(1), payout.attempt_key(2)]
    assert events("payout.failed") == events("payout.paid") == [str(payout.pk)]
    assert sandbox.payout_count() == 1
    assert_trial_balance_zero()


def test_retries_back_off_1_2_4_days_then_fail_for_staff_who_cancel() -> None:
    payee = a_payee("tok_insufficient_funds")
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    payouts_due(at)
    [payout] = Payout.objects.all()
    retries = []
    for _ in range(4):
        execute_pending(at)
        payout.refresh_from_db()
        retries.append(payout.next_retry_at)
        at = payout.next_retry_at or at
    start = MON + weeks(1)
    assert retries == [start + timedelta(days=1), start + timedelta(days=3),
                       start + timedelta(days=7), None]  # fmt: skip
    assert (payout.state, payout.attempts) == ("failed", 4)
    assert payable() == D("80.00")
    payout_cancel(payout_id=payout.pk, reason="seller left", actor=ACTOR, as_of=at)
    payout.refresh_from_db()
    assert payout.state == "canceled"
    assert payable() == 0
    assert account_balances().get(("payout_expense", "USD"), D(0)) == 0
    assert events("payout.canceled") == [str(payout.pk)]
    with pytest.raises(TransitionNotAllowed):
        payout_cancel(payout_id=payout.pk, reason="again", actor=ACTOR, as_of=at)
    assert_trial_balance_zero()


def test_a_declined_payout_fails_at_once_and_retry_now_pays_after_a_method_change() -> None:
    payee = a_payee("tok_declined")
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    payouts_due(at)
    execute_pending(at)
    [payout] = Payout.objects.all()
    assert (payout.state, payout.failure_code) == ("failed", "payout_declined")
    good = payout_method_add(payee_id=payee.pk, gateway="manual", token="IBAN DE89 3704 (ops)",
                             actor=ACTOR, as_of=at)  # fmt: skip
    from payments.services.payouts import payout_method_set_default

    payout_method_set_default(payout_method_id=good.pk, actor=ACTOR, as_of=at)
    payout_retry_now(payout_id=payout.pk, actor=ACTOR, as_of=at + timedelta(hours=1))
    assert execute_pending(at + timedelta(hours=1)) == {"succeeded": 1, "failed": 0, "unknown": 0}
    payout.refresh_from_db()
    assert (payout.state, payout.gateway, payout.method_id) == ("paid", "manual", good.pk)
    assert payout.gateway_reference.startswith("po_manual_")
    assert_trial_balance_zero()


def test_without_a_payout_method_the_payout_waits_and_is_retried() -> None:
    payee = payee_create(data={"external_id": "nomethod", "name": "N", "currency": "USD"},
                         actor=ACTOR, as_of=MON)  # fmt: skip
    weekly(payee, fixed="10.00")
    payouts_due(MON + weeks(1))
    execute_pending(MON + weeks(1))
    [payout] = Payout.objects.all()
    assert (payout.state, payout.failure_code) == ("pending", "no_payout_method")
    assert payout.next_retry_at == MON + weeks(1) + timedelta(days=1)


# ------------------------------------------------------------------------------ unknown answers


def test_an_unknown_answer_is_reconciled_by_status_never_paid_twice(
    sandbox: SandboxGateway,
) -> None:
    payee = a_payee("tok_timeout_charged")
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    payouts_due(at)
    assert execute_pending(at) == {"succeeded": 0, "failed": 0, "unknown": 1}
    [payout] = Payout.objects.all()
    assert payout.state == "processing"
    assert payouts_due(at + timedelta(minutes=2))["to_reconcile"] == 1
    assert payouts_reconcile(as_of=at + timedelta(minutes=2), actor=ACTOR)["resolved"] == 1
    payout.refresh_from_db()
    assert payout.state == "paid"
    assert sandbox.payout_count() == 1
    assert sandbox.payout_calls() == 1
    assert_trial_balance_zero()


def test_an_unknown_answer_that_did_not_pay_is_retried() -> None:
    payee = a_payee("tok_timeout_not_charged")
    weekly(payee, fixed="80.00")
    at = MON + weeks(1)
    payouts_due(at)
    execute_pending(at)
    payouts_reconcile(as_of=at + timedelta(minutes=2), actor=ACTOR)
    [payout] = Payout.objects.all()
    assert (payout.state, payout.failure_code) == ("pending", "timeout_not_charged")
    assert payout.next_retry_at == at + timedelta(minutes=2, days=1)


# ------------------------------------------------------------------------------ the amount


def test_a_period_with_refunds_above_payments_is_skipped_never_negative() -> None:
    """Week 1: 100.00 paid (50% = 50.00). Week 2: 60.00 of it refunded, 10.00 paid: net -50.00,
    skipped at 0 and carried to week 3 (10.00 paid there: -40.00 carried on). A refund of a
    payment never counted (before the first period) takes nothing."""
    payee = a_payee()
    schedule = weekly(payee, percentage="50")
    customer = a_customer()
    payee_customer_add(payee_id=payee.pk, customer_id=customer.pk, actor=ACTOR,
                       as_of=MON - weeks(1))  # fmt: skip
    before = paid(customer, "30.00", MON - timedelta(days=1))  # the week before the anchor
    counted = paid(customer, "100.00", MON + timedelta(days=1))
    refund_create(payment_id=before, amount=D("30.00"), reason="r", actor=ACTOR,
                  as_of=MON + timedelta(days=2))  # fmt: skip
    refund_create(payment_id=counted, amount=D("60.00"), reason="r", actor=ACTOR,
                  as_of=MON + weeks(1) + timedelta(days=1))  # fmt: skip
    paid(customer, "10.00", MON + weeks(1) + timedelta(days=2))
    paid(customer, "10.00", MON + weeks(2) + timedelta(days=2))
    assert payouts_due(MON + weeks(3)) == {
        "created": 1, "skipped": 2, "queued": 0, "to_reconcile": 0,
    }  # fmt: skip
    p1, p2, p3 = Payout.objects.filter(schedule=schedule).order_by("period_start")
    assert (p1.state, p1.amount, p1.payments_total, p1.refunds_total) == (
        "pending", D("50.00"), D("100.00"), D(0),
    )  # fmt: skip
    assert (p2.state, p2.amount, p2.payments_total, p2.refunds_total, p2.carried_out) == (
        "skipped", D(0), D("10.00"), D("60.00"), D("-50.00"),
    )  # fmt: skip
    assert (p3.state, p3.amount, p3.carried_in, p3.carried_out) == (
        "skipped", D(0), D("-50.00"), D("-40.00"),
    )  # fmt: skip
    assert events("payout.skipped") == [str(p2.pk), str(p3.pk)]
    assert not LedgerEntry.objects.filter(document_type="payout", document_id__in=[p2.pk, p3.pk])
    assert_trial_balance_zero()


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.decimals(min_value=D("-500"), max_value=D("5000"), places=2), max_size=12),
    percentage=st.decimals(min_value=D("0.0001"), max_value=D("100"), places=4),
)
def test_the_computed_amount_is_the_percentage_of_the_sum_rounded_once(
    pieces: list[Decimal], percentage: Decimal
) -> None:
    net = sum(pieces, D(0))
    amount = percentage_amount(percentage, net, "USD")
    assert amount >= 0
    if net <= 0:
        assert amount == 0
    else:
        assert amount == (percentage * net / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert abs(amount - percentage * net / 100) <= D("0.005")
    assert percentage_amount(percentage, net, "JPY") == quantize(
        max(percentage * net / 100, D(0)) if net > 0 else D(0), "JPY"
    )


def test_the_basis_is_the_sum_of_the_pieces_recorded_in_each_period() -> None:
    payee = a_payee()
    schedule = weekly(payee, percentage="100")
    a, b = linked_customer(payee), linked_customer(payee)
    amounts = [("12.34", a, 0), ("0.01", b, 1), ("99.99", a, 6), ("5.00", b, 7), ("1.11", a, 13)]
    for amount, who, day in amounts:
        paid(who, amount, MON + timedelta(days=day, hours=1))
    euro = a_customer(currency="EUR")  # another currency never counts
    payment_record(customer_id=euro.pk, amount=D("7.00"), currency="EUR", received_at=MON,
                   reference="w", actor=ACTOR, as_of=MON + timedelta(hours=1))  # fmt: skip
    payouts_due(MON + weeks(3))
    assert list(
        Payout.objects.filter(schedule=schedule)
        .order_by("period_start")
        .values_list("payments_total", "amount")
    ) == [(D("112.34"), D("112.34")), (D("6.11"), D("6.11")), (D(0), D(0))]


# ------------------------------------------------------------------------------ the hook's cost


def test_the_hook_makes_a_constant_number_of_statements(
    django_assert_max_num_queries: Any,
) -> None:
    def payees(n: int) -> None:
        for _ in range(n):
            p = a_payee()
            weekly(p, percentage="10")
            linked_customer(p)

    payees(3)
    database_tag()  # read once per process (the payouts' keys)
    with django_assert_max_num_queries(15) as few:
        assert payouts_due(MON + weeks(2))["skipped"] == 6
    payees(30)
    with django_assert_max_num_queries(15) as many:
        assert payouts_due(MON + weeks(4))["skipped"] == 3 * 2 + 30 * 4
    assert len(many.captured_queries) == len(few.captured_queries)


# ------------------------------------------------------------------------------ rules


def test_schedules_refuse_bad_input_on_their_fields() -> None:
    payee = a_payee()
    cases = [
        ({"interval_unit": "fortnight"}, "interval_unit"),
        ({"interval_count": 0}, "interval_count"),
        (
            {"amount_kind": "percentage", "percentage": D("100.5"), "fixed_amount": None},
            "percentage",
        ),
        ({"amount_kind": "percentage", "percentage": D(0), "fixed_amount": None}, "percentage"),
        ({"fixed_amount": D("1.001")}, "fixed_amount"),
        ({"fixed_amount": D("-1")}, "fixed_amount"),
        ({"anchor": date(2024, 1, 1)}, "anchor"),
    ]
    for change, field in cases:
        args: dict[str, Any] = {
            "payee_id": payee.pk, "interval_unit": "week", "interval_count": 1,
            "anchor": MON.date(), "amount_kind": "fixed", "fixed_amount": D("10.00"),
            "percentage": None, "actor": ACTOR, "as_of": MON, **change,
        }  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            payout_schedule_create(**args)
        assert refused.value.field == field, change


def test_a_schedule_switched_off_and_on_resumes_at_the_current_period() -> None:
    payee = a_payee()
    schedule = weekly(payee, fixed="10.00")
    payouts_due(MON + weeks(1))
    payout_schedule_update(schedule_id=schedule.pk, changes={"active": False}, actor=ACTOR,
                           as_of=MON + weeks(1))  # fmt: skip
    assert payouts_due(MON + weeks(5))["created"] == 0
    payout_schedule_update(schedule_id=schedule.pk, changes={"active": True}, actor=ACTOR,
                           as_of=MON + weeks(5) + timedelta(days=2))  # fmt: skip
    payouts_due(MON + weeks(6))
    starts = list(Payout.objects.order_by("period_start").values_list("period_start", flat=True))
    assert starts == [MON, MON + weeks(5)]


def test_a_customer_counts_for_one_payee_in_its_currency() -> None:
    payee = a_payee()
    customer = linked_customer(payee)
    other = a_payee()
    with pytest.raises(ValidationFailed) as taken:
        payee_customer_add(payee_id=other.pk, customer_id=customer.pk, actor=ACTOR, as_of=MON)
    assert (taken.value.field, taken.value.code) == ("customer", "unique")
    euro = a_customer(currency="EUR")
    with pytest.raises(ValidationFailed) as mismatch:
        payee_customer_add(payee_id=payee.pk, customer_id=euro.pk, actor=ACTOR, as_of=MON)
    assert mismatch.value.code == "currency_mismatch"


def test_history_rows_are_written_with_the_actor() -> None:
    payee = a_payee()
    weekly(payee, fixed="10.00")
    payouts_due(MON + weeks(1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM payments_payoutevent")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM payments_payeeevent")
        assert cursor.fetchone()[0] == 1
