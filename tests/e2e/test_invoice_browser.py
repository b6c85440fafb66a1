"""Finance staff work an invoice in a real browser: a draft with its usage, discount and tax lines
explained, an add-on added through *Add a line*, then finalized, with the credit balance applied."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing.models import Customer
from billing.services import coupon_redeem, customer_balance_adjust
from catalog import services as catalog
from invoicing.models import Invoice
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_draft_explained_an_add_on_added_and_finalized_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    catalog.tax_rate_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "de", "name": "VAT", "percentage": Decimal(19), "country": "DE"},
    )
    catalog.addon_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "setup", "name": "Setup", "currency": "USD", "amount": Decimal("99")},
    )
    catalog.coupon_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "ten", "name": "Ten", "kind": "percent", "percent_off": Decimal(10),
              "duration": "once"},
    )  # fmt: skip
    customer = workload_customer(1, workload_plan())
    Customer.objects.filter(pk=customer.pk).update(country="DE", invoice_grace_period_days=5)
    coupon_redeem(customer_id=customer.pk, coupon_code="ten", actor=TEST_ACTOR, as_of=JAN)
    customer_balance_adjust(customer_id=customer.pk, amount=Decimal(20), actor=TEST_ACTOR,
                            as_of=JAN, reason="welcome")  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))
    draft = Invoice.objects.get()
    assert draft.status == "draft"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(
            f"{live_server.url}/admin/login/?next=/admin/invoicing/invoice/{draft.pk}/change/"
        )
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#action-add-line")
        lines = page.inner_text("#lines-group")
        for expected in ("10000 x 0 + 4595 x 0.002 = 9.19", "coupon ten on 58.20", "-5.82",
                         "9.31 (19% excl.)"):  # fmt: skip
            assert expected in lines, expected

        page.click("#action-add-line")
        page.select_option("#id_add_on", label="Setup (setup)")
        page.fill("#id_quantity", "2")
        page.click("#confirm")
        page.wait_for_selector("text=Line added.")
        assert "Setup x 2" in page.inner_text("#lines-group")

        page.goto(f"{live_server.url}/admin/invoicing/invoice/")
        page.check(f"input[name=_selected_action][value='{draft.pk}']")
        page.select_option("select[name=action]", "bulk_finalize")
        page.click("button[name=index]")
        page.click("#bulk-confirm")  # the bulk action's confirmation page
        page.wait_for_selector("text=Finalized as")
        page.goto(f"{live_server.url}/admin/invoicing/invoice/{draft.pk}/change/")
        page.wait_for_selector("#invoice-pdf")
        page.screenshot(path=str(ROOT / ".data" / "e2e-invoice.png"), full_page=True)
        summary = page.inner_text("#content-main")
        browser.close()
    draft.refresh_from_db()
    # 58.20 - 5.82 + 198.00 = 250.38 net; VAT 19% per line; 20.00 paid from the balance
    assert (draft.subtotal, draft.tax_total) == (Decimal("250.38"), Decimal("47.57"))
    assert draft.total == Decimal("297.95")
    assert (draft.credit_applied, draft.amount_due) == (Decimal("20.00"), Decimal("277.95"))
    assert "amount due 277.95 USD" in summary
