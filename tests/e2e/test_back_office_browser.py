"""Finance staff in the back office, in Chromium (issue 10, items 9, 10 and 12): a subscription
added with the customer and plan found by typing, its start typed in the customer's time zone,
the service's refusal shown on the form; every list of the back office fits a 1440-px screen."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from billing.models import Customer, Subscription
from billing.services import customer_balance_adjust
from catalog import services as catalog
from tests.billing.subs import customer, priced_plan, utc
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Any, base: str, next_url: str) -> None:
    page.goto(f"{base}/admin/login/?next={next_url}")
    page.fill("#id_username", "finance")
    page.fill("#id_password", "pw-for-e2e-10")
    page.click("input[type=submit]")


def _pick(page: Any, field: str, typed: str, option: str) -> None:
    """Open a searchable select, type, click the option."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.fill(".select2-container--open .select2-search__field", typed)
    page.locator(".select2-results__option", has_text=option).first.click()


def test_a_subscription_added_by_typing_in_the_customers_time_zone(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-10")
    berlin = customer("Europe/Berlin", name="Brandenburger Tor GmbH", external_id="bt-001")
    customer(name="Someone Else Inc", external_id="se-002")
    priced_plan("basic", "30")
    priced_plan("euro", "30", currency="EUR")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        _login(page, live_server.url, "/admin/billing/subscription/add/")
        page.wait_for_selector("#subscription-action-form")
        assert "Start (customer's time zone)" in page.inner_text("#subscription-action-form")

        _pick(page, "customer", "brandenb", "Brandenburger Tor")
        _pick(page, "plan", "euro", "euro")
        page.fill("#id_start_at_0", "2030-06-03")
        page.fill("#id_start_at_1", "09:00:00")
        page.click("#confirm")
        page.wait_for_selector(".errorlist")  # the service refuses: shown on the form
        assert "priced in EUR" in page.inner_text("#subscription-action-form")
        page.screenshot(path=str(ROOT / ".data" / "e2e-subscription-refused.png"), full_page=True)

        _pick(page, "plan", "basic", "basic")
        page.click("#confirm")
        page.wait_for_selector("#subscription-periods")
        browser.close()
    sub = Subscription.objects.get()
    assert sub.customer_id == berlin.pk
    assert sub.start_at == utc(2030, 6, 3, 7, 0)  # 09:00 in Berlin, summer time


def _changelists() -> list[str]:
    urls = []
    for model in admin.site._registry:
        try:
            urls.append(
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            )
        except NoReverseMatch:
            continue
    return sorted(urls)


def test_every_list_fits_a_1440_px_screen(live_server: Any, django_user_model: Any) -> None:
    """With rows in them (a customer with a long name, invoices, usage, a price book...), no
    list of the back office needs a horizontal scroll bar at 1440 px."""
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-10")
    catalog.tax_rate_create(
        actor=TEST_ACTOR, as_of=JAN,
        data={"code": "de", "name": "VAT", "percentage": Decimal(19), "country": "DE"},
    )  # fmt: skip
    first = workload_customer(1, workload_plan())
    Customer.objects.filter(pk=first.pk).update(
        name="Internationale Handelsgesellschaft für Datenverarbeitung mbH & Co. KG",
        email="accounts-payable.department@internationale-handelsgesellschaft.example.com",
        country="DE",
    )
    customer_balance_adjust(customer_id=first.pk, amount=Decimal(20), actor=TEST_ACTOR, as_of=JAN,
                            reason="a welcome credit for a long-standing partner")  # fmt: skip
    run_tick(FEB + timedelta(minutes=5))

    from playwright.sync_api import sync_playwright

    too_wide = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        _login(page, live_server.url, "/admin/")
        page.wait_for_selector("#content")
        for url in _changelists():
            page.goto(f"{live_server.url}{url}")
            page.wait_for_selector("#content")
            # the page, and the results table inside its own scrolling box
            width = page.evaluate(
                "Math.max(document.documentElement.scrollWidth, ...Array.from("
                "document.querySelectorAll('#changelist .results'),"
                " e => 1440 + e.scrollWidth - e.clientWidth))"
            )
            if width > 1440:
                too_wide[url] = width
                page.screenshot(
                    path=str(
                        ROOT / ".data" / f"e2e-too-wide-{url.strip('/').replace('/', '-')}.png"
                    )
                )
        for name in ("customerbalancetransaction", "usageevent", "subscription"):
            page.goto(f"{live_server.url}/admin/billing/{name}/")
            page.screenshot(path=str(ROOT / ".data" / f"e2e-list-1440-{name}.png"))
        browser.close()
    assert too_wide == {}


def test_catalog_edits_go_through_the_service_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    """Issue 10, item 9: an edit is saved by the update service (its history names who and
    why), and what the service refuses is shown on its field, the rest of the form kept."""
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-10")
    from tests.catalog.factories import feature

    seats = feature("seats", "limit")
    pro = priced_plan("pro", "30", features=[{"feature": seats, "limit": Decimal(5)}])
    assert pro.versions.count() == 1
    change = f"/admin/catalog/feature/{seats.pk}/change/"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        _login(page, live_server.url, change)
        page.wait_for_selector("#id_name")
        page.fill("#id_name", "Seats (named users)")
        page.select_option("#id_kind", "boolean")
        page.click("input[name=_continue]")
        page.wait_for_selector(".errorlist")
        errors = page.inner_text(".errorlist")
        assert "a price book grants this feature" in errors
        assert page.input_value("#id_name") == "Seats (named users)"  # kept, not lost
        page.screenshot(path=str(ROOT / ".data" / "e2e-catalog-refusal.png"), full_page=True)

        page.select_option("#id_kind", "limit")
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
        page.goto(f"{live_server.url}/admin/catalog/feature/{seats.pk}/history/")
        history = page.inner_text("#content")
        page.screenshot(path=str(ROOT / ".data" / "e2e-catalog-history.png"), full_page=True)
        browser.close()
    assert "finance" in history
    assert "Seats (named users)" in history
