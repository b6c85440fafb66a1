"""Dunning review fixes (issue 13): the reviewer's failing cases, adapted, and what each fix
promises. A subscription created while blocked is blocked from its start; a "cancel at period
end" set by dunning is undone when the customer leaves before the period ends (and otherwise
cancels at the end without a renewal invoice); a pause at period end is pending and dropped when
the customer leaves; policy edits reach customers already in their states at the next tick; a
new policy's state of the same code sends no second e-mail; a time zone change is evaluated at
once; a lower-case currency is stored upper-case; payments failed `not_needed` are not failed
attempts; two runners never carry an action out twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from billing.models import Subscription
from billing.services import customer_update, journal_dispatch, subscription_create
from catalog.models import Feature
from invoicing.models import Invoice
from payments.models.dunning import (
    ActionKind,
    ActionStatus,
    CustomerDunning,
    DunningAction,
    DunningPolicy,
)
from payments.services.dunning import dunning_customers_due, situation_of
from payments.services.dunning_actions import action_lock, dunning_actions_run
from payments.services.dunning_policies import dunning_policy_create, dunning_policy_update
from tests.billing.subs import customer, priced_plan
from tests.catalog.factories import feature as make_feature
from tests.invoicing.test_invoices import run_tick
from tests.payments.helpers import open_invoice
from tests.payments.test_dunning import (
    ACTOR,
    JAN1,
    a_debtor,
    assign,
    at,
    billed,
    check,
    eager,  # noqa: F401 (the fixture)
    evaluate,
    events,
    pay,
    policy,
    tick,
    transitions,
)
from tests.payments.test_retries import stored_failure

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]  # Celery in-process

D = Decimal


def _export() -> Feature:
    return Feature.objects.filter(code="export").first() or make_feature("export", "boolean")


def _pay_everything(who: Any, when: datetime) -> None:
    for invoice in Invoice.objects.filter(customer=who, status__in=["open", "partially_paid"]):
        pay(who, invoice, str(invoice.amount_due), when)
    journal_dispatch(as_of=when + timedelta(minutes=1))


# ------------------------------------------------------------- 1. blocked from the start


def test_a_subscription_created_while_blocked_is_blocked_from_its_start(api: APIClient) -> None:
    export = _export()
    plan = priced_plan("monthly", "30.00", features=[{"feature": export}])
    who = a_debtor()
    billed(who, plan, JAN1)
    tick(at(1, 25))  # 14 days past due: Blocked (default policy)
    assert transitions(who)[-1][1] == "blocked"
    new = subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR,
                              as_of=at(1, 26), start_at=at(1, 26))  # fmt: skip
    for day in range(27, 31):
        tick(at(1, day))
    new.refresh_from_db()
    assert new.dunning_blocked
    assert check(api, who, "export") == (False, "blocked_by_dunning")


def test_a_subscription_created_in_the_last_state_is_blocked(api: APIClient) -> None:
    export = _export()
    plan = priced_plan("monthly", "30.00", features=[{"feature": export}])
    who = a_debtor()
    billed(who, plan, JAN1)
    tick(at(2, 11))  # 31 days: Canceled (the last state: no next check)
    assert transitions(who)[-1][1] == "canceled"
    new = subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR,
                              as_of=at(2, 12), start_at=at(2, 12))  # fmt: skip
    for day in range(13, 20):
        tick(at(2, day))
    new.refresh_from_db()
    assert new.dunning_blocked
    assert check(api, who, "export") == (False, "blocked_by_dunning")


def test_leaving_a_blocking_state_with_no_subscription_stops_blocking_new_ones() -> None:
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    invoice = open_invoice(who, "100.00", JAN1)
    tick(at(1, 25))  # Blocked, no subscription at all
    who.refresh_from_db()
    assert who.dunning_blocking
    pay(who, invoice, "100.00", at(1, 26))
    journal_dispatch(as_of=at(1, 26, 1))
    who.refresh_from_db()
    assert not who.dunning_blocking
    new = subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR,
                              as_of=at(1, 27), start_at=at(1, 27))  # fmt: skip
    assert not new.dunning_blocked


# ------------------------------------------------------------- 2. cancel / pause at period end


def _canceled_state_reached(who: Any, plan: Any) -> Subscription:
    sub, _ = billed(who, plan, JAN1)
    run_tick(at(2, 1, 0) + timedelta(minutes=5))  # February billed (unpaid too)
    tick(at(2, 10))  # 30 days past due: Canceled, subscriptions canceled at period end
    assert transitions(who)[-1][1] == "canceled"
    tick(at(2, 10, 1))  # the sweep runs the action (its after-commit task is not run in tests)
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    return sub


def test_paying_before_the_period_end_undoes_dunnings_cancellation(
    django_capture_on_commit_callbacks: Any,
) -> None:
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    sub = _canceled_state_reached(who, plan)
    with django_capture_on_commit_callbacks(execute=True):  # the undo: after the commit
        _pay_everything(who, at(2, 11))
    assert transitions(who)[-1][2] == "cleared"
    sub.refresh_from_db()
    assert not sub.cancel_at_period_end
    undo = DunningAction.objects.get(customer=who, kind=ActionKind.UNDO_CANCEL_AT_PERIOD_END)
    assert (undo.status, undo.subscription_id) == (ActionStatus.DONE, sub.pk)
    run_tick(at(3, 1, 0) + timedelta(minutes=5))
    sub.refresh_from_db()
    assert sub.status == "active"
    assert Invoice.objects.filter(customer=who).count() == 3  # Jan, Feb, and March renewed


def test_not_paying_cancels_at_the_period_end_without_a_renewal_invoice() -> None:
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    sub = _canceled_state_reached(who, plan)
    for day in range(11, 29):
        tick(at(2, day))
    run_tick(at(3, 1, 0) + timedelta(minutes=5))
    tick(at(3, 1, 1))
    sub.refresh_from_db()
    assert (sub.status, sub.ended_at) == ("canceled", at(3, 1))
    assert Invoice.objects.filter(customer=who).count() == 2  # Jan and Feb: no March
    assert not DunningAction.objects.filter(kind=ActionKind.UNDO_CANCEL_AT_PERIOD_END).exists()


def test_a_cancellation_staff_set_themselves_is_never_undone_by_dunning() -> None:
    from billing.services import subscription_cancel

    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    sub, _ = billed(who, plan, JAN1)
    subscription_cancel(subscription_id=sub.pk, actor=ACTOR, as_of=at(1, 5), at_period_end=True)
    tick(at(2, 10))  # Canceled state: its action finds the cancellation already pending
    tick(at(2, 10, 1))
    assert DunningAction.objects.get(customer=who).status == ActionStatus.SKIPPED
    _pay_everything(who, at(2, 11))
    tick(at(2, 11, 2))
    sub.refresh_from_db()
    assert sub.cancel_at_period_end  # staff's, kept
    assert not DunningAction.objects.filter(kind=ActionKind.UNDO_CANCEL_AT_PERIOD_END).exists()


PAUSING = [
    {"code": "late", "name": "Late", "min_days_past_due": 1},
    {"code": "pause", "name": "Paused", "min_days_past_due": 14, "subscription_action": "pause",
     "subscription_action_when": "period_end"},
]  # fmt: skip


def test_a_pause_at_period_end_is_dropped_when_the_customer_pays_before() -> None:
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    assign(who, policy(PAUSING, name="Pausing"))
    sub, _ = billed(who, plan, JAN1)
    tick(at(1, 25))
    (action,) = DunningAction.objects.filter(customer=who)
    assert (action.kind, action.status, action.due_at) == ("pause", "pending", at(2, 1))
    _pay_everything(who, at(1, 28))
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELED
    tick(at(2, 1, 1))
    sub.refresh_from_db()
    assert sub.status == "active"


def test_a_pause_at_period_end_comes_at_the_period_end_when_nothing_is_paid() -> None:
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    assign(who, policy(PAUSING, name="Pausing"))
    sub, _ = billed(who, plan, JAN1)
    tick(at(1, 25))
    tick(at(1, 31, 23))
    sub.refresh_from_db()
    assert sub.status == "active"  # not before its period ends
    tick(at(2, 1, 1))
    sub.refresh_from_db()
    assert (sub.status, sub.paused_at) == ("paused", at(2, 1, 1))  # the first tick after


# ------------------------------------------------------------- 3. policy edits reach customers


DEFAULT_STATES: list[dict[str, Any]] = [
    {"code": "reminder", "name": "Reminder", "min_days_past_due": 1,
     "email_template": "dunning_reminder"},
    {"code": "warning", "name": "Warning", "min_days_past_due": 7,
     "email_template": "dunning_warning", "refuse_plan_changes": True},
    {"code": "blocked", "name": "Blocked", "min_days_past_due": 14,
     "email_template": "dunning_suspension", "refuse_plan_changes": True,
     "block_entitlements": False},  # finance stops blocking features
    {"code": "canceled", "name": "Canceled", "min_days_past_due": 30,
     "email_template": "dunning_cancellation", "refuse_plan_changes": True,
     "block_entitlements": True},
]  # fmt: skip


def test_a_policy_edit_reaches_customers_already_in_its_states_at_the_next_tick(
    api: APIClient,
) -> None:
    export = _export()
    plan = priced_plan("monthly", "30.00", features=[{"feature": export}])
    who = a_debtor()
    sub, _ = billed(who, plan, JAN1)
    tick(at(1, 25))  # Blocked
    assert check(api, who, "export") == (False, "blocked_by_dunning")
    default = DunningPolicy.objects.get(is_default=True)
    before = len(transitions(who))
    dunning_policy_update(policy_id=default.pk, data={"states": DEFAULT_STATES}, actor=ACTOR,
                          as_of=at(1, 25, 1))  # fmt: skip
    assert CustomerDunning.objects.get(customer=who).next_check_at == at(1, 25, 1)
    assert who.pk in dunning_customers_due(as_of=at(1, 25, 2))
    tick(at(1, 25, 2))
    sub.refresh_from_db()
    assert not sub.dunning_blocked
    assert check(api, who, "export") == (True, "granted")
    assert len(transitions(who)) == before  # still Blocked: no transition, the past kept
    assert who.pk not in dunning_customers_due(as_of=at(1, 25, 3))


def test_a_new_default_policy_makes_the_customers_without_their_own_due() -> None:
    mine = a_debtor()
    theirs = a_debtor()
    open_invoice(mine, "100.00", JAN1)
    open_invoice(theirs, "100.00", JAN1)
    assign(theirs, policy([{"code": "late", "name": "Late", "min_days_past_due": 1}]))
    tick(at(1, 14))
    dunning_policy_create(data={"name": "Stricter", "is_default": True, "states": [
        {"code": "late", "name": "Late", "min_days_past_due": 1, "block_entitlements": True},
    ]}, actor=ACTOR, as_of=at(1, 14, 1))  # fmt: skip
    due = dunning_customers_due(as_of=at(1, 14, 2))
    assert mine.pk in due
    assert theirs.pk not in due


# ------------------------------------------------------------- 4. same code across policies


def test_a_new_default_policy_does_not_send_the_same_states_email_again() -> None:
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    tick(at(1, 18))  # 7 days: Warning
    assert [e["template"] for e in events(who)] == ["dunning_warning"]
    dunning_policy_create(data={"name": "Finer", "is_default": True, "states": [
        {"code": "courtesy", "name": "Courtesy", "min_days_past_due": 0},
        {"code": "reminder", "name": "Reminder", "min_days_past_due": 1,
         "email_template": "dunning_reminder"},
        {"code": "warning", "name": "Warning", "min_days_past_due": 7,
         "email_template": "dunning_warning"},
    ]}, actor=ACTOR, as_of=at(1, 18, 1))  # fmt: skip
    tick(at(1, 19))
    tick(at(1, 25))
    evaluate(who, at(1, 26))
    assert [e["template"] for e in events(who) if e["template"]] == ["dunning_warning"]
    assert transitions(who) == [("", "warning", "up"), ("warning", "warning", "same")]
    record = CustomerDunning.objects.select_related("state__policy").get(customer=who)
    assert record.state is not None
    assert record.state.policy.name == "Finer"


def test_a_new_policy_without_the_state_enters_its_own_state() -> None:
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    tick(at(1, 18))  # Warning (position 2 of the default)
    other = policy([{"code": "notice", "name": "Notice", "min_days_past_due": 1,
                     "email_template": "dunning_reminder"}], name="One step")  # fmt: skip
    assign(who, other, at(1, 18, 1))
    assert transitions(who)[-1] == ("warning", "notice", "up")  # position 1, yet an entry
    assert events(who)[-1]["template"] == "dunning_reminder"


# ------------------------------------------------------------- 6. due at once


def test_an_invoice_due_at_once_is_dunned_when_the_customer_was_evaluated_a_bit_later() -> None:
    who = customer(payment_terms_days=0, auto_collection=False)
    finalized = at(1, 1, 9)
    evaluate(who, finalized + timedelta(minutes=2))  # before the finalize task committed
    invoice = open_invoice(who, "100.00", finalized)
    assert invoice.due_at == finalized
    for day in range(2, 20):
        tick(at(1, day))
    assert transitions(who) != []


# ------------------------------------------------------------- 7. time zone


def test_a_time_zone_change_is_evaluated_at_once() -> None:
    who = a_debtor(zone="America/Los_Angeles")
    open_invoice(who, "100.00", JAN1)  # due Jan 11 09:00 UTC = 01:00 in Los Angeles
    tick(at(1, 11, 12))  # overdue, 0 days; next check Jan 12 00:00 PST = 08:00 UTC
    assert CustomerDunning.objects.get(customer=who).next_check_at == at(1, 12, 8)
    # Auckland (UTC+13): due Jan 11 22:00 local, 1 day past due from Jan 12 00:00 = 11:00 UTC
    customer_update(customer_id=who.pk, actor=ACTOR, as_of=at(1, 11, 13),
                    changes={"timezone": "Pacific/Auckland"})  # fmt: skip
    journal_dispatch(as_of=at(1, 11, 13))  # at once
    assert transitions(who) == [("", "reminder", "up")]
    assert CustomerDunning.objects.get(customer=who).next_check_at == at(1, 17, 11)  # 7 days


def test_a_time_zone_change_is_evaluated_by_the_next_tick_without_the_handler() -> None:
    who = a_debtor(zone="America/Los_Angeles")
    open_invoice(who, "100.00", JAN1)
    tick(at(1, 11, 12))
    customer_update(customer_id=who.pk, actor=ACTOR, as_of=at(1, 11, 13),
                    changes={"timezone": "Pacific/Auckland"})  # fmt: skip
    assert who.pk in dunning_customers_due(as_of=at(1, 11, 14))
    tick(at(1, 11, 14))
    assert transitions(who) == [("", "reminder", "up")]
    assert who.pk not in dunning_customers_due(as_of=at(1, 11, 15))


def test_another_customer_change_does_not_evaluate() -> None:
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    tick(at(1, 11, 12))
    evaluated = CustomerDunning.objects.get(customer=who).evaluated_at
    customer_update(customer_id=who.pk, actor=ACTOR, as_of=at(1, 12, 13),
                    changes={"name": "Renamed"})  # fmt: skip
    journal_dispatch(as_of=at(1, 12, 13))
    assert CustomerDunning.objects.get(customer=who).evaluated_at == evaluated


# ------------------------------------------------------------- 8. currency


def test_a_lower_case_amount_currency_is_stored_upper_case_and_holds() -> None:
    eur = policy([
        {"code": "late", "name": "Late", "min_days_past_due": 1},
        {"code": "big", "name": "Big", "min_amount_overdue": "50", "amount_currency": "eur"},
    ], name="EUR")  # fmt: skip
    assert eur.states.get(code="big").amount_currency == "EUR"
    who = a_debtor(currency="EUR")
    assign(who, eur)
    open_invoice(who, "100.00", JAN1)
    moved = evaluate(who, at(1, 12))
    assert moved is not None
    assert moved.to_code == "big"


def test_a_lower_case_currency_through_the_api(api: APIClient) -> None:
    body = {"name": "EUR", "states": [
        {"code": "big", "name": "Big", "min_amount_overdue": "50", "amount_currency": "eur"},
    ]}  # fmt: skip
    r = api.post("/api/v1/dunning-policies/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["states"][0]["amount_currency"] == "EUR"


# ------------------------------------------------------------- suspicions


def test_payments_failed_as_not_needed_are_not_failed_attempts() -> None:
    who = a_debtor()
    invoice = open_invoice(who, "100.00", JAN1)
    stored_failure(invoice, 1, JAN1 + timedelta(days=10, hours=1))
    moot = stored_failure(invoice, 2, JAN1 + timedelta(days=10, hours=2))
    moot.failure_code = "not_needed"  # as collection fails an attempt no longer needed
    moot.save(update_fields=["failure_code"])
    assert situation_of(who, at(1, 12)).failed_attempts == 1


def test_an_action_another_runner_holds_is_left_to_it() -> None:
    plan = priced_plan("monthly", "30.00")
    who = a_debtor()
    sub, _ = billed(who, plan, JAN1)
    evaluate(who, at(2, 10))  # Canceled: its action pending (its after-commit task not run)
    (action,) = DunningAction.objects.filter(customer=who, status="pending")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # a second runner holds the action
            cursor.execute("SELECT pg_advisory_lock(%s::int4, %s::int4)", action_lock(action.pk))
        counts = dunning_actions_run(action_ids=[action.pk], as_of=at(2, 10, 1), actor=ACTOR)
        assert counts == {"done": 0, "skipped": 0, "busy": 1}
        action.refresh_from_db()
        assert action.status == ActionStatus.PENDING
    finally:
        other.close()
    counts = dunning_actions_run(action_ids=[action.pk], as_of=at(2, 10, 2), actor=ACTOR)
    assert counts == {"done": 1, "skipped": 0, "busy": 0}
    assert dunning_actions_run(action_ids=[action.pk], as_of=at(2, 10, 3), actor=ACTOR) == {
        "done": 0, "skipped": 0, "busy": 0,
    }  # fmt: skip
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    assert connection.vendor == "postgresql"


def test_a_cancellation_at_once_credits_nothing_of_a_period_never_paid() -> None:
    """Canceling now a subscription whose fee in advance is unpaid (what a state canceling
    "immediately" does): no credit for the unused days of a period the customer did not pay,
    and the invoice written off is not relieved a second time."""
    from billing.models import ProrationLine

    harsh = policy([{"code": "end", "name": "End", "min_days_past_due": 5,
                     "subscription_action": "cancel", "subscription_action_when": "immediately",
                     "mark_uncollectible": True}])  # fmt: skip
    who = a_debtor()
    assign(who, harsh)
    sub, invoice = billed(who, priced_plan("monthly", "31.00"), JAN1)
    entered = evaluate(who, at(1, 16))
    ids = list(DunningAction.objects.filter(transition=entered).values_list("pk", flat=True))
    dunning_actions_run(action_ids=ids, as_of=at(1, 16), actor=ACTOR)
    assert Subscription.objects.get(pk=sub.pk).status == "canceled"
    assert Invoice.objects.get(pk=invoice.pk).status == "uncollectible"
    assert not ProrationLine.objects.filter(subscription=sub, amount_rounded__lt=0).exists()
