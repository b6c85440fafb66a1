"""Dunning in the admin: a policy with its states inline (refusals as form errors on the row),
a customer's assignment, the customer page's timeline, "Re-evaluate now", read-only lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from payments.models.dunning import CustomerDunning, DunningPolicy, DunningTransition
from payments.services.dunning_policies import STATE_FIELDS
from tests.payments.helpers import open_invoice
from tests.payments.test_dunning import JAN1, a_debtor, at, evaluate

pytestmark = pytest.mark.django_db

ADD = "/admin/payments/dunningpolicy/add/"


def state_row(i: int, **fields: Any) -> dict[str, Any]:
    row = {"position": i + 1, "code": f"s{i}", "name": f"State {i}",
           "subscription_action": "none", "subscription_action_when": "immediately",
           "publish_event": "on", **fields}  # fmt: skip
    return {f"states-{i}-{k}": v for k, v in row.items() if k in (*STATE_FIELDS, "id")}


def policy_form(name: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name, "description": "", "states-TOTAL_FORMS": str(len(rows)),
        "states-INITIAL_FORMS": str(initial), "states-MIN_NUM_FORMS": "0",
        "states-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for row in rows:
        data.update(row)
    return data


def test_a_policy_and_its_states_are_written_through_the_service(staff_client: Client) -> None:
    assert staff_client.get(ADD).status_code == 200
    rows = [
        state_row(0, min_days_past_due=3, email_template="dunning_reminder"),
        state_row(1, min_amount_overdue="250", amount_currency="EUR", block_entitlements="on"),
    ]
    response = staff_client.post(ADD, policy_form("Resellers", rows))
    assert response.status_code == 302, response.content.decode()[-3000:]
    made = DunningPolicy.objects.get(name="Resellers")
    assert [(s.code, s.min_days_past_due, s.min_amount_overdue, s.amount_currency)
            for s in made.states.order_by("position")] == [
        ("s0", 3, None, ""), ("s1", None, 250, "EUR")
    ]  # fmt: skip
    page = staff_client.get(f"/admin/payments/dunningpolicy/{made.pk}/change/")
    assert page.status_code == 200
    assert "Resellers" in page.content.decode()


def test_refusals_are_form_errors_on_the_state_row(staff_client: Client) -> None:
    no_condition = staff_client.post(ADD, policy_form("Bad", [state_row(0)]))
    assert no_condition.status_code == 200
    assert "A state needs at least one condition" in no_condition.content.decode()
    eur_decimals = staff_client.post(
        ADD,
        policy_form("Bad", [state_row(0, min_amount_overdue="1.001", amount_currency="JPY")]),
    )
    assert eur_decimals.status_code == 200
    body = eur_decimals.content.decode()
    assert "more decimals than JPY allows" in body
    assert not DunningPolicy.objects.filter(name="Bad").exists()


def test_the_customer_page_shows_the_timeline_and_re_evaluates(staff_client: Client) -> None:
    who = a_debtor()
    open_invoice(who, "100.00", JAN1)
    evaluate(who, at(1, 12))
    evaluate(who, at(1, 18))
    page = staff_client.get(f"/admin/billing/customer/{who.pk}/change/").content.decode()
    assert 'id="overview-dunning"' in page
    assert page.count('class="dunning-transition') == 2
    assert "Warning" in page
    assert "dunning_warning" in page

    url = f"/admin/payments/customerdunning/customer/{who.pk}/evaluate/"
    confirm = staff_client.get(url)
    assert confirm.status_code == 200
    assert "Re-evaluate now" in confirm.content.decode()
    # now (the wall clock) is long after Jan 2026: 30+ days past due, the last state
    done = staff_client.post(url)
    assert done.status_code == 302
    last = DunningTransition.objects.filter(customer=who).order_by("-sequence").first()
    assert last is not None
    assert last.to_code == "canceled"
    assert last.actor == "finance"
    assert staff_client.post(url).status_code == 302  # again: nothing changes
    assert DunningTransition.objects.filter(customer=who).count() == 3


def test_assigning_a_policy_in_the_admin_and_the_read_only_lists(staff_client: Client) -> None:
    gentle = DunningPolicy.objects.create(
        name="Gentle", created_at=timezone.now(), updated_at=timezone.now()
    )
    who = a_debtor()
    added = staff_client.post(
        "/admin/payments/customerdunning/add/", {"customer": who.pk, "policy": gentle.pk}
    )
    assert added.status_code == 302
    assert CustomerDunning.objects.get(customer=who).policy == gentle
    for page in ("dunningtransition", "dunningaction", "customerdunning", "dunningpolicy"):
        assert staff_client.get(f"/admin/payments/{page}/").status_code == 200, page
    assert staff_client.get("/admin/payments/dunningtransition/add/").status_code == 403
