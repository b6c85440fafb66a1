"""The finance dashboard's figures against scenarios computed by hand, built through the real
services (subscriptions, changes, cancellations, pauses, invoices, payments, credit notes,
refunds, usage).

The MRR scenario (USD; months are UTC; as of 2026-06-30 12:00, June in progress):

    A  starter 30/month from Jan 10; upgraded to pro 100/month on Mar 15
    B  pro x 3 from Jan 20 (300); down to 2 seats on Apr 10 (200)
    C  annual 1,200/year (100/month) from Feb 5; canceled on Apr 20; back on starter on Jun 3
    D  weekly 10/week from Mar 1 with a 14-day trial: 10 x 52 / 12 = 43.333... -> 43.33
    F  starter from Jan 5; paused May 10, resumed Jun 20
    E  a EUR customer on a EUR plan: never in the USD figures

    month end    A    B    C      D    F     MRR     customers
    Jan          30   300  0      0    30    360.00  3
    Feb          30   300  100    0    30    460.00  4
    Mar          100  300  100    43.33 30   573.33  5
    Apr          100  200  0      43.33 30   373.33  4
    May          100  200  0      43.33 0    343.33  3
    Jun (12:00)  100  200  30     43.33 30   403.33  5

    Jan new A, B, F (+360); Feb new C (+100); Mar expansion A (+70), new D (+43.33);
    Apr contraction B (-100), churn C (-100); May churn F (-30); Jun reactivation C, F (+60).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backoffice import selectors
from backoffice.dashboard import MOVEMENTS
from billing.services import (
    subscription_cancel,
    subscription_change,
    subscription_create,
    subscription_pause,
    subscription_resume,
    usage_ingest,
)
from invoicing.services import credit_note_issue
from payments.models.dunning import CustomerDunning, DunningPolicy, DunningState
from payments.services import payment_record
from payments.services.refunds import refund_create
from tests.billing.subs import customer, priced_plan
from tests.catalog.factories import metric
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import open_invoice

pytestmark = pytest.mark.django_db
D = Decimal


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


AS_OF = utc(2026, 6, 30, 12)
FIRST, LAST = date(2026, 1, 1), date(2026, 6, 1)


def build_mrr_scenario() -> dict[str, Any]:
    starter = priced_plan("starter", "30.00")
    pro = priced_plan("pro", "100.00")
    annual = priced_plan("annual", "1200.00", interval_unit="year")
    weekly = priced_plan("weekly", "10.00", interval_unit="week")
    pro_eur = priced_plan("pro_eur", "100.00", currency="EUR")
    a, b, c, d, f = (customer() for _ in range(5))
    e = customer(currency="EUR")

    def create(who: Any, plan: Any, at: datetime, **extra: Any) -> Any:
        return subscription_create(
            customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=at, **extra
        )

    f_sub = create(f, starter, utc(2026, 1, 5))
    a_sub = create(a, starter, utc(2026, 1, 10))
    b_sub = create(b, pro, utc(2026, 1, 20), quantity=3)
    c_sub = create(c, annual, utc(2026, 2, 5))
    create(e, pro_eur, utc(2026, 2, 1))
    create(d, weekly, utc(2026, 3, 1), trial_days=14)
    subscription_change(subscription_id=a_sub.pk, plan_id=pro.pk, when="now", actor=ACTOR,
                        as_of=utc(2026, 3, 15))  # fmt: skip
    subscription_change(subscription_id=b_sub.pk, quantity=2, when="now", actor=ACTOR,
                        as_of=utc(2026, 4, 10))  # fmt: skip
    subscription_cancel(subscription_id=c_sub.pk, actor=ACTOR, as_of=utc(2026, 4, 20))
    subscription_pause(subscription_id=f_sub.pk, actor=ACTOR, as_of=utc(2026, 5, 10))
    create(c, starter, utc(2026, 6, 3))
    subscription_resume(subscription_id=f_sub.pk, actor=ACTOR, as_of=utc(2026, 6, 20))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_mrr_and_its_movements_across_an_upgrade_a_downgrade_a_churn_and_a_reactivation() -> None:
    who = build_mrr_scenario()
    months = selectors.mrr_by_month(currency="USD", first=FIRST, last=LAST, as_of=AS_OF)
    got = [(m.month.month, m.mrr, m.customers) for m in months]
    assert got == [
        (1, D("360.00"), 3), (2, D("460.00"), 4), (3, D("573.33"), 5),
        (4, D("373.33"), 4), (5, D("343.33"), 3), (6, D("403.33"), 5),
    ]  # fmt: skip
    moves = {
        (m.month.month, kind): (m.counts[kind], m.amounts[kind])
        for m in months
        for kind in MOVEMENTS
        if m.counts[kind]
    }
    assert moves == {
        (1, "new"): (3, D("360.00")),
        (2, "new"): (1, D("100.00")),
        (3, "expansion"): (1, D("70.00")),
        (3, "new"): (1, D("43.33")),
        (4, "contraction"): (1, D("-100.00")),
        (4, "churn"): (1, D("-100.00")),
        (5, "churn"): (1, D("-30.00")),
        (6, "reactivation"): (2, D("60.00")),
    }
    # movements add up to the change of MRR
    previous = D(0)
    for m in months:
        assert sum(m.amounts.values(), D(0)) == m.mrr - previous
        previous = m.mrr
    # the customers behind a figure
    rows, total = selectors.mrr_rows(
        currency="USD", month=date(2026, 3, 1), kind="expansion", as_of=AS_OF
    )
    assert total == 1
    assert [(r.customer_id, r.previous, r.current) for r in rows] == [
        (who["a"].pk, D("30.00"), D("100.00"))
    ]
    rows, total = selectors.mrr_rows(
        currency="USD", month=date(2026, 6, 1), kind="reactivation", as_of=AS_OF
    )
    assert sorted(r.customer_id for r in rows) == sorted([who["c"].pk, who["f"].pk])
    rows, total = selectors.mrr_rows(currency="USD", month=date(2026, 5, 1), kind="mrr",
                                     as_of=AS_OF)  # fmt: skip
    assert total == 3
    assert sum((r.current for r in rows), D(0)) == D("343.33")
    # EUR: E's pro from February
    eur = selectors.mrr_by_month(currency="EUR", first=FIRST, last=LAST, as_of=AS_OF)
    assert [m.mrr for m in eur] == [D(0)] + [D("100.00")] * 5
    assert eur[1].counts["new"] == 1


def test_the_month_in_progress_is_taken_at_as_of() -> None:
    build_mrr_scenario()
    # on Jun 10 C is back (Jun 3) but F is still paused (resumed Jun 20)
    [june] = selectors.mrr_by_month(currency="USD", first=LAST, last=LAST, as_of=utc(2026, 6, 10))
    assert (june.mrr, june.customers) == (D("373.33"), 4)
    assert (june.counts["reactivation"], june.amounts["reactivation"]) == (1, D("30.00"))


# ---------------------------------------------------------------------------- money figures


@pytest.fixture
def sandbox(settings: Any) -> Any:
    import uuid

    from payments.gateways.sandbox import SandboxGateway

    namespace = f"test-dashboard-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def failed_charge(who: Any, amount: str, at: datetime) -> Any:
    """An invoice finalized at `at` whose automatic charge on a declined card fails."""
    from billing.services import journal_dispatch
    from payments.models import Payment
    from tests.payments.test_collection import card

    card(who, "tok_declined")
    invoice = open_invoice(who, amount, at)
    journal_dispatch(as_of=at + timedelta(minutes=1))
    from payments.services.collection import payments_charge

    ids = list(Payment.objects.filter(state="pending").values_list("pk", flat=True))
    payments_charge(payment_ids=ids, as_of=at + timedelta(minutes=2), actor=ACTOR)
    return invoice


def pay(who: Any, amount: str, at: datetime, *, oldest_first: bool = True) -> Any:
    return payment_record(
        customer_id=who.pk, amount=D(amount), currency=who.currency, received_at=at,
        reference=f"wire {at:%m%d}", actor=ACTOR, as_of=at, apply_oldest_first=oldest_first,
    )  # fmt: skip


def test_invoiced_collected_failed_and_recovered_by_month(sandbox: Any) -> None:
    """Jan: invoices 100 + 50 (X), 200 (Y, its card declined); Feb: 80 (X), credit note 20 on
    X's January 100; X pays 100 + 50 in January (wire), Y pays its 200 in February (recovered),
    X overpays 95 for its 80 in February and gets the 15 back (refund, February).
    A voided-nowhere draft and a EUR invoice are not counted."""
    x, y = customer(), customer()
    z = customer(currency="EUR")
    jan = open_invoice(x, "100.00", utc(2026, 1, 5))
    open_invoice(x, "50.00", utc(2026, 1, 6))
    failed_charge(y, "200.00", utc(2026, 1, 10))
    open_invoice(z, "999.00", utc(2026, 1, 10))
    open_invoice(x, "80.00", utc(2026, 2, 3))
    fee = jan.lines.get()
    credit_note_issue(invoice_id=jan.pk, as_of=utc(2026, 2, 4), actor=ACTOR, reason="downtime",
                      lines=[(fee.pk, D("20.00"))])  # fmt: skip
    pay(x, "130.00", utc(2026, 1, 20))  # January's 100 - 20 credited later... applied oldest
    pay(y, "200.00", utc(2026, 2, 12))
    over = pay(x, "115.00", utc(2026, 2, 14))
    refund = refund_create(payment_id=over.pk, amount=D("15.00"), reason="overpaid", actor=ACTOR,
                           as_of=utc(2026, 2, 15))  # fmt: skip
    assert refund.state == "succeeded"
    jan_r, feb_r, mar_r = selectors.revenue_by_month(
        currency="USD", first=date(2026, 1, 1), last=date(2026, 3, 1)
    )
    assert (jan_r.invoiced, jan_r.invoice_count, jan_r.credited) == (D("350.00"), 3, D(0))
    assert (feb_r.invoiced, feb_r.invoice_count) == (D("80.00"), 1)
    assert (feb_r.credited, feb_r.credit_note_count, feb_r.net_invoiced) == (
        D("20.00"), 1, D("60.00"),
    )  # fmt: skip
    assert (jan_r.collected, jan_r.payment_count) == (D("130.00"), 1)
    assert (feb_r.collected, feb_r.payment_count) == (D("315.00"), 2)
    assert (feb_r.refunded, feb_r.refund_count, feb_r.net_collected) == (
        D("15.00"), 1, D("300.00"),
    )  # fmt: skip
    assert (jan_r.failed_count, jan_r.failed_amount, jan_r.recovered_count) == (
        1, D("200.00"), 1,
    )  # fmt: skip
    assert jan_r.recovery_rate == D("1.0000")
    assert (feb_r.failed_count, feb_r.recovery_rate) == (0, None)
    assert (mar_r.invoiced, mar_r.collected) == (D(0), D(0))


def test_the_recovery_rate_counts_failed_payments_whose_invoice_is_paid(sandbox: Any) -> None:
    """Three declined charges in March: one invoice paid later, one partly paid, one unpaid:
    1 / 3 = 33.33 %."""
    a, b, c = customer(), customer(), customer()
    failed_charge(a, "10.00", utc(2026, 3, 2))
    failed_charge(b, "20.00", utc(2026, 3, 3))
    failed_charge(c, "30.00", utc(2026, 3, 4))
    pay(a, "10.00", utc(2026, 3, 20))
    pay(b, "5.00", utc(2026, 3, 20))
    [march] = selectors.revenue_by_month(
        currency="USD", first=date(2026, 3, 1), last=date(2026, 3, 1)
    )
    assert (march.failed_count, march.recovered_count, march.failed_amount) == (
        3, 1, D("60.00"),
    )  # fmt: skip
    assert march.recovery_rate == D("0.3333")


def test_dunning_counts_per_state_in_the_currency() -> None:
    policy = DunningPolicy.objects.create(name="test", created_at=AS_OF, updated_at=AS_OF)
    states = [
        DunningState.objects.create(
            policy=policy, position=i, code=code, name=code.title(), min_days_past_due=days
        )
        for i, (code, days) in enumerate((("reminder", 1), ("final", 30)), start=1)
    ]
    people = [customer() for _ in range(4)] + [customer(currency="EUR")]
    for who, state in zip(people, [states[0], states[0], states[1], None, states[0]], strict=True):
        CustomerDunning.objects.create(customer=who, policy=policy, state=state,
                                       entered_at=AS_OF, updated_at=AS_OF)  # fmt: skip
    got = [(s.code, s.customers) for s in selectors.dunning_counts(currency="USD")]
    assert got == [("reminder", 2), ("final", 1)]
    assert [(s.code, s.customers) for s in selectors.dunning_counts(currency="EUR")] == [
        ("reminder", 1)
    ]
    rows = selectors.dunning_customers(currency="USD", state_id=states[0].pk)
    assert sorted(r[0] for r in rows) == sorted(p.pk for p in people[:2])


def test_usage_by_metric_over_the_period_only() -> None:
    metric("calls", aggregation="count", field_name="")
    metric("tokens", aggregation="sum", field_name="tokens")
    who = customer()
    events = [
        {"event_id": f"e{i}", "customer": who.external_id, "metric": "calls",
         "event_time": at.isoformat(), "properties": {}}
        for i, at in enumerate([utc(2026, 2, 28, 23), utc(2026, 3, 1), utc(2026, 3, 31, 23),
                                utc(2026, 4, 1)])
    ] + [
        {"event_id": f"t{i}", "customer": who.external_id, "metric": "tokens",
         "event_time": at.isoformat(), "properties": {"tokens": n}}
        for i, (at, n) in enumerate([(utc(2026, 3, 5), 7), (utc(2026, 3, 6), 5),
                                     (utc(2026, 4, 2), 100)])
    ]  # fmt: skip
    report = usage_ingest(events=events, actor=ACTOR, as_of=utc(2026, 4, 3), backfill=True)
    assert report.count("accepted") == 7, report.as_dict()
    got = [
        (u.code, u.events, u.value_sum)
        for u in selectors.usage_by_metric(first=date(2026, 3, 1), last=date(2026, 3, 1))
    ]
    assert got == [("calls", 2, None), ("tokens", 2, D(12))]


def test_upcoming_renewals_with_their_fees() -> None:
    """On Jun 25: monthly subscriptions started May 28 (x2 seats: 60.00) and Jun 10 renew on
    Jun 28 and Jul 10; one canceling at period end, one started Jun 30 (renews Jul 30: after the
    30 days) and an annual one (renews next year) do not."""
    starter = priced_plan("starter", "30.00")
    annual = priced_plan("annual", "1200.00", interval_unit="year")
    now = utc(2026, 6, 25)
    one = subscription_create(customer_id=customer().pk, plan_id=starter.pk, actor=ACTOR,
                              as_of=utc(2026, 5, 28), quantity=2)  # fmt: skip
    two = subscription_create(customer_id=customer().pk, plan_id=starter.pk, actor=ACTOR,
                              as_of=utc(2026, 6, 10))  # fmt: skip
    leaving = subscription_create(customer_id=customer().pk, plan_id=starter.pk, actor=ACTOR,
                                  as_of=utc(2026, 6, 1))  # fmt: skip
    subscription_cancel(subscription_id=leaving.pk, actor=ACTOR, as_of=utc(2026, 6, 2),
                        at_period_end=True)  # fmt: skip
    subscription_create(customer_id=customer().pk, plan_id=annual.pk, actor=ACTOR,
                        as_of=utc(2026, 6, 1))  # fmt: skip
    subscription_create(customer_id=customer().pk, plan_id=starter.pk, actor=ACTOR,
                        as_of=now, start_at=utc(2026, 6, 30))  # fmt: skip
    found = selectors.renewals(currency="USD", as_of=now)
    assert (found.count, found.total) == (2, D("90.00"))
    assert [(r.subscription_id, r.amount, r.renews_at) for r in found.rows] == [
        (one.pk, D("60.00"), utc(2026, 6, 28)),
        (two.pk, D("30.00"), utc(2026, 7, 10)),
    ]


def test_the_ar_aging_of_one_currency_is_the_reports() -> None:
    from payments import reports

    x = customer()
    open_invoice(x, "40.00", utc(2026, 1, 1))  # due on receipt? its terms decide
    open_invoice(customer(currency="EUR"), "70.00", utc(2026, 1, 1))
    mine = selectors.aging_of(currency="USD", as_of=date(2026, 3, 1))
    [theirs] = [a for a in reports.ar_aging(as_of=date(2026, 3, 1)).currencies
                if a.currency == "USD"]  # fmt: skip
    assert (mine.buckets, mine.counts, mine.total) == (
        theirs.buckets, theirs.counts, theirs.total,
    )  # fmt: skip
    assert mine.total == D("40.00")


def test_the_default_currency_has_the_most_invoices() -> None:
    open_invoice(customer(currency="EUR"), "1.00", utc(2026, 1, 1))
    open_invoice(customer(currency="EUR"), "1.00", utc(2026, 1, 1))
    open_invoice(customer(), "1.00", utc(2026, 1, 1))
    customer(currency="JPY")
    assert selectors.dashboard_currencies() == [("EUR", 2), ("USD", 1), ("JPY", 0)]
