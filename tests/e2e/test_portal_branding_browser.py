"""Finance staff brand the portal in Chromium (issue 14, item 4): on the admin's Branding page
they set the company name shown, a primary colour (a colour whose white text would be unreadable
is refused first, naming the ratio) and upload a logo; a customer who opens the portal sees them
in its header, and the PDF of an invoice finalized after that shows the logo and the name.
Screenshots: .data/e2e-portal-branding-*.png."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.utils import timezone
from PIL import Image

from invoicing.models import Branding
from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add
from invoicing.services.finalize import invoice_render_pdf
from portal.services import portal_session_create
from portal.services.access import link_path
from tests.billing.factories import CustomerFactory
from tests.conftest import CHROMIUM_ARGS, TEST_ACTOR, require_chromium

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    (ROOT / ".data").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / ".data" / f"e2e-portal-branding-{name}.png"), full_page=True)


def logo_file(tmp_path: Path) -> Path:
    """A 160x48 PNG: an orange bar with a dark square, like a small wordmark."""
    image = Image.new("RGB", (160, 48), "#ff8800")
    image.paste(Image.new("RGB", (32, 32), "#222222"), (8, 8))
    path = tmp_path / "logo.png"
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_staff_brand_the_portal_and_the_next_invoice(
    live_server: Any, django_user_model: Any, settings: Any, tmp_path: Path
) -> None:
    chromium = require_chromium()
    settings.MEDIA_ROOT = tmp_path / "media"
    django_user_model.objects.create_superuser("finance", "f@example.com", "pw-for-e2e-10")
    acme = CustomerFactory(name="Acme", currency="EUR")
    logo = logo_file(tmp_path)
    _, token = portal_session_create(customer_id=acme.pk, as_of=timezone.now(), actor=TEST_ACTOR)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        admin = browser.new_page(viewport={"width": 1280, "height": 900})
        admin.goto(f"{live_server.url}/admin/login/?next=/admin/invoicing/branding/")
        admin.fill("#id_username", "finance")
        admin.fill("#id_password", "pw-for-e2e-10")
        admin.click("input[type=submit]")
        admin.wait_for_url("**/admin/invoicing/branding/1/change/")
        admin.fill("#id_display_name", "Initrode Billing")
        admin.fill("#id_primary_color", "#ffcc00")  # white text on it: 1.51:1
        admin.set_input_files("#id_logo_file", str(logo))
        admin.click("input[name=_save]")
        refusal = admin.inner_text(".field-primary_text_color .errorlist")
        assert "contrast ratio of 1.51:1" in refusal
        shot(admin, "admin-refused")
        admin.fill("#id_primary_color", "#7a0019")  # white on it: 11.40:1
        admin.set_input_files("#id_logo_file", str(logo))  # a refused form keeps no file
        admin.click("input[name=_save]")
        assert "The branding was saved" in admin.inner_text(".messagelist")
        assert admin.locator(".field-logo_shown img").count() == 1
        shot(admin, "admin-saved")

        portal = browser.new_page(viewport={"width": 375, "height": 800})
        failed: list[str] = []
        portal.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        portal.goto(f"{live_server.url}{link_path(token)}")
        portal.wait_for_selector(".brand-name")
        assert portal.inner_text(".brand-name") == "Initrode Billing"
        image = portal.locator("img.brand-logo")
        src = image.get_attribute("src")
        assert image.evaluate("img => img.complete && img.naturalWidth") == 160
        header = portal.locator(".brand").evaluate(
            "el => getComputedStyle(el.closest('header') || el.parentElement).backgroundColor"
        )
        assert header == "rgb(122, 0, 25)"  # #7a0019
        shot(portal, "portal")
        assert not [url for url in failed if "favicon" not in url]
        browser.close()

    brand = Branding.objects.get()
    assert (brand.display_name, brand.primary_color) == ("Initrode Billing", "#7a0019")
    assert brand.logo is not None
    assert brand.logo.content_type == "image/png"
    assert src == f"/portal/brand/logo/{brand.logo_id}/"

    at = timezone.now()
    draft = invoice_draft_create(customer_id=acme.pk, as_of=at, actor=TEST_ACTOR)
    invoice_line_add(invoice_id=draft.pk, description="Setup", amount=Decimal("250.00"),
                     quantity=Decimal(1), as_of=at, actor=TEST_ACTOR)  # fmt: skip
    invoice = invoice_finalize(invoice_id=draft.pk, as_of=at, actor=TEST_ACTOR)
    stored = invoice_render_pdf(invoice_id=invoice.pk, as_of=at)
    reader = pypdf.PdfReader(io.BytesIO(stored.pdf.read()))
    assert sum(len(page.images) for page in reader.pages) == 1
    assert "Initrode Billing" in reader.pages[0].extract_text()
