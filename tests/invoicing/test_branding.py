# ruff: noqa: RUF001, RUF002, RUF003  (multiplication signs, as the contrast formula reads)
"""The company's brand (issue 14, item 4): its checks (colours #rrggbb, text on primary at least
4.5:1, PNG or JPEG logos only, at most 256 KB and 16 to 2000 pixels a side), its writes (the
service, the admin page, the API), and its place on documents: an invoice freezes the brand it
was issued with, so its PDF (and its credit notes') keep the logo and colours of that day."""

from __future__ import annotations

import base64
import io
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.test import Client
from pghistory.models import Events
from PIL import Image

from billing.models import JournalEvent
from core.exceptions import ValidationFailed
from invoicing import pdf
from invoicing.branding import contrast_ratio
from invoicing.models import Branding, BrandLogo, Invoice
from invoicing.selectors import branding_current
from invoicing.services import credit_note_issue, invoice_finalize
from invoicing.services.branding import branding_update
from invoicing.services.drafts import invoice_draft_create, invoice_line_add
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def image(kind: str = "PNG", size: tuple[int, int] = (120, 40), color: str = "#c0392b") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def noise(side: int) -> bytes:
    """A PNG that does not compress: side² × 3 random bytes."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def refusal(data: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        branding_update(data=data, as_of=AT, actor=TEST_ACTOR)
    return caught.value


def finalized_invoice(as_of: datetime = AT) -> Invoice:
    customer = CustomerFactory(name="Initech", currency="EUR")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=as_of, actor=TEST_ACTOR)
    invoice_line_add(
        invoice_id=draft.pk, description="Setup", amount=Decimal("120.00"),
        quantity=Decimal(1), as_of=as_of, actor=TEST_ACTOR,
    )  # fmt: skip
    return invoice_finalize(invoice_id=draft.pk, as_of=as_of, actor=TEST_ACTOR)


def pdf_of(invoice: Invoice) -> bytes:
    return pdf.render_pdf(pdf.invoice_html(Invoice.objects.get(pk=invoice.pk)))


def images_and_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    count = sum(len(page.images) for page in reader.pages)
    return count, " ".join(page.extract_text() for page in reader.pages)


# ------------------------------------------------------------------------------------ checks


def test_wcag_contrast_ratios() -> None:
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#ffffff", "#ffffff"), 2) == 1.0
    # #767676 on white is the lightest grey that passes AA (4.54:1); #777777 fails (4.48:1)
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48


def test_the_defaults_before_staff_set_anything(settings: Any) -> None:
    brand = branding_current()
    assert brand.display_name == settings.COMPANY["name"]
    assert (brand.primary_color, brand.primary_text_color, brand.accent_color) == (
        "#1f4e79", "#ffffff", "#2e75b6",
    )  # fmt: skip
    assert brand.logo_id is None


def test_colours_are_written_rrggbb_and_text_on_primary_must_be_readable() -> None:
    brand = branding_update(
        data={"primary_color": "#A01", "primary_text_color": "#FFFFFF"}, as_of=AT, actor=TEST_ACTOR
    )
    assert (brand.primary_color, brand.primary_text_color) == ("#aa0011", "#ffffff")
    low = refusal({"primary_color": "#777777", "primary_text_color": "#ffffff"})
    assert (low.field, low.code) == ("primary_text_color", "low_contrast")
    assert "4.48:1" in low.message
    assert "4.5:1" in low.message
    bad = refusal({"accent_color": "red"})
    assert (bad.field, bad.code) == ("accent_color", "invalid_color")
    assert branding_current().primary_color == "#aa0011"  # refusals changed nothing
    assert refusal({"logo_url": "x"}).field == "logo_url"  # never silently ignored


def test_logos_png_or_jpeg_only_small_and_of_sensible_size() -> None:
    svg = refusal({"logo": SVG})
    assert (svg.field, svg.code) == ("logo", "unsupported_image")
    assert "SVG" in svg.message
    gif = refusal({"logo": image("GIF")})
    assert (gif.code, gif.message) == ("unsupported_image", "The logo is a GIF image; only PNG "
                                       "and JPEG are accepted.")  # fmt: skip
    assert refusal({"logo": b"\x89PNG\r\n\x1a\n garbage"}).code == "unsupported_image"
    big = noise(320)  # 307,200 random bytes of pixels: more than 256 KB as a PNG
    assert len(big) > 256 * 1024
    assert refusal({"logo": big}).code == "too_large"
    assert refusal({"logo": image(size=(8, 8))}).code == "bad_dimensions"
    wide = refusal({"logo": image(size=(3000, 20))})
    assert (wide.code, wide.message) == (
        "bad_dimensions", "The logo is 3000×20 pixels; each side must be between 16 and 2000."
    )  # fmt: skip
    assert not BrandLogo.objects.exists()

    jpeg = image("JPEG")
    brand = branding_update(data={"logo": jpeg}, as_of=AT, actor=TEST_ACTOR)
    stored = BrandLogo.objects.get()
    assert (brand.logo_id, stored.content_type, stored.width, stored.height) == (
        stored.sha256, "image/jpeg", 120, 40,
    )  # fmt: skip
    assert bytes(stored.data) == jpeg
    png = image()
    branding_update(data={"logo": png}, as_of=AT, actor=TEST_ACTOR)
    branding_update(data={"logo": jpeg}, as_of=AT, actor=TEST_ACTOR)  # the same bytes: one row
    assert BrandLogo.objects.count() == 2
    branding_update(data={"logo": None}, as_of=AT, actor=TEST_ACTOR)
    assert branding_current().logo_id is None
    assert BrandLogo.objects.count() == 2  # kept: documents may name them


def test_every_change_has_its_history_and_journal_event() -> None:
    branding_update(data={"display_name": "  Initrode   Billing "}, as_of=AT, actor=TEST_ACTOR)
    branding_update(data={"accent_color": "#006400"}, as_of=AT, actor=TEST_ACTOR)
    brand = Branding.objects.get()
    assert brand.display_name == "Initrode Billing"
    events = list(Events.objects.tracks(brand).order_by("pgh_created_at", "pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update", "update"]
    assert events[-1].pgh_context["actor"] == TEST_ACTOR.label
    journal = list(JournalEvent.objects.filter(type="branding.updated").order_by("id"))
    assert [e.payload["changed"] for e in journal] == [["name"], ["accent_color"]]
    assert journal[-1].payload["accent_color"] == "#006400"


# --------------------------------------------------------------------------------- documents


def test_an_invoice_pdf_shows_the_logo_and_the_brand_name() -> None:
    branding_update(
        data={"display_name": "Initrode Billing", "logo": image(), "primary_color": "#7a0019"},
        as_of=AT, actor=TEST_ACTOR,
    )  # fmt: skip
    invoice = finalized_invoice()
    assert invoice.company_snapshot["brand"] == {
        "name": "Initrode Billing", "logo_sha256": branding_current().logo_id,
        "primary_color": "#7a0019", "primary_text_color": "#ffffff", "accent_color": "#2e75b6",
    }  # fmt: skip
    html = pdf.invoice_html(invoice)
    assert "color: #7a0019" in html
    count, text = images_and_text(pdf_of(invoice))
    assert count == 1
    assert "Initrode Billing" in text


def test_a_branding_change_after_finalization_leaves_the_old_pdf_as_issued() -> None:
    first_logo = image(color="#c0392b")
    branding_update(
        data={"display_name": "Old Name", "logo": first_logo}, as_of=AT, actor=TEST_ACTOR
    )
    old = finalized_invoice()
    old_html, old_pdf = pdf.invoice_html(old), pdf_of(old)
    branding_update(
        data={"display_name": "New Name", "logo": image(color="#27ae60"),
              "primary_color": "#000000"},
        as_of=AT + timedelta(days=1), actor=TEST_ACTOR,
    )  # fmt: skip
    assert pdf.invoice_html(Invoice.objects.get(pk=old.pk)) == old_html
    assert pdf_of(old) == old_pdf  # the same bytes: its logo's row is immutable
    _, text = images_and_text(old_pdf)
    assert "Old Name" in text
    assert "New Name" not in text
    new = finalized_invoice(AT + timedelta(days=1))
    _, new_text = images_and_text(pdf_of(new))
    assert "New Name" in new_text
    assert (
        new.company_snapshot["brand"]["logo_sha256"] != old.company_snapshot["brand"]["logo_sha256"]
    )


def test_a_credit_note_wears_its_invoices_brand_and_its_bytes_do_not_change() -> None:
    branding_update(
        data={"display_name": "Issued Brand", "logo": image()}, as_of=AT, actor=TEST_ACTOR
    )
    invoice = finalized_invoice()
    note = credit_note_issue(
        invoice_id=invoice.pk, as_of=AT + timedelta(days=1), actor=TEST_ACTOR, reason="Goodwill",
        lines=[(invoice.lines.get().pk, Decimal("20.00"))],
    )  # fmt: skip
    first = pdf.credit_note_pdf(note)
    branding_update(data={"display_name": "Later Brand", "logo": None}, as_of=AT, actor=TEST_ACTOR)
    again = pdf.credit_note_pdf(note)
    assert again == first
    count, text = images_and_text(first)
    assert count == 1
    assert "Issued Brand" in text


def test_an_invoice_finalized_before_brands_renders_as_it_did() -> None:
    invoice = finalized_invoice()  # issued documents never change: read as an older one was
    invoice.company_snapshot = {k: v for k, v in invoice.company_snapshot.items() if k != "brand"}
    html = pdf.invoice_html(invoice)
    assert 'class="brand"' not in html
    assert "<img" not in html


# ------------------------------------------------------------------------------ admin, API


def test_staff_set_the_brand_on_its_admin_page(staff_client: Client) -> None:
    assert staff_client.get("/admin/invoicing/branding/").url == (
        "/admin/invoicing/branding/1/change/"
    )
    page = staff_client.get("/admin/invoicing/branding/1/change/")
    assert page.status_code == 200
    assert b'type="color"' in page.content
    assert b'enctype="multipart/form-data"' in page.content
    form = {"display_name": "Initrode", "primary_color": "#777777",
            "primary_text_color": "#ffffff", "accent_color": "#2e75b6"}  # fmt: skip
    refused = staff_client.post("/admin/invoicing/branding/1/change/", form)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "4.48:1" in errors["primary_text_color"][0]
    svg = staff_client.post(
        "/admin/invoicing/branding/1/change/",
        {**form, "primary_color": "#1f4e79", "logo_file": io.BytesIO(SVG)},
    )
    assert "SVG" in svg.context["adminform"].form.errors["logo_file"][0]
    logo = io.BytesIO(image())
    logo.name = "logo.png"
    saved = staff_client.post(
        "/admin/invoicing/branding/1/change/",
        {**form, "primary_color": "#1f4e79", "logo_file": logo},
    )
    assert saved.status_code == 302
    brand = branding_current()
    assert (brand.display_name, brand.logo.content_type) == ("Initrode", "image/png")  # type: ignore[union-attr]
    assert b"Initrode" in staff_client.get("/admin/invoicing/branding/1/history/").content


def test_the_branding_api_with_a_base64_logo(api: Any) -> None:
    got = api.get("/api/v1/branding/").json()
    assert got["uses_company_name"] is True
    assert got["logo"] is None
    # #ffffff on #1f4e79: (1 + 0.05) / (0.0712 + 0.05) (#1f4e79's luminance: 0.2126 × 0.0137 +
    # 0.7152 × 0.0762 + 0.0722 × 0.1912)
    assert got["contrast_ratio"] == "8.66"
    png = image()
    done = api.patch(
        "/api/v1/branding/",
        {"display_name": "Initrode", "accent_color": "#123456",
         "logo": "data:image/png;base64," + base64.b64encode(png).decode()},
        format="json",
    )  # fmt: skip
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["display_name"] == "Initrode"
    assert body["accent_color"] == "#123456"
    assert body["logo"]["content_type"] == "image/png"
    assert body["logo"]["width"] == 120
    low = api.patch("/api/v1/branding/", {"primary_text_color": "#2e75b6"}, format="json")
    assert low.status_code == 400
    error = low.json()["errors"][0]
    assert (error["field"], error["code"]) == ("primary_text_color", "low_contrast")
    # #2e75b6's luminance 0.2126 × 0.0273 + 0.7152 × 0.1778 + 0.0722 × 0.4679 = 0.1668:
    # (0.1668 + 0.05) / (0.0712 + 0.05) = 1.79
    assert "contrast ratio of 1.79:1" in error["message"]
    svg = api.patch("/api/v1/branding/", {"logo": base64.b64encode(SVG).decode()}, format="json")
    assert svg.json()["errors"][0]["field"] == "logo"
    garbage = api.patch("/api/v1/branding/", {"logo": "not base64!"}, format="json")
    assert garbage.json()["errors"][0]["code"] == "invalid_base64"
    unknown = api.patch("/api/v1/branding/", {"colour": "#000000"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "colour"
    removed = api.patch("/api/v1/branding/", {"logo": None}, format="json")
    assert removed.json()["logo"] is None


def test_headings_of_a_light_primary_colour_are_written_in_its_text_colour() -> None:
    """#ffcc00 carries black text (14.0:1) but is unreadable as text on white paper (1.51:1,
    below the 3:1 of large text): the PDF's headings take the text colour instead."""
    branding_update(
        data={"primary_color": "#ffcc00", "primary_text_color": "#000000"},
        as_of=AT, actor=TEST_ACTOR,
    )  # fmt: skip
    brand = pdf.document_brand(finalized_invoice().company_snapshot)
    assert brand is not None
    assert (brand["primary_color"], brand["heading_color"]) == ("#ffcc00", "#000000")
    dark = pdf.document_brand({"brand": {"name": "X", "primary_color": "#7a0019"}})
    assert dark is not None
    assert dark["heading_color"] == "#7a0019"
