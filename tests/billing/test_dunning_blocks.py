"""Billing's side of dunning: blocks per subscription (now, or from the end of a period already
paid), the entitlement check's `blocked_by_dunning`, and refused plan changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from billing import services
from billing.models import Customer, JournalEvent, Subscription
from billing.selectors import entitlement_check
from billing.services.customers import locked_customer
from catalog.models import Feature
from core.exceptions import ApplicationError
from tests.billing.subs import customer, priced_plan, seats, utc
from tests.catalog.factories import feature as make_feature
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
A = TEST_ACTOR
APR1 = utc(2024, 4, 1)


def create(cust: Customer, plan_code: str, features: list[dict[str, object]]) -> Subscription:
    plan = priced_plan(plan_code, "30", features=features)
    return services.subscription_create(customer_id=cust.pk, plan_id=plan.pk, actor=A, as_of=APR1)


def block(cust: Customer, blocked_from: dict[int, datetime | None], at: datetime) -> list[int]:
    with transaction.atomic():
        locked = locked_customer(cust.pk)
        return services.subscriptions_dunning_block(
            customer=locked, blocked_from=blocked_from, reason="dunning: Blocked", as_of=at, actor=A
        )


def check(cust: Customer, code: str) -> tuple[bool, str, Decimal | None]:
    result = entitlement_check(customer_external_id=cust.external_id, feature_code=code)
    return result.allowed, result.reason, result.limit


def export_feature() -> dict[str, object]:
    found = Feature.objects.filter(code="export").first() or make_feature("export", "boolean")
    return {"feature": found}


def test_a_blocked_subscription_grants_nothing_and_the_check_says_why() -> None:
    cust = customer()
    monthly = create(cust, "monthly", [seats(3), export_feature()])
    annual = create(cust, "annual", [seats(10)])
    assert check(cust, "seats") == (True, "granted", Decimal(10))

    changed = block(cust, {monthly.pk: APR1, annual.pk: None}, utc(2024, 4, 2))
    assert changed == [monthly.pk]
    # seats still come from the annual subscription; export only from the blocked one
    assert check(cust, "seats") == (True, "granted", Decimal(10))
    assert check(cust, "export") == (False, "blocked_by_dunning", None)
    monthly.refresh_from_db()
    assert (monthly.dunning_blocked, monthly.dunning_blocked_from) == (True, APR1)
    assert monthly.dunning_block_reason == "dunning: Blocked"
    events = JournalEvent.objects.filter(type="subscription.entitlements_blocked")
    assert [e.subject_id for e in events] == [str(monthly.pk)]

    # the same block again changes nothing and journals nothing
    assert block(cust, {monthly.pk: APR1}, utc(2024, 4, 3)) == []
    assert events.count() == 1

    assert block(cust, {monthly.pk: None}, utc(2024, 4, 4)) == [monthly.pk]
    assert check(cust, "export") == (True, "granted", None)
    assert JournalEvent.objects.filter(type="subscription.entitlements_unblocked").count() == 1


def test_a_period_already_paid_is_blocked_only_from_its_end() -> None:
    cust = customer()
    annual = create(cust, "annual", [seats(10)])
    period_end = utc(2025, 4, 1)
    assert block(cust, {annual.pk: period_end}, utc(2024, 6, 1)) == []
    annual.refresh_from_db()
    assert (annual.dunning_blocked, annual.dunning_blocked_from) == (False, period_end)
    assert check(cust, "seats") == (True, "granted", Decimal(10))
    assert services.dunning_blocks_due(as_of=utc(2025, 3, 31)) == []
    assert services.dunning_blocks_due(as_of=period_end) == [cust.pk]
    # dunning evaluates again at the period's end and puts the block in effect
    assert block(cust, {annual.pk: period_end}, period_end) == [annual.pk]
    assert check(cust, "seats") == (False, "blocked_by_dunning", None)
    assert services.dunning_blocks_due(as_of=period_end) == []


def test_only_the_customers_own_subscriptions_may_be_blocked() -> None:
    cust, other = customer(), customer()
    theirs = create(other, "basic", [seats(3)])
    with pytest.raises(ApplicationError) as err:
        block(cust, {theirs.pk: APR1}, utc(2024, 4, 2))
    assert err.value.field == "subscriptions"


def test_a_recompute_for_another_reason_keeps_the_block() -> None:
    cust = customer()
    sub = create(cust, "basic", [seats(3)])
    block(cust, {sub.pk: APR1}, utc(2024, 4, 2))
    services.subscription_change(subscription_id=sub.pk, quantity=2, actor=A, as_of=utc(2024, 4, 3))
    assert check(cust, "seats") == (False, "blocked_by_dunning", None)


def test_refused_plan_changes() -> None:
    cust = customer()
    sub = create(cust, "basic", [seats(3)])
    with transaction.atomic():
        services.customer_plan_changes_refuse(
            customer=locked_customer(cust.pk), refused=True, reason="dunning: Warning",
            as_of=utc(2024, 4, 2), actor=A,
        )  # fmt: skip
    with pytest.raises(ApplicationError) as err:
        services.subscription_change(
            subscription_id=sub.pk, quantity=2, actor=A, as_of=utc(2024, 4, 3)
        )
    assert err.value.code == "plan_changes_refused"
    assert "dunning: Warning" in str(err.value)
    assert JournalEvent.objects.filter(type="customer.plan_changes_refused").count() == 1
    with transaction.atomic():
        services.customer_plan_changes_refuse(
            customer=locked_customer(cust.pk), refused=False, reason="paid",
            as_of=utc(2024, 4, 4), actor=A,
        )  # fmt: skip
    services.subscription_change(subscription_id=sub.pk, quantity=2, actor=A, as_of=utc(2024, 4, 5))
    assert Subscription.objects.get(pk=sub.pk).quantity == 2
    assert JournalEvent.objects.filter(type="customer.plan_changes_allowed").count() == 1


def test_a_subscription_created_while_the_customer_is_blocked_is_blocked_from_its_start() -> None:
    cust = customer()
    first = create(cust, "basic", [seats(3)])
    with transaction.atomic():
        services.subscriptions_dunning_block(
            customer=locked_customer(cust.pk), blocked_from={first.pk: APR1},
            reason="dunning: Blocked", as_of=utc(2024, 4, 20), actor=A, blocking=True,
        )  # fmt: skip
    plan = priced_plan("extra", "10", features=[export_feature()])
    later = services.subscription_create(
        customer_id=cust.pk, plan_id=plan.pk, actor=A, as_of=utc(2024, 4, 21)
    )
    assert (later.dunning_blocked, later.dunning_blocked_from) == (True, utc(2024, 4, 21))
    assert later.dunning_block_reason == "dunning: Blocked"
    assert check(cust, "export") == (False, "blocked_by_dunning", None)
    # the customer leaves the blocking state: what is created then is not blocked
    with transaction.atomic():
        services.subscriptions_dunning_block(
            customer=locked_customer(cust.pk), blocked_from={first.pk: None, later.pk: None},
            reason="", as_of=utc(2024, 4, 22), actor=A, blocking=False,
        )  # fmt: skip
    third = services.subscription_create(
        customer_id=cust.pk, plan_id=priced_plan("third", "5").pk, actor=A, as_of=utc(2024, 4, 23)
    )
    assert (third.dunning_blocked, third.dunning_blocked_from) == (False, None)
    assert check(cust, "export") == (True, "granted", None)


def test_a_customer_blocking_with_no_subscription_blocks_the_first_one() -> None:
    cust = customer()
    with transaction.atomic():
        services.subscriptions_dunning_block(
            customer=locked_customer(cust.pk), blocked_from={}, reason="dunning: Blocked",
            as_of=APR1, actor=A, blocking=True,
        )  # fmt: skip
    assert Customer.objects.get(pk=cust.pk).dunning_blocking is True
    sub = create(cust, "basic", [seats(3)])
    assert sub.dunning_blocked is True


def test_an_ended_subscription_with_a_pending_block_is_never_due() -> None:
    cust = customer()
    annual = create(cust, "annual", [seats(10)])
    block(cust, {annual.pk: utc(2024, 5, 1)}, utc(2024, 4, 2))
    services.subscription_cancel(subscription_id=annual.pk, actor=A, as_of=utc(2024, 4, 3))
    assert Subscription.objects.get(pk=annual.pk).status in ("canceled", "ended")
    assert services.dunning_blocks_due(as_of=utc(2024, 6, 1)) == []
