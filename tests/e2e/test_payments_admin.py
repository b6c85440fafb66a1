"""Issue 12, item 10: finance staff record a bank transfer in Chromium and apply it. A customer
owes three open invoices (100.00, 150.00, 400.00); a transfer of 500.00 comes in; from the
customer's page, *Record a payment*, the amount and the bank's reference typed, 100.00 and
150.00 typed on the first two invoices; saved: those two are paid, 250.00 stays unapplied cash
on the customer, the third invoice still owes 400.00."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from invoicing.models import Invoice
from payments.models import Payment
from tests.conftest import CHROMIUM_ARGS, require_chromium
from tests.payments.helpers import a_customer, assert_trial_balance_zero, open_invoices

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_a_bank_transfer_recorded_and_applied_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-12")
    acme = a_customer(external_id="acme", name="Acme GmbH", timezone="Europe/Berlin")
    first, second, third = open_invoices(acme, ["100.00", "150.00", "400.00"], JAN)
    shots = ROOT / ".data"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/billing/customer/{acme.pk}/change/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-12")
        page.click("input[type=submit]")
        page.wait_for_selector("#overview-payments")
        assert "0.00 USD" in page.inner_text("#customer-unapplied")

        page.click("#record-payment")
        page.wait_for_selector("#record-payment-form")
        assert page.inner_text("#payment-currency") == "USD"
        rows = page.locator("tr.open-invoice")
        assert rows.count() == 3
        assert "400.00 USD" in rows.nth(2).inner_text()
        page.fill("#id_amount", "500.00")
        page.fill("#id_reference", "BANK-2026-0042")
        page.fill(f"#id_alloc_{first.pk}", "100.00")
        page.fill(f"#id_alloc_{second.pk}", "150.00")
        page.screenshot(path=str(shots / "e2e-payment-record.png"), full_page=True)
        page.click("#record-save")

        page.wait_for_selector("#payment-timeline")
        assert "applied 250.00 USD, unapplied 250.00 USD" in page.inner_text("ul.messagelist")
        timeline = page.inner_text("#payment-timeline")
        assert f"100.00 USD applied to {first.number}" in timeline
        assert f"150.00 USD applied to {second.number}" in timeline
        page.screenshot(path=str(shots / "e2e-payment-record-done.png"), full_page=True)

        page.goto(f"{live_server.url}/admin/billing/customer/{acme.pk}/change/")
        page.wait_for_selector("#overview-payments")
        assert "250.00 USD" in page.inner_text("#customer-unapplied")
        invoices = page.inner_text("#overview-invoices")
        assert invoices.count("paid") >= 2
        page.locator("#overview-payments").screenshot(
            path=str(shots / "e2e-payment-record-customer.png")
        )

        page.goto(f"{live_server.url}/admin/payments/payment/ar-aging/")
        page.wait_for_selector(".aging-chart svg")
        page.screenshot(path=str(shots / "e2e-payment-ar-aging.png"), full_page=True)
        browser.close()

    payment = Payment.objects.get()
    assert (payment.amount, payment.applied, payment.unapplied) == (
        Decimal("500.00"),
        Decimal("250.00"),
        Decimal("250.00"),
    )
    assert payment.gateway_reference == "BANK-2026-0042"
    statuses = [Invoice.objects.get(pk=i.pk).status for i in (first, second, third)]
    assert statuses == ["paid", "paid", "open"]
    assert Invoice.objects.get(pk=third.pk).amount_due == Decimal("400.00")
    assert_trial_balance_zero()
