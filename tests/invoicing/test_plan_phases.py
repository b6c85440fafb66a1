"""Plan phases (issue 17, item 1): a price book's ordered phases (Kill Bill's TRIAL / DISCOUNT /
FIXEDTERM / EVERGREEN), each a number of whole billing periods (or open-ended) at its own fixed fee
with its own charges, walked from the first paid period; a change of plan keeps the same phase or
starts over. Through the clock, the one writer and the upcoming invoice; amounts computed by hand
in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing.models import ProrationLine, Subscription
from billing.services import subscription_change, subscription_create
from catalog import services as catalog
from catalog.models import Plan
from core.exceptions import ValidationFailed
from invoicing.models import Invoice
from invoicing.selectors import upcoming_invoice
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.findings import calls_metric, dispatch, send
from tests.invoicing.test_invoices import run_tick

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime(2026, 1, 1, tzinfo=UTC)
TICK = timedelta(minutes=5)
serial = count()

DISCOUNT_THEN_EVERGREEN = [
    {"name": "Launch discount", "kind": "discount", "periods": 3, "fixed_fee": D("10.00")},
    {"name": "Standard", "kind": "evergreen", "periods": None, "fixed_fee": D("30.00")},
]


def month(n: int) -> datetime:
    """The 1st of month n of 2026 (13: Jan 2027)."""
    return datetime(2026 + (n - 1) // 12, (n - 1) % 12 + 1, 1, tzinfo=UTC)


def phased_plan(
    code: str,
    phases: list[dict[str, Any]],
    *,
    timing: str = "arrears",
    fee: str = "99.00",
    charges: list[dict[str, Any]] | None = None,
) -> Plan:
    plan = catalog.plan_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": code, "name": code.title(), "currency": "USD", "interval_unit": "month"},
    )  # fmt: skip
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=JAN,
        data={"effective_from": datetime(2025, 1, 1, tzinfo=UTC), "fixed_fee": D(fee),
              "fee_timing": timing},
        phases=phases, charges=charges or [],
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=JAN)
    return plan


def evergreen_calls() -> list[dict[str, Any]]:
    """A per-unit charge of 0.10 a call, only in the evergreen phase (position 1)."""
    return [{"metric": calls_metric(), "pricing_model": "per_unit",
             "params": {"unit_price": "0.10"}, "phase": 1}]  # fmt: skip


def subscribe(plan: Plan, start: datetime = JAN) -> Subscription:
    customer = CustomerFactory(external_id=f"ph{next(serial)}", currency="USD")
    return subscription_create(
        customer_id=customer.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=start, start_at=start
    )


def lines_on(sub: Subscription, day: datetime) -> list[tuple[str, Decimal]]:
    invoice = Invoice.objects.get(customer_id=sub.customer_id, billing_date=day)
    return [(line.kind, line.amount) for line in invoice.lines.order_by("position")]


def test_a_discount_phase_then_evergreen_with_a_charge_only_in_the_evergreen_phase() -> None:
    plan = phased_plan("walk", DISCOUNT_THEN_EVERGREEN, charges=evergreen_calls())
    sub = subscribe(plan)
    external = sub.customer.external_id
    for n in range(1, 6):  # 100 calls in each of months 1-5
        send(external, month(n) + timedelta(days=3), 100)
    dispatch(month(6))
    for n in range(2, 7):
        run_tick(month(n) + TICK)
    # months 1-3 (the discount): 10.00 each, in arrears, and no usage line (the charge is the
    # evergreen phase's)
    for n in (2, 3, 4):
        assert lines_on(sub, month(n)) == [("fixed_fee", D("10.00"))], n
    # month 4 (the evergreen phase's first): 30.00 + 100 calls x 0.10 = 10.00
    assert lines_on(sub, month(5)) == [("fixed_fee", D("30.00")), ("usage", D("10.00"))]
    assert lines_on(sub, month(6)) == [("fixed_fee", D("30.00")), ("usage", D("10.00"))]
    fee = Invoice.objects.get(customer_id=sub.customer_id, billing_date=month(4)).lines.get()
    assert fee.explanation["phase"]["name"] == "Launch discount"
    assert fee.explanation["phase"]["period_of_phase"] == 3
    assert fee.explanation["formula"].startswith("10 x 1 x ")
    sub.refresh_from_db()
    assert sub.ends_at is None  # open-ended


def test_a_fixed_term_ends_the_subscription_when_its_last_phase_ends() -> None:
    phases = [
        {"name": "Intro", "kind": "discount", "periods": 1, "fixed_fee": D("5.00")},
        {"name": "Term", "kind": "fixed_term", "periods": 2, "fixed_fee": D("20.00")},
    ]
    plan = phased_plan("term", phases, timing="advance")
    sub = subscribe(plan)
    # every phase has a duration: 1 + 2 = 3 months, so it ends on Apr 1
    assert sub.ends_at == month(4)
    for n in range(1, 7):
        run_tick(month(n) + TICK)
    # in advance: Jan 5.00 (Intro), Feb and Mar 20.00 (Term), nothing after
    assert lines_on(sub, month(1)) == [("fixed_fee", D("5.00"))]
    assert lines_on(sub, month(2)) == [("fixed_fee", D("20.00"))]
    assert lines_on(sub, month(3)) == [("fixed_fee", D("20.00"))]
    assert not Invoice.objects.filter(customer_id=sub.customer_id, billing_date__gte=month(4))
    sub.refresh_from_db()
    assert sub.status == "ended"
    assert sub.ended_at == month(4)


def change_mid_walk(phase: str) -> Subscription:
    """On `old` (DISCOUNT 3 months at 10.00, then 30.00) since Jan 1; on Mar 1 (month 3, in the
    discount) a change to `new` (DISCOUNT 3 months at 12.00, then 40.00), fees in advance."""
    old = phased_plan(f"old{phase}", DISCOUNT_THEN_EVERGREEN, timing="advance")
    new = phased_plan(
        f"new{phase}",
        [{"name": "Discount", "kind": "discount", "periods": 3, "fixed_fee": D("12.00")},
         {"name": "Standard", "periods": None, "fixed_fee": D("40.00")}],
        timing="advance",
    )  # fmt: skip
    sub = subscribe(old)
    for n in (1, 2):
        run_tick(month(n) + TICK)
    subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=month(3) - timedelta(days=1),
        plan_id=new.pk, when=month(3), phase=phase,
    )  # fmt: skip
    for n in range(3, 8):
        run_tick(month(n) + TICK)
    return sub


def fees(sub: Subscription) -> list[Decimal]:
    return [
        invoice.lines.get(kind="fixed_fee").amount
        for invoice in Invoice.objects.filter(customer_id=sub.customer_id).order_by("billing_date")
    ]


def test_a_change_mid_walk_keeps_the_same_phase_or_starts_over() -> None:
    # "same": March is the 3rd period of the discount on both plans: 12.00, then 40.00 from April
    same = change_mid_walk("same")
    assert fees(same) == [D("10.00"), D("10.00"), D("12.00"), D("40.00"), D("40.00"),
                          D("40.00"), D("40.00")]  # fmt: skip
    # "restart": the new plan's discount starts over in March: Mar, Apr, May at 12.00, then 40.00
    restart = change_mid_walk("restart")
    assert fees(restart) == [D("10.00"), D("10.00"), D("12.00"), D("12.00"), D("12.00"),
                             D("40.00"), D("40.00")]  # fmt: skip
    restart.refresh_from_db()
    assert restart.phase_start_period == 2  # Mar 1 is period 2 (Jan 1 is 0)


def test_a_change_in_the_middle_of_a_period_prorates_each_side_at_its_phase_fee() -> None:
    old = phased_plan("oldmid", DISCOUNT_THEN_EVERGREEN, timing="advance")
    new = phased_plan(
        "newmid",
        [{"name": "Discount", "periods": 2, "fixed_fee": D("20.00")},
         {"name": "Standard", "periods": None, "fixed_fee": D("50.00")}],
        timing="advance",
    )  # fmt: skip
    sub = subscribe(old)
    run_tick(month(1) + TICK)
    run_tick(month(2) + TICK)
    # Feb 15 00:00 (half of February's 28 days: 14 / 28) with "same": February is the 2nd
    # period of the discount on both: credit 10.00 x 14/28 = 5.00, charge 20.00 x 14/28 = 10.00
    feb15 = datetime(2026, 2, 15, tzinfo=UTC)
    change = subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=feb15, plan_id=new.pk, when="now",
        phase="same",
    )  # fmt: skip
    amounts = sorted(
        ProrationLine.objects.filter(change=change).values_list("amount_rounded", flat=True)
    )
    assert amounts == [D("-5.00"), D("10.00")]
    run_tick(month(3) + TICK)
    # March is the new plan's 3rd period: its Standard phase, 50.00
    assert fees(sub)[-1] == D("50.00")


def test_same_is_refused_when_the_new_plan_has_fewer_phases() -> None:
    three = phased_plan(
        "three",
        [{"periods": 1, "fixed_fee": D("1.00")}, {"periods": 1, "fixed_fee": D("2.00")},
         {"periods": None, "fixed_fee": D("3.00")}],
        timing="advance",
    )  # fmt: skip
    one = phased_plan("one", [{"periods": None, "fixed_fee": D("9.00")}], timing="advance")
    sub = subscribe(three)
    for n in (1, 2, 3):
        run_tick(month(n) + TICK)
    with pytest.raises(ValidationFailed) as refused:
        subscription_change(
            subscription_id=sub.pk, actor=TEST_ACTOR, as_of=month(3) + TICK, plan_id=one.pk,
            when="now", phase="same",
        )  # fmt: skip
    assert refused.value.field == "phase"
    with pytest.raises(ValidationFailed) as refused:
        subscription_change(
            subscription_id=sub.pk, actor=TEST_ACTOR, as_of=month(3) + TICK, quantity=2,
            when="now", phase="restart",
        )  # fmt: skip
    assert refused.value.field == "phase"
    subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=month(3) + TICK, plan_id=one.pk,
        when="now", phase="restart",
    )  # fmt: skip


def test_a_version_without_phases_bills_as_before() -> None:
    plan = phased_plan("flat", [], timing="advance", fee="25.00")
    sub = subscribe(plan)
    assert sub.plan_version.phase_count == 0
    run_tick(month(1) + TICK)
    assert lines_on(sub, month(1)) == [("fixed_fee", D("25.00"))]


_plans: dict[str, Plan] = {}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.integers(min_value=1, max_value=3),
    second=st.sampled_from([None, 1, 2]),
    change_day=st.integers(min_value=0, max_value=80),
    phase=st.sampled_from(["same", "restart"]),
    ahead=st.integers(min_value=0, max_value=40),
)
def test_the_upcoming_invoice_equals_the_real_invoice(
    first: int, second: int | None, change_day: int, phase: str, ahead: int
) -> None:
    """Phase lengths and a change instant drawn at random: each invoice the clock issues is the
    upcoming invoice computed before it (with the change scheduled, the walk simulated)."""
    n = next(serial)
    old = phased_plan(
        f"hold{n}",
        [{"periods": first, "fixed_fee": D("10.00")},
         {"periods": second, "fixed_fee": D("30.00")}]
        + ([{"periods": None, "fixed_fee": D("35.00")}] if second is not None else []),
        timing="advance",
    )  # fmt: skip
    new = phased_plan(
        f"hnew{n}",
        [{"periods": 2, "fixed_fee": D("12.00")}, {"periods": None, "fixed_fee": D("40.00")}],
        timing="advance",
    )  # fmt: skip
    sub = subscribe(old)
    at = JAN + timedelta(days=change_day, hours=7)
    asked = max(JAN + TICK, at - timedelta(days=ahead))
    run_tick(asked)
    try:
        subscription_change(
            subscription_id=sub.pk, actor=TEST_ACTOR, as_of=asked, plan_id=new.pk, when=at,
            phase=phase,
        )  # fmt: skip
    except ValidationFailed:
        return
    cursor = asked
    for _ in range(6):
        preview = upcoming_invoice(customer_id=sub.customer_id, as_of=cursor)
        day = preview["billing_date"]
        if day is None:
            break
        run_tick(day + TICK)
        invoice = Invoice.objects.get(customer_id=sub.customer_id, billing_date=day)
        assert [(r["kind"], r["amount"]) for r in preview["lines"]] == [
            (line.kind, line.amount) for line in invoice.lines.order_by("position")
        ]
        cursor = day + TICK


# ---------------------------------------------------------------------------------------- API

V1 = "/api/v1/"


def test_api_creates_a_version_with_phases_and_a_charge_in_one_and_shows_the_phase(
    api: APIClient,
) -> None:
    calls_metric()
    api.post(V1 + "plans/", {"code": "apiph", "name": "Apiph", "currency": "USD",
                             "interval_unit": "month"}, format="json")  # fmt: skip
    draft = api.post(
        V1 + "plan-versions/",
        {"plan": "apiph", "effective_from": "2025-01-01T00:00:00Z", "fee_timing": "advance",
         "phases": [{"name": "Discount", "kind": "discount", "periods": 3, "fixed_fee": "10.00"},
                    {"name": "Standard", "fixed_fee": "30.00"}],
         "charges": [{"metric": "api_calls", "pricing_model": "per_unit",
                      "params": {"unit_price": "0.10"}, "phase": 1}]},
        format="json",
    )  # fmt: skip
    assert draft.status_code == 201, draft.json()
    body = draft.json()
    assert [(p["position"], p["periods"], p["fixed_fee"]) for p in body["phases"]] == [
        (0, 3, "10.000000000000"), (1, None, "30.000000000000")
    ]  # fmt: skip
    assert body["charges"][0]["phase"] == 1
    published = api.post(f"{V1}plan-versions/{body['id']}/publish/")
    assert published.status_code == 200, published.json()
    # a published version never changes
    frozen = api.patch(f"{V1}plan-versions/{body['id']}/", {"phases": []}, format="json")
    assert frozen.status_code == 409
    sub = subscribe(Plan.objects.get(code="apiph"))
    shown = api.get(f"{V1}subscriptions/{sub.pk}/").json()["phase"]
    # Jan 1 2026 start: the discount's first period; the Standard phase from Apr 1
    assert shown["name"] == "Discount"
    assert shown["period_of_phase"] == 1
    assert shown["next_phase_at"] == "2026-04-01T00:00:00Z"


@pytest.mark.parametrize(
    ("phases", "charge_phase", "field"),
    [
        (
            [{"periods": None, "fixed_fee": "1"}, {"periods": 2, "fixed_fee": "1"}],
            None,
            "phases[0].periods",
        ),  # only the last phase is open-ended
        ([{"periods": 0, "fixed_fee": "1"}], None, "phases[0].periods"),
        ([{"periods": 1, "fixed_fee": "1.001"}], None, "phases[0].fixed_fee"),  # USD: 2 decimals
        ([{"periods": 1, "fixed_fee": "1"}], 1, "charges[0].phase"),  # no phase at 1
    ],
)
def test_api_refuses_bad_phases_with_400_and_the_field(
    api: APIClient, phases: list[dict[str, Any]], charge_phase: int | None, field: str
) -> None:
    calls_metric()
    api.post(V1 + "plans/", {"code": "bad", "name": "Bad", "currency": "USD",
                             "interval_unit": "month"}, format="json")  # fmt: skip
    charge: dict[str, Any] = {"metric": "api_calls", "pricing_model": "per_unit",
                              "params": {"unit_price": "0.10"}}  # fmt: skip
    if charge_phase is not None:
        charge["phase"] = charge_phase
    response = api.post(
        V1 + "plan-versions/",
        {"plan": "bad", "effective_from": "2025-01-01T00:00:00Z", "phases": phases,
         "charges": [charge]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400, response.json()
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(
        f.replace("[", ".").replace("]", "").startswith(field.replace("[", ".").replace("]", ""))
        for f in fields
    ), fields


def test_api_change_with_a_phase_option_and_its_400s(api: APIClient) -> None:
    three = phased_plan(
        "athree",
        [{"periods": 1, "fixed_fee": D("1.00")}, {"periods": 1, "fixed_fee": D("2.00")},
         {"periods": None, "fixed_fee": D("3.00")}],
        timing="advance",
    )  # fmt: skip
    phased_plan("aone", [{"periods": None, "fixed_fee": D("9.00")}], timing="advance")
    sub = subscribe(three, datetime(2025, 1, 1, tzinfo=UTC))  # far in its last phase by now
    url = f"{V1}subscriptions/{sub.pk}/change/"
    wrong = api.post(url, {"plan": "aone", "when": "now", "phase": "sometimes"}, format="json")
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["phase"]
    missing = api.post(url, {"plan": "aone", "when": "now", "phase": "same"}, format="json")
    assert missing.status_code == 400, missing.json()
    assert [e["field"] for e in missing.json()["errors"]] == ["phase"]
    quantity = api.post(url, {"quantity": 2, "when": "now", "phase": "restart"}, format="json")
    assert quantity.status_code == 400
    assert [e["field"] for e in quantity.json()["errors"]] == ["phase"]
    done = api.post(url, {"plan": "aone", "when": "now", "phase": "restart"}, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["phase"] == "restart"
