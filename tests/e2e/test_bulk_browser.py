"""Finance staff void invoices in bulk in Chromium: tick them in the list, pick *Void
invoices…*, read on the confirmation page what will happen and which are skipped and why, give
the reason, and read the result summary. Screenshots: .data/e2e-bulk-confirm.png and
.data/e2e-bulk-summary.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from invoicing.models import Invoice
from payments.services import AllocationRequest, payment_record
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.payments.helpers import a_customer, open_invoice

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
JAN = datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_void_invoices_in_bulk_in_chromium(live_server: Any, django_user_model: Any) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    who = a_customer(name="Acme Bulk")
    first = open_invoice(who, "10.00", JAN)
    second = open_invoice(who, "20.00", JAN + timedelta(days=1))
    paid = open_invoice(who, "30.00", JAN + timedelta(days=2))
    payment_record(
        customer_id=who.pk, amount=Decimal("30.00"), currency="USD", received_at=JAN,
        reference="wire", actor=TEST_ACTOR, as_of=JAN + timedelta(days=3),
        allocations=[AllocationRequest(paid.pk)],
    )  # fmt: skip

    from playwright.sync_api import sync_playwright

    (ROOT / ".data").mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/invoicing/invoice/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#result_list")
        for invoice in (first, second, paid):
            page.check(f"input[name=_selected_action][value='{invoice.pk}']")
        page.select_option("select[name=action]", "bulk_void")
        page.click("button[name=index]")
        page.wait_for_selector("#bulk-form")
        objects = page.inner_text("#bulk-objects")
        assert "It is paid: a paid invoice cannot be voided (credit or refund it)." in objects
        assert "Void; its posting of 20.00 USD reversed." in objects
        assert "3 invoices selected: 2 to do, 1 skipped." in page.inner_text("#bulk-counts")
        page.fill("#id_reason", "sent twice")
        page.screenshot(path=str(ROOT / ".data" / "e2e-bulk-confirm.png"), full_page=True)
        page.click("#bulk-confirm")
        page.wait_for_selector("#bulk-results")
        totals = page.inner_text("#bulk-count-table")
        results = page.inner_text("#bulk-results")
        page.screenshot(path=str(ROOT / ".data" / "e2e-bulk-summary.png"), full_page=True)
        browser.close()
    for line in ("Done\t2", "Skipped\t1", "Failed\t0", "Total\t3"):
        assert line in totals, totals
    assert "Voided; its posting of 10.00 USD was reversed." in results
    statuses = dict(Invoice.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[paid.pk]) == ("void", "void", "paid")
