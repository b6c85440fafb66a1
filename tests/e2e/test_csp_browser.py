"""The Content-Security-Policy in Chromium (issue 11, item 14): the API docs (Swagger UI) and the
admin still work under it, and the browser reports no violation on any of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from billing.services import customer_create
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# every violation reaches the page as an event; Chromium also logs it to the console
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_docs_and_admin_work_under_the_csp_without_a_violation(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-11")
    acme = customer_create(
        actor=TEST_ACTOR,
        as_of=timezone.now(),
        data={"external_id": "acme", "name": "Acme", "currency": "USD"},
    )
    base = live_server.url

    from playwright.sync_api import sync_playwright

    console: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.add_init_script(LISTEN)
        page.on("console", lambda msg: console.append(f"{page.url}: {msg.text}"))

        def violations() -> list[str]:
            found: list[str] = page.evaluate("window.__cspViolations || []")
            return found

        seen: dict[str, list[str]] = {}
        page.goto(f"{base}/admin/login/?next=/admin/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-11")
        page.click("input[type=submit]")
        page.wait_for_selector("text=Finance")
        seen["admin index"] = violations()

        page.goto(f"{base}/admin/billing/customer/")
        page.wait_for_selector("#result_list")
        page.click("#action-toggle")  # the admin's own JavaScript runs (select all)
        assert page.is_checked(f"input[name=_selected_action][value='{acme.pk}']")
        seen["customer list"] = violations()

        page.goto(f"{base}/admin/billing/customer/{acme.pk}/change/")
        page.wait_for_selector("#id_name")
        seen["customer form"] = violations()

        page.goto(f"{base}/admin/billing/subscription/add/")
        page.wait_for_selector("#subscription-action-form")
        page.locator("#id_customer + .select2 .select2-selection").click()  # select2 (autocomplete)
        page.fill(".select2-container--open .select2-search__field", "acm")
        page.wait_for_selector(".select2-results__option >> text=Acme")
        seen["subscription form"] = violations()

        page.goto(f"{base}/api/docs/")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
        assert "/api/v1/customers/" in page.inner_text(".swagger-ui")
        page.click("#operations-customers-customers_list .opblock-summary")  # React still runs
        page.wait_for_selector("#operations-customers-customers_list .try-out__btn")
        seen["swagger ui"] = violations()
        browser.close()

    assert {where: found for where, found in seen.items() if found} == {}
    assert [line for line in console if "Content Security Policy" in line] == []
