"""A minimum commitment per plan (PlanVersion.minimum_commitment) and proration by whole days,
through the planner (pure), the billing writer, the upcoming invoice, the catalog services, the
API and the admin. Amounts computed by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing import lifecycle
from billing.models import Customer
from billing.services import (
    journal_dispatch,
    subscription_cancel,
    subscription_change,
    subscription_create,
    usage_ingest,
)
from catalog import services as catalog
from catalog.models import Plan, PlanVersion
from catalog.money import quantize
from core.audit import CLOCK
from core.exceptions import ValidationFailed
from invoicing import planner
from invoicing.models import Correction, Invoice
from invoicing.selectors import upcoming_invoice
from invoicing.services import subscriptions_bill_chunk
from tests.billing.test_proration_by_day import book, state, utc
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import calls_metric

D = Decimal
APR, MAY = utc(2025, 4, 1), utc(2025, 5, 1)
V1 = "/api/v1/"


# ------------------------------------------------------------------------ the planner (pure)


def period_end(s: lifecycle.State, pending: list[planner.LineSpec] = (), **kw: Any) -> list[Any]:
    step = planner.Step(s.id, planner.PERIOD_END, s.period, s.period.end)
    return planner.step_lines(step, s, [], planner.Usage(), list(pending), **kw)


def advance(s: lifecycle.State) -> list[planner.LineSpec]:
    step = planner.Step(s.id, planner.ADVANCE, s.period, s.period.start)
    return planner.step_lines(step, s, [], planner.Usage())


def kinds(lines: list[planner.LineSpec]) -> list[tuple[str, Decimal]]:
    return [(line.kind, line.amount) for line in lines]


def test_under_at_and_over_the_minimum() -> None:
    # a minimum of 100 a month over a fee in arrears: 60 billed -> a true-up of 40.00;
    # 100 -> none; 120 -> none
    under = period_end(state(book("60", timing="arrears", minimum="100")))
    assert kinds(under) == [("fixed_fee", D("60.00")), ("minimum", D("40.00"))]
    true_up = under[1]
    assert true_up.description == "Pro: minimum commitment true-up"
    assert true_up.explanation["formula"] == (
        "100 x 30 days / 30 days = 100; 100 - 60.00 billed = 40"
    )
    assert true_up.explanation["billed_total"] == "60.00"
    assert (true_up.period_start, true_up.period_end) == (APR, MAY)
    assert kinds(period_end(state(book("100", timing="arrears", minimum="100")))) == [
        ("fixed_fee", D("100.00"))
    ]
    assert kinds(period_end(state(book("120", timing="arrears", minimum="100")))) == [
        ("fixed_fee", D("120.00"))
    ]


def test_a_fee_in_advance_billed_on_an_earlier_invoice_counts_for_its_period() -> None:
    # 60 in advance (its own invoice on Apr 1), a minimum of 100: the period end has 40.00
    s = state(book("60", minimum="100"))
    fee = advance(s)
    assert kinds(fee) == [("fixed_fee", D("60.00"))]
    assert kinds(period_end(s, earlier=fee)) == [("minimum", D("40.00"))]
    # a fee of another period does not count
    may = lifecycle.with_period(s, MAY)
    assert kinds(period_end(s, earlier=advance(may))) == [("minimum", D("100.00"))]


def test_a_stub_prorates_the_minimum() -> None:
    # Paris, calendar-aligned, started Mar 20 2025 10:00: the stub Mar 20 -> Apr 1 is a share
    # of March. Fee 155 in arrears, minimum 310.
    # by whole days: fee 155 x 12/31 = 60.00; minimum 310 x 12/31 = 120; true-up 60.00
    # by the second (743 h in March, 287 in the stub): fee 155 x 287/743 = 59.872... -> 59.87;
    # minimum 310 x 287/743 = 119.7442799...; true-up 119.7442799 - 59.87 = 59.874... -> 59.87
    start = datetime(2025, 3, 20, 10, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    for unit, fee, true_up in (("day", "60.00", "60.00"), ("second", "59.87", "59.87")):
        s = state(
            book("155", unit=unit, timing="arrears", minimum="310"), zone="Europe/Paris",
            anchor=date(2025, 4, 1), start=start, calendar=True,
        )  # fmt: skip
        lines = period_end(s)
        assert kinds(lines) == [("fixed_fee", D(fee)), ("minimum", D(true_up))]
    assert lines[1].explanation["formula"].startswith(f"310 x {287 * 3600} s / {743 * 3600} s")


def test_a_period_cut_by_a_cancellation_prorates_the_minimum() -> None:
    # 300 in advance (billed Apr 1), a minimum of 600, canceled Apr 20 09:00 with a credit.
    # "new": credit -300 x 11/30 = -110.00; the minimum for Apr 1..19: 600 x 19/30 = 380;
    #   billed 300 - 110 = 190; true-up 380 - 190 = 190.00
    # "old": credit -300 x 10/30 = -100.00; minimum 600 x 20/30 = 400; true-up 400 - 200 = 200.00
    at = utc(2025, 4, 20, 9)
    for day, credit, true_up in (("new", "-110.00", "190.00"), ("old", "-100.00", "200.00")):
        s = state(book("300", day=day, minimum="600"))
        fee = advance(s)
        lines = [
            planner.pending_spec(
                s, kind=line.kind, description=line.description, amount=line.rounded,
                start=line.start, end=line.end, explanation=line.explanation,
            )
            for line in lifecycle.cancel_lines(s, at)
        ]  # fmt: skip
        ended = lifecycle.finished(s, lifecycle.CANCELED, at)
        (step,) = planner.due_steps(ended, frozenset({(APR, planner.ADVANCE)}), MAY)
        assert (step.final, step.window.end) == (True, at)
        planned = planner.step_lines(step, ended, [], planner.Usage(), lines, earlier=fee)
        assert kinds(planned) == [("proration", D(credit)), ("minimum", D(true_up))]


def test_the_proration_lines_of_a_change_count() -> None:
    # Pro 300 in advance -> Max 600 on Apr 10 (by whole days, "new"): credit -210.00, charge
    # 420.00; billed 300 - 210 + 420 = 510. Max's minimum of 500: nothing; of 700: 190.00
    # (without the proration lines it would have been 700 - 300 = 400)
    for minimum, expected in (("500", []), ("700", [("minimum", D("190.00"))])):
        s = state(book("300", minimum=minimum))
        fee = advance(s)
        new, lines = lifecycle.changed(
            s, utc(2025, 4, 10, 14), book("600", id=2, name="Max", minimum=minimum), 1,
            prorate=True,
        )  # fmt: skip
        pending = [
            planner.pending_spec(
                new, kind=line.kind, description=line.description, amount=line.rounded,
                start=line.start, end=line.end, explanation=line.explanation,
            )
            for line in lines
        ]  # fmt: skip
        planned = period_end(new, pending, earlier=fee)
        assert kinds(planned)[2:] == expected


# ------------------------------------------------------------------ the services and the API


def version(plan: Plan, **data: Any) -> PlanVersion:
    return catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR,
        data={"effective_from": utc(2020, 1, 1), **data},
    )  # fmt: skip


@pytest.mark.django_db
def test_the_services_check_and_copy_the_three_fields() -> None:
    usd, jpy = make_plan("pro"), make_plan("yen", currency="JPY")
    refused = {
        "minimum_commitment": [
            (usd, {"minimum_commitment": D("-1")}, "cannot be negative"),
            (usd, {"minimum_commitment": D("10.001")}, "more decimals than USD allows (2)"),
            (jpy, {"minimum_commitment": D("10.5")}, "more decimals than JPY allows (0)"),
        ],
        "proration_change_day": [
            (usd, {"proration_change_day": "old"}, 'needs proration_unit "day"'),
        ],
    }
    for field, cases in refused.items():
        for plan, data, reason in cases:
            with pytest.raises(ValidationFailed) as exc:
                version(plan, **data)
            assert exc.value.field == field
            assert reason in exc.value.message
    v = version(
        usd, proration_unit="day", proration_change_day="old", minimum_commitment=D("99.90")
    )
    catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    copy = catalog.plan_version_copy(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    assert (copy.proration_unit, copy.proration_change_day, copy.minimum_commitment) == (
        "day", "old", D("99.90"),
    )  # fmt: skip
    with pytest.raises(ValidationFailed):  # back to by the second: "old" must go too
        catalog.plan_version_update(
            version_id=copy.pk, actor=TEST_ACTOR, as_of=APR, data={"proration_unit": "second"}
        )
    book_ = PlanVersion.objects.get(pk=copy.pk).book()
    assert (book_.proration_unit, book_.proration_change_day) == ("day", "old")
    assert book_.minimum_commitment == D("99.90")


@pytest.mark.django_db
def test_the_api_refuses_bad_values_with_400(api: APIClient) -> None:
    make_plan("pro")
    base = {"plan": "pro", "effective_from": "2025-01-01T00:00:00Z", "fixed_fee": "10"}
    cases = [
        ({"minimum_commitment": "-5"}, "minimum_commitment"),
        ({"minimum_commitment": "1.005"}, "minimum_commitment"),
        ({"minimum_commitment": "abc"}, "minimum_commitment"),
        ({"proration_unit": "hour"}, "proration_unit"),
        ({"proration_change_day": "middle"}, "proration_change_day"),
        ({"proration_change_day": "old"}, "proration_change_day"),  # with "second"
    ]
    for extra, field in cases:
        response = api.post(V1 + "plan-versions/", {**base, **extra}, format="json")
        assert response.status_code == 400, (extra, response.json())
        assert [e["field"] for e in response.json()["errors"]] == [field], response.json()
    ok = api.post(
        V1 + "plan-versions/",
        {**base, "proration_unit": "day", "proration_change_day": "old",
         "minimum_commitment": "25.50"},
        format="json",
    )  # fmt: skip
    assert ok.status_code == 201, ok.json()
    body = ok.json()
    assert (body["proration_unit"], body["proration_change_day"]) == ("day", "old")
    assert D(body["minimum_commitment"]) == D("25.50")
    patched = api.patch(
        f"{V1}plan-versions/{body['id']}/", {"minimum_commitment": None}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["minimum_commitment"] is None
    schema = api.get(V1 + "schema/")
    if schema.status_code == 200:
        assert "minimum_commitment" in schema.content.decode()


@pytest.mark.django_db
def test_the_admin_form_takes_and_shows_the_fields(staff_client: Any) -> None:
    pro = make_plan("pro")
    form = {
        "plan": pro.pk,
        "effective_from_0": "2025-01-01",
        "effective_from_1": "00:00:00",
        "fixed_fee": "49",
        "fee_timing": "advance",
        "trial_days": "0",
        "cancellation_credit": "proration_line",
        "proration_unit": "second",
        "proration_change_day": "old",
        "minimum_commitment": "100",
        "note": "",
        **{f"{p}-{k}": v for p in ("charges", "features", "one_time_fees")
           for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))},
    }  # fmt: skip
    add = reverse("admin:catalog_planversion_add")
    refused = staff_client.post(add, form)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert 'needs proration_unit "day"' in errors["proration_change_day"][0]
    assert not PlanVersion.objects.exists()
    response = staff_client.post(add, {**form, "proration_unit": "day"})
    assert response.status_code == 302, response.context["errors"]
    v = PlanVersion.objects.get()
    assert (v.proration_unit, v.proration_change_day, v.minimum_commitment) == (
        "day", "old", D("100"),
    )  # fmt: skip
    catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    page = staff_client.get(reverse("admin:catalog_planversion_change", args=[v.pk]))
    assert "per period" in page.content.decode()  # the minimum, in the plan's currency


def pro_and_max(api: APIClient) -> None:
    """Two monthly plans built over the API, by whole days with the day of a change at the old
    terms: Pro 300 in advance (minimum 350), Max 600 in advance (minimum 700), each with
    0.10 per API call."""
    calls_metric()
    for code, fee, minimum in (("pro", "300", "350"), ("max", "600", "700")):
        created = api.post(
            V1 + "plans/",
            {"code": code, "name": code.title(), "currency": "USD", "interval_unit": "month"},
            format="json",
        )
        assert created.status_code == 201, created.json()
        draft = api.post(
            V1 + "plan-versions/",
            {
                "plan": code, "effective_from": "2025-01-01T00:00:00Z", "fixed_fee": fee,
                "fee_timing": "advance", "proration_unit": "day",
                "proration_change_day": "old", "minimum_commitment": minimum,
                "charges": [{"metric": "api_calls", "pricing_model": "per_unit",
                             "params": {"unit_price": "0.10"}}],
            },
            format="json",
        )  # fmt: skip
        assert draft.status_code == 201, draft.json()
        published = api.post(f"{V1}plan-versions/{draft.json()['id']}/publish/")
        assert published.status_code == 200, published.json()


def lines_of(invoice: Invoice) -> list[tuple[str, Decimal]]:
    return sorted((line.kind, line.amount) for line in invoice.lines.all())


@pytest.mark.django_db
def test_end_to_end_over_the_api_and_the_writer(api: APIClient) -> None:
    pro_and_max(api)
    customer = Customer.objects.create(
        external_id="acme", name="Acme", currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=0,
    )  # fmt: skip
    with time_machine.travel(APR, tick=False):
        created = api.post(
            V1 + "subscriptions/", {"customer": "acme", "plan": "pro"}, format="json"
        )
        assert created.status_code == 201, created.json()
    sid = created.json()["id"]
    with time_machine.travel(utc(2025, 4, 10, 14), tick=False):
        changed = api.post(f"{V1}subscriptions/{sid}/change/", {"plan": "max"}, format="json")
        assert changed.status_code == 201, changed.json()
        assert changed.json()["status"] == "applied"
    usage_ingest(
        events=[{"event_id": "e1", "customer": "acme", "metric": "api_calls",
                 "event_time": "2025-04-15T12:00:00Z", "properties": {"calls": 500}}],
        actor=TEST_ACTOR, as_of=utc(2025, 4, 15, 13),
    )  # fmt: skip
    preview = upcoming_invoice(customer_id=customer.pk, as_of=utc(2025, 4, 20))
    subscriptions_bill_chunk(subscription_ids=[sid], as_of=MAY, actor=CLOCK)
    first = Invoice.objects.get(customer=customer, billing_date=APR)
    assert lines_of(first) == [("fixed_fee", D("300.00"))]
    may = Invoice.objects.get(customer=customer, billing_date=MAY)
    # the day of the change (Apr 10) at the old terms; Max from Apr 11: 20 days of 30
    # credit Pro -300 x 20/30 = -200.00; charge Max 600 x 20/30 = 400.00
    # usage 500 x 0.10 = 50.00 (rated with Max, the period's book at its end)
    # April billed 300 - 200 + 400 + 50 = 550; Max's minimum 700: a true-up of 150.00
    # May's fee in advance 600.00 on the same date
    assert lines_of(may) == sorted([
        ("proration", D("-200.00")), ("proration", D("400.00")), ("usage", D("50.00")),
        ("minimum", D("150.00")), ("fixed_fee", D("600.00")),
    ])  # fmt: skip
    assert may.total == D("1000.00")
    true_up = may.lines.get(kind="minimum")
    assert true_up.description == "Max: minimum commitment true-up"
    assert true_up.explanation["formula"] == (
        "700 x 30 days / 30 days = 700; 700 - 550.00 billed = 150"
    )
    credit = may.lines.get(kind="proration", amount=D("-200.00"))
    assert credit.explanation["formula"] == "-300 x 1 x 20 days / 30 days = -200"
    # the upcoming invoice taken on Apr 20 is the invoice billed on May 1
    assert preview["billing_date"] == MAY
    assert sorted((r["kind"], r["amount"]) for r in preview["lines"]) == lines_of(may)
    assert preview["total"] == may.total


@pytest.mark.django_db
def test_a_late_event_refreshes_the_true_up() -> None:
    # Pro 60 in arrears, a minimum of 100, 0.10 a call: no usage -> a true-up of 40.00;
    # 100 calls arrive late in the grace period: usage 10.00, the true-up 30.00
    plan = make_plan("pro")
    v = version(plan, fixed_fee=D("60"), fee_timing="arrears", minimum_commitment=D("100"))
    catalog.plan_version_update(
        version_id=v.pk, actor=TEST_ACTOR, as_of=APR,
        charges=[{"metric": calls_metric(), "pricing_model": "per_unit",
                  "params": {"unit_price": "0.10"}}],
        data={},
    )  # fmt: skip
    catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    customer = Customer.objects.create(
        external_id="late", name="Late", currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=3,
    )  # fmt: skip
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=APR)  # fmt: skip
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=MAY, actor=CLOCK)
    draft = Invoice.objects.get(customer=customer, billing_date=MAY)
    assert lines_of(draft) == sorted(
        [("fixed_fee", D("60.00")), ("usage", D("0.00")), ("minimum", D("40.00"))]
    )
    usage_ingest(
        events=[{"event_id": "late-1", "customer": "late", "metric": "api_calls",
                 "event_time": "2025-04-30T23:00:00Z", "properties": {"calls": 100}}],
        actor=TEST_ACTOR, as_of=MAY + timedelta(hours=2),
    )  # fmt: skip
    journal_dispatch(as_of=MAY + timedelta(hours=2))
    draft.refresh_from_db()
    assert lines_of(draft) == sorted(
        [("fixed_fee", D("60.00")), ("usage", D("10.00")), ("minimum", D("30.00"))]
    )
    assert draft.total == D("100.00")


@pytest.mark.django_db
def test_a_late_event_after_finalization_corrects_the_true_up_too() -> None:
    # as above, with no grace period: the May 1 invoice is final (60.00 + 0.00 + 40.00); 100
    # calls arrive late: usage +10.00, the true-up -10.00 (100 - 70 = 30): a net of 0
    plan = make_plan("pro")
    v = version(plan, fixed_fee=D("60"), fee_timing="arrears", minimum_commitment=D("100"))
    catalog.plan_version_update(
        version_id=v.pk, actor=TEST_ACTOR, as_of=APR,
        charges=[{"metric": calls_metric(), "pricing_model": "per_unit",
                  "params": {"unit_price": "0.10"}}],
        data={},
    )  # fmt: skip
    catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    customer = Customer.objects.create(
        external_id="final", name="Final", currency="USD", created_at=APR, updated_at=APR,
        invoice_grace_period_days=0,
    )  # fmt: skip
    sub = subscription_create(customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR,
                              as_of=APR)  # fmt: skip
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=MAY, actor=CLOCK)
    invoice = Invoice.objects.get(customer=customer, billing_date=MAY)
    assert invoice.status == "open"
    assert invoice.total == D("100.00")
    usage_ingest(
        events=[{"event_id": "late-2", "customer": "final", "metric": "api_calls",
                 "event_time": "2025-04-30T23:00:00Z", "properties": {"calls": 100}}],
        actor=TEST_ACTOR, as_of=MAY + timedelta(hours=2),
    )  # fmt: skip
    journal_dispatch(as_of=MAY + timedelta(hours=2))
    found = sorted(
        (c.metric_code, c.invoiced, c.recomputed, c.difference)
        for c in Correction.objects.filter(invoice=invoice)
    )
    assert found == [
        ("", D("40.00"), D("30.00"), D("-10.00")),  # the plan's minimum commitment true-up
        ("api_calls", D("0.00"), D("10.00"), D("10.00")),
    ]


# ------------------------------------------------ the upcoming invoice is the invoice (hypothesis)

serial = count()
PLANS: dict[tuple[Any, ...], Plan] = {}


def generated_plan(unit: str, day: str, timing: str, fee: str, minimum: str | None) -> Plan:
    key = (unit, day, timing, fee, minimum)
    if key not in PLANS or not Plan.objects.filter(pk=PLANS[key].pk).exists():
        plan = make_plan(f"g{next(serial)}")
        v = catalog.plan_version_create(
            plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR,
            data={"effective_from": utc(2020, 1, 1), "fixed_fee": D(fee), "fee_timing": timing,
                  "proration_unit": unit, "proration_change_day": day,
                  "minimum_commitment": D(minimum) if minimum else None},
            charges=[{"metric": calls_metric(), "pricing_model": "per_unit",
                      "params": {"unit_price": "0.10"}}],
        )  # fmt: skip
        catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
        PLANS[key] = plan
    return PLANS[key]


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    unit=st.sampled_from(["day", "second"]),
    day=st.sampled_from(["new", "old"]),
    timing=st.sampled_from(["advance", "arrears"]),
    fees=st.tuples(st.sampled_from(["0", "45", "300"]), st.sampled_from(["30", "600"])),
    minimum=st.sampled_from([None, "0", "200", "999.99"]),
    zone=st.sampled_from(["UTC", "America/New_York"]),
    change=st.one_of(st.none(), st.tuples(st.integers(1, 28), st.integers(0, 23))),
    cancel=st.one_of(st.none(), st.tuples(st.integers(1, 29), st.integers(0, 23))),
    calls=st.integers(0, 3000),
)
def test_the_upcoming_invoice_is_the_invoice(
    unit: str, day: str, timing: str, fees: tuple[str, str], minimum: str | None, zone: str,
    change: tuple[int, int] | None, cancel: tuple[int, int] | None, calls: int,
) -> None:  # fmt: skip
    """A subscription from Apr 1 (local), maybe changed to another plan and maybe canceled at
    once: the upcoming invoice taken after the last action is the invoice billed then."""
    if unit == "second":
        day = "new"
    old = generated_plan(unit, day, timing, fees[0], minimum)
    new = generated_plan(unit, day, timing, fees[1], minimum)
    n = next(serial)
    customer = Customer.objects.create(
        external_id=f"h{n}", name="H", currency="USD", timezone=zone, created_at=APR,
        updated_at=APR, invoice_grace_period_days=0,
    )  # fmt: skip
    start = datetime(2025, 4, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    end = datetime(2025, 5, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    sub = subscription_create(customer_id=customer.pk, plan_id=old.pk, actor=TEST_ACTOR,
                              as_of=start)  # fmt: skip
    last = start
    if calls:
        usage_ingest(
            events=[{"event_id": f"u{n}", "customer": customer.external_id,
                     "metric": "api_calls", "event_time": (start + timedelta(days=3)).isoformat(),
                     "properties": {"calls": calls}}],
            actor=TEST_ACTOR, as_of=start + timedelta(days=3, hours=1),
        )  # fmt: skip
        last = start + timedelta(days=3, hours=1)
    if change is not None:
        at = start + timedelta(days=change[0], hours=change[1])
        subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at,
                            plan_id=new.pk, when="now")  # fmt: skip
        last = at
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=last, actor=CLOCK)  # so far
    if cancel is not None:  # its last part is billed on the day it is canceled
        at = max(last, start + timedelta(days=cancel[0], hours=cancel[1])) + timedelta(minutes=1)
        subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at)
        last = at
    preview = upcoming_invoice(customer_id=customer.pk, as_of=last + timedelta(minutes=1))
    date_ = preview["billing_date"]
    assert date_ is not None
    assert date_ <= end
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=max(date_, last), actor=CLOCK)
    invoice = Invoice.objects.get(customer=customer, billing_date=date_)
    assert sorted((r["kind"], r["amount"], r["description"]) for r in preview["lines"]) == sorted(
        (line.kind, line.amount, line.description) for line in invoice.lines.all()
    )
    assert preview["total"] == invoice.total


# ------------------------------------- a cancellation credited by a credit note counts (review)


def cancel_mode_plan(mode: str) -> Plan:
    """Fee 100 in advance, minimum 150 per period, by whole days, canceled credited by `mode`."""
    plan = make_plan(f"cm{mode}{next(serial)}")
    v = catalog.plan_version_create(plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR, data={
        "effective_from": utc(2020, 1, 1), "fixed_fee": D("100"), "fee_timing": "advance",
        "minimum_commitment": D("150"), "proration_unit": "day", "cancellation_credit": mode,
    })  # fmt: skip
    catalog.plan_version_publish(version_id=v.pk, actor=TEST_ACTOR, as_of=APR)
    return plan


def net_billed_when_canceled(mode: str, day: int) -> tuple[Decimal, Any]:
    """What the customer is billed net (invoices less credit notes) for April when canceled on
    Apr `day` at 10:00, and the upcoming invoice seen right after the cancellation."""
    from invoicing.models import CreditNote

    n = next(serial)
    c = Customer.objects.create(external_id=f"cm{n}", name="C", currency="USD", created_at=APR,
                                updated_at=APR, invoice_grace_period_days=0)  # fmt: skip
    sub = subscription_create(customer_id=c.pk, plan_id=cancel_mode_plan(mode).pk,
                              actor=TEST_ACTOR, as_of=APR)  # fmt: skip
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=utc(2025, 4, 1, 1), actor=CLOCK)
    at = utc(2025, 4, day, 10)
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at)
    preview = upcoming_invoice(customer_id=c.pk, as_of=at + timedelta(minutes=1))
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=utc(2025, 5, 2), actor=CLOCK)
    invoiced = sum((i.total for i in Invoice.objects.filter(customer=c)), D(0))
    credited = sum((n.total for n in CreditNote.objects.filter(invoice__customer=c)), D(0))
    return invoiced - credited, preview


@pytest.mark.django_db
def test_a_cancellation_credited_by_a_credit_note_counts_toward_the_minimum() -> None:
    # fee 100 in advance (Apr 1 invoice), minimum 150, by whole days ("new"), canceled Apr 16:
    # the period ran Apr 1..15 = 15 days of 30: minimum 150 x 15/30 = 75.00 owed.
    # proration_line: the credit -100 x 15/30 = -50.00 waits for the next invoice, the period
    # billed 100 - 50 = 50.00, true-up 75 - 50 = 25.00: net 100 - 50 + 25 = 75.00.
    # credit_note: the same -50.00 on a credit note of the Apr 1 invoice; it counts as the
    # proration line it replaces: true-up 25.00 too, net 100 + 25 - 50 = 75.00 (was 50.00).
    net_line, _ = net_billed_when_canceled("proration_line", 16)
    net_note, preview = net_billed_when_canceled("credit_note", 16)
    assert net_line == net_note == D("75.00")
    assert [(r["kind"], r["amount"]) for r in preview["lines"]] == [("minimum", D("25.00"))]
    true_up = preview["lines"][0]["explanation"]
    assert true_up["billed_total"] == "50.00"
    assert [b["amount"] for b in true_up["billed"]] == ["100.0000", "-50.0000"]


@pytest.mark.django_db
@settings(
    max_examples=3, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(day=st.integers(2, 30))
def test_both_cancellation_credits_bill_the_same_under_a_minimum(day: int) -> None:
    """Canceled on any day of April: a proration line or a credit note, the customer pays the
    same net, max(minimum, fee) x the days used / 30 (fee 100 < minimum 150)."""
    net_line, _ = net_billed_when_canceled("proration_line", day)
    net_note, _ = net_billed_when_canceled("credit_note", day)
    # days used: Apr 1 .. Apr day-1 ("new": the day of the cancellation is not billed)
    assert net_line == net_note == quantize(D(150) * (day - 1) / 30, "USD")
