"""Finance staff open the admin in Chromium and land on the dashboard: its figures, its charts
(inline SVG), and a figure clicked leads to the rows behind it. Screenshots:
.data/e2e-dashboard.png, and docs/back-office-dashboard.png (the README's) with DOCS_SCREENSHOTS=1.

The data: the hand-computed MRR scenario of tests/backoffice/test_dashboard.py (A upgraded in
March, B down a seat in April, C canceled in April and back in June, D after its trial, F paused
in May) and a few more customers starting month after month, with invoices issued every month,
most paid by wire, some still open."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from billing.services import subscription_create, usage_ingest
from payments.models.dunning import CustomerDunning, DunningPolicy, DunningState
from payments.services import payment_record
from tests.backoffice.test_dashboard import (  # noqa: F401 (sandbox: a fixture)
    AS_OF,
    build_mrr_scenario,
    customer,
    failed_charge,
    sandbox,
    utc,
)
from tests.billing.subs import priced_plan
from tests.catalog.factories import metric
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.payments.helpers import open_invoice

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def small_world() -> dict[str, Any]:
    who = build_mrr_scenario()
    team = priced_plan("team", "250.00")
    for i in range(8):
        start = utc(2026, 1 + i % 6, 3 + i)
        subscription_create(customer_id=customer(name=f"Northwind {i}").pk, plan_id=team.pk,
                            actor=TEST_ACTOR, as_of=start, quantity=1 + i % 3)  # fmt: skip
    for month in range(1, 7):
        for n, key in enumerate(("a", "b", "f")):
            at = utc(2026, month, 2 + n)
            invoice = open_invoice(who[key], f"{90 + 40 * n + month * 7}.00", at)
            if month < 6 or n == 0:
                payment_record(
                    customer_id=who[key].pk, amount=invoice.total, currency="USD",
                    received_at=at + timedelta(days=4), reference=f"wire {month}-{n}",
                    actor=TEST_ACTOR, as_of=at + timedelta(days=4), apply_oldest_first=True,
                )  # fmt: skip
    # two declined cards in June (after every other event), one paid later; dunning; usage
    late = [customer(name="Contoso Ltd"), customer(name="Fabrikam Inc")]
    for n, who_late in enumerate(late):
        failed_charge(who_late, f"{120 + 60 * n}.00", utc(2026, 6, 24 + n))
    payment_record(customer_id=late[0].pk, amount=Decimal("120.00"), currency="USD",
                   received_at=utc(2026, 6, 28), reference="wire", actor=TEST_ACTOR,
                   as_of=utc(2026, 6, 28), apply_oldest_first=True)  # fmt: skip
    policy = DunningPolicy.objects.create(name="standard", created_at=AS_OF, updated_at=AS_OF)
    for position, (code, members) in enumerate(
        (("reminder", [late[1], who["b"]]), ("final-notice", [who["f"]])), start=1
    ):
        state = DunningState.objects.create(policy=policy, position=position, code=code,
                                            name=code.replace("-", " ").title(),
                                            min_days_past_due=15 * position)  # fmt: skip
        for member in members:
            CustomerDunning.objects.create(customer=member, policy=policy, state=state,
                                           entered_at=AS_OF, updated_at=AS_OF)  # fmt: skip
    metric("api_calls", aggregation="count", field_name="")
    metric("storage_gb", aggregation="max", field_name="gb")
    events = [
        {"event_id": f"u{i}", "customer": who["abdf"[i % 4]].external_id,
         "metric": "api_calls" if i % 3 else "storage_gb",
         "event_time": (utc(2026, 1, 1) + timedelta(hours=7 * i)).isoformat(),
         "properties": {} if i % 3 else {"gb": str(i % 40)}}
        for i in range(600)
    ]  # fmt: skip
    usage_ingest(events=events, actor=TEST_ACTOR, as_of=AS_OF, backfill=True)
    return who


@pytest.mark.usefixtures("sandbox")
def test_the_dashboard_in_chromium(live_server: Any, django_user_model: Any) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    who = small_world()

    from playwright.sync_api import sync_playwright

    with time_machine.travel(AS_OF, tick=True), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/%3Fcurrency%3DUSD%26from%3D2026-01"
                  f"%26to%3D2026-06")  # fmt: skip
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#finance-dashboard")
        charts = page.locator("#finance-dashboard svg").count()
        march = page.inner_text("tr.dash-mrr-row[data-month='2026-03']")
        card = page.inner_text("#card-mrr")
        models = page.locator("#all-models").count()
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ROOT / ".data" / "e2e-dashboard.png"), full_page=True)
        if os.environ.get("DOCS_SCREENSHOTS"):  # the README's image, taken on request only
            page.locator("#finance-dashboard").screenshot(
                path=str(ROOT / "docs" / "back-office-dashboard.png")
            )
        # a figure clicked: March's expansion, its customer
        page.click("tr.dash-mrr-row[data-month='2026-03'] a.dash-expansion")
        page.wait_for_selector("#dash-rows")
        expansion = page.inner_text("#dash-rows")
        page.go_back()
        page.wait_for_selector("#finance-dashboard")
        page.click("tr.dash-revenue-row[data-month='2026-03'] a.dash-invoiced")
        page.wait_for_selector("#changelist")
        invoices = page.inner_text("#changelist")
        browser.close()

    assert charts >= 3
    assert "2,823.33 USD" in march  # 573.33 of the scenario + 2,250.00 of team plans
    assert "MRR" in card
    assert models == 1
    assert width <= 1440
    assert who["a"].external_id in expansion
    assert "30.00 USD" in expansion
    assert "100.00 USD" in expansion
    assert "3 invoices" in invoices
