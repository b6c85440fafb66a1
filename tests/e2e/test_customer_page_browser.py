"""Finance staff read a customer's billing on its page in Chromium: its subscription, invoices,
credit notes, usage this period and upcoming invoice, amounts with their currency and times in
the customer's time zone, on a 1440-px wide screen.

w1 (Germany, VAT 19% exclusive) is billed for January: 49.00 + 9.19 + 0.01 = 58.20, tax
9.31 + 1.75 + 0.00 = 11.06, total 69.26; a credit note of 10.00 on the fee carries 1.90 tax:
11.90, leaving 57.36 due."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing.models import Customer
from catalog import services as catalog
from invoicing.models import Invoice
from invoicing.services import credit_note_issue
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_the_customer_page_shows_its_billing_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    catalog.tax_rate_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "de", "name": "VAT", "percentage": D(19), "country": "DE"},
    )
    customer = workload_customer(1, workload_plan())
    Customer.objects.filter(pk=customer.pk).update(country="DE")
    run_tick(FEB + timedelta(minutes=5))
    # shown in Berlin's time from now on (its periods so far were counted in UTC)
    Customer.objects.filter(pk=customer.pk).update(timezone="Europe/Berlin")
    invoice = Invoice.objects.get(customer=customer)
    assert (invoice.status, invoice.total) == ("open", D("69.26"))
    fee = invoice.lines.get(kind="fixed_fee")
    note = credit_note_issue(invoice_id=invoice.pk, as_of=FEB + timedelta(days=1),
                             actor=TEST_ACTOR, reason="a month of downtime",
                             lines=[(fee.pk, D("10.00"))])  # fmt: skip
    assert (note.total, note.tax_total) == (D("11.90"), D("1.90"))

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(
            f"{live_server.url}/admin/login/?next=/admin/billing/customer/{customer.pk}/change/"
        )
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#customer-overview")
        subscriptions = page.inner_text("#overview-subscriptions")
        invoices = page.inner_text("#overview-invoices")
        notes = page.inner_text("#overview-credit-notes")
        usage = page.inner_text("#overview-usage")
        upcoming = page.inner_text("#overview-upcoming")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ROOT / ".data" / "e2e-customer-page.png"), full_page=True)
        page.click(f"#overview-invoices a:text('{invoice.number}')")
        page.wait_for_selector("#action-credit-note")
        browser.close()

    assert width <= 1440
    # periods in the customer's zone: February's starts at 01:00 in Berlin
    assert "Pro (pro@v1)" in subscriptions
    assert "2026-02-01 01:00 Europe/Berlin to 2026-03-01 01:00 Europe/Berlin" in subscriptions
    for expected in (invoice.number, "open", "2026-02-01 01:00 Europe/Berlin", "69.26 USD",
                     "57.36 USD"):  # fmt: skip
        assert expected in invoices, expected
    for expected in (note.number, invoice.number, "11.90 USD", "0.00 USD", "a month of downtime"):
        assert expected in notes, expected
    # February so far: no events yet, nothing estimated
    assert "Api Calls (api_calls)\t0\t0\t0.00 USD" in usage
    # the next invoice, as the clock will issue it: February's fee, 49.00 with 9.31 tax at least
    assert "Upcoming invoice, billed" in upcoming
    assert "49.00 USD" in upcoming
    assert "9.31 USD" in upcoming
