"""The portal's reading pages in Chromium, in English and in German: a customer arrives through
a portal session link and reads its overview, invoices, one invoice (and downloads its PDF, read
back with pypdf), usage and billing details. On every page: nothing wider than a 375-px phone
screen, Tab reaches every link and control with a visible focus ring, every input has a label.
Full-page screenshots: .data/e2e-portal-<page>-<lang>.png (and the English overview as
.data/e2e-portal-overview.png for the README).

The customer is tests/portal/test_pages.py's w1 (locale de-DE here) on Feb 20, 2026: January's
invoice 58.20 USD (33.20 still due, overdue), the upcoming invoice 53.00, credit 10.00."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
import time_machine

from portal.services import portal_session_create
from portal.services.access import link_path
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.portal.test_pages import NOW, billed_customer, default_configuration

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"
)

EXPECTED = {
    "en": {
        "overview": ["Overview", "Upcoming invoice", "$43.00", "$33.20", "12 days overdue"],
        "invoices": ["Invoices", "INV-2026-000001", "$58.20", "Overdue"],
        "invoice": ["Invoice INV-2026-000001", "14,595", "$9.19", "Credit notes"],
        "usage": ["Usage", "12,000", "14,595", "per billing period"],
        "details": ["Billing details", "Tax ID", "History"],
    },
    "de": {
        "overview": ["Übersicht", "Nächste Rechnung", "43,00 $", "33,20 $", "12 Tagen überfällig"],
        "invoices": ["Rechnungen", "INV-2026-000001", "58,20 $", "Überfällig"],
        "invoice": ["Rechnung INV-2026-000001", "14.595", "9,19 $", "Gutschriften"],
        "usage": ["Nutzung", "12.000", "14.595", "je Abrechnungszeitraum"],
        "details": ["Rechnungsdaten", "USt-IdNr.", "Verlauf"],
    },
}


def shot(page: Any, name: str) -> None:
    (ROOT / ".data").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / ".data" / f"e2e-portal-{name}.png"), full_page=True)


def unlabeled(page: Any) -> list[str]:
    """Form controls without a label (their <label>, aria-label or aria-labelledby)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.outerHTML)"""
    )
    return found


def tab_through(page: Any) -> tuple[int, list[str]]:
    """Press Tab through the page: how many focusable elements it has, and the ones Tab did
    not reach or that showed no focus ring when reached."""
    count: int = page.evaluate(
        f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
            .filter(el => el.getClientRects().length).length"""
    )
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate(
        """() => { window.__reached = new Set(); window.__bad = [];
            document.addEventListener('focusin', e => {
              const el = e.target, s = getComputedStyle(el);
              window.__reached.add(el);
              const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
              if (!ring) window.__bad.push('no focus ring: ' + el.outerHTML.slice(0, 120));
            }); }"""
    )
    for _ in range(count + 2):
        page.keyboard.press("Tab")
    problems: list[str] = page.evaluate(
        f"""() => [...window.__bad, ...[...document.querySelectorAll("{FOCUSABLE}")]
            .filter(el => el.getClientRects().length && !window.__reached.has(el))
            .map(el => 'not reached: ' + el.outerHTML.slice(0, 120))]"""
    )
    return count, problems


def check_page(page: Any, url: str, name: str, lang: str) -> None:
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        body = page.inner_text("body").replace("\u00a0", " ").replace("\u202f", " ")
        for words in EXPECTED[lang][name]:
            assert words in body, (name, lang, words)
        assert page.evaluate("() => document.documentElement.lang") == lang
        if width == 375:
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll <= 375, (name, lang, scroll)
            shot(page, f"{name}-{lang}-phone")
        else:
            shot(page, f"{name}-{lang}")
            assert not unlabeled(page), (name, lang, unlabeled(page))
            count, problems = tab_through(page)
            assert count >= 8, (name, count)  # skip link, nav, language, sign out at least
            assert not problems, (name, lang, problems)


def test_every_reading_page_in_english_and_german_on_a_phone_and_by_keyboard(
    live_server: Any, settings: Any, tmp_path: Any
) -> None:
    chromium = require_chromium()
    settings.MEDIA_ROOT = tmp_path
    # Django's clock is Feb 20, 2026, Chromium's is today's: the session cookie lives as long
    # as the browser (an expiry date in 2026's February would be in Chromium's past)
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    default_configuration()
    customer, invoice = billed_customer(locale="de-DE")
    base = live_server.url
    with time_machine.travel(NOW, tick=True):
        _, english = portal_session_create(
            customer_id=customer.pk, locale="en", as_of=NOW, actor=TEST_ACTOR
        )
        _, german = portal_session_create(customer_id=customer.pk, as_of=NOW, actor=TEST_ACTOR)
        _, switching = portal_session_create(
            customer_id=customer.pk, locale="en", as_of=NOW, actor=TEST_ACTOR
        )
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for lang, token in (("en", english), ("de", german)):
                context = browser.new_context(accept_downloads=True)
                page = context.new_page()
                page.goto(base + link_path(token))
                page.wait_for_selector("#customer-name")
                pages = {
                    "overview": "/portal/",
                    "invoices": "/portal/invoices/",
                    "invoice": f"/portal/invoices/{invoice.pk}/",
                    "usage": "/portal/usage/",
                    "details": "/portal/billing-details/",
                }
                for name, path in pages.items():
                    check_page(page, base + path, name, lang)
                if lang == "en":
                    page.set_viewport_size({"width": 1280, "height": 900})
                    page.goto(base + "/portal/")
                    shot(page, "overview")
                # the stored PDF, downloaded from the invoice's page
                page.goto(base + f"/portal/invoices/{invoice.pk}/")
                with page.expect_download() as download:
                    page.click("#download-pdf")
                assert download.value.suggested_filename == "INV-2026-000001.pdf"
                data = Path(download.value.path()).read_bytes()
                words = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
                assert "INV-2026-000001" in words
                assert "58" in words
                context.close()
            # the language switch: English to German for this session, back on the same page
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + link_path(switching))
            page.goto(base + "/portal/usage/")
            assert page.inner_text("h1") == "Usage"
            page.click("button[name=language][value=de]")
            page.wait_for_url(base + "/portal/usage/")
            assert page.inner_text("h1") == "Nutzung"
            assert page.get_attribute("button[value=de]", "aria-pressed") == "true"
            context.close()
            browser.close()
