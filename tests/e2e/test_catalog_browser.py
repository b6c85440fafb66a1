"""Finance staff build a price book on one screen in a real browser, publish it and preview a
price: Chromium driven by Playwright against the live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.models import Charge, PlanVersion
from tests.catalog.factories import feature, metric, plan
from tests.conftest import CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_build_publish_and_preview_a_price_book_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    pro, calls, seats = plan(), metric(), feature()
    base = live_server.url

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/admin/login/?next=/admin/catalog/planversion/add/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#planversion_form")

        page.select_option("#id_plan", str(pro.pk))
        page.fill("#id_effective_from_0", "2024-01-01")
        page.fill("#id_effective_from_1", "00:00:00")
        page.fill("#id_fixed_fee", "49")
        page.select_option("#id_fee_timing", "arrears")
        page.click("#charges-group .add-row a")
        page.select_option("#id_charges-0-metric", str(calls.pk))
        page.select_option("#id_charges-0-pricing_model", "graduated")
        page.fill("#id_charges-0-tiers-0-to", "1000")  # the tiers as table rows
        page.fill("#id_charges-0-tiers-0-unit_price", "0.10")
        page.click("#charges-0 .tiers-add")
        page.fill("#id_charges-0-tiers-1-unit_price", "0.08")
        page.click("#features-group .add-row a")
        page.select_option("#id_features-0-feature", str(seats.pk))
        page.fill("#id_features-0-limit", "5")
        page.click("input[name=_continue]")
        page.wait_for_selector("#publish-version")
        page.screenshot(path=str(ROOT / ".data" / "e2e-price-book.png"), full_page=True)

        page.click("#publish-version")
        page.wait_for_selector("#publish-effects")  # it says what publishing does, then asks
        page.screenshot(path=str(ROOT / ".data" / "e2e-publish-confirm.png"), full_page=True)
        page.click("#confirm-publish")
        page.wait_for_selector("text=is published")
        page.click("#price-preview")
        page.wait_for_selector("#preview-form")
        page.select_option("#id_charge", index=1)
        page.fill("#id_quantity", "1234")
        page.click("#rate")
        page.wait_for_selector("#preview-result")
        amount = page.inner_text("#preview-amount")
        explanation = page.inner_text("#preview-explanation")
        page.screenshot(path=str(ROOT / ".data" / "e2e-price-preview.png"), full_page=True)
        browser.close()

    assert amount == "118.72"
    assert "1000 x 0.1 + 234 x 0.08 = 118.72" in explanation
    version = PlanVersion.objects.get()
    assert version.status == "published"
    assert Charge.objects.get().params["tiers"][0]["unit_price"] == "0.10"
    assert version.features.get().limit == 5
