"""A year of a SaaS through the billing clock, a tick a day, with time passed explicitly: three
customers in three currencies and taxes, trials, renewals on month ends, upgrades and downgrades,
seats, a pause, cancellations at once and at a period end, an end date, late usage in a grace
period and after it, a price-book change, coupons. Every invoice is compared with amounts
computed here by hand (rounded half up per line, as the README states), and the ledger balances.

- Acme (USD, California: 10% sales tax on top) tries Starter for 14 days from Jan 17, so its
  periods end on the 31st and are clamped to month ends (Feb 28, Apr 30...); a 20% coupon for
  three invoices; upgrades to Growth on Apr 15 at noon; downgrades at the period end of June;
  late usage after its June invoice is final; Starter's price rises on Sep 1; cancels at the
  end of November.
- Berlin (EUR, Germany: 19% VAT on top) has 5 seats of a calendar-aligned team plan billed in
  arrears from Feb 10 (a stub to Mar 1), a 15.00 coupon once, a 3-day grace period with late
  usage inside it, a 10-day pause in May, 2 more seats on Jun 16, and cancels on Dec 15.
- Kyoto (JPY, Japan: 10% consumption tax included) from Mar 1, ending on Aug 20.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from billing.services import (
    coupon_redeem,
    journal_dispatch,
    subscription_cancel,
    subscription_change,
    subscription_create,
    subscription_end,
    subscription_pause,
    subscription_resume,
    trial_balance,
    usage_ingest,
)
from catalog import services as catalog
from catalog.models import Plan
from invoicing.models import Correction, Invoice
from invoicing.reconciliation import reconcile
from invoicing.services import correction_apply
from tests.billing.factories import CustomerFactory
from tests.catalog.factories import metric, published_version
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import run_tick

pytestmark = pytest.mark.django_db
D = Decimal
Y = 2026


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(Y, month, day, hour, minute, tzinfo=UTC)


def cents(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def yen(x: Decimal) -> Decimal:
    return x.quantize(D("1"), rounding=ROUND_HALF_UP)


def graduated(free: int, price: str) -> dict[str, Any]:
    return {
        "tiers": [
            {"from": "0", "to": str(free), "unit_price": "0"},
            {"from": str(free), "to": None, "unit_price": price},
        ]
    }


def catalog_of_the_year() -> dict[str, Plan]:
    calls = metric("api_calls", field_name="calls")
    storage = metric("storage_gb", field_name="gb")
    starter = make_plan("starter", currency="USD")
    published_version(starter, t(1, 1), [{"metric": calls, "pricing_model": "graduated",
                                           "params": graduated(1000, "0.01")}],
                      fixed_fee=D("29.00"), fee_timing="advance", trial_days=14)  # fmt: skip
    growth = make_plan("growth", currency="USD")
    published_version(growth, t(1, 1), [{"metric": calls, "pricing_model": "graduated",
                                         "params": graduated(10000, "0.005")}],
                      fixed_fee=D("99.00"), fee_timing="advance")  # fmt: skip
    team = make_plan("team", currency="EUR", calendar_aligned=True)
    published_version(team, t(1, 1), [{"metric": storage, "pricing_model": "per_unit",
                                       "params": {"unit_price": "0.50"}}],
                      fixed_fee=D("10.00"), fee_timing="arrears")  # fmt: skip
    basic = make_plan("basic_jp", currency="JPY")
    published_version(basic, t(1, 1), [{"metric": calls, "pricing_model": "per_unit",
                                        "params": {"unit_price": "2"}}],
                      fixed_fee=D("1000"), fee_timing="advance")  # fmt: skip
    for code, pct, country, region, inclusive in (
        ("us_ca", 10, "US", "CA", False),
        ("de_vat", 19, "DE", "", False),
        ("jp_ct", 10, "JP", "", True),
    ):
        catalog.tax_rate_create(actor=TEST_ACTOR, as_of=t(1, 1),
                                data={"code": code, "name": code, "percentage": D(pct),
                                      "country": country, "region": region,
                                      "inclusive": inclusive})  # fmt: skip
    catalog.coupon_create(actor=TEST_ACTOR, as_of=t(1, 1),
                          data={"code": "welcome20", "name": "Welcome", "kind": "percent",
                                "percent_off": D(20), "duration": "repeating",
                                "duration_periods": 3})  # fmt: skip
    catalog.coupon_create(actor=TEST_ACTOR, as_of=t(1, 1),
                          data={"code": "launch15", "name": "Launch", "kind": "fixed",
                                "amount_off": D(15), "currency": "EUR",
                                "duration": "once"})  # fmt: skip
    return {p.code: p for p in Plan.objects.all()}


@pytest.fixture(autouse=True)
def _no_dunning() -> None:
    """Nobody pays here (payments are not this test's subject): without a default dunning policy
    the overdue invoices block nothing and refuse no plan change (tests/payments has dunning)."""
    from django.utils import timezone

    from payments.models.dunning import DunningPolicy
    from payments.services.dunning_policies import dunning_policy_update

    for policy in DunningPolicy.objects.filter(is_default=True):
        dunning_policy_update(
            policy_id=policy.pk, data={"is_default": False}, actor=TEST_ACTOR, as_of=timezone.now()
        )


def test_a_year_of_billing_matches_hand_arithmetic() -> None:
    plans = catalog_of_the_year()
    acme = CustomerFactory(external_id="acme", currency="USD", country="US", state="CA")
    berlin = CustomerFactory(external_id="berlin", currency="EUR", country="DE",
                             invoice_grace_period_days=3)  # fmt: skip
    kyoto = CustomerFactory(external_id="kyoto", currency="JPY", country="JP")
    subs: dict[str, Any] = {}

    def usage(who: str, at: datetime, metric_code: str, value: int, received: datetime) -> None:
        field = "gb" if metric_code == "storage_gb" else "calls"
        usage_ingest(
            events=[{"event_id": f"{who}-{at.isoformat()}-{value}", "customer": who,
                     "metric": metric_code, "event_time": at.isoformat(),
                     "properties": {field: value}}],
            actor=TEST_ACTOR, as_of=received,
        )  # fmt: skip
        journal_dispatch(as_of=received)

    def calls(who: str, at: datetime, n: int, received: datetime | None = None) -> None:
        usage(who, at, "api_calls", n, received or at)

    def gb(at: datetime, n: int, received: datetime | None = None) -> None:
        usage("berlin", at, "storage_gb", n, received or at)

    def v2_of_starter() -> None:
        version = plans["starter"].versions.get()
        draft = catalog.plan_version_copy(version_id=version.pk, actor=TEST_ACTOR,
                                          as_of=t(8, 1), effective_from=t(9, 1))  # fmt: skip
        catalog.plan_version_update(version_id=draft.pk, actor=TEST_ACTOR, as_of=t(8, 1),
                                    data={"fixed_fee": D("35.00")})  # fmt: skip
        catalog.plan_version_publish(version_id=draft.pk, actor=TEST_ACTOR, as_of=t(8, 1))

    def apply_june_correction() -> None:
        correction = Correction.objects.get(invoice__customer=acme)
        correction_apply(correction_id=correction.pk, as_of=t(7, 3, 11), actor=TEST_ACTOR)

    def create(key: str, customer: Any, plan: str, at: datetime, **extra: Any) -> None:
        subs[key] = subscription_create(customer_id=customer.pk, plan_id=plans[plan].pk,
                                        actor=TEST_ACTOR, as_of=at, **extra)  # fmt: skip

    # fmt: off
    events: list[tuple[datetime, Any]] = [
        # Acme
        (t(1, 17), lambda: create("acme", acme, "starter", t(1, 17))),
        (t(1, 17), lambda: coupon_redeem(customer_id=acme.pk, coupon_code="welcome20",
                                         actor=TEST_ACTOR, as_of=t(1, 17))),
        (t(1, 20), lambda: calls("acme", t(1, 20), 500)),  # in the trial: not billed
        (t(2, 10), lambda: calls("acme", t(2, 10), 3500)),
        (t(3, 10), lambda: calls("acme", t(3, 10), 1200)),
        (t(4, 5), lambda: calls("acme", t(4, 5), 800)),
        (t(4, 15, 12), lambda: subscription_change(
            subscription_id=subs["acme"].pk, actor=TEST_ACTOR, as_of=t(4, 15, 12),
            plan_id=plans["growth"].pk)),
        (t(4, 20), lambda: calls("acme", t(4, 20), 12000)),
        (t(5, 10), lambda: calls("acme", t(5, 10), 9000)),
        (t(6, 10), lambda: subscription_change(
            subscription_id=subs["acme"].pk, actor=TEST_ACTOR, as_of=t(6, 10),
            plan_id=plans["starter"].pk, when="period_end")),
        (t(6, 12), lambda: calls("acme", t(6, 12), 11000)),
        (t(7, 3, 10), lambda: calls("acme", t(6, 25), 2000, received=t(7, 3, 10))),  # late
        (t(7, 3, 11), apply_june_correction),
        (t(7, 10), lambda: calls("acme", t(7, 10), 1000)),
        (t(8, 1), v2_of_starter),
        (t(8, 10), lambda: calls("acme", t(8, 10), 2000)),
        (t(10, 10), lambda: calls("acme", t(10, 10), 1500)),
        (t(11, 10), lambda: subscription_cancel(subscription_id=subs["acme"].pk,
                                                actor=TEST_ACTOR, as_of=t(11, 10),
                                                at_period_end=True)),
        (t(11, 12), lambda: calls("acme", t(11, 12), 1100)),
        # Berlin
        (t(2, 10), lambda: create("berlin", berlin, "team", t(2, 10), quantity=5)),
        (t(2, 10), lambda: coupon_redeem(customer_id=berlin.pk, coupon_code="launch15",
                                         actor=TEST_ACTOR, as_of=t(2, 10))),
        (t(2, 20), lambda: gb(t(2, 20), 10)),
        (t(3, 2, 12), lambda: gb(t(2, 27), 4, received=t(3, 2, 12))),  # late, in the grace
        (t(4, 15), lambda: gb(t(4, 15), 20)),
        (t(5, 2), lambda: subscription_pause(subscription_id=subs["berlin"].pk,
                                             actor=TEST_ACTOR, as_of=t(5, 2))),
        (t(5, 12), lambda: subscription_resume(subscription_id=subs["berlin"].pk,
                                               actor=TEST_ACTOR, as_of=t(5, 12))),
        (t(6, 16), lambda: subscription_change(subscription_id=subs["berlin"].pk,
                                               actor=TEST_ACTOR, as_of=t(6, 16),
                                               quantity=7)),
        (t(6, 20), lambda: gb(t(6, 20), 6)),
        (t(12, 15), lambda: subscription_cancel(subscription_id=subs["berlin"].pk,
                                                actor=TEST_ACTOR, as_of=t(12, 15))),
        # Kyoto
        (t(3, 1), lambda: create("kyoto", kyoto, "basic_jp", t(3, 1))),
        (t(3, 20), lambda: calls("kyoto", t(3, 20), 333)),
        (t(5, 10), lambda: subscription_end(subscription_id=subs["kyoto"].pk,
                                            actor=TEST_ACTOR, as_of=t(5, 10),
                                            ends_at=t(8, 20))),
        (t(5, 15), lambda: calls("kyoto", t(5, 15), 10)),
        (t(7, 15), lambda: calls("kyoto", t(7, 15), 50)),
        (t(8, 5), lambda: calls("kyoto", t(8, 5), 25)),
    ]
    # fmt: on
    day = t(1, 1)
    while day <= datetime(Y + 1, 1, 2, tzinfo=UTC):
        today = [(a, f) for a, f in events if day <= a < day + timedelta(days=1)]
        for _, action in sorted(today, key=lambda item: item[0]):
            action()
        run_tick(day + timedelta(days=1, minutes=5))  # the next day's first tick
        day += timedelta(days=1)

    def bills(customer: Any) -> list[tuple[datetime, str, list[tuple[str, Decimal]], Decimal,
                                            Decimal]]:  # fmt: skip
        return [
            (i.billing_date.replace(hour=0, minute=0), i.status,
             sorted((line.kind, line.amount) for line in i.lines.all()), i.tax_total, i.total)
            for i in Invoice.objects.filter(customer=customer).order_by("billing_date", "id")
        ]  # fmt: skip

    # ---- Acme, USD, 10% on top of every line (discounts included), rounded per line
    credit_apr = -cents(
        D(29) * D(1_252_800) / D(2_592_000)
    )  # Apr 15 noon - Apr 30: 14.5 of 30 days
    charge_apr = cents(D(99) * D(1_252_800) / D(2_592_000))
    assert (credit_apr, charge_apr) == (D("-14.02"), D("47.85"))
    acme_expected = [
        # trial Jan 17 - Jan 31, then Jan 31 - Feb 28 in advance, 20% off
        (t(1, 31), [("discount", D("-5.80")), ("fixed_fee", D("29.00"))], D("2.32"), D("25.52")),
        # February: 3,500 calls, 2,500 above 1,000 at 0.01; and March's fee; 20% of 54.00
        (
            t(2, 28),
            [("discount", D("-10.80")), ("fixed_fee", D("29.00")), ("usage", D("25.00"))],
            D("4.32"),
            D("47.52"),
        ),
        # March: 200 calls above; 20% of 31.00, the coupon's third and last invoice
        (
            t(3, 31),
            [("discount", D("-6.20")), ("fixed_fee", D("29.00")), ("usage", D("2.00"))],
            D("2.48"),
            D("27.28"),
        ),
        # April rated with Growth (the plan at the period's end): 12,800 calls, 2,800 above
        # 10,000 at 0.005; the upgrade's proration; May's Growth fee
        (
            t(4, 30),
            sorted(
                [
                    ("fixed_fee", D("99.00")),
                    ("proration", credit_apr),
                    ("proration", charge_apr),
                    ("usage", D("14.00")),
                ]
            ),
            D("1.40") - D("1.40") + D("4.79") + D("9.90"),
            D("146.83") + D("14.69"),
        ),
        (t(5, 31), [("fixed_fee", D("99.00")), ("usage", D("0.00"))], D("9.90"), D("108.90")),
        # June on Growth (1,000 above 10,000), then July's fee on Starter (the downgrade)
        (t(6, 30), [("fixed_fee", D("29.00")), ("usage", D("5.00"))], D("3.40"), D("37.40")),
        # the late 2,000 calls of Jun 25: 13,000 on Growth = 15.00, 10.00 more
        (t(7, 3), [("usage", D("10.00"))], D("1.00"), D("11.00")),
        (t(7, 31), [("fixed_fee", D("29.00")), ("usage", D("0.00"))], D("2.90"), D("31.90")),
        (t(8, 31), [("fixed_fee", D("29.00")), ("usage", D("10.00"))], D("3.90"), D("42.90")),
        # September rated with v1 (in force at its start); October's fee at v2's 35.00
        (t(9, 30), [("fixed_fee", D("35.00")), ("usage", D("0.00"))], D("3.50"), D("38.50")),
        (t(10, 31), [("fixed_fee", D("35.00")), ("usage", D("5.00"))], D("4.00"), D("44.00")),
        # canceled at the end of November: its usage, no fee for December
        (t(11, 30), [("usage", D("1.00"))], D("0.10"), D("1.10")),
    ]
    assert [(d, lines, tax, total) for d, _, lines, tax, total in bills(acme)] == acme_expected
    assert {status for _, status, _, _, _ in bills(acme)} == {"open"}

    # ---- Berlin, EUR, 19% on top
    stub = cents(D(5) * D(10) * 19 / 28)  # 5 seats, Feb 10 - Mar 1: 19 of February's 28 days
    pause = -cents(D(50) * 10 / 31)  # May 2 - May 12
    used = cents(D(50) * 15 / 30)  # June 1 - 16 at 5 seats, charged at the change
    seven = cents(D(70) * 15 / 30)  # June 16 - Jul 1 at 7 seats, in arrears
    last = cents(D(70) * 14 / 31)  # Dec 1 - Dec 15, charged at the cancellation
    assert (stub, pause, used, seven, last) == (D("33.93"), D("-16.13"), D("25.00"), D("35.00"),
                                                D("31.61"))  # fmt: skip

    def vat(*amounts: Decimal) -> Decimal:
        return sum((cents(a * D("0.19")) for a in amounts), D(0))

    month = ([("fixed_fee", D("70.00")), ("usage", D("0.00"))], vat(D(70)), D("83.30"))
    berlin_expected = [
        # the stub's fee, 14 GB (10, and 4 arriving in the grace period) at 0.50, 15.00 off
        (
            t(3, 1),
            [("discount", D("-15.00")), ("fixed_fee", stub), ("usage", D("7.00"))],
            vat(stub, D(7), D(-15)),
            D("25.93") + vat(stub, D(7), D(-15)),
        ),
        (t(4, 1), [("fixed_fee", D("50.00")), ("usage", D("0.00"))], vat(D(50)), D("59.50")),
        (
            t(5, 1),
            [("fixed_fee", D("50.00")), ("usage", D("10.00"))],
            vat(D(50), D(10)),
            D("71.40"),
        ),
        (
            t(6, 1),
            [("fixed_fee", D("50.00")), ("proration", pause), ("usage", D("0.00"))],
            vat(D(50), pause),
            D("33.87") + vat(D(50), pause),
        ),
        (
            t(7, 1),
            [("fixed_fee", seven), ("proration", used), ("usage", D("3.00"))],
            vat(seven, used, D(3)),
            D("63.00") + vat(seven, used, D(3)),
        ),
        *[(t(m, 1), *month) for m in (8, 9, 10, 11, 12)],
        (t(12, 15), [("proration", last), ("usage", D("0.00"))], vat(last), last + vat(last)),
    ]
    assert [(d, lines, tax, total) for d, _, lines, tax, total in bills(berlin)] == (
        berlin_expected
    )
    assert berlin_expected[0][2:] == (D("4.93"), D("30.86"))

    # ---- Kyoto, JPY (no minor unit), 10% included in every line
    def included(*amounts: Decimal) -> Decimal:
        return sum((yen(a * 10 / 110) for a in amounts), D(0))

    august = yen(D(1000) * 19 / 31)  # Aug 1 - Aug 20, its set end
    kyoto_expected = [
        (t(3, 1), [("fixed_fee", D(1000))], included(D(1000)), D(1000)),
        (t(4, 1), [("fixed_fee", D(1000)), ("usage", D(666))], included(D(1000), D(666)), D(1666)),
        (t(5, 1), [("fixed_fee", D(1000)), ("usage", D(0))], included(D(1000)), D(1000)),
        (t(6, 1), [("fixed_fee", D(1000)), ("usage", D(20))], included(D(1000), D(20)), D(1020)),
        (t(7, 1), [("fixed_fee", D(1000)), ("usage", D(0))], included(D(1000)), D(1000)),
        (
            t(8, 1),
            [("fixed_fee", august), ("usage", D(100))],
            included(august, D(100)),
            august + 100,
        ),
        (t(8, 20), [("usage", D(50))], included(D(50)), D(50)),
    ]
    assert [(d, lines, tax, total) for d, _, lines, tax, total in bills(kyoto)] == kyoto_expected
    assert kyoto_expected[5][2:] == (D(65), D(713))

    # ---- the books
    assert Invoice.objects.filter(status="draft").count() == 0
    assert set(trial_balance().values()) == {D(0)}
    year = (t(1, 1), datetime(Y + 1, 1, 2, tzinfo=UTC))
    report = reconcile(start=year[0], end=year[1], as_of=t(12, 31))
    assert report.ok, report.mismatches  # tax-inclusive yen, corrections, credits: no alarm
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{Y}-{n:06d}" for n in range(1, 31)]  # 30 invoices, gapless

    # ---- three faults injected behind the services' back, each reported (issue 10, item 7)
    from django.db import connection

    from billing.models import LedgerEntry, UsageEvent
    from invoicing.models import InvoiceLine
    from tests.invoicing.test_invoices import frozen_guard_lifted

    march = Invoice.objects.get(customer=kyoto, billing_date=t(4, 1))
    with connection.cursor() as cursor:  # an event slipped in past ingestion (no late flag)
        cursor.execute(
            "INSERT INTO billing_usageevent (customer_id, metric_id, event_id, event_time, "
            "received_at, value, properties, late) SELECT customer_id, metric_id, 'ghost', "
            "event_time, received_at, 5, '{}'::jsonb, false FROM billing_usageevent "
            "WHERE customer_id = %s ORDER BY event_time LIMIT 1",
            [kyoto.pk],
        )
    assert UsageEvent.objects.filter(event_id="ghost").exists()
    with frozen_guard_lifted("invoicing_invoiceline"):
        InvoiceLine.objects.filter(pk=march.lines.get(kind="fixed_fee").pk).update(amount=D(999))
    LedgerEntry.objects.filter(document_type="invoice", document_id=march.pk, account="tax").update(
        account="revenue"
    )
    faults = {(m["check"], m.get("invoice")) for m in reconcile(
        start=year[0], end=year[1], as_of=t(12, 31)).mismatches}  # fmt: skip
    assert faults == {  # each fault found, on the invoice it touched, and nothing else
        ("events->billed", str(march)),
        ("lines->totals", str(march)),
        ("documents->ledger", str(march)),
    }
