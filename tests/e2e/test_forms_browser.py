"""Finance staff price a charge without typing JSON, in a real browser: the metric picked by typing
into the searchable select, the tiers filled as table rows (a row added with the button starts
where the previous one ends), an error shown on its cell, saved and reopened with the same rows.
Chromium driven by Playwright against the live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import Charge
from tests.catalog.factories import metric, plan, utc
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_tiers_are_edited_as_a_table_in_chromium(live_server: Any, django_user_model: Any) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    calls = metric("api_calls")
    metric("storage_gb")
    draft = services.plan_version_create(
        plan_id=plan().pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1), "note": "launch prices"},
    )  # fmt: skip
    change = f"/admin/catalog/planversion/{draft.pk}/change/"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/admin/login/?next={change}")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#charges-group")

        page.click("#charges-group .add-row a")
        charge = page.locator("#charges-0")
        # the metric: type to filter the searchable select, Enter picks the one match
        charge.locator(".field-metric .select2-selection").click()
        page.fill(".select2-container--open .select2-search__field", "api")
        assert page.locator(".select2-results__option").all_inner_texts() == [
            "Api Calls (api_calls)"
        ]
        page.keyboard.press("Enter")
        assert page.input_value("#id_charges-0-metric") == str(calls.pk)

        # only the selected model's inputs show
        page.select_option("#id_charges-0-pricing_model", "per_unit")
        assert page.is_visible("#id_charges-0-unit_price")
        assert not page.is_visible("#id_charges-0-tiers-0-to")
        page.select_option("#id_charges-0-pricing_model", "graduated")
        assert page.is_visible("#id_charges-0-tiers-0-to")
        assert not page.is_visible("#id_charges-0-unit_price")
        assert not page.is_visible("#id_charges-0-package_size")

        rows = charge.locator("tr.tier-row")
        assert rows.count() == 1  # the spare rows are for use without JavaScript
        page.fill("#id_charges-0-tiers-0-to", "1000")
        page.fill("#id_charges-0-tiers-0-unit_price", "0.10")
        charge.locator(".tiers-add").click()
        assert page.input_value("#id_charges-0-tiers-1-from") == "1000"  # where tier 1 ends
        page.fill("#id_charges-0-tiers-1-to", "5000")
        page.fill("#id_charges-0-tiers-1-unit_price", "0.08")
        charge.locator(".tiers-add").click()
        assert page.input_value("#id_charges-0-tiers-2-from") == "5000"
        page.fill("#id_charges-0-tiers-2-unit_price", "0.05")
        charge.locator(".tiers-add").click()  # one too many: removed again
        assert rows.count() == 4
        rows.nth(3).locator(".tiers-remove").click()
        assert rows.count() == 3

        # an end before its start: refused, on tier 2's "to", with everything typed kept
        page.fill("#id_charges-0-tiers-1-to", "500")
        page.keyboard.press("Tab")
        assert page.input_value("#id_charges-0-tiers-2-from") == "500"  # moved along
        with page.expect_navigation():
            page.click("input[name=_continue]")
        cell = page.locator("#id_charges-0-tiers-1-to")
        assert cell.get_attribute("aria-invalid") == "true"
        errors = page.inner_text("#charges-0 .field-tiers .errorlist")
        assert errors == "Tier 2, to: tier 2 ends at 500, not after its start 1000."
        page.screenshot(path=str(ROOT / ".data" / "e2e-tiers-table-error.png"), full_page=True)

        page.fill("#id_charges-0-tiers-1-to", "5000")
        page.keyboard.press("Tab")
        assert page.input_value("#id_charges-0-tiers-2-from") == "5000"
        with page.expect_navigation():
            page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")

        # reopened: the same rows, and no spare ones
        page.goto(f"{live_server.url}{change}")
        charge = page.locator("#charges-0")
        assert charge.locator("tr.tier-row").count() == 3
        shown = [
            [page.input_value(f"#id_charges-0-tiers-{i}-{key}") for key in ("from", "to",
                                                                            "unit_price")]
            for i in range(3)
        ]  # fmt: skip
        assert shown == [["0", "1000", "0.10"], ["1000", "5000", "0.08"], ["5000", "", "0.05"]]
        assert "Api Calls" in charge.locator(".field-metric .select2-selection").inner_text()
        page.screenshot(path=str(ROOT / ".data" / "e2e-tiers-table.png"), full_page=True)
        browser.close()

    saved = Charge.objects.get()
    assert (saved.metric_id, saved.pricing_model) == (calls.pk, "graduated")
    assert saved.params == {
        "tiers": [
            {"from": "0", "to": "1000", "unit_price": "0.10"},
            {"from": "1000", "to": "5000", "unit_price": "0.08"},
            {"from": "5000", "to": None, "unit_price": "0.05"},
        ]
    }


def test_without_javascript_every_input_is_there_and_works(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-9")
    calls = metric("api_calls")
    charges = [{"metric": calls, "pricing_model": "per_unit", "params": {"unit_price": "0.002"}}]
    draft = services.plan_version_create(
        plan_id=plan().pk, actor=TEST_ACTOR, as_of=timezone.now(),
        data={"effective_from": utc(2024, 1, 1)}, charges=charges,
    )  # fmt: skip
    change = f"/admin/catalog/planversion/{draft.pk}/change/"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server.url}/admin/login/?next={change}")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-9")
        page.click("input[type=submit]")
        page.wait_for_selector("#charges-group")
        for shown in ("unit_price", "package_size", "rate", "amount", "tiers-0-to", "tiers-1-to"):
            assert page.is_visible(f"#id_charges-0-{shown}"), shown
        assert page.input_value("#id_charges-0-unit_price") == "0.002"
        assert not page.is_visible("#charges-0 .tiers-add")  # the spare rows do its work

        page.select_option("#id_charges-0-pricing_model", "volume")
        page.fill("#id_charges-0-tiers-0-to", "100")
        page.fill("#id_charges-0-tiers-0-unit_price", "1")
        page.fill("#id_charges-0-tiers-1-unit_price", "0.5")
        page.fill("#id_charges-0-tiers-1-flat_fee", "10")
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
        assert page.input_value("#id_charges-0-tiers-1-from") == "100"
        browser.close()

    assert Charge.objects.get().params == {
        "tiers": [
            {"from": "0", "to": "100", "unit_price": "1"},
            {"from": "100", "to": None, "unit_price": "0.5", "flat_fee": "10"},
        ]
    }
