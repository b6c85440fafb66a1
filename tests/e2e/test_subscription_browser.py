"""Finance staff manage a subscription in a real browser: the timeline, a plan change with its
proration lines, a cancellation at period end; and read a customer's current usage."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from billing.models import ProrationLine, Subscription
from billing.services import subscription_create, usage_ingest
from catalog.models import Charge
from tests.billing.factories import CustomerFactory
from tests.billing.subs import priced_plan
from tests.catalog.factories import metric
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_change_plan_cancel_and_current_usage_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    acme = CustomerFactory(external_id="acme")
    basic, pro = priced_plan("basic", "30"), priced_plan("pro", "60")
    calls = metric("api_calls", aggregation="sum", field_name="calls")
    Charge.objects.create(
        plan_version=basic.versions.get(),
        metric=calls,
        pricing_model="per_unit",
        params={"unit_price": "0.01"},
    )
    Charge.objects.create(
        plan_version=pro.versions.get(),
        metric=calls,
        pricing_model="per_unit",
        params={"unit_price": "0.005"},
    )
    now = timezone.now()
    sub = subscription_create(
        customer_id=acme.pk,
        plan_id=basic.pk,
        actor=TEST_ACTOR,
        as_of=now - timedelta(days=3),
        start_at=now - timedelta(days=3),
    )
    usage_ingest(
        events=[
            {
                "event_id": f"e{i}",
                "customer": "acme",
                "metric": "api_calls",
                "properties": {"calls": 100},
            }
            for i in range(12)
        ],
        actor=TEST_ACTOR,
        as_of=now,
    )
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/admin/login/?next=/admin/billing/subscription/{sub.pk}/change/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#subscription-periods")
        assert "current" in page.inner_text("#subscription-periods")

        page.click("#action-change-plan")
        page.select_option("#id_plan", str(pro.pk))
        page.select_option("#id_when", "now")
        page.fill("#id_reason", "more traffic")
        page.click("#preview")  # first what it will charge and credit, then the change
        page.wait_for_selector("#change-preview")
        assert "On the next invoice" in page.inner_text("#change-preview")
        page.screenshot(path=str(ROOT / ".data" / "e2e-change-preview.png"), full_page=True)
        page.click("#confirm")
        page.wait_for_selector("text=Change recorded.")
        proration = page.inner_text("body")
        page.screenshot(path=str(ROOT / ".data" / "e2e-subscription.png"), full_page=True)

        page.click("#action-cancel")
        page.select_option("#id_mode", "period_end")
        page.click("#confirm")
        page.wait_for_selector("text=Cancellation recorded.")
        page.wait_for_selector("#action-undo-cancel")

        page.goto(f"{base}/admin/billing/customer/{acme.pk}/change/")
        page.click("#current-usage")
        page.wait_for_selector(".usage-row")
        quantity = page.inner_text(".usage-quantity")
        amount = page.inner_text(".usage-amount")
        browser.close()

    sub.refresh_from_db()
    assert sub.plan_id == pro.pk
    assert sub.cancel_at_period_end is True
    assert ProrationLine.objects.filter(subscription=sub).count() == 2
    assert "Remaining time on pro@v1" in proration
    assert quantity.startswith("1200")
    assert amount == "6.00 USD"  # 1,200 calls at pro's 0.005
    assert Subscription.objects.count() == 1
