"""Issue 14, item 5: the customer's whole journey through the billing portal, in Chromium.

A customer on Basic (49.00 a month) for ten days, with an invoice finalized 17 days ago on
14-day terms (3 days overdue) and no card, arrives through a portal session link its integrator
asked for over the API (`POST /api/v1/portal-sessions/`), then: reads the overview; opens its
invoices and downloads the overdue one's PDF (read back with pypdf: its number and total);
changes to Pro (99.00) after the prorated preview (its amounts computed here by hand from the
subscription's period, by the second); cancels at the period end and undoes it; adds a card
through the sandbox gateway's form and pays the overdue invoice (charged by the Celery task, in
eager mode on the live server's thread, as tests/e2e/test_portal_pay_browser.py does: the real
worker would need every queue the live server writes to, e-mails included); sees it paid.

The same pages again for a de-DE customer (euros, Europe/Berlin) on a 375-px wide screen, with
no horizontal scrolling on any page. A full-page screenshot of every page visited:
.data/e2e-portal-journey-<language>-<step>.png."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from pypdf import PdfReader

from billing import services
from billing.models import Customer, ProrationLine, Subscription
from catalog.models import Plan
from invoicing.models import Invoice
from invoicing.services import (
    invoice_draft_create,
    invoice_finalize,
    invoice_line_add,
    invoice_render_pdf,
)
from invoicing.services.writer import subscriptions_bill
from payments.gateways.sandbox import SandboxGateway
from portal.models import PortalConfiguration, PortalConfigurationPlan
from tests.billing.factories import CustomerFactory
from tests.billing.subs import priced_plan
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture(autouse=True, scope="module")
def _default_configuration_again(django_db_blocker: Any) -> Iterator[None]:
    """The flush after a transactional test empties every table, the default portal
    configuration the migration installed too: once this module's tests are done (after the
    flush), it is written again as it was, with its id, for the tests that run next in this
    process (and in the next --reuse-db run)."""
    with django_db_blocker.unblock():
        rows = list(PortalConfiguration.objects.filter(is_default=True).values())
    yield
    with django_db_blocker.unblock():
        if rows and not PortalConfiguration.objects.filter(is_default=True).exists():
            PortalConfiguration.objects.bulk_create(PortalConfiguration(**row) for row in rows)


@dataclass
class Words:
    """What each language's pages say, where the journey reads them."""

    language: str
    viewport: dict[str, int]
    plan_fee: str  # Pro's price as the plan list shows it
    now: str  # the preview says the change takes effect now
    plan_now: str  # the message after the change
    canceled: str
    undone: str
    card_added: str
    paid: str

    def money(self, amount: Decimal, currency: str) -> str:
        from catalog.money import format_money

        return format_money(amount, currency, "de-DE" if self.language == "de" else "en-US")


ENGLISH = Words(
    language="en",
    viewport={"width": 1280, "height": 900},
    plan_fee="$99.00 per month",
    now="The change takes effect now.",
    plan_now="Your plan is now Pro.",
    canceled="Your subscription is canceled.",
    undone="Your cancellation is undone.",
    card_added="Card ending in 4242 added.",
    paid="was paid with Visa ···· 4242",
)
GERMAN = Words(
    language="de",
    viewport={"width": 375, "height": 800},
    plan_fee="99,00\xa0€ pro Monat",
    now="Die Änderung gilt sofort.",
    plan_now="Ihr Tarif ist jetzt Pro.",
    canceled="Ihr Abonnement ist gekündigt.",
    undone="Ihre Kündigung ist zurückgenommen.",
    card_added="4242",
    paid="4242",
)


@dataclass
class Arrival:
    customer: Customer
    sub: Subscription
    basic: Plan
    pro: Plan
    overdue: Invoice
    url: str  # the portal session link the API answered


def a_customer_arrives(api: Any, words: Words) -> Arrival:
    """The customer's state before the journey, and the link its integrator asks for."""
    currency = "EUR" if words.language == "de" else "USD"
    suffix = words.language
    basic = priced_plan(f"basic_{suffix}", "49.00", currency=currency, name="Basic")
    pro = priced_plan(f"pro_{suffix}", "99.00", currency=currency, name="Pro")
    now = timezone.now()
    configuration = PortalConfiguration.objects.filter(is_default=True).first()
    if configuration is None:
        configuration = PortalConfiguration.objects.create(
            name="Default", is_default=True, created_at=now, updated_at=now
        )
    for position, plan in enumerate((basic, pro)):
        PortalConfigurationPlan.objects.create(
            configuration=configuration, plan=plan, position=position + 10 * len(suffix)
        )
    customer = CustomerFactory(
        external_id=f"journey-{suffix}",
        name="Müller GmbH" if words.language == "de" else "Initech Inc.",
        currency=currency,
        locale="de-DE" if words.language == "de" else "en-US",
        timezone="Europe/Berlin" if words.language == "de" else "UTC",
        payment_terms_days=14,
        auto_collection=False,
    )
    sub = services.subscription_create(
        customer_id=customer.pk, plan_id=basic.pk, actor=TEST_ACTOR, as_of=now,
        start_at=now - timedelta(days=10),
    )  # fmt: skip
    subscriptions_bill(subscription_ids=[sub.pk], as_of=now, actor=TEST_ACTOR)  # up to now
    issued = now - timedelta(days=17)
    draft = invoice_draft_create(customer_id=customer.pk, as_of=issued, actor=TEST_ACTOR)
    invoice_line_add(invoice_id=draft.pk, description="Onboarding", amount=D("120.00"),
                     quantity=D(1), as_of=issued, actor=TEST_ACTOR)  # fmt: skip
    overdue = invoice_finalize(invoice_id=draft.pk, as_of=issued, actor=TEST_ACTOR)
    overdue = invoice_render_pdf(invoice_id=overdue.pk, as_of=issued)
    assert overdue.due_at < now
    response = api.post(
        "/api/v1/portal-sessions/",
        {"customer": customer.external_id, "return_url": "https://app.example.com/account"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    sub.refresh_from_db()
    return Arrival(customer, sub, basic, pro, overdue, response.json()["url"])


def by_hand(fee: Decimal, period: tuple[datetime, datetime], at: datetime) -> Decimal:
    """fee x (seconds left of the period at `at`) / (seconds of the period), rounded once to
    the cent, half away from zero (README: proration by the second)."""
    start, end = period
    left = int((end - at).total_seconds())
    whole = int((end - start).total_seconds())
    return (fee * left / whole).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def journey(page: Any, base: str, who: Arrival, words: Words, shots: list[str]) -> dict[str, Any]:
    """The pages, as the customer goes through them (no ORM in here: Playwright's loop runs on
    this thread and the live server answers on its own). Returns what the test checks after."""
    seen: dict[str, Any] = {}
    currency = who.customer.currency
    phone = words.viewport["width"] <= 375

    def shot(name: str) -> None:
        path = ROOT / ".data" / f"e2e-portal-journey-{words.language}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path.name)
        if phone:  # no horizontal scrolling on a phone-sized screen
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= words.viewport["width"], (name, width)

    # the link the API answered: into the overview, signed in
    page.goto(f"{base}{urlsplit(who.url).path}")  # the API answered for its own host
    page.wait_for_url(f"{base}/portal/")
    assert page.locator("html").get_attribute("lang") == words.language
    assert who.overdue.number in page.inner_text("#overdue")
    shot("01-overview")

    # invoices, the overdue one, its PDF
    page.click("nav a[href='/portal/invoices/']")
    page.wait_for_url(f"{base}/portal/invoices/")
    assert who.overdue.number in page.inner_text("#invoices")
    shot("02-invoices")
    page.click(f"#invoices a[href='/portal/invoices/{who.overdue.pk}/']")
    page.wait_for_url(f"{base}/portal/invoices/{who.overdue.pk}/")
    shot("03-invoice")
    with page.expect_download() as download_info:
        page.click("#download-pdf")
    download = download_info.value
    assert download.suggested_filename == f"{who.overdue.number}.pdf"
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(Path(download.path()).read_bytes())).pages
    )
    seen["pdf_text"] = text

    # change plan: the list, the preview (amounts by hand), the confirmation
    page.goto(f"{base}/portal/")
    page.click(f"a[href='/portal/subscriptions/{who.sub.pk}/plan/']")
    page.wait_for_url(f"{base}/portal/subscriptions/{who.sub.pk}/plan/")
    assert words.plan_fee in page.inner_text(f"label[for='plan-{who.pro.pk}']")
    assert page.locator(f"#plan-{who.basic.pk}").count() == 0  # the current plan
    shot("04-plan")
    page.check(f"#plan-{who.pro.pk}")
    before = timezone.now()
    page.click("#plan-preview")
    page.wait_for_selector("#plan-confirm")
    after = timezone.now()
    assert words.now in page.inner_text("#preview-when")
    period = (who.sub.current_period_start, who.sub.current_period_end)
    lines = page.inner_text("#preview-lines")
    options = set()
    for at in (before, after):  # the preview's instant is between the two
        credit, charge = -by_hand(D("49.00"), period, at), by_hand(D("99.00"), period, at)
        options.add((credit, charge))
    shown = [
        (credit, charge)
        for credit, charge in options
        if words.money(credit, currency) in lines and words.money(charge, currency) in lines
    ]
    assert shown, (lines, options)
    credit, charge = shown[0]
    assert page.inner_text("#preview-net") == words.money(credit + charge, currency)
    assert page.inner_text("#preview-due-now") == words.money(D(0), currency)
    # the next invoice: the next period's fee at Pro (99.00) and the two prorated lines
    assert page.inner_text("#preview-upcoming-total") == words.money(
        D("99.00") + credit + charge, currency
    )
    seen["previewed"] = [("credit", credit), ("charge", charge)]
    shot("05-preview")
    page.click("#plan-confirm")
    page.wait_for_url(f"{base}/portal/")
    assert words.plan_now in page.inner_text(".messages")
    shot("06-changed")

    # cancel at the period end, then undo it
    page.click(f"a[href='/portal/subscriptions/{who.sub.pk}/cancel/']")
    page.wait_for_url(f"{base}/portal/subscriptions/{who.sub.pk}/cancel/")
    shot("07-cancel")
    page.select_option("#id_reason", "switching")
    page.fill("#id_details", "Testing the portal.")
    page.click("#cancel-confirm")
    page.wait_for_selector("#uncancel")
    assert words.canceled in page.inner_text(".messages")
    shot("08-canceled")
    page.click("#uncancel")
    page.wait_for_selector("#cancel-form")
    assert words.undone in page.inner_text(".messages")
    shot("09-undone")

    # a card through the sandbox gateway's form, then pay the overdue invoice
    page.click("nav a[href='/portal/payment-methods/']")
    page.wait_for_url(f"{base}/portal/payment-methods/")
    shot("10-payment-methods")
    page.click("#add-card")
    page.wait_for_url("**/gateways/sandbox/setup/**")
    page.fill("input[name=card_number]", "4242 4242 4242 4242")
    page.fill("input[name=expiry]", "12/34")
    page.fill("input[name=cvc]", "123")
    page.fill("input[name=holder_name]", "Ada Lovelace")
    shot("11-sandbox-card-form")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/portal/payment-methods/")
    assert "4242" in page.inner_text("#payment-methods")
    assert words.card_added in page.inner_text(".messages")
    shot("12-card-added")
    page.goto(f"{base}/portal/")
    page.click(f"#overdue a[href='/portal/invoices/{who.overdue.pk}/pay/']")
    page.wait_for_url(f"{base}/portal/invoices/{who.overdue.pk}/pay/")
    assert page.inner_text("#amount-due") == words.money(D("120.00"), currency)
    shot("13-pay")
    page.click("#pay-now")
    page.wait_for_url("**/pay/status/**")
    page.wait_for_selector("#payment-state .succeeded", timeout=20000)
    assert words.paid in page.inner_text("#payment-state")
    shot("14-paid")
    page.goto(f"{base}/portal/invoices/{who.overdue.pk}/")
    assert page.inner_text("#amount-due") == words.money(D(0), currency)
    shot("15-invoice-paid")
    page.goto(f"{base}/portal/")
    assert page.locator("#overdue").count() == 0
    shot("16-overview-after")
    return seen


@pytest.mark.parametrize("words", [ENGLISH, GERMAN], ids=["en-desktop", "de-phone"])
def test_the_customer_journey(live_server: Any, settings: Any, api: Any, words: Words) -> None:
    chromium = require_chromium()
    from config.celery import app

    namespace = f"test-e2e-journey-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual"]
    settings.STRIPE_API_KEY = ""
    (ROOT / ".data").mkdir(exist_ok=True)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        who = a_customer_arrives(api, words)
        shots: list[str] = []
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport=words.viewport, locale="de-DE" if words.language == "de" else "en-US"
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on(
                "response",
                lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            seen = journey(page, live_server.url, who, words, shots)
            browser.close()
    finally:
        app.conf.task_always_eager = eager
    # no CSP violation, no failed load (a 4xx or 5xx is listed with its URL; the browser's
    # favicon request is the only one we do not answer)
    assert [e for e in errors if "favicon" not in e and "Failed to load resource" not in e] == []
    assert len(shots) == 16

    # the PDF read back: its number and total
    total = words.money(D("120.00"), who.customer.currency)
    assert who.overdue.number in seen["pdf_text"]
    assert total in seen["pdf_text"].replace(" ", "\xa0") or total in seen["pdf_text"]

    # the change wrote what the preview showed; the cancellation was undone; the invoice paid
    who.sub.refresh_from_db()
    assert who.sub.plan_id == who.pro.pk
    assert not who.sub.cancel_at_period_end
    written = list(
        ProrationLine.objects.filter(subscription=who.sub)
        .order_by("id")
        .values_list("kind", "amount_rounded")
    )
    assert written == seen["previewed"]
    who.overdue.refresh_from_db()
    assert (who.overdue.status, who.overdue.amount_due) == ("paid", D(0))
    gw = SandboxGateway(namespace=namespace)
    assert gw.charge_count() == 1
    gw.reset()
