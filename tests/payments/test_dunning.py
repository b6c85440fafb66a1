"""Dunning (issue 13): states entered on the right day through the clock, conditions on amounts
and failed attempts, exactly once (ticks, handlers, threads), clearing at once on payment,
moving down, blocking per subscription (a period already paid keeps its features), entry
actions done once, policy edits that never rewrite history."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, Subscription
from billing.services import journal_dispatch, subscription_change, subscription_create
from catalog.models import Feature, Plan
from core.exceptions import ApplicationError
from invoicing.clock_hooks import tick_hooks
from invoicing.models import Invoice
from invoicing.services import invoice_finalize, invoice_void, subscriptions_bill
from payments.models import Payment
from payments.models.dunning import (
    ActionStatus,
    CustomerDunning,
    DunningAction,
    DunningPolicy,
    DunningTransition,
)
from payments.services import AllocationRequest, payment_record
from payments.services.dunning import (
    EVENTS,
    HANDLER,
    TICK_HOOK,
    dunning_customers_due,
    dunning_evaluate,
    local_days_between,
    on_money_events,
)
from payments.services.dunning_actions import dunning_actions_run
from payments.services.dunning_policies import (
    customer_dunning_assign,
    dunning_policy_create,
    dunning_policy_update,
)
from tests.billing.subs import customer, priced_plan, seats
from tests.catalog.factories import feature as make_feature
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import assert_trial_balance_zero, open_invoice
from tests.payments.test_retries import stored_failure

pytestmark = pytest.mark.django_db

D = Decimal
JAN1 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def eager() -> Iterator[None]:
    """Celery tasks run in the test's process (the clock hook queues one per chunk)."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def tick(when: datetime) -> dict[str, int]:
    """The dunning clock hook, as the clock's tick calls it."""
    return dict(tick_hooks())[TICK_HOOK](when)


def a_debtor(**extra: Any) -> Customer:
    """A customer paying by hand (no collection), invoices due 10 days after issue."""
    return customer(payment_terms_days=10, auto_collection=False, **extra)  # type: ignore[no-any-return]


def transitions(who: Customer) -> list[tuple[str, str, str]]:
    return [
        (t.from_code, t.to_code, t.direction)
        for t in DunningTransition.objects.filter(customer=who).order_by("sequence")
    ]


def events(who: Customer, kind: str = "dunning.state_entered") -> list[dict[str, Any]]:
    return [
        e.payload
        for e in JournalEvent.objects.filter(type=kind, subject_id=str(who.pk)).order_by("id")
    ]


def policy(states: list[dict[str, Any]], name: str = "Custom", **extra: Any) -> DunningPolicy:
    return dunning_policy_create(
        data={"name": name, "states": states, **extra}, actor=ACTOR, as_of=JAN1
    )


def assign(who: Customer, chosen: DunningPolicy | None, when: datetime = JAN1) -> None:
    customer_dunning_assign(
        customer_id=who.pk, policy_id=chosen.pk if chosen else None, actor=ACTOR, as_of=when
    )


def evaluate(who: Customer, when: datetime) -> DunningTransition | None:
    return dunning_evaluate(customer_id=who.pk, as_of=when, actor=ACTOR)


def pay(who: Customer, invoice: Invoice, amount: str, when: datetime) -> Payment:
    return payment_record(
        customer_id=who.pk, amount=D(amount), currency=who.currency, received_at=when,
        reference=f"wire {when:%m%d%H}", actor=ACTOR, as_of=when,
        allocations=[AllocationRequest(invoice_id=invoice.pk, amount=D(amount))],
    )  # fmt: skip


# ------------------------------------------------------------------------- the default policy


def test_the_default_policy_comes_with_the_migration() -> None:
    default = DunningPolicy.objects.get(is_default=True)
    rows = [
        (s.position, s.code, s.min_days_past_due, s.email_template, s.block_entitlements,
         s.refuse_plan_changes, s.subscription_action, s.subscription_action_when)
        for s in default.states.order_by("position")
    ]  # fmt: skip
    assert rows == [
        (1, "reminder", 1, "dunning_reminder", False, False, "none", "immediately"),
        (2, "warning", 7, "dunning_warning", False, True, "none", "immediately"),
        (3, "blocked", 14, "dunning_suspension", True, True, "none", "immediately"),
        (4, "canceled", 30, "dunning_cancellation", True, True, "cancel", "period_end"),
    ]


def test_days_past_due_are_counted_in_the_customers_time_zone() -> None:
    due = datetime(2026, 1, 11, 3, tzinfo=UTC)  # Jan 10, 22:00 in New York
    ny_midnight = datetime(2026, 1, 11, 5, tzinfo=UTC)  # Jan 11, 00:00 in New York
    assert local_days_between(due, ny_midnight, "UTC") == 0
    assert local_days_between(due, ny_midnight, "America/New_York") == 1
    assert local_days_between(due, ny_midnight - timedelta(seconds=1), "America/New_York") == 0


# --------------------------------------------------------------- the clock and the default policy


def test_the_default_states_are_entered_on_their_day_through_the_clock(eager: None) -> None:
    who = a_debtor()
    invoice = open_invoice(who, "100.00", JAN1)  # due Jan 11 09:00 (10 days' terms)
    assert invoice.due_at == at(1, 11, 9)
    assert dunning_customers_due(as_of=at(1, 11, 9)) == []  # due, not yet past due
    assert tick(at(1, 11, 12)) == {"customers_due": 1, "actions_due": 0}
    assert transitions(who) == []  # 0 days past due: the reminder comes at 1
    record = CustomerDunning.objects.get(customer=who)
    assert record.next_check_at == at(1, 12)  # Jan 12 00:00 UTC: 1 day past due
    assert dunning_customers_due(as_of=at(1, 11, 23)) == []

    tick(at(1, 12))
    assert transitions(who) == [("", "reminder", "up")]
    tick(at(1, 12, 6))  # nothing new: nothing queued
    assert dunning_customers_due(as_of=at(1, 17, 23)) == []
    tick(at(1, 18))  # 7 days
    tick(at(1, 25))  # 14 days
    tick(at(2, 10))  # 30 days
    assert transitions(who) == [
        ("", "reminder", "up"), ("reminder", "warning", "up"),
        ("warning", "blocked", "up"), ("blocked", "canceled", "up"),
    ]  # fmt: skip
    sent = events(who)
    assert [(e["state_code"], e["template"], e["days_past_due"]) for e in sent] == [
        ("reminder", "dunning_reminder", 1), ("warning", "dunning_warning", 7),
        ("blocked", "dunning_suspension", 14), ("canceled", "dunning_cancellation", 30),
    ]  # fmt: skip
    first = sent[0]
    assert first["amount_overdue"] == "100.0000"
    assert first["currency"] == "USD"
    assert first["invoices"] == [invoice.pk]
    assert first["policy"] == "Default"
    assert first["position"] == 1
    assert first["publish"] is True
    assert first["transition"] == DunningTransition.objects.get(customer=who, sequence=1).pk
    who.refresh_from_db()
    assert who.plan_changes_refused
    assert who.plan_changes_refused_reason == "dunning: Warning"  # since the warning
    record.refresh_from_db()
    assert record.next_check_at is None  # no day threshold ahead
    assert record.state is not None
    assert record.state.code == "canceled"
    assert_trial_balance_zero()


def test_amount_and_failed_attempt_conditions_with_amounts_by_hand() -> None:
    custom = policy(
        [
            {"code": "late", "name": "Late", "min_days_past_due": 1},
            {"code": "big", "name": "Big", "min_days_past_due": 1, "min_amount_overdue": "150"},
            {"code": "failing", "name": "Failing", "min_failed_attempts": 2,
             "min_amount_overdue": "150"},
        ]
    )  # fmt: skip
    who = a_debtor()
    assign(who, custom)
    first = open_invoice(who, "100.00", JAN1)
    second = open_invoice(who, "80.00", JAN1 + timedelta(days=1))
    assert evaluate(who, at(1, 12)).to_code == "late"  # type: ignore[union-attr]  # 100 overdue
    moved = evaluate(who, at(1, 13))  # 100 + 80 = 180 >= 150
    assert moved is not None
    assert moved.to_code == "big"
    assert moved.amount_overdue == D("180.00")
    assert moved.days_past_due == 2  # from the oldest: Jan 11 -> Jan 13
    assert set(moved.invoices.values_list("pk", flat=True)) == {first.pk, second.pk}
    stored_failure(first, 1, at(1, 13, 1))
    assert evaluate(who, at(1, 13, 2)) is None  # one failed attempt: not yet
    stored_failure(second, 1, at(1, 13, 3))
    moved = evaluate(who, at(1, 13, 4))
    assert moved is not None
    assert (moved.to_code, moved.failed_attempts) == ("failing", 2)
    assert "2 failed attempt(s)" in moved.reason


def test_an_amount_in_another_currency_never_holds() -> None:
    eur_only = policy(
        [
            {"code": "late", "name": "Late", "min_days_past_due": 1},
            {"code": "big", "name": "Big", "min_amount_overdue": "50", "amount_currency": "EUR"},
        ]
    )
    usd, eur = a_debtor(), a_debtor(currency="EUR")
    for who in (usd, eur):
        assign(who, eur_only)
        open_invoice(who, "100.00", JAN1)
    assert evaluate(usd, at(1, 12)).to_code == "late"  # type: ignore[union-attr]
    assert evaluate(eur, at(1, 12)).to_code == "big"  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- exactly once


def test_two_ticks_and_a_handler_delivered_twice_write_one_transition(eager: None) -> None:
    who = a_debtor()
    invoice = open_invoice(who, "100.00", JAN1)
    tick(at(1, 12))
    tick(at(1, 12))
    assert evaluate(who, at(1, 12)) is None
    assert len(events(who)) == 1
    # a payment's events, handed to the handler twice (a redelivery)
    pay(who, invoice, "100.00", at(1, 13))
    money = list(JournalEvent.objects.filter(type__in=["payment.applied", "invoice.paid"]))
    assert money
    on_money_events(money)
    on_money_events(money)
    assert transitions(who) == [("", "reminder", "up"), ("reminder", "", "cleared")]
    assert len(events(who, "dunning.cleared")) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_evaluating_one_customer_at_once_write_one_transition() -> None:
    if not DunningPolicy.objects.filter(is_default=True).exists():  # flushed by an earlier test
        policy([{"code": "reminder", "name": "Reminder", "min_days_past_due": 1}],
               name="Default", is_default=True)  # fmt: skip
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(evaluate(who, at(1, 12)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([r for r in results if r is not None]) == 1
    assert DunningTransition.objects.filter(customer=who).count() == 1
    assert JournalEvent.objects.filter(type="dunning.state_entered").count() == 1


def test_a_late_event_never_moves_the_customer_back_in_time() -> None:
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    evaluate(who, at(1, 18))  # 7 days: warning
    assert evaluate(who, at(1, 12)) is None  # evaluated as of Jan 18 again
    assert transitions(who) == [("", "warning", "up")]


# --------------------------------------------------------------------- leaving and moving down


def test_paying_the_overdue_amount_clears_at_once(api: APIClient) -> None:
    export = make_feature("export", "boolean")
    plan = priced_plan("monthly", "30.00", features=[{"feature": export}])
    who = a_debtor()
    sub = subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=JAN1,
                              start_at=JAN1)  # fmt: skip
    (draft,) = subscriptions_bill(subscription_ids=[sub.pk], as_of=JAN1, actor=ACTOR).touched
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=JAN1, actor=ACTOR)
    evaluate(who, at(1, 25))  # 14 days: blocked
    sub.refresh_from_db()
    assert sub.dunning_blocked
    assert check(api, who, "export") == (False, "blocked_by_dunning")
    with pytest.raises(ApplicationError) as refused:
        subscription_change(subscription_id=sub.pk, quantity=2, actor=ACTOR, as_of=at(1, 25, 1))
    assert refused.value.code == "plan_changes_refused"

    pay(who, invoice, "30.00", at(1, 26))
    journal_dispatch(as_of=at(1, 26, 1))  # what Celery runs after the payment's commit
    assert transitions(who)[-1] == ("blocked", "", "cleared")
    (cleared,) = events(who, "dunning.cleared")
    assert cleared["state_left"] == "blocked"
    assert "payment.applied" in cleared["reason"] or "invoice.paid" in cleared["reason"]
    assert cleared["subscriptions_blocked"] == [sub.pk]  # its block ended
    sub.refresh_from_db()
    assert (sub.dunning_blocked, sub.dunning_blocked_from) == (False, None)
    assert check(api, who, "export") == (True, "granted")
    who.refresh_from_db()
    assert not who.plan_changes_refused
    assert_trial_balance_zero()


def test_a_partial_payment_moves_down_without_an_email() -> None:
    by_amount = policy(
        [
            {"code": "notice", "name": "Notice", "min_days_past_due": 1,
             "email_template": "dunning_reminder"},
            {"code": "serious", "name": "Serious", "min_days_past_due": 1,
             "min_amount_overdue": "100", "email_template": "dunning_warning",
             "refuse_plan_changes": True},
        ]
    )  # fmt: skip
    who = a_debtor()
    assign(who, by_amount)
    invoice = open_invoice(who, "150.00", JAN1)
    evaluate(who, at(1, 12))
    pay(who, invoice, "60.00", at(1, 13))  # 90 left: below 100
    journal_dispatch(as_of=at(1, 13, 1))
    assert transitions(who) == [("", "serious", "up"), ("serious", "notice", "down")]
    down = events(who)[-1]
    assert (down["state_code"], down["template"], down["amount_overdue"]) == (
        "notice", "", "90.0000"
    )  # fmt: skip
    who.refresh_from_db()
    assert not who.plan_changes_refused  # lifted: the lower state does not refuse
    assert_trial_balance_zero()


def test_a_void_clears_through_the_handler() -> None:
    who = a_debtor()
    invoice = open_invoice(who, "40.00", JAN1)
    evaluate(who, at(1, 12))
    invoice_void(invoice_id=invoice.pk, as_of=at(1, 14), actor=ACTOR, reason="sent in error")
    journal_dispatch(as_of=at(1, 14, 1))
    assert transitions(who) == [("", "reminder", "up"), ("reminder", "", "cleared")]
    assert "invoice.voided" in DunningTransition.objects.get(customer=who, sequence=2).reason


# --------------------------------------------------------------------- blocking per subscription


def check(api: APIClient, who: Customer, code: str) -> tuple[bool, str]:
    body = api.get(
        "/api/v1/entitlements/check/", {"customer": who.external_id, "feature": code}
    ).json()
    return body["allowed"], body["reason"]


def billed(who: Customer, plan: Plan, start: datetime) -> tuple[Subscription, Invoice]:
    sub = subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=start,
                              start_at=start)  # fmt: skip
    (draft,) = subscriptions_bill(subscription_ids=[sub.pk], as_of=start, actor=ACTOR).touched
    return sub, invoice_finalize(invoice_id=draft.pk, as_of=start, actor=ACTOR)


def test_a_prepaid_annual_subscription_keeps_its_features_until_its_paid_period_ends(
    api: APIClient,
) -> None:
    export = Feature.objects.filter(code="export").first() or make_feature("export", "boolean")
    annual_plan = priced_plan("annual", "1200.00", features=[seats(10)], interval_unit="year")
    monthly_plan = priced_plan("monthly", "30.00", features=[{"feature": export}])
    who = a_debtor()
    annual, annual_invoice = billed(who, annual_plan, JAN1)
    monthly, monthly_invoice = billed(who, monthly_plan, JAN1)
    assert (annual_invoice.total, monthly_invoice.total) == (D("1200.00"), D("30.00"))
    pay(who, annual_invoice, "1200.00", at(1, 2))  # the year paid ahead
    assert check(api, who, "seats") == (True, "granted")

    moved = evaluate(who, at(1, 25))  # the monthly invoice: 14 days past due
    assert moved is not None
    assert moved.to_code == "blocked"
    assert moved.amount_overdue == D("30.00")
    assert moved.subscriptions_changed == [monthly.pk]
    annual.refresh_from_db()
    monthly.refresh_from_db()
    year_end = datetime(2027, 1, 1, tzinfo=UTC)
    assert annual.current_period_end == year_end
    assert (annual.dunning_blocked, annual.dunning_blocked_from) == (False, year_end)
    assert (monthly.dunning_blocked, monthly.dunning_blocked_from) == (True, at(1, 25))
    assert check(api, who, "seats") == (True, "granted")
    assert check(api, who, "export") == (False, "blocked_by_dunning")

    # still overdue when the paid year ends: the clock puts its block in effect
    assert who.pk in dunning_customers_due(as_of=year_end)
    evaluate(who, year_end)
    annual.refresh_from_db()
    assert (annual.dunning_blocked, annual.dunning_blocked_from) == (True, year_end)
    assert check(api, who, "seats") == (False, "blocked_by_dunning")
    assert_trial_balance_zero()


# ------------------------------------------------------------------------------ entry actions


def test_entry_actions_are_done_once_by_their_owners() -> None:
    harsh = policy(
        [
            {"code": "pause", "name": "Pause", "min_days_past_due": 1,
             "subscription_action": "pause"},
            {"code": "end", "name": "End", "min_days_past_due": 5, "subscription_action":
             "cancel", "subscription_action_when": "period_end", "mark_uncollectible": True},
        ]
    )  # fmt: skip
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    assign(who, harsh)
    sub, invoice = billed(who, plan, JAN1)
    entered = evaluate(who, at(1, 12))
    assert entered is not None
    (pause,) = DunningAction.objects.filter(transition=entered)
    assert (pause.kind, pause.subscription_id, pause.due_at) == ("pause", sub.pk, at(1, 12))
    assert dunning_actions_run(action_ids=[pause.pk], as_of=at(1, 12), actor=ACTOR) == {
        "done": 1, "skipped": 0, "busy": 0
    }  # fmt: skip
    assert dunning_actions_run(action_ids=[pause.pk], as_of=at(1, 12), actor=ACTOR) == {
        "done": 0, "skipped": 0, "busy": 0
    }  # fmt: skip
    sub.refresh_from_db()
    assert sub.status == "paused"

    later = evaluate(who, at(1, 16))
    assert later is not None
    assert later.to_code == "end"
    actions = {a.kind: a for a in DunningAction.objects.filter(transition=later)}
    assert set(actions) == {"cancel_end", "uncollect"}
    # the clock runs them (its tick finds them due); a second run finds nothing pending
    ids = [a.pk for a in actions.values()]
    assert dunning_actions_run(action_ids=ids, as_of=at(1, 16), actor=ACTOR)["done"] == 2
    assert dunning_actions_run(action_ids=ids, as_of=at(1, 16), actor=ACTOR)["done"] == 0
    sub.refresh_from_db()
    invoice.refresh_from_db()
    assert sub.cancel_at_period_end
    assert invoice.status == "uncollectible"
    # written off, still owed: the customer stays in dunning
    assert evaluate(who, at(1, 17)) is None
    assert_trial_balance_zero()


def test_leaving_the_state_cancels_actions_still_pending() -> None:
    pausing = policy(
        [{"code": "pause", "name": "Pause", "min_days_past_due": 1, "subscription_action":
          "pause", "subscription_action_when": "period_end"}]
    )  # fmt: skip
    who = a_debtor()
    assign(who, pausing)
    sub, invoice = billed(who, priced_plan("monthly", "30.00"), JAN1)
    entered = evaluate(who, at(1, 12))
    (pause,) = DunningAction.objects.filter(transition=entered)
    assert pause.due_at == sub.current_period_end == datetime(2026, 2, 1, tzinfo=UTC)
    pay(who, invoice, "30.00", at(1, 13))
    journal_dispatch(as_of=at(1, 13, 1))
    pause.refresh_from_db()
    assert pause.status == ActionStatus.CANCELED
    assert tick(datetime(2026, 2, 1, 1, tzinfo=UTC))["actions_due"] == 0


# ------------------------------------------------------------------------------ policy edits


def test_editing_a_policy_never_rewrites_past_transitions() -> None:
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    first = evaluate(who, at(1, 12))
    assert first is not None
    default = DunningPolicy.objects.get(is_default=True)
    states = [
        {"code": "reminder", "name": "Friendly nudge", "min_days_past_due": 3},
        {"code": "warning", "name": "Warning", "min_days_past_due": 7},
    ]
    dunning_policy_update(policy_id=default.pk, data={"name": "Renamed", "states": states},
                          actor=ACTOR, as_of=at(1, 12, 1))  # fmt: skip
    first.refresh_from_db()
    assert (first.policy_name, first.to_name, first.to_code) == ("Default", "Reminder", "reminder")
    assert first.email_template == "dunning_reminder"
    assert first.to_state is not None  # the same state, kept by its code
    # the customer is still in the state (kept); its days condition is now 3
    assert evaluate(who, at(1, 12, 2)) is not None  # 1 day < 3: no state holds now
    assert transitions(who)[-1] == ("reminder", "", "cleared")


def test_the_clock_selection_is_two_queries_however_many_customers(
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(5):
        open_invoice(a_debtor(), "10.00", JAN1)
    with django_assert_max_num_queries(2):
        due = dunning_customers_due(as_of=at(1, 12))
    assert len(due) == 5


def test_the_handler_is_registered_for_money_events() -> None:
    from billing.journal import handlers

    (handler,) = [h for h in handlers() if h.name == HANDLER]
    assert handler.batch
    assert {"payment.applied", "invoice.paid", "credit_note.created", "invoice.voided",
            "payment.failed", "invoice.marked_uncollectible"} <= handler.types  # fmt: skip


def test_the_handler_reads_a_batch_of_payments_of_customers_not_in_dunning_in_three_queries(
    django_assert_max_num_queries: Any,
) -> None:
    paid = []
    for _ in range(4):
        who = a_debtor()
        invoice = open_invoice(who, "10.00", JAN1)
        pay(who, invoice, "10.00", at(1, 5))  # paid before its due date
        paid.append(who.pk)
    batch = list(JournalEvent.objects.filter(type__in=sorted(EVENTS)))
    assert len(batch) >= 8
    with django_assert_max_num_queries(3):  # invoices' and payments' customers; who can move
        on_money_events(batch)
    assert not CustomerDunning.objects.filter(customer_id__in=paid).exists()


def test_the_tick_runs_actions_whose_instant_came(eager: None) -> None:
    pausing = policy(
        [{"code": "pause", "name": "Pause", "min_days_past_due": 1, "subscription_action":
          "pause", "subscription_action_when": "period_end"}]
    )  # fmt: skip
    who = a_debtor()
    assign(who, pausing)
    sub, _ = billed(who, priced_plan("monthly", "30.00"), JAN1)
    tick(at(1, 12))  # entered; the pause waits for the period's end
    (pause,) = DunningAction.objects.filter(customer=who)
    assert pause.status == ActionStatus.PENDING
    assert tick(at(1, 31))["actions_due"] == 0
    assert tick(datetime(2026, 2, 1, tzinfo=UTC))["actions_due"] == 1
    pause.refresh_from_db()
    sub.refresh_from_db()
    assert (pause.status, pause.outcome, sub.status) == ("done", "paused", "paused")
    assert sub.paused_at == datetime(2026, 2, 1, tzinfo=UTC)


def test_an_invoice_finalized_already_past_due_is_evaluated_by_the_handler() -> None:
    who = a_debtor()
    evaluate(who, at(1, 20))  # nothing overdue yet: evaluated as of Jan 20
    open_invoice(who, "70.00", JAN1)  # finalized late, due Jan 11: 9 days past due already
    # due before the last evaluation, yet not seen by it: the clock would take it too
    assert dunning_customers_due(as_of=at(1, 20, 1)) == [who.pk]
    journal_dispatch(as_of=at(1, 20, 1))  # invoice.finalized reaches the handler
    assert transitions(who) == [("", "warning", "up")]
    assert events(who)[0]["days_past_due"] == 9
