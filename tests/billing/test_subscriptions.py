from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from billing import services
from billing.models import JournalEvent, ProrationLine, Subscription, SubscriptionChange
from billing.selectors import entitlement_check
from core.exceptions import Conflict, TransitionNotAllowed, ValidationFailed
from tests.billing.subs import customer, priced_plan, seats, utc
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
A = TEST_ACTOR


def create(cust, plan, at, **kw):  # type: ignore[no-untyped-def]
    return services.subscription_create(
        customer_id=cust.pk, plan_id=plan.pk, actor=A, as_of=at, **kw
    )


def advance(sub: Subscription, at):  # type: ignore[no-untyped-def]
    return services.subscription_advance(subscription_id=sub.pk, as_of=at, actor=A)


def lines(sub: Subscription) -> list[tuple[str, Decimal]]:
    return [
        (line.kind, line.amount_rounded) for line in ProrationLine.objects.filter(subscription=sub)
    ]


def test_create_now_sets_the_anchor_and_the_first_period() -> None:
    cust = customer("America/New_York")
    sub = create(cust, priced_plan("basic", "30"), utc(2024, 3, 10, 15))
    assert sub.status == "active"
    assert sub.billing_anchor == date(2024, 3, 10)
    assert sub.current_period_start == utc(2024, 3, 10, 5)  # local midnight (still EST)
    assert sub.current_period_end == utc(2024, 4, 10, 4)
    assert JournalEvent.objects.filter(type="subscription.created").count() == 1


def test_trial_from_the_price_book_then_active_with_the_anchor_at_trial_end() -> None:
    cust = customer()
    sub = create(cust, priced_plan("pro", "50", trial_days=14), utc(2024, 1, 10, 9))
    assert (sub.status, sub.trial_end) == ("trialing", utc(2024, 1, 24))
    assert sub.billing_anchor == date(2024, 1, 24)
    advance(sub, utc(2024, 1, 21, 1))
    assert JournalEvent.objects.filter(type="subscription.trial_will_end").count() == 1
    sub = advance(sub, utc(2024, 1, 24, 0, 5))
    assert sub.status == "active"
    assert (sub.current_period_start, sub.current_period_end) == (
        utc(2024, 1, 24),
        utc(2024, 2, 24),
    )
    overridden = create(
        cust, priced_plan("pro2", "50", trial_days=14), utc(2024, 1, 10), trial_days=0
    )
    assert overridden.status == "active"


def test_future_start_is_pending_until_the_clock_starts_it() -> None:
    sub = create(customer(), priced_plan("basic", "30"), utc(2024, 1, 1), start_at=utc(2024, 2, 1))
    assert sub.status == "pending"
    assert advance(sub, utc(2024, 1, 31)).status == "pending"
    assert advance(sub, utc(2024, 2, 1)).status == "active"


def test_the_clock_rolls_periods_and_is_idempotent() -> None:
    sub = create(customer(), priced_plan("basic", "30"), utc(2024, 1, 31))
    sub = advance(sub, utc(2024, 4, 15))
    assert (sub.current_period_start, sub.current_period_end) == (
        utc(2024, 3, 31),
        utc(2024, 4, 30),
    )
    events = JournalEvent.objects.count()
    advance(sub, utc(2024, 4, 15))
    advance(sub, utc(2024, 4, 1))
    assert JournalEvent.objects.count() == events


def test_upgrade_mid_period_in_a_30_day_month_is_prorated_by_the_second() -> None:
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = create(cust, basic, utc(2024, 4, 1))
    services.subscription_change(
        subscription_id=sub.pk, plan_id=pro.pk, actor=A, as_of=utc(2024, 4, 16)
    )
    assert lines(sub) == [("credit", Decimal("-15.00")), ("charge", Decimal("30.00"))]
    sub.refresh_from_db()
    assert sub.plan_id == pro.pk
    credit = ProrationLine.objects.filter(subscription=sub).first()
    assert credit is not None
    assert credit.explanation["formula"] == "-30 x 1 x 1296000 / 2592000 s = -15"


def test_upgrade_mid_period_in_a_31_day_month() -> None:
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = create(cust, basic, utc(2024, 5, 1))
    services.subscription_change(
        subscription_id=sub.pk, plan_id=pro.pk, actor=A, as_of=utc(2024, 5, 16)
    )
    # 16 of 31 days remain: -30 x 16/31 = -15.4838..., 60 x 16/31 = 30.9677...
    assert lines(sub) == [("credit", Decimal("-15.48")), ("charge", Decimal("30.97"))]


def test_a_downgrade_waits_for_the_period_end() -> None:
    cust = customer()
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = create(cust, pro, utc(2024, 5, 1))
    change = services.subscription_change(
        subscription_id=sub.pk, plan_id=basic.pk, actor=A, as_of=utc(2024, 5, 10)
    )
    assert (change.status, change.effective_at) == ("scheduled", utc(2024, 6, 1))
    sub = advance(sub, utc(2024, 6, 1, 0, 1))
    assert sub.plan_id == basic.pk
    assert lines(sub) == []  # at a boundary there is nothing to prorate
    assert SubscriptionChange.objects.get().status == "applied"


def test_quantity_change_prorates_the_same_way() -> None:
    sub = create(customer(), priced_plan("seat", "10"), utc(2024, 4, 1), quantity=2)
    services.subscription_change(
        subscription_id=sub.pk, quantity=5, when="now", actor=A, as_of=utc(2024, 4, 16)
    )
    assert lines(sub) == [("credit", Decimal("-10.00")), ("charge", Decimal("25.00"))]


def test_arrears_fee_charges_the_used_part_and_moves_fee_since() -> None:
    basic = priced_plan("basic", "30", timing="arrears")
    pro = priced_plan("pro", "60", timing="arrears")
    sub = create(customer(), basic, utc(2024, 4, 1))
    services.subscription_change(
        subscription_id=sub.pk, plan_id=pro.pk, actor=A, as_of=utc(2024, 4, 16)
    )
    assert lines(sub) == [("charge", Decimal("15.00"))]
    sub.refresh_from_db()
    assert sub.fee_since == utc(2024, 4, 16)


def test_scheduled_changes_can_be_listed_and_cancelled() -> None:
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = create(customer(), basic, utc(2024, 4, 1))
    change = services.subscription_change(
        subscription_id=sub.pk,
        plan_id=pro.pk,
        actor=A,
        when=utc(2024, 4, 20),
        as_of=utc(2024, 4, 2),
    )
    assert change.status == "scheduled"
    services.subscription_change_cancel(change_id=change.pk, actor=A, as_of=utc(2024, 4, 3))
    sub = advance(sub, utc(2024, 4, 21))
    assert sub.plan_id == basic.pk
    with pytest.raises(TransitionNotAllowed):
        services.subscription_change_cancel(change_id=change.pk, actor=A, as_of=utc(2024, 4, 22))


@pytest.mark.parametrize(
    "case", ["same_instant", "after_end", "other_currency", "past", "no_change"]
)
def test_conflicting_changes_are_refused(case: str) -> None:
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    euro = priced_plan("euro", "60", currency="EUR")
    sub = create(customer(), basic, utc(2024, 4, 1))
    at = utc(2024, 4, 20)
    kwargs: dict = {"subscription_id": sub.pk, "actor": A, "as_of": utc(2024, 4, 2)}
    if case == "same_instant":
        services.subscription_change(plan_id=pro.pk, when=at, **kwargs)
        with pytest.raises(Conflict, match="already scheduled") as info:
            services.subscription_change(quantity=3, when=at, **kwargs)
        assert info.value.code == "conflicting_change"
    elif case == "after_end":
        services.subscription_end(
            subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 2), ends_at=utc(2024, 4, 10)
        )
        with pytest.raises(Conflict, match="after its end"):
            services.subscription_change(plan_id=pro.pk, when=at, **kwargs)
    elif case == "other_currency":
        with pytest.raises(ValidationFailed, match="priced in EUR") as vf:
            services.subscription_change(plan_id=euro.pk, **kwargs)
        assert vf.value.code == "currency_mismatch"
    elif case == "past":
        with pytest.raises(ValidationFailed, match="past"):
            services.subscription_change(plan_id=pro.pk, when=utc(2024, 4, 1, 12), **kwargs)
    else:
        with pytest.raises(ValidationFailed, match="current plan"):
            services.subscription_change(plan_id=basic.pk, **kwargs)
    assert SubscriptionChange.objects.filter(status="applied").count() == 0


def test_subscribing_to_a_plan_in_another_currency_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        create(customer(currency="USD"), priced_plan("euro", "10", currency="EUR"), utc(2024, 1, 1))
    assert (info.value.field, info.value.code) == ("plan", "currency_mismatch")


def test_cancel_at_once_with_and_without_a_prorated_credit() -> None:
    plan = priced_plan("basic", "30")
    with_credit = create(customer(), plan, utc(2024, 4, 1))
    services.subscription_cancel(subscription_id=with_credit.pk, actor=A, as_of=utc(2024, 4, 21))
    assert lines(with_credit) == [("credit", Decimal("-10.00"))]
    with_credit.refresh_from_db()
    assert (with_credit.status, with_credit.canceled_at) == ("canceled", utc(2024, 4, 21))
    without = create(customer(), plan, utc(2024, 4, 1))
    services.subscription_cancel(
        subscription_id=without.pk, actor=A, as_of=utc(2024, 4, 21), prorate=False
    )
    assert lines(without) == []
    assert JournalEvent.objects.filter(type="subscription.canceled").count() == 2


def test_cancel_at_period_end_can_be_undone_until_then() -> None:
    sub = create(customer(), priced_plan("basic", "30"), utc(2024, 4, 1))
    services.subscription_cancel(
        subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 5), at_period_end=True
    )
    services.subscription_undo_cancel(subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 6))
    assert advance(sub, utc(2024, 5, 2)).status == "active"
    services.subscription_cancel(
        subscription_id=sub.pk, actor=A, as_of=utc(2024, 5, 3), at_period_end=True
    )
    sub = advance(sub, utc(2024, 6, 1, 0, 1))
    assert (sub.status, sub.canceled_at) == ("canceled", utc(2024, 6, 1))
    with pytest.raises(Conflict):
        services.subscription_undo_cancel(subscription_id=sub.pk, actor=A, as_of=utc(2024, 6, 2))


def test_end_on_a_set_date() -> None:
    sub = create(customer(), priced_plan("basic", "30"), utc(2024, 4, 1))
    services.subscription_end(
        subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 2), ends_at=utc(2024, 6, 15)
    )
    sub = advance(sub, utc(2024, 7, 1))
    assert (sub.status, sub.ended_at) == ("ended", utc(2024, 6, 15))
    assert JournalEvent.objects.filter(type="subscription.ended").count() == 1


def test_pause_is_not_charged_and_periods_do_not_move() -> None:
    sub = create(customer(), priced_plan("basic", "30"), utc(2024, 4, 1))
    services.subscription_pause(subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 11))
    with pytest.raises(TransitionNotAllowed):
        services.subscription_pause(subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 12))
    sub = services.subscription_resume(subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 21))
    assert sub.status == "active"
    assert lines(sub) == [("credit", Decimal("-10.00"))]  # 10 of 30 days paused
    assert (sub.current_period_start, sub.current_period_end) == (utc(2024, 4, 1), utc(2024, 5, 1))


def test_entitlements_follow_the_plan_overrides_and_the_block() -> None:
    cust = customer()
    basic = priced_plan("basic", "30", features=[seats(3)])
    pro = priced_plan("pro", "60", features=[seats(10)])
    check = lambda: entitlement_check(customer_external_id=cust.external_id, feature_code="seats")  # noqa: E731
    assert check().reason == "not_in_plan"
    sub = create(cust, basic, utc(2024, 4, 1))
    assert (check().allowed, check().limit, check().source) == (True, Decimal(3), "plan:basic@v1")
    services.subscription_change(
        subscription_id=sub.pk, plan_id=pro.pk, actor=A, as_of=utc(2024, 4, 2)
    )
    assert check().limit == Decimal(10)
    from catalog.models import Feature

    seats_feature = Feature.objects.get(code="seats")
    services.entitlement_override_set(
        customer_id=cust.pk,
        feature_id=seats_feature.pk,
        actor=A,
        as_of=utc(2024, 4, 3),
        limit=Decimal(50),
    )
    assert (check().limit, check().source) == (Decimal(50), "override")
    services.entitlements_block(
        customer_id=cust.pk, blocked=True, actor=A, as_of=utc(2024, 4, 4), reason="dunning"
    )
    assert (check().allowed, check().reason) == (False, "blocked")
    services.entitlements_block(customer_id=cust.pk, blocked=False, actor=A, as_of=utc(2024, 4, 5))
    services.entitlement_override_remove(
        customer_id=cust.pk, feature_id=seats_feature.pk, actor=A, as_of=utc(2024, 4, 6)
    )
    assert check().limit == Decimal(10)
    services.subscription_pause(subscription_id=sub.pk, actor=A, as_of=utc(2024, 4, 7))
    assert check().reason == "not_in_plan"
    assert (
        entitlement_check(customer_external_id="nobody", feature_code="seats").reason
        == "unknown_customer"
    )
    assert (
        entitlement_check(customer_external_id=cust.external_id, feature_code="nope").reason
        == "unknown_feature"
    )


def test_calendar_aligned_plan_has_a_prorated_first_period() -> None:
    plan = priced_plan("cal", "31", calendar_aligned=True)
    sub = create(customer(), plan, utc(2024, 1, 15, 10))
    assert sub.billing_anchor == date(2024, 2, 1)
    assert (sub.current_period_start, sub.current_period_end) == (utc(2024, 1, 15), utc(2024, 2, 1))
    assert sub.current_period_index == -1
    sub = advance(sub, utc(2024, 2, 1, 0, 1))
    assert (sub.current_period_start, sub.current_period_end) == (utc(2024, 2, 1), utc(2024, 3, 1))
    assert timedelta(days=17) == utc(2024, 2, 1) - utc(2024, 1, 15)


def test_changes_pauses_and_proration_lines_have_history_with_the_actor() -> None:
    from pghistory.models import Events

    from core.audit import Actor

    carol = Actor(kind="user", id="9", label="carol")
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    sub = create(customer(), basic, utc(2024, 4, 1))
    change = services.subscription_change(
        subscription_id=sub.pk,
        plan_id=pro.pk,
        actor=carol,
        as_of=utc(2024, 4, 16),
        reason="customer asked",
    )
    services.subscription_pause(subscription_id=sub.pk, actor=carol, as_of=utc(2024, 4, 17))
    for obj in (
        change,
        sub.pauses.get(),
        ProrationLine.objects.filter(subscription=sub).first(),
        sub,
    ):
        events = list(Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"))
        assert events, obj
        assert events[-1].pgh_context["actor"] == "carol"
    change_events = list(Events.objects.tracks(change))
    assert any(e.pgh_context.get("reason") == "customer asked" for e in change_events)
