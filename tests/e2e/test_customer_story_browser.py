"""Finance staff read a customer's whole story on its page in Chromium and add a note through
its form; the page fits a 1440-px wide screen (screenshot .data/e2e-customer-story.png)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backoffice.models import CustomerNote
from tests.backoffice.test_customer_story import a_story
from tests.conftest import CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_customer_story_and_a_note_added_in_chromium(
    live_server: Any, django_user_model: Any
) -> None:
    chromium = require_chromium()
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-11")
    story = a_story()
    who = story["customer"]

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{live_server.url}/admin/login/?next=/admin/billing/customer/{who.pk}/change/")
        page.fill("#id_username", "finance")
        page.fill("#id_password", "pw-for-e2e-11")
        page.click("input[type=submit]")
        page.wait_for_selector("#customer-story")
        page.fill("#id_note_body", "Spoke to Anna: the rest of B is paid on Friday.")
        page.click("#note-save")
        page.wait_for_selector("text=Note added.")
        notes = page.inner_text("#story-notes")
        timeline = page.inner_text("#story-timelines")
        journal = page.inner_text("#story-journal")
        allocations = page.inner_text("#story-allocations")
        unapplied = page.inner_text("#customer-unapplied")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ROOT / ".data" / "e2e-customer-story.png"), full_page=True)
        browser.close()

    assert width <= 1440
    assert "Spoke to Anna: the rest of B is paid on Friday." in notes
    assert "Notes (2)" in notes
    assert CustomerNote.objects.filter(customer=who).count() == 2
    assert "plan basic@v1 → pro@v1" in timeline
    assert "paused" in timeline
    assert "customer_note.created" in journal
    assert "20.00 USD" in allocations
    assert unapplied == "30.00 USD"
