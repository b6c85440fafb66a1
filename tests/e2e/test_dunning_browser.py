"""Issue 13, dunning: a finance user edits the default dunning policy in Chromium (the warning
now comes at 12 days past due instead of 7), then, on a customer's page 10 days past due,
re-evaluates it: the customer enters the reminder (not the warning), and the timeline shows the
transition with its amounts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from payments.models.dunning import DunningPolicy, DunningTransition
from payments.services.dunning_policies import dunning_policy_create
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.payments.helpers import a_customer, assert_trial_balance_zero, open_invoice

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def default_policy() -> DunningPolicy:
    """The migration's default policy (an earlier transactional test may have flushed it)."""
    found = DunningPolicy.objects.filter(is_default=True).first()
    if found is not None:
        return found
    states = [
        {"code": "reminder", "name": "Reminder", "min_days_past_due": 1,
         "email_template": "dunning_reminder"},
        {"code": "warning", "name": "Warning", "min_days_past_due": 7,
         "email_template": "dunning_warning", "refuse_plan_changes": True},
    ]  # fmt: skip
    return dunning_policy_create(
        data={"name": "Default", "is_default": True, "states": states},
        actor=TEST_ACTOR, as_of=timezone.now(),
    )  # fmt: skip


def test_a_finance_user_edits_the_policy_and_reads_a_customers_timeline(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-12")
    policy = default_policy()
    acme = a_customer(external_id="acme", name="Acme GmbH", timezone="Europe/Berlin",
                      payment_terms_days=10, auto_collection=False)  # fmt: skip
    # issued 20 days ago, due 10 days ago: 10 days past due (7 <= 10 < 12)
    open_invoice(acme, "100.00", timezone.now() - timedelta(days=20, hours=1))
    shots = ROOT / ".data"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(
            f"{live_server.url}/admin/login/?next=/admin/payments/dunningpolicy/{policy.pk}/change/"
        )
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-12")
        page.click("input[type=submit]")
        page.wait_for_selector("#dunningpolicy_form")
        codes = [
            page.input_value(f"#id_states-{i}-code")
            for i in range(page.locator("tr.form-row.has_original").count())
        ]
        warning = codes.index("warning")
        page.fill(f"#id_states-{warning}-min_days_past_due", "12")
        page.screenshot(path=str(shots / "e2e-dunning-policy.png"), full_page=True)
        page.click("input[name=_save]")
        page.wait_for_selector("ul.messagelist")
        assert "was changed successfully" in page.inner_text("ul.messagelist")

        page.goto(f"{live_server.url}/admin/billing/customer/{acme.pk}/change/")
        page.wait_for_selector("#overview-dunning")
        assert page.inner_text("#customer-dunning-state") == "in no state"
        assert "100.00 USD" in page.inner_text("#customer-dunning-overdue")
        page.click("#dunning-evaluate")
        page.wait_for_selector("#dunning-evaluate-form")
        page.click("#dunning-evaluate-submit")
        page.wait_for_selector("#dunning-timeline")
        assert "none -> Reminder" in page.inner_text("ul.messagelist")
        assert page.inner_text("#customer-dunning-state") == "Reminder"
        timeline = page.inner_text("#dunning-timeline")
        assert "100.00 USD" in timeline
        assert "dunning_reminder" in timeline
        page.locator("#overview-dunning").screenshot(path=str(shots / "e2e-dunning-timeline.png"))
        browser.close()

    policy.refresh_from_db()
    assert policy.states.get(code="warning").min_days_past_due == 12
    (moved,) = DunningTransition.objects.filter(customer=acme)
    assert (moved.to_code, moved.days_past_due, moved.actor) == ("reminder", 10, "finance")
    assert_trial_balance_zero()
