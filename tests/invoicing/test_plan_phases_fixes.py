"""Plan phases, two defects fixed (issue 17 item 1): the "auto" upgrade/downgrade heuristic
compares the fees of the phases in force (what the subscription pays now and what it would pay
after), not the books' fixed fees; a fee in advance billed late after a "restart" change is
priced at the phase position in force when it fell due. Amounts computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.models import ProrationLine
from billing.services import subscription_change, subscription_change_preview
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import run_tick
from tests.invoicing.test_plan_phases import TICK, month, phased_plan, subscribe

pytestmark = pytest.mark.django_db
D = Decimal
FEB15 = datetime(2026, 2, 15, tzinfo=UTC)


def test_auto_is_an_upgrade_when_the_phase_fee_in_force_rises_whatever_the_books_say() -> None:
    # old: 10.00 for 3 periods, then 50.00 (its book's fee: 50.00); new: 20.00 for 3 periods,
    # then 40.00 (its book's fee: 40.00). The books say downgrade (40 < 50); in February the
    # subscription pays 10.00 and would pay 20.00 after ("same": the 2nd period of the new
    # plan's first phase): an upgrade, at once.
    old = phased_plan(
        "autoold",
        [{"periods": 3, "fixed_fee": D("10.00")}, {"periods": None, "fixed_fee": D("50.00")}],
        timing="advance", fee="50.00",
    )  # fmt: skip
    new = phased_plan(
        "autonew",
        [{"periods": 3, "fixed_fee": D("20.00")}, {"periods": None, "fixed_fee": D("40.00")}],
        timing="advance", fee="40.00",
    )  # fmt: skip
    sub = subscribe(old)
    run_tick(month(1) + TICK)
    run_tick(month(2) + TICK)
    preview = subscription_change_preview(
        subscription_id=sub.pk, as_of=FEB15, plan_id=new.pk, when="auto"
    )
    assert preview.timing is not None
    assert (preview.timing.rule, preview.effective_at) == ("upgrade", FEB15)
    assert "fee 10 -> 20" in preview.timing.note
    change = subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB15, plan_id=new.pk, when="auto"
    )
    assert (change.timing, change.effective_at) == ("upgrade", FEB15)
    # Feb 15 to Mar 1: 14 of February's 28 days: credit 10.00 x 14/28 = 5.00, charge
    # 20.00 x 14/28 = 10.00
    amounts = sorted(
        ProrationLine.objects.filter(change=change).values_list("amount_rounded", flat=True)
    )
    assert amounts == [D("-5.00"), D("10.00")]
    assert [(line.kind, line.rounded) for line in preview.lines] == [
        (kind, amount)
        for kind, amount in ProrationLine.objects.filter(change=change)
        .order_by("id")
        .values_list("kind", "amount_rounded")
    ]


def test_auto_is_a_downgrade_when_the_phase_fee_in_force_falls_whatever_the_books_say() -> None:
    # old: 10.00 for 3 periods, then 30.00 (book 30.00); new: 5.00 for 2 periods, then 60.00
    # (book 60.00). The books say upgrade (60 >= 30); in February the subscription pays 10.00
    # and would pay 5.00 ("same": the new plan's 2nd discounted period): a downgrade, at the
    # period's end (Mar 1). With "restart" it would pay 5.00 too: a downgrade as well.
    old = phased_plan(
        "downold",
        [{"periods": 3, "fixed_fee": D("10.00")}, {"periods": None, "fixed_fee": D("30.00")}],
        timing="advance", fee="30.00",
    )  # fmt: skip
    new = phased_plan(
        "downnew",
        [{"periods": 2, "fixed_fee": D("5.00")}, {"periods": None, "fixed_fee": D("60.00")}],
        timing="advance", fee="60.00",
    )  # fmt: skip
    sub = subscribe(old)
    run_tick(month(1) + TICK)
    run_tick(month(2) + TICK)
    for phase in ("same", "restart"):
        preview = subscription_change_preview(
            subscription_id=sub.pk, as_of=FEB15, plan_id=new.pk, when="auto", phase=phase
        )
        assert preview.timing is not None
        assert (preview.timing.rule, preview.effective_at) == ("downgrade", month(3)), phase
        assert "fee 10 -> 5" in preview.timing.note
    change = subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=FEB15, plan_id=new.pk, when="auto",
        phase="restart",
    )  # fmt: skip
    assert (change.timing, change.effective_at, change.status) == (
        "downgrade", month(3), "scheduled",
    )  # fmt: skip


def test_auto_by_the_phase_the_option_gives_same_upgrade_restart_downgrade() -> None:
    # old: 10.00 for 1 period, then 30.00; new: 20.00 for 1 period, then 50.00. In February
    # (the old plan's evergreen, 30.00): "same" puts it in the new plan's evergreen (50.00): an
    # upgrade at once; "restart" in its first phase (20.00): a downgrade, at Mar 1.
    old = phased_plan(
        "optold",
        [{"periods": 1, "fixed_fee": D("10.00")}, {"periods": None, "fixed_fee": D("30.00")}],
        timing="advance", fee="30.00",
    )  # fmt: skip
    new = phased_plan(
        "optnew",
        [{"periods": 1, "fixed_fee": D("20.00")}, {"periods": None, "fixed_fee": D("50.00")}],
        timing="advance", fee="50.00",
    )  # fmt: skip
    sub = subscribe(old)
    run_tick(month(1) + TICK)
    run_tick(month(2) + TICK)
    same = subscription_change_preview(
        subscription_id=sub.pk, as_of=FEB15, plan_id=new.pk, when="auto", phase="same"
    )
    restart = subscription_change_preview(
        subscription_id=sub.pk, as_of=FEB15, plan_id=new.pk, when="auto", phase="restart"
    )
    assert same.timing is not None
    assert restart.timing is not None
    assert (same.timing.rule, same.effective_at) == ("upgrade", FEB15)
    assert (restart.timing.rule, restart.effective_at) == ("downgrade", month(3))


def test_a_fee_in_advance_billed_late_after_a_restart_is_priced_at_the_phase_it_fell_due_in() -> (
    None
):
    # old: 10.00 for 2 periods, then 30.00, fees in advance; new: 12.00 for 2 periods, then
    # 40.00. From Jan 1; in February a change is scheduled for Mar 5 with "restart". The clock
    # runs late: nothing ticks between Feb 1 and Mar 10. March's fee in advance fell due on
    # Mar 1, before the change, in the old plan's 3rd period (its evergreen phase): 30.00 (not
    # the old plan's first phase, 10.00, where the new walk would put it). The change's
    # proration credits that fee: Mar 5 to Apr 1 is 27 of March's 31 days:
    # -30.00 x 27/31 = -26.129... -> -26.13; +12.00 x 27/31 = 10.451... -> 10.45.
    old = phased_plan(
        "lateold",
        [{"periods": 2, "fixed_fee": D("10.00")}, {"periods": None, "fixed_fee": D("30.00")}],
        timing="advance",
    )  # fmt: skip
    new = phased_plan(
        "latenew",
        [{"periods": 2, "fixed_fee": D("12.00")}, {"periods": None, "fixed_fee": D("40.00")}],
        timing="advance",
    )  # fmt: skip
    sub = subscribe(old)
    run_tick(month(1) + TICK)
    run_tick(month(2) + TICK)
    mar5 = datetime(2026, 3, 5, tzinfo=UTC)
    asked = datetime(2026, 2, 20, tzinfo=UTC)
    change = subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=asked, plan_id=new.pk, when=mar5,
        phase="restart",
    )  # fmt: skip
    assert change.status == "scheduled"
    late = mar5 + timedelta(days=5)
    seen = upcoming_invoice(customer_id=sub.customer_id, as_of=late)  # before the late tick
    run_tick(late)
    change.refresh_from_db()
    assert change.status == "applied"
    fee = Invoice.objects.get(customer_id=sub.customer_id, billing_date=month(3)).lines.get(
        kind="fixed_fee"
    )
    assert fee.amount == D("30.00")
    assert fee.explanation["phase"]["position"] == 1  # the old plan's evergreen
    assert sorted(
        ProrationLine.objects.filter(change=change).values_list("amount_rounded", flat=True)
    ) == [D("-26.13"), D("10.45")]
    # the upcoming invoice computed before the tick said the same
    assert seen["billing_date"] == month(3)
    assert [(r["kind"], r["amount"]) for r in seen["lines"]] == [
        (line.kind, line.amount)
        for line in Invoice.objects.get(
            customer_id=sub.customer_id, billing_date=month(3)
        ).lines.order_by("position")
    ]
    # April: the new plan's walk restarted on March (period 1 of 2): 12.00
    run_tick(month(4) + TICK)
    april = Invoice.objects.get(customer_id=sub.customer_id, billing_date=month(4))
    assert april.lines.get(kind="fixed_fee").amount == D("12.00")
