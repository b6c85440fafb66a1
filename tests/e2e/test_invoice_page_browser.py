"""Finance staff work invoices from their page in Chromium: finalize a draft with its button,
issue a credit note previewed line by line, void one and write another off after saying why,
download the PDF; and the invoicing lists fit a 1440-px wide screen.

The German customers are billed for January (VAT 19%, exclusive):
  w1: 49.00 (tax 9.31) + 9.19 (1.75) + 0.01 (0.00) = 58.20 + 11.06 = 69.26
  w2: 49.00 (9.31) + 0.02 (0.00) = 49.02 + 9.31 = 58.33
  w3: 49.00 (9.31) + 17.57 (3.34) + 0.03 (0.01) = 66.60 + 12.66 = 79.26"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from billing.models import Customer
from billing.services import journal_dispatch, usage_ingest
from catalog import services as catalog
from invoicing.models import Correction, CreditNote, Invoice
from invoicing.services import billing_failure_record, invoice_render_pdf
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = Decimal


def outside_the_event_loop(fn: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Django refuses the ORM in the thread Playwright runs its event loop in: another thread
    (its own connection; the live server's writes are committed)."""
    from django.db import connection

    def run() -> Any:
        try:
            return fn(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _fits(page: Any, url: str) -> tuple[int, int]:
    """The page's width, and how much its results table overflows its box (the admin scrolls
    a table too wide for it inside the box, which the page's width does not show)."""
    page.goto(url)
    page.wait_for_selector("#changelist")
    found: list[int] = page.evaluate(
        """() => {
            const box = document.querySelector('#changelist .results');
            return [document.documentElement.scrollWidth,
                    box ? box.scrollWidth - box.clientWidth : 0];
        }"""
    )
    return found[0], found[1]


def test_invoice_buttons_credit_note_preview_void_and_write_off_in_chromium(
    live_server: Any, django_user_model: Any, settings: Any, tmp_path: Any
) -> None:
    chromium = require_chromium()
    settings.MEDIA_ROOT = tmp_path
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    catalog.tax_rate_create(
        actor=TEST_ACTOR,
        as_of=JAN,
        data={"code": "de", "name": "VAT", "percentage": D(19), "country": "DE"},
    )
    plan = workload_plan()
    customers = [workload_customer(i, plan) for i in (1, 2, 3)]
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(country="DE")
    Customer.objects.filter(pk=customers[0].pk).update(invoice_grace_period_days=5)
    run_tick(FEB + timedelta(minutes=5))
    draft, second, third = (Invoice.objects.get(customer=c) for c in customers)
    assert (draft.status, second.status, third.status) == ("draft", "open", "open")
    # rows for the other lists: a late event proposes a correction of w3's invoice, and a
    # subscription the clock could not bill
    usage_ingest(
        events=[{"event_id": "late", "customer": "w3", "metric": "api_calls",
                 "event_time": "2026-01-31T23:00:00Z", "properties": {"calls": 1000}}],
        actor=TEST_ACTOR,
        as_of=FEB + timedelta(hours=2),
    )  # fmt: skip
    journal_dispatch(as_of=FEB + timedelta(hours=2))
    assert Correction.objects.filter(invoice=third, status="proposed").exists()
    billing_failure_record(
        subscription_id=customers[1].subscriptions.get().pk,
        exc=RuntimeError("the price book could not be read: " + "a long explanation " * 20),
        as_of=FEB,
        actor=TEST_ACTOR,
    )
    usage_line = draft.lines.get(metric_code="api_calls")
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{base}/admin/login/?next=/admin/invoicing/invoice/{draft.pk}/change/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")

        # Finalize: the draft's button
        page.wait_for_selector("#action-finalize")
        assert page.locator("#action-void").count() == 0
        page.click("#action-finalize")
        page.wait_for_selector("text=Finalized as INV-")  # numbered in this year's series
        assert "total 69.26 USD, amount due 69.26 USD" in page.inner_text(".messagelist")
        for button in ("#action-credit-note", "#action-void", "#action-uncollectible"):
            assert page.locator(button).count() == 1, button

        # Download PDF: the API's link, which the admin session may read once it is rendered
        outside_the_event_loop(invoice_render_pdf, invoice_id=draft.pk, as_of=FEB)
        href = page.get_attribute("#action-pdf", "href")
        assert href == f"/api/v1/invoices/{draft.pk}/pdf/"
        pdf = page.request.get(f"{base}{href}")
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")

        # Issue credit note: more than is left is refused on that line's input
        page.click("#action-credit-note")
        page.wait_for_selector("#credit-lines")
        amount = f"#id_amount_{usage_line.pk}"
        page.fill(amount, "9.20")
        page.click("#credit-preview-button")
        row = page.locator(f"tr.credit-line[data-line='{usage_line.pk}']")
        row.locator(".errorlist").wait_for()
        assert "9.20 exceeds what is left to credit" in row.inner_text()
        # a preview of 4.60: 1.75 x 4.60 / 9.19 = 0.876 -> 0.88 tax, 5.48 off the amount due
        page.fill(amount, "4.60")
        page.click("#credit-preview-button")
        page.wait_for_selector("#credit-preview")
        assert page.inner_text("#preview-total") == "5.48 USD"
        assert page.inner_text("#preview-tax") == "0.88 USD"
        assert page.inner_text("#preview-settled") == "5.48 USD"
        assert page.inner_text("#preview-to-balance") == "0.00 USD"
        assert "0.88 USD" in page.inner_text(f"tr.credit-line[data-line='{usage_line.pk}']")
        assert not outside_the_event_loop(CreditNote.objects.exists)
        page.screenshot(path=str(ROOT / ".data" / "e2e-credit-note-form.png"), full_page=True)
        page.fill("#id_reason", "calls counted twice")
        page.click("#credit-issue-button")
        page.wait_for_selector("text=issued on INV-")
        assert "5.48 USD" in page.inner_text("#content-main")
        page.screenshot(path=str(ROOT / ".data" / "e2e-invoice-actions.png"), full_page=True)

        # Void: a page says what will happen; without a reason nothing is done
        page.goto(f"{base}/admin/invoicing/invoice/{second.pk}/change/")
        page.click("#action-void")
        page.wait_for_selector("#what-happens")
        assert "the receivable of 58.33 USD" in page.inner_text("#what-happens")
        page.click("#confirm")  # the browser asks for the reason first
        assert page.evaluate("document.querySelector('#id_reason').validity.valueMissing")
        page.fill("#id_reason", "issued twice")
        page.click("#confirm")
        page.wait_for_selector(f"text={second.number}: voided.")

        # Mark uncollectible, the same way
        page.goto(f"{base}/admin/invoicing/invoice/{third.pk}/change/")
        page.click("#action-uncollectible")
        page.wait_for_selector("#what-happens")
        assert "Its amount due, 79.26 USD, is written off" in page.inner_text("#what-happens")
        page.fill("#id_reason", "customer insolvent")
        page.click("#confirm")
        page.wait_for_selector(f"text={third.number}: marked uncollectible.")

        # the lists fit a 1440-px wide window
        lists: dict[str, str] = {}
        for url in (
            "/admin/invoicing/invoice/",
            "/admin/invoicing/creditnote/",
            "/admin/invoicing/correction/",
            "/admin/invoicing/billingfailure/",
        ):
            assert _fits(page, f"{base}{url}") == (1440, 0), url
            lists[url] = page.inner_text("#result_list")
            name = url.strip("/").split("/")[-1]
            page.screenshot(path=str(ROOT / ".data" / f"e2e-list-{name}.png"), full_page=True)
        browser.close()
    listing = lists["/admin/invoicing/invoice/"]
    assert "69.26 USD" in listing
    assert "63.78 USD" in listing  # due on w1's after the 5.48 credit
    # w3's usage line of 17.57 with 1,000 more calls: 19.57
    assert "17.57 USD\t19.57 USD\t2.00 USD" in lists["/admin/invoicing/correction/"]
    assert "2026-02-01 00:00 UTC" in lists["/admin/invoicing/billingfailure/"]
    for invoice, status in ((draft, "open"), (second, "void"), (third, "uncollectible")):
        invoice.refresh_from_db()
        assert invoice.status == status
    assert draft.amount_due == D("63.78")
