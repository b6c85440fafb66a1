"""A customer in Chromium, through a portal session link: adds a card in the sandbox's hosted form,
makes it the default, pays an overdue invoice of 19.99 + 20.01 = 40.00 USD with it and sees it
paid. The charge runs in Celery's eager mode (on the live server's thread, after the commit).
Screenshots: .data/e2e-portal-pay-*.png."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, PaymentMethod
from portal.services import portal_session_create
from portal.services.access import link_path
from tests.billing.factories import CustomerFactory
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.payments.card_traces import card_number_nowhere
from tests.portal.pay_helpers import card, configuration

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = Decimal


def shot(page: Any, name: str) -> None:
    (ROOT / ".data").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / ".data" / f"e2e-portal-pay-{name}.png"), full_page=True)


def test_add_a_card_make_it_default_and_pay_an_overdue_invoice(
    live_server: Any, settings: Any
) -> None:
    chromium = require_chromium()
    from config.celery import app

    namespace = f"test-e2e-pay-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual"]
    settings.STRIPE_API_KEY = ""
    configuration()
    acme = CustomerFactory(name="Acme", payment_terms_days=14, auto_collection=False)
    old = card(acme, "tok_declined", last4="0002")  # the default so far
    at = timezone.now() - timedelta(days=30)
    draft = invoice_draft_create(customer_id=acme.pk, as_of=at, actor=TEST_ACTOR)
    for amount in ("19.99", "20.01"):
        invoice_line_add(invoice_id=draft.pk, description="services", amount=D(amount),
                         quantity=D(1), as_of=at, actor=TEST_ACTOR)  # fmt: skip
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=at, actor=TEST_ACTOR)
    assert invoice.amount_due == D("40.00")
    _, token = portal_session_create(customer_id=acme.pk, as_of=timezone.now(), actor=TEST_ACTOR)

    from playwright.sync_api import sync_playwright

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 375, "height": 800})
            errors: list[str] = []  # CSP violations, failed loads (but the favicon we have not)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
            page.goto(f"{live_server.url}{link_path(token)}")
            page.goto(f"{live_server.url}/portal/payment-methods/")
            assert "Visa ···· 0002" in page.inner_text("#payment-methods")
            shot(page, "methods-before")
            page.click("#add-card")
            page.wait_for_url("**/gateways/sandbox/setup/**")
            page.get_by_label("Card number").fill("4242 4242 4242 4242")
            page.get_by_label("Expiry (MM/YY)").fill("12/34")
            page.get_by_label("CVC").fill("123")
            page.get_by_label("Name on the card").fill("Ada Lovelace")
            shot(page, "sandbox-form")
            page.get_by_role("button", name="Save card").click()
            page.wait_for_url("**/portal/payment-methods/")
            assert "Card ending in 4242 added." in page.inner_text(".messages")
            shot(page, "methods-added")
            # (no ORM in here: Playwright's loop runs on this thread)
            added = page.locator("#payment-methods li", has_text="4242")
            new_id = int(str(added.get_attribute("id")).removeprefix("method-"))
            added.get_by_role("button", name="Make default").click()
            page.wait_for_selector(".messages")
            assert "now your default" in page.inner_text(".messages")
            assert "Default" in page.inner_text(f"#method-{new_id}")
            shot(page, "methods-default")
            page.goto(f"{live_server.url}/portal/invoices/{invoice.pk}/pay/")
            assert page.inner_text("#amount-due") == "$40.00"
            assert page.is_checked(f"input[name=method][value='{new_id}']")  # the default
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, width
            shot(page, "invoice-pay")
            page.click("#pay-now")
            page.wait_for_url("**/pay/status/**")
            page.wait_for_selector("#payment-state .succeeded", timeout=15000)
            assert "$40.00 was paid with Visa ···· 4242" in page.inner_text("#payment-state")
            shot(page, "paid")
            browser.close()
    finally:
        app.conf.task_always_eager = eager
    new = PaymentMethod.objects.get(customer=acme, last4="4242")
    assert new.pk == new_id
    gw = SandboxGateway(namespace=namespace)
    assert gw.charge_count() == gw.charge_count(new.token) == 1
    gw.reset()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D("0"))
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.method_id, payment.amount, payment.state) == (new.pk, D("40.00"), "succeeded")
    old.refresh_from_db()
    assert not old.is_default
    assert [e for e in errors if "favicon" not in e and "Failed to load resource" not in e] == []
    assert [e for e in errors if e.startswith("http") and "favicon" not in e] == []
    card_number_nowhere("4242424242424242")
