"""Issue 17, items 12 and 15: change policies per plan pair and cancellation policies per plan
(Kill Bill's IMMEDIATE / END_OF_TERM / ILLEGAL), and cancellations credited by a credit note on
the invoice that billed the fee in advance (Lago) instead of a proration line. Amounts by hand."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from billing.models import Customer, JournalEvent, ProrationLine, Subscription
from billing.services import (
    subscription_cancel,
    subscription_change,
    subscription_change_preview,
    subscription_create,
)
from catalog import services as catalog
from catalog.models import Plan, PlanChangePolicy
from core.audit import CLOCK
from core.exceptions import Conflict, ValidationFailed
from invoicing.models import CreditNote, Invoice, InvoiceLine
from invoicing.selectors import upcoming_invoice
from invoicing.services import invoice_finalize, subscriptions_bill, subscriptions_bill_chunk
from tests.billing.subs import customer, priced_plan
from tests.catalog.factories import plan as make_plan
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
V1 = "/api/v1/"
D = Decimal
APR = datetime(2026, 4, 1, tzinfo=UTC)  # April: 30 days, 2,592,000 s
APR_11 = datetime(2026, 4, 11, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)


def error(response: Any) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def policy(source: Plan, target: Plan, kind: str) -> PlanChangePolicy:
    return catalog.plan_change_policy_create(
        actor=TEST_ACTOR, as_of=APR, data={"from_plan": source, "to_plan": target, "policy": kind}
    )


def subscribed(plan: Plan, **extra: Any) -> Subscription:
    who = extra.pop("who", None) or customer()
    return subscription_create(
        customer_id=who.pk, plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR, **extra
    )


@pytest.fixture
def plans() -> dict[str, Plan]:
    return {"basic": priced_plan("basic", "10"), "pro": priced_plan("pro", "30")}


# ------------------------------------------------------------------------- the catalog side


def test_policy_services_audit_and_journal(plans: dict[str, Plan]) -> None:
    basic, pro = plans["basic"], plans["pro"]
    item = policy(pro, basic, "end_of_term")
    catalog.plan_change_policy_update(
        policy_id=item.pk, actor=TEST_ACTOR, as_of=APR, changes={"policy": "illegal"}
    )
    item.refresh_from_db()
    assert item.policy == "illegal"
    with pytest.raises(Conflict) as frozen:
        catalog.plan_change_policy_update(
            policy_id=item.pk, actor=TEST_ACTOR, as_of=APR, changes={"to_plan": pro}
        )
    assert frozen.value.code == "immutable"
    with pytest.raises(ValidationFailed) as twice:
        policy(pro, basic, "immediate")
    assert (twice.value.field, twice.value.code) == ("to_plan", "unique")
    with pytest.raises(ValidationFailed) as same:
        policy(pro, pro, "immediate")
    assert (same.value.field, same.value.code) == ("to_plan", "same_plan")
    euro = priced_plan("euro", "30", currency="EUR")
    with pytest.raises(ValidationFailed) as currency:
        policy(pro, euro, "immediate")
    assert currency.value.code == "currency_mismatch"
    catalog.plan_change_policy_delete(policy_id=item.pk, actor=TEST_ACTOR, as_of=APR)
    assert not PlanChangePolicy.objects.exists()
    events = list(JournalEvent.objects.filter(subject_type="plan_change_policy").order_by("id"))
    assert [e.type for e in events] == [
        "plan_change_policy.created",
        "plan_change_policy.updated",
        "plan_change_policy.deleted",
    ]
    assert events[1].payload["changes"] == {"policy": ["end_of_term", "illegal"]}
    assert events[2].payload["plan_change_policy"]["policy"] == "illegal"
    assert PlanChangePolicy.pgh_event_model.objects.count() == 3  # type: ignore[attr-defined]


def test_policies_over_the_api(api: APIClient, plans: dict[str, Plan]) -> None:
    made = api.post(
        V1 + "plan-change-policies/",
        {"from_plan": "pro", "to_plan": "basic", "policy": "end_of_term"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["from_plan"] == "pro"
    again = api.post(
        V1 + "plan-change-policies/",
        {"from_plan": "pro", "to_plan": "basic", "policy": "illegal"},
        format="json",
    )
    assert again.status_code == 400
    assert (error(again)["field"], error(again)["code"]) == ("to_plan", "unique")
    bad = api.post(
        V1 + "plan-change-policies/",
        {"from_plan": "pro", "to_plan": "basic", "policy": "sometimes"},
        format="json",
    )
    assert bad.status_code == 400
    assert error(bad)["field"] == "policy"
    listed = api.get(V1 + "plan-change-policies/", {"policy": "end_of_term"}).json()
    assert [row["id"] for row in listed["results"]] == [pk]
    patched = api.patch(f"{V1}plan-change-policies/{pk}/", {"policy": "illegal"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["policy"] == "illegal"
    moved = api.patch(f"{V1}plan-change-policies/{pk}/", {"to_plan": "pro"}, format="json")
    assert moved.status_code == 400  # the pair never changes: not a field of the update
    assert api.get(f"{V1}plan-change-policies/{pk}/").json()["to_plan"] == "basic"
    assert api.delete(f"{V1}plan-change-policies/{pk}/").status_code == 204
    assert api.get(f"{V1}plan-change-policies/{pk}/").status_code == 404
    # a plan's cancellation policy and a price book's cancellation credit
    plan = api.patch(
        f"{V1}plans/{plans['pro'].pk}/", {"cancellation_policy": "end_of_term"}, format="json"
    )
    assert plan.status_code == 200
    assert plan.json()["cancellation_policy"] == "end_of_term"
    wrong = api.patch(
        f"{V1}plans/{plans['pro'].pk}/", {"cancellation_policy": "later"}, format="json"
    )
    assert wrong.status_code == 400
    assert error(wrong)["field"] == "cancellation_policy"
    version = api.post(
        V1 + "plan-versions/",
        {"plan": "pro", "effective_from": "2030-01-01T00:00:00Z", "fixed_fee": "30",
         "cancellation_credit": "credit_note"},
        format="json",
    )  # fmt: skip
    assert version.status_code == 201, version.json()
    assert version.json()["cancellation_credit"] == "credit_note"


def test_policy_admin_and_plan_page(staff_client: Any, plans: dict[str, Plan]) -> None:
    basic, pro = plans["basic"], plans["pro"]
    add = reverse("admin:catalog_planchangepolicy_add")
    made = staff_client.post(add, {"from_plan": pro.pk, "to_plan": basic.pk, "policy": "illegal"})
    assert made.status_code == 302
    same = staff_client.post(add, {"from_plan": pro.pk, "to_plan": pro.pk, "policy": "illegal"})
    assert same.status_code == 200
    assert "to_plan" in same.context["adminform"].form.errors
    twice = staff_client.post(add, {"from_plan": pro.pk, "to_plan": basic.pk, "policy": "illegal"})
    assert "already has a policy" in str(twice.context["adminform"].form.errors["to_plan"])
    item = PlanChangePolicy.objects.get()
    change = reverse("admin:catalog_planchangepolicy_change", args=[item.pk])
    assert staff_client.post(change, {"policy": "immediate"}).status_code == 302
    item.refresh_from_db()
    assert item.policy == "immediate"
    page = staff_client.get(reverse("admin:catalog_plan_change", args=[pro.pk]))
    assert "change policies from this plan" in page.content.decode().lower()
    listed = staff_client.post(
        reverse("admin:catalog_planchangepolicy_changelist"),
        {"action": "delete_policies", "_selected_action": [item.pk]},
    )
    assert listed.status_code == 302
    assert not PlanChangePolicy.objects.exists()


# ------------------------------------------------------------------------------ plan changes


def test_a_pair_policy_replaces_the_price_heuristic(plans: dict[str, Plan]) -> None:
    basic, pro = plans["basic"], plans["pro"]
    # without a policy a downgrade (30 -> 10) asked "auto" waits for the period's end
    plain = subscribed(pro)
    change = subscription_change(
        subscription_id=plain.pk, actor=TEST_ACTOR, as_of=APR_11, plan_id=basic.pk
    )
    assert (change.status, change.effective_at, change.timing) == ("scheduled", MAY, "downgrade")
    # pro -> basic immediate: at once, prorated by the second on April's 30 days:
    # credit 30 x 20/30 = -20.00, charge 10 x 20/30 = 6.666... -> 6.67
    policy(pro, basic, "immediate")
    sub = subscribed(pro)
    preview = subscription_change_preview(subscription_id=sub.pk, as_of=APR_11, plan_id=basic.pk)
    assert preview.applies_now
    assert preview.timing is not None
    assert (preview.timing.rule, preview.timing.policy) == ("policy", "immediate")
    assert "pro -> basic" in preview.timing.note
    assert [line.rounded for line in preview.lines] == [D("-20.00"), D("6.67")]
    change = subscription_change(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11, plan_id=basic.pk
    )
    assert (change.status, change.timing, change.policy) == ("applied", "policy", "immediate")
    amounts = ProrationLine.objects.filter(change=change).values_list("amount_rounded", flat=True)
    assert sorted(amounts) == [D("-20.00"), D("6.67")]
    # basic -> pro end_of_term: an upgrade (10 -> 30) waits for May 1, nothing prorated
    policy(basic, pro, "end_of_term")
    small = subscribed(basic)
    later = subscription_change(
        subscription_id=small.pk, actor=TEST_ACTOR, as_of=APR_11, plan_id=pro.pk
    )
    assert (later.status, later.effective_at, later.policy) == ("scheduled", MAY, "end_of_term")
    assert not ProrationLine.objects.filter(subscription=small).exists()
    # the upcoming invoice follows the scheduled change: May's fee at pro's 30.00
    upcoming = upcoming_invoice(customer_id=small.customer_id, as_of=APR_11)
    assert upcoming["billing_date"] == MAY
    assert [(row["kind"], row["amount"]) for row in upcoming["lines"]] == [
        ("fixed_fee", D("30.00"))
    ]
    # asked "now" against end_of_term: refused, naming the policy; staff may override it
    other = subscribed(basic)
    with pytest.raises(ValidationFailed) as refused:
        subscription_change(
            subscription_id=other.pk, actor=TEST_ACTOR, as_of=APR_11, plan_id=pro.pk,
            when="now",
        )  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("when", "contradicts_policy")
    assert "basic -> pro (end_of_term" in refused.value.message
    with pytest.raises(ValidationFailed) as no_reason:
        subscription_change(
            subscription_id=other.pk, actor=TEST_ACTOR, as_of=APR_11, plan_id=pro.pk,
            when="now", override_policy=True,
        )  # fmt: skip
    assert no_reason.value.field == "reason"
    forced = subscription_change(
        subscription_id=other.pk, actor=TEST_ACTOR, as_of=APR_11, plan_id=pro.pk,
        when="now", override_policy=True, reason="goodwill upgrade",
    )  # fmt: skip
    assert (forced.status, forced.timing, forced.policy) == ("applied", "override", "end_of_term")
    # credit 10 x 20/30 = -6.67, charge 30 x 20/30 = 20.00
    amounts = ProrationLine.objects.filter(change=forced).values_list("amount_rounded", flat=True)
    assert sorted(amounts) == [D("-6.67"), D("20.00")]


def test_an_illegal_pair_is_refused_but_a_quantity_change_is_not_governed(
    plans: dict[str, Plan],
) -> None:
    basic, pro = plans["basic"], plans["pro"]
    policy(pro, basic, "illegal")
    sub = subscribed(pro)
    with pytest.raises(ValidationFailed) as refused:
        subscription_change_preview(subscription_id=sub.pk, as_of=APR_11, plan_id=basic.pk)
    assert (refused.value.field, refused.value.code) == ("plan", "change_not_allowed")
    # the same plan, more seats: 30 x 1 -> 30 x 2 is an upgrade, at once:
    # credit -20.00, charge 2 x 30 x 20/30 = 40.00
    more = subscription_change(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11, quantity=2)
    assert (more.status, more.timing, more.policy) == ("applied", "upgrade", "")
    amounts = ProrationLine.objects.filter(change=more).values_list("amount_rounded", flat=True)
    assert sorted(amounts) == [D("-20.00"), D("40.00")]


def test_change_policies_over_the_api(api: APIClient, plans: dict[str, Plan]) -> None:
    basic, pro = plans["basic"], plans["pro"]
    policy(pro, basic, "illegal")
    policy(basic, pro, "end_of_term")
    now = timezone.now()
    refused_sub = subscription_create(
        customer_id=customer().pk, plan_id=pro.pk, actor=TEST_ACTOR, as_of=now
    )
    refused = api.post(
        f"{V1}subscriptions/{refused_sub.pk}/change/", {"plan": "basic"}, format="json"
    )
    assert refused.status_code == 400
    assert (error(refused)["field"], error(refused)["code"]) == ("plan", "change_not_allowed")
    assert "refused by the plan change policy pro -> basic" in error(refused)["message"]
    sub = subscription_create(
        customer_id=customer().pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=now
    )
    preview = api.post(
        f"{V1}subscriptions/{sub.pk}/change/preview/", {"plan": "pro"}, format="json"
    ).json()
    assert preview["applies_now"] is False
    assert preview["timing"]["rule"] == "policy"
    assert preview["timing"]["policy"] == "end_of_term"
    contrary = api.post(
        f"{V1}subscriptions/{sub.pk}/change/", {"plan": "pro", "when": "now"}, format="json"
    )
    assert contrary.status_code == 400
    assert (error(contrary)["field"], error(contrary)["code"]) == ("when", "contradicts_policy")
    made = api.post(f"{V1}subscriptions/{sub.pk}/change/", {"plan": "pro"}, format="json")
    assert made.status_code == 201, made.json()
    sub.refresh_from_db()
    assert (
        made.json()["effective_at"]
        == api.get(f"{V1}subscriptions/{sub.pk}/").json()["current_period_end"]
    )
    assert (made.json()["timing"], made.json()["policy"]) == ("policy", "end_of_term")


def test_admin_change_form_says_which_policy_and_shows_refusals(
    staff_client: Any, plans: dict[str, Plan]
) -> None:
    basic, pro = plans["basic"], plans["pro"]
    policy(pro, basic, "illegal")
    policy(basic, pro, "end_of_term")
    now = timezone.now()
    sub = subscription_create(
        customer_id=customer().pk, plan_id=pro.pk, actor=TEST_ACTOR, as_of=now
    )
    url = reverse("admin:billing_subscription_change_plan", args=[sub.pk])
    refused = staff_client.post(url, {"plan": basic.pk, "quantity": "1", "when": "auto"})
    assert refused.status_code == 200
    assert "refused by the plan change policy pro" in str(refused.context["form"].errors["plan"])
    other = subscription_create(
        customer_id=customer().pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=now
    )
    url = reverse("admin:billing_subscription_change_plan", args=[other.pk])
    asked = {"plan": pro.pk, "quantity": "1", "when": "auto", "prorate": "on", "reason": ""}
    page = staff_client.post(url, asked)
    html = page.content.decode()
    assert 'id="preview-timing"' in html
    assert "the plan pair&#x27;s change policy" in html
    assert "basic -&gt; pro (end_of_term" in html
    confirmed = staff_client.post(
        url, {**asked, "_confirm": "1", "previewed": page.context["previewed"]}, follow=True
    )
    assert "the plan pair&#x27;s change policy (end_of_term)" in confirmed.content.decode()


# ------------------------------------------------------------------------------- cancellation


def test_cancellation_policies(api: APIClient, staff_client: Any, plans: dict[str, Plan]) -> None:
    pro = plans["pro"]
    catalog.plan_update(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=APR, changes={"cancellation_policy": "end_of_term"}
    )
    now = timezone.now()

    def fresh() -> Subscription:
        return subscription_create(
            customer_id=customer().pk, plan_id=pro.pk, actor=TEST_ACTOR, as_of=now
        )

    # the API's cancel without at_period_end: the policy's timing, at period end
    sub = fresh()
    done = api.post(f"{V1}subscriptions/{sub.pk}/cancel/", {}, format="json")
    assert done.status_code == 200
    assert done.json()["cancel_at_period_end"] is True
    # asked at once against end_of_term: refused, naming the policy
    sub = fresh()
    now_asked = api.post(
        f"{V1}subscriptions/{sub.pk}/cancel/", {"at_period_end": False}, format="json"
    )
    assert now_asked.status_code == 400
    assert (error(now_asked)["field"], error(now_asked)["code"]) == (
        "at_period_end",
        "contradicts_policy",
    )
    assert "cancellation policy of plan pro (end_of_term" in error(now_asked)["message"]
    # the admin: "as the policy says" -> period end; "now" with the override box -> at once
    url = reverse("admin:billing_subscription_cancel", args=[sub.pk])
    form = staff_client.get(url)
    assert "The cancellation policy of plan pro: end_of_term" in form.content.decode()
    refused = staff_client.post(url, {"mode": "now", "prorate": "on", "reason": ""})
    assert (
        "contradicts the cancellation policy" in str(refused.context["form"].errors["__all__"])
        or "contradicts" in refused.content.decode()
    )
    forced = staff_client.post(
        url, {"mode": "now", "prorate": "on", "override_policy": "on", "reason": "fraud"}
    )
    assert forced.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "canceled"
    # illegal: 409, nothing changes
    catalog.plan_update(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=APR, changes={"cancellation_policy": "illegal"}
    )
    sub = fresh()
    illegal = api.post(f"{V1}subscriptions/{sub.pk}/cancel/", {}, format="json")
    assert illegal.status_code == 409
    assert error(illegal)["code"] == "cancellation_not_allowed"
    # immediate: at once when left out; at period end is refused
    catalog.plan_update(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=APR, changes={"cancellation_policy": "immediate"}
    )
    sub.refresh_from_db()
    with pytest.raises(ValidationFailed):
        subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=now,
                            at_period_end=True)  # fmt: skip
    at_once = subscription_cancel(
        subscription_id=sub.pk, actor=TEST_ACTOR, as_of=now, at_period_end=None
    )
    assert at_once.status == "canceled"


# ------------------------------------------------------------- cancellation by a credit note


def credit_note_plan(code: str = "monthly", fee: str = "30", timing: str = "advance") -> Plan:
    plan = make_plan(code)
    version = catalog.plan_version_create(
        plan_id=plan.pk, actor=TEST_ACTOR, as_of=APR,
        data={"effective_from": datetime(2020, 1, 1, tzinfo=UTC), "fixed_fee": D(fee),
              "fee_timing": timing, "cancellation_credit": "credit_note"},
    )  # fmt: skip
    catalog.plan_version_publish(version_id=version.pk, actor=TEST_ACTOR, as_of=APR)
    return plan


def german() -> Customer:
    catalog.tax_rate_create(
        actor=TEST_ACTOR, as_of=APR,
        data={"code": "de_vat", "name": "VAT", "percentage": D(19), "country": "DE"},
    )  # fmt: skip
    return customer(country="DE")


def test_an_immediate_cancellation_is_credited_by_a_credit_note(
    api: APIClient, staff_client: Any
) -> None:
    plan = credit_note_plan()
    sub = subscribed(plan, who=german())
    # April's fee in advance, finalized: 30.00 + 19% = 5.70 -> 35.70
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=APR, actor=CLOCK)
    invoice = Invoice.objects.get(customer_id=sub.customer_id)
    assert (invoice.status, invoice.total, invoice.tax_total) == ("open", D("35.70"), D("5.70"))
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11, reason="moving")
    # 20 of 30 days unused: 30 x 1,728,000 / 2,592,000 s = 20.00; its tax 5.70 x 20/30 = 3.80
    note = CreditNote.objects.get()
    assert (note.invoice_id, note.subscription_id) == (invoice.pk, sub.pk)
    assert (note.total, note.tax_total) == (D("23.80"), D("3.80"))
    assert note.lines.get().amount == D("20.00")
    assert note.explanation["part_seconds"] == 1_728_000
    assert note.explanation["period_seconds"] == 2_592_000
    assert note.explanation["formula"].startswith("-30 x 1 x 1728000 / 2592000 s")
    assert note.explanation["subscription"] == sub.pk
    assert note.explanation["period"] == {"start": APR.isoformat(), "end": MAY.isoformat()}
    invoice.refresh_from_db()
    assert invoice.amount_due == D("35.70") - D("23.80")  # 11.90 still owed
    assert not ProrationLine.objects.filter(subscription=sub).exists()
    assert JournalEvent.objects.filter(type="credit_note.created").count() == 1
    assert JournalEvent.objects.filter(type="subscription.canceled").count() == 1
    # nothing waits for a next invoice: no proration line is billed anywhere
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=MAY, actor=CLOCK)
    assert not InvoiceLine.objects.filter(kind="proration").exists()
    assert Invoice.objects.filter(customer_id=sub.customer_id).count() == 1
    assert upcoming_invoice(customer_id=sub.customer_id, as_of=APR_11)["lines"] == []
    # the API and the admin show what it credits and how
    listed = api.get(V1 + "credit-notes/").json()["results"]
    assert [(row["subscription"], row["total"]) for row in listed] == [(sub.pk, "23.8000")]
    assert listed[0]["explanation"]["part_seconds"] == 1_728_000
    page = staff_client.get(reverse("admin:invoicing_creditnote_change", args=[note.pk]))
    assert "-30 x 1 x 1728000 / 2592000 s = -20" in page.content.decode()


def test_a_draft_or_an_arrears_fee_falls_back_to_a_proration_line() -> None:
    plan = credit_note_plan()
    sub = subscribed(plan)
    subscriptions_bill(subscription_ids=[sub.pk], as_of=APR, actor=CLOCK)  # a draft
    draft = Invoice.objects.get(customer_id=sub.customer_id)
    assert draft.status == "draft"
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11)
    assert not CreditNote.objects.exists()
    line = ProrationLine.objects.get(subscription=sub)
    assert line.amount_rounded == D("-20.00")  # 30 x 20/30, on the next invoice as before
    fallback = line.explanation["cancellation_credit"]
    assert (fallback["asked"], fallback["given"]) == ("credit_note", "proration_line")
    assert f"draft #{draft.pk}" in fallback["why"]
    # in arrears nothing was paid in advance: the used part (30 x 10/30 = 10.00) is charged
    arrears = credit_note_plan("arrears", timing="arrears")
    late = subscribed(arrears)
    subscription_cancel(subscription_id=late.pk, actor=TEST_ACTOR, as_of=APR_11)
    charged = ProrationLine.objects.get(subscription=late)
    assert (charged.kind, charged.amount_rounded) == ("charge", D("10.00"))
    assert "in arrears" in charged.explanation["cancellation_credit"]["why"]


def test_proration_line_stays_the_default() -> None:
    sub = subscribed(priced_plan("classic", "30"))
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=APR, actor=CLOCK)
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11)
    assert not CreditNote.objects.exists()
    line = ProrationLine.objects.get(subscription=sub)
    assert line.amount_rounded == D("-20.00")
    assert "cancellation_credit" not in line.explanation


_codes = itertools.count()


def test_credit_note_and_proration_line_credit_the_same_amount() -> None:
    """Property: for any fee and any cancellation day, the credit note of `credit_note` credits
    exactly the amount the proration line of `proration_line` credits (one proration rule)."""

    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @example(cents=1, day=29)  # 0.01 x 1/30 of a month: rounds to 0.00
    @example(cents=3000, day=10)  # 30.00 x 20/30 = 20.00
    @given(cents=st.integers(min_value=1, max_value=10_000_00), day=st.integers(1, 29))
    def check(cents: int, day: int) -> None:
        fee = str(D(cents) / 100)
        n = next(_codes)
        by_note = subscribed(credit_note_plan(f"cn{n}", fee))
        by_line = subscribed(priced_plan(f"pl{n}", fee))
        at = APR + timedelta(days=day, hours=5)
        for sub in (by_note, by_line):
            subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=APR, actor=CLOCK)
            subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=at)
        line = ProrationLine.objects.get(subscription=by_line)
        if not line.amount_rounded:  # less than half a cent: no credit note, a 0.00 line
            assert not CreditNote.objects.filter(subscription=by_note).exists()
            assert ProrationLine.objects.get(subscription=by_note).amount_rounded == 0
            return
        note = CreditNote.objects.get(subscription=by_note)
        assert note.lines.get().amount == -line.amount_rounded
        assert note.total == -line.amount_rounded  # no tax rate: no tax
        assert not ProrationLine.objects.filter(subscription=by_note).exists()

    check()


def test_finalized_later_still_credits_by_note() -> None:
    """The advance invoice finalized by hand (before its grace ends): then credited by a note."""
    plan = credit_note_plan()
    sub = subscribed(plan)
    subscriptions_bill(subscription_ids=[sub.pk], as_of=APR, actor=CLOCK)
    draft = Invoice.objects.get(customer_id=sub.customer_id)
    invoice_finalize(invoice_id=draft.pk, as_of=APR + timedelta(hours=1), actor=TEST_ACTOR)
    subscription_cancel(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11)
    assert CreditNote.objects.get().total == D("20.00")


# ------------------------------------------ an end date is a cancellation in effect (review)


def test_an_end_date_over_the_api_follows_the_cancellation_policy(
    api: APIClient, plans: dict[str, Plan]
) -> None:
    import time_machine

    from billing.services import subscription_end

    pro = plans["pro"]
    catalog.plan_update(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=APR, changes={"cancellation_policy": "end_of_term"}
    )
    sub = subscribed(pro)
    url = f"{V1}subscriptions/{sub.pk}/end/"
    with time_machine.travel(APR_11, tick=False):
        # end_of_term: an end within the period (5 s from now: at once) is refused, naming it
        at_once = api.post(url, {"ends_at": (APR_11 + timedelta(seconds=5)).isoformat()},
                           format="json")  # fmt: skip
        assert at_once.status_code == 400
        assert (error(at_once)["field"], error(at_once)["code"]) == (
            "ends_at",
            "contradicts_policy",
        )
        assert "cancellation policy of plan pro (end_of_term" in error(at_once)["message"]
        sub.refresh_from_db()
        assert (sub.status, sub.ends_at) == ("active", None)
        # at the period's end (or later): allowed
        at_end = api.post(url, {"ends_at": MAY.isoformat()}, format="json")
        assert at_end.status_code == 200
        assert at_end.json()["ends_at"] == "2026-05-01T00:00:00Z"
    # illegal: no end date at all over the API (409); staff set one (the override)
    catalog.plan_update(
        plan_id=pro.pk, actor=TEST_ACTOR, as_of=APR, changes={"cancellation_policy": "illegal"}
    )
    sub = subscribed(pro)
    url = f"{V1}subscriptions/{sub.pk}/end/"
    with time_machine.travel(APR_11, tick=False):
        refused = api.post(url, {"ends_at": MAY.isoformat()}, format="json")
        assert refused.status_code == 409
        assert (error(refused)["field"], error(refused)["code"]) == (
            "ends_at", "cancellation_not_allowed",
        )  # fmt: skip
    sub.refresh_from_db()
    assert sub.ends_at is None
    subscription_end(subscription_id=sub.pk, actor=TEST_ACTOR, as_of=APR_11, ends_at=MAY,
                     override_policy=True, reason="contract")  # fmt: skip
    sub.refresh_from_db()
    assert sub.ends_at == MAY


def test_an_end_date_credits_by_a_credit_note_under_credit_note(api: APIClient) -> None:
    import time_machine

    plan = credit_note_plan("ending")
    sub = subscribed(plan)
    # April's fee in advance 30.00, finalized
    subscriptions_bill_chunk(subscription_ids=[sub.pk], as_of=APR, actor=CLOCK)
    invoice = Invoice.objects.get(customer_id=sub.customer_id)
    assert (invoice.status, invoice.total) == ("open", D("30.00"))
    with time_machine.travel(APR_11, tick=False):
        ended = api.post(f"{V1}subscriptions/{sub.pk}/end/",
                         {"ends_at": (APR_11 + timedelta(seconds=5)).isoformat()},
                         format="json")  # fmt: skip
    assert ended.status_code == 200
    # unused from Apr 11 00:00:05 to May 1: 1,727,995 s of 2,592,000 s:
    # 30 x 1727995 / 2592000 = 19.99994.. -> 20.00, on a credit note of the April invoice,
    # not a proration line (the cancellation's credit rule)
    note = CreditNote.objects.get()
    assert (note.invoice_id, note.subscription_id, note.total) == (invoice.pk, sub.pk, D("20.00"))
    assert note.explanation["part_seconds"] == 1_727_995
    assert not ProrationLine.objects.filter(subscription=sub).exists()
