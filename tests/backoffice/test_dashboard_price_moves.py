"""The dashboard's MRR across a price change applied at renewal (the clock's roll onto a plan's
new version), through the real services and clock.

    plan "basic" 10.00/month (v1); v2 at 50.00/month in force from Apr 1
    A  1 seat from Jan 1, no change
    B  1 seat from Jan 1; 2 seats from Feb 15 (a change of quantity keeps v1)
    both roll onto v2 on Apr 1 (the new period is priced with the version in force at its start)

    month end   A    B     MRR     movements
    Jan         10   10    20.00   new +20 (2)
    Feb         10   20    30.00   expansion +10 (B)
    Mar         10   20    30.00   -
    Apr         50   100   150.00  expansion +120 (A +40, B +80)
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from backoffice import selectors
from backoffice.dashboard import Change, History, PriceMove, Terms, reference_mrr
from billing.models import SubscriptionPriceMove
from billing.services import subscription_advance, subscription_change, subscription_create
from catalog import services as catalog
from tests.billing.subs import customer, priced_plan, utc
from tests.conftest import TEST_ACTOR as ACTOR

pytestmark = pytest.mark.django_db
D = Decimal


JAN, APR = utc(2026, 1, 1), utc(2026, 4, 1)
AS_OF = utc(2026, 5, 10)


def build() -> tuple[int, int, int, int]:
    plan = priced_plan("basic", "10.00")
    v1 = plan.versions.get()
    draft = catalog.plan_version_copy(version_id=v1.pk, actor=ACTOR, as_of=JAN, effective_from=APR)
    catalog.plan_version_update(
        version_id=draft.pk, actor=ACTOR, as_of=JAN, data={"fixed_fee": D("50.00")}
    )
    v2 = catalog.plan_version_publish(version_id=draft.pk, actor=ACTOR, as_of=JAN)
    a = subscription_create(customer_id=customer().pk, plan_id=plan.pk, actor=ACTOR, as_of=JAN)
    b = subscription_create(customer_id=customer().pk, plan_id=plan.pk, actor=ACTOR, as_of=JAN)
    feb15 = utc(2026, 2, 15)
    subscription_advance(subscription_id=b.pk, as_of=feb15, actor=ACTOR)
    subscription_change(subscription_id=b.pk, quantity=2, when="now", actor=ACTOR, as_of=feb15)
    for sub in (a, b):
        subscription_advance(subscription_id=sub.pk, as_of=AS_OF, actor=ACTOR)
    return a.pk, b.pk, v1.pk, v2.pk


def test_the_roll_records_each_price_move() -> None:
    a, b, v1, v2 = build()
    moves = SubscriptionPriceMove.objects.order_by("subscription_id").values_list(
        "subscription_id", "from_plan_version_id", "to_plan_version_id", "effective_at"
    )
    assert list(moves) == [(a, v1, v2, APR), (b, v1, v2, APR)]


def test_mrr_follows_a_price_change_applied_at_renewal() -> None:
    build()
    months = selectors.mrr_by_month(
        currency="USD", first=date(2026, 1, 1), last=date(2026, 4, 1), as_of=AS_OF
    )
    assert [(m.month.month, m.mrr, m.customers) for m in months] == [
        (1, D("20.00"), 2), (2, D("30.00"), 2), (3, D("30.00"), 2), (4, D("150.00"), 2),
    ]  # fmt: skip
    assert (months[0].counts["new"], months[0].amounts["new"]) == (2, D("20.00"))
    assert (months[1].counts["expansion"], months[1].amounts["expansion"]) == (1, D("10.00"))
    assert sum(months[2].counts.values()) == 0
    assert (months[3].counts["expansion"], months[3].amounts["expansion"]) == (2, D("120.00"))
    rows, total = selectors.mrr_rows(
        currency="USD", month=date(2026, 4, 1), kind="expansion", as_of=AS_OF
    )
    assert total == 2
    assert sorted((r.previous, r.current) for r in rows) == [
        (D("10.00"), D("50.00")), (D("20.00"), D("100.00")),
    ]  # fmt: skip


def test_the_reference_follows_price_moves_too() -> None:
    v1, v2 = Terms(D("10.00"), "month", 1), Terms(D("50.00"), "month", 1)
    feb15 = utc(2026, 2, 15)
    histories = [
        History(customer=1, start_at=JAN, terms=v2, quantity=1, moves=[PriceMove(APR, v1, v2)]),
        History(
            customer=2, start_at=JAN, terms=v2, quantity=2,
            changes=[Change(feb15, v1, 1, v1, 2)], moves=[PriceMove(APR, v1, v2)],
        ),
    ]  # fmt: skip
    got = reference_mrr(histories, date(2026, 1, 1), date(2026, 4, 1), AS_OF, "USD")
    assert [m.mrr for m in got] == [D("20.00"), D("30.00"), D("30.00"), D("150.00")]
    assert got[3].amounts["expansion"] == D("120.00")


def test_a_change_and_a_roll_at_the_same_instant_apply_in_the_clocks_order() -> None:
    """A change of quantity due at the period's end applies before the roll (billing's edge
    order): from Apr 1, 3 seats on v2 = 150.00, whatever the rows' ids."""
    v1, v2 = Terms(D("10.00"), "month", 1), Terms(D("50.00"), "month", 1)
    h = History(
        customer=1, start_at=JAN, terms=v2, quantity=3,
        changes=[Change(APR, v1, 1, v1, 3)], moves=[PriceMove(APR, v1, v2)],
    )  # fmt: skip
    got = reference_mrr([h], date(2026, 3, 1), date(2026, 4, 1), AS_OF, "USD")
    assert [m.mrr for m in got] == [D("10.00"), D("150.00")]


def test_the_migration_backfills_past_moves_from_the_journal() -> None:
    """Rolls before billing's migration 0017 left only the journal's `subscription.updated`
    with `price_version`: the one-off backfill turns them into rows, once each."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("billing.migrations.0017_subscription_price_moves")
    a, b, v1, v2 = build()
    SubscriptionPriceMove.objects.all().delete()  # as before the migration
    migration.backfill_price_moves(apps, None)
    moves = SubscriptionPriceMove.objects.order_by("subscription_id").values_list(
        "subscription_id", "from_plan_version_id", "to_plan_version_id", "effective_at"
    )
    assert list(moves) == [(a, v1, v2, APR), (b, v1, v2, APR)]


def test_the_customer_story_shows_the_price_moves(staff_client: Any) -> None:
    """A's timeline: started on basic@v1 (not the basic@v2 it is on now), moved to basic@v2
    when its period rolled on Apr 1."""
    from billing.models import Subscription

    a, _, _, _ = build()
    who = Subscription.objects.get(pk=a).customer_id
    with time_machine.travel(AS_OF, tick=False):
        response = staff_client.get(f"/admin/billing/customer/{who}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    timeline = page[page.index('id="story-timelines"') : page.index('id="story-allocations"')]
    rows = re.findall(r'<td class="when">([^<]*)</td><td>([^<]*)</td>', timeline)
    assert rows == [
        ("2026-01-01 00:00 UTC", "started on basic@v1"),
        ("2026-04-01 00:00 UTC", "price version basic@v1 → basic@v2 (at renewal)"),
    ]
