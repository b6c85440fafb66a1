# ruff: noqa: RUF001  (the pages' typography: en dashes of periods, minus signs of credits)
"""The portal's reading pages (issue 14, items 2 and 3): overview, invoices, usage and billing
details, in the customer's words, locale and currency, scoped to the session's customer.

The customer w1 is billed January on the "Pro" plan ($49.00 a month in arrears; API calls
graduated: the first 10,000 free, then $0.002 each; storage $0.10 per GB), payment terms 7 days:
  INV-2026-000001 (finalized Feb 1, 00:05 UTC, due Feb 8, 00:05):
    Pro plan 49.00 + API calls 14,595 -> 4,595 x 0.002 = 9.19 + storage 0.1 GB x 0.10 = 0.01
    = 58.20 (no tax)
  Feb 3: a credit note of 5.00 on the API calls line          -> amount due 53.20
  Feb 4: a bank transfer of 20.00 applied to it               -> amount due 33.20, partly paid
  Feb 5: a bank transfer of 15.00 not applied                 -> cash on account 15.00
  Feb 6: a credit of 10.00 granted                            -> credit balance 10.00
  February's usage: 12 x 1,000 API calls, no storage.
On Feb 20, 12:00 UTC:
  overdue: INV-2026-000001, 33.20, 12 days (due Feb 8)
  upcoming invoice on Mar 1: Pro plan 49.00 + API calls 12,000 -> 2,000 x 0.002 = 4.00
    + storage 0 = 0.00 = 53.00; credit applied 10.00; amount due 43.00
  usage: API calls Feb 12,000 (current), Jan 14,595; storage Feb 0, Jan 0.1"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pypdf
import pytest
import time_machine
from django.test import Client

from billing.models import Customer
from billing.services import customer_balance_adjust, usage_ingest
from invoicing.models import Invoice
from invoicing.services import credit_note_issue, invoice_render_pdf
from payments.services.cash import AllocationRequest, payment_record
from portal.models import PortalConfiguration, PortalSession
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, JAN, run_tick, workload_customer, workload_plan
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db
D = Decimal
NOW = datetime(2026, 2, 20, 12, tzinfo=UTC)


def text(response: Any) -> str:
    """The words of a page as a reader sees them (tags out, spaces folded)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.DOTALL)
    words = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", words.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def billed_customer(**changes: Any) -> tuple[Customer, Invoice]:
    """w1 billed January (see the module's note), February's usage so far, on Feb 20;
    `changes` to the customer before it is billed (e.g. its locale)."""
    plan = workload_plan()
    customer = workload_customer(1, plan)
    Customer.objects.filter(pk=customer.pk).update(payment_terms_days=7, name="Initech", **changes)
    run_tick(FEB + timedelta(minutes=5))
    invoice = Invoice.objects.get(customer=customer)
    assert (invoice.number, invoice.total, invoice.status) == (
        "INV-2026-000001",
        D("58.20"),
        "open",
    )
    invoice_render_pdf(invoice_id=invoice.pk, as_of=FEB + timedelta(minutes=6))
    calls = invoice.lines.get(metric_code="api_calls")
    credit_note_issue(
        invoice_id=invoice.pk,
        lines=[(calls.pk, D("5.00"))],
        reason="Goodwill",
        as_of=FEB + timedelta(days=2),
        actor=TEST_ACTOR,
    )
    for day, amount, allocations in (
        (3, "20.00", [AllocationRequest(invoice.pk)]),
        (4, "15.00", []),
    ):
        payment_record(
            customer_id=customer.pk,
            amount=D(amount),
            currency="USD",
            received_at=FEB + timedelta(days=day),
            reference=f"bank-{day}",
            actor=TEST_ACTOR,
            as_of=FEB + timedelta(days=day),
            allocations=[AllocationRequest(invoice.pk, D(amount))] if allocations else [],
        )
    customer_balance_adjust(
        customer_id=customer.pk, amount=D("10.00"), actor=TEST_ACTOR,
        as_of=FEB + timedelta(days=5), reason="welcome credit",
    )  # fmt: skip
    events = [
        {"event_id": f"feb-{n}", "customer": "w1", "metric": "api_calls",
         "event_time": (FEB + timedelta(days=1 + n)).isoformat(), "properties": {"calls": 1000}}
        for n in range(12)
    ]  # fmt: skip
    assert usage_ingest(events=events, actor=TEST_ACTOR, as_of=NOW).count("accepted") == 12
    invoice.refresh_from_db()
    assert (invoice.amount_due, invoice.status) == (D("33.20"), "partially_paid")
    customer.refresh_from_db()
    return customer, invoice


def default_configuration() -> PortalConfiguration:
    """The default configuration, everything allowed (its data migration writes it; a
    transactional test's flush may have removed it)."""
    found, _ = PortalConfiguration.objects.update_or_create(
        is_default=True,
        defaults={"name": "Default", "allow_plan_change": True, "allow_cancel": True,
                  "allow_payment_method_update": True, "allow_billing_details_update": True,
                  "created_at": JAN, "updated_at": JAN},
    )  # fmt: skip
    return found


@pytest.fixture
def configuration() -> PortalConfiguration:
    return default_configuration()


def test_the_overview_shows_plan_upcoming_invoice_balances_and_what_is_overdue(
    settings: Any, tmp_path: Any, configuration: PortalConfiguration,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    customer, _invoice = billed_customer()
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), customer)
        # session 2, configuration 2, overdue 1, subscriptions 1, the upcoming invoice (the
        # planner's reads) 17, line names 2, wallet 4, cash on account 2, the brand 1
        with django_assert_max_num_queries(32):
            response = client.get("/portal/")
    assert response.status_code == 200
    page = text(response)
    assert "Pro plan Status Active Current period Feb 1 – 28, 2026" in page
    assert "Next billing date Mar 1, 2026" in page
    # what is overdue, with its amount and days
    assert "1 invoice is overdue: $33.20 to pay." in page
    assert (
        "INV-2026-000001 : $33.20 due on Feb 8, 2026, 12 days overdue"
    )  # tags become spaces in page
    # the upcoming invoice's lines as the PDF words them, its totals
    assert "Your next invoice is issued on Mar 1, 2026." in page
    assert (
        "Pro plan Subscription fee for the whole period, billed at the end of the period "
        "Feb 1 – 28, 2026 1 seat $49.00 $0.00 $49.00"
    ) in page
    assert (  # the metric's name is its unit ("Api Calls": tests.catalog's metric())
        "Api Calls 12,000 Api Calls: first 10,000 at $0.00 each, next 2,000 at $0.002 each "
        "Feb 1 – 28, 2026 12,000 Api Calls — $0.00 $4.00"
    ) in page
    assert (
        "Storage Gb No usage in this period Feb 1 – 28, 2026 0 Storage Gb $0.10 $0.00 $0.00"
    ) in page
    assert (
        "Subtotal $53.00 Tax $0.00 Total $53.00 Credit applied −$10.00 Amount due $43.00"
    ) in page
    # balance and credits
    assert "Credit balance $10.00" in page
    assert "Payments not yet applied $15.00" in page
    # the plan part's links appear once its URLs exist; none is broken meanwhile
    assert "/portal/subscriptions/" not in page or "Change plan" in page


def test_the_overview_in_german_after_the_language_switch(
    settings: Any, tmp_path: Any, configuration: PortalConfiguration
) -> None:
    settings.MEDIA_ROOT = tmp_path
    customer, _invoice = billed_customer()
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), customer)
        response = client.post("/portal/language/", {"language": "de", "next": "/portal/usage/"})
        assert response.status_code == 302
        assert response["Location"] == "/portal/usage/"
        assert PortalSession.objects.get(customer=customer).locale == "de"
        response = client.get("/portal/")
    assert response["Content-Language"] == "de"
    page = text(response)
    assert "Übersicht" in page
    assert "Tarif Pro Status Aktiv" in page
    assert "Nächster Abrechnungstermin 01.03.2026" in page
    assert "1 Rechnung ist überfällig: 33,20 $ zu zahlen." in page
    assert "Gesamtbetrag 53,00 $ Verrechnetes Guthaben −10,00 $ Zu zahlender Betrag 43,00 $" in page
    # a language that the portal does not speak is refused, never ignored: back to the page
    # with the reason in the page's language
    with time_machine.travel(NOW, tick=False):
        refused = client.post("/portal/language/", {"language": "fr", "next": "/portal/"})
        assert refused.status_code == 302
        assert "Diese Sprache ist nicht verfügbar." in text(client.get(refused["Location"]))


def test_the_invoice_list_detail_and_pdfs(
    settings: Any, tmp_path: Any, django_assert_max_num_queries: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    customer, invoice = billed_customer()
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), customer)
        with django_assert_max_num_queries(12):
            listing = client.get("/portal/invoices/")
        with django_assert_max_num_queries(16):
            detail = client.get(f"/portal/invoices/{invoice.pk}/")
        download = client.get(f"/portal/invoices/{invoice.pk}/pdf/")
        note = invoice.credit_notes.get()
        note_pdf = client.get(f"/portal/credit-notes/{note.pk}/pdf/")
    page = text(listing)
    assert "INV-2026-000001 Feb 1, 2026 Overdue Feb 8, 2026 $58.20 $33.20 PDF" in page
    page = text(detail)
    assert "Status Overdue Issued Feb 1, 2026 Due date Feb 8, 2026 Amount due $33.20" in page
    assert (
        "Api Calls 14,595 Api Calls: first 10,000 at $0.00 each, next 4,595 at $0.002 each "
        "Jan 1 – 31, 2026 14,595 Api Calls — $0.00 $9.19"
    ) in page
    assert "Storage Gb 0.1 Storage Gb at $0.10 each Jan 1 – 31, 2026 0.1 Storage Gb $0.10" in page
    assert (
        "Subtotal $58.20 Tax $0.00 Total $58.20 Credit notes −$5.00 Payments −$20.00 "
        "Amount due $33.20"
    ) in page
    assert "CN-2026-000001 Feb 3, 2026 Goodwill $5.00 PDF of CN-2026-000001" in page
    assert page.endswith("Date Paid with Amount Feb 4, 2026 — $20.00")
    # the stored PDF, as an attachment
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="INV-2026-000001.pdf"'
    data = b"".join(download.streaming_content)
    assert "58.20" in " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert note_pdf.status_code == 200
    assert note_pdf["Content-Disposition"] == f'attachment; filename="{note.number}.pdf"'
    words = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(note_pdf.content)).pages)
    assert "5.00" in words
    assert "Goodwill" in words


def test_drafts_and_other_customers_documents_are_not_found(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    customer, invoice = billed_customer()
    other = Customer.objects.create(
        external_id="other", name="Other", currency="USD", created_at=JAN, updated_at=JAN
    )
    draft = Invoice.objects.create(
        customer=customer, currency="USD", status="draft", billing_date=NOW, grace_until=NOW,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    note = invoice.credit_notes.get()
    with time_machine.travel(NOW, tick=False):
        mine = signed_in(Client(), customer)
        theirs = signed_in(Client(), other)
        for url in (f"/portal/invoices/{invoice.pk}/", f"/portal/invoices/{invoice.pk}/pdf/",
                    f"/portal/credit-notes/{note.pk}/pdf/"):  # fmt: skip
            assert theirs.get(url).status_code == 404, url
        for url in (f"/portal/invoices/{draft.pk}/", f"/portal/invoices/{draft.pk}/pdf/"):
            assert mine.get(url).status_code == 404, url
        assert "INV-2026-000001" not in text(theirs.get("/portal/invoices/"))
        listed = mine.get("/portal/invoices/").content.decode()
        assert str(draft.pk) not in re.findall(r"/portal/invoices/(\d+)/", listed)


def test_an_invoice_whose_pdf_is_not_stored_yet_says_so(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    customer, invoice = billed_customer()
    Invoice.objects.filter(pk=invoice.pk).update(pdf="", pdf_sha256="")
    with time_machine.travel(NOW, tick=False):
        response = signed_in(Client(), customer).get(f"/portal/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 409
    assert response["Retry-After"] == "5"
    assert "being prepared" in text(response)


def test_usage_per_period_with_a_chart_in_a_bounded_number_of_queries(
    settings: Any, tmp_path: Any, django_assert_num_queries: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    customer, _invoice = billed_customer()
    with time_machine.travel(NOW, tick=False):
        client = signed_in(Client(), customer)
        client.get("/portal/usage/")  # warm: the first request loads the catalogs
        # session (2: Django's, the portal's), configuration (2: the customer's, the default),
        # subscriptions, charges, the metrics, one aggregate per metric for all 13 periods (2),
        # the brand (the header's company name)
        with django_assert_num_queries(10):
            response = client.get("/portal/usage/")
    body = response.content.decode()
    assert "<script" not in body
    assert body.count("<svg") == 2
    assert "Api Calls per billing period" in body
    page = text(response)
    assert "12,000 in the current period (Feb 1 – 28, 2026), on your Pro plan." in page
    assert "Feb 1 – 28, 2026 current 12,000 Jan 1 – 31, 2026 14,595" in page
    assert "Feb 1 – 28, 2026 current 0 Jan 1 – 31, 2026 0.1" in page


def test_billing_details_change_through_the_customer_service_with_history(
    configuration: PortalConfiguration,
) -> None:
    customer = Customer.objects.create(
        external_id="acme", name="Acme", currency="EUR", locale="de-DE", country="DE",
        created_at=JAN, updated_at=JAN,
    )  # fmt: skip
    client = signed_in(Client(), customer)
    form = {"name": "Acme GmbH", "email": "rechnung@acme.example", "address_line1": "Hauptstr. 1",
            "address_line2": "", "city": "Berlin", "postal_code": "10115", "state": "",
            "country": "DE", "tax_id": "DE123456789"}  # fmt: skip
    response = client.post("/portal/billing-details/", form)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.city, customer.tax_id) == ("Acme GmbH", "Berlin", "DE123456789")
    page = text(client.get("/portal/billing-details/"))
    assert "Ihre Rechnungsdaten wurden gespeichert." in page
    assert "geändert von Ihnen" in page
    assert "Name: Acme → Acme GmbH" in page
    assert "Land" in page
    assert "Deutschland" in page
    # a bad e-mail and an unknown country: errors next to their fields, nothing written
    response = client.post("/portal/billing-details/", {**form, "email": "no", "country": "XX"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_email-error"' in body
    assert 'aria-describedby="id_email-error"' in body
    assert 'id="id_country-error"' in body
    customer.refresh_from_db()
    assert customer.email == "rechnung@acme.example"
    # staff's change shows as theirs; internal fields never show
    from billing.services import customer_update
    from core.audit import Actor

    customer_update(
        customer_id=customer.pk, changes={"city": "Hamburg", "payment_terms_days": 14},
        actor=Actor(kind="user", id="1", label="finance"), as_of=FEB,
    )  # fmt: skip
    page = text(client.get("/portal/billing-details/"))
    assert "geändert von unseren Mitarbeitenden" in page
    assert "Ort: Berlin → Hamburg" in page
    assert "payment_terms_days" not in page
    # the payment terms' change (30 -> 14 days) is not in the history (its times are the wall
    # clock's, e.g. "14:19": never look for a bare "14")
    assert "→ 14" not in page.split("Verlauf", 1)[1]


def test_billing_details_are_read_only_when_the_configuration_says_so(
    configuration: PortalConfiguration,
) -> None:
    configuration.allow_billing_details_update = False
    configuration.save()
    customer = Customer.objects.create(
        external_id="ro", name="Read Only", currency="USD", created_at=JAN, updated_at=JAN
    )
    client = signed_in(Client(), customer)
    page = client.get("/portal/billing-details/").content.decode()
    assert 'name="name"' in page
    assert "disabled" in page
    response = client.post("/portal/billing-details/", {"name": "Changed"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Read Only"


def test_every_page_answers_for_a_customer_with_nothing_yet(
    portal_client_for: Callable[[Customer], Client],
) -> None:
    customer = Customer.objects.create(
        external_id="new", name="New", currency="JPY", created_at=JAN, updated_at=JAN
    )
    client = portal_client_for(customer)
    for url in ("/portal/", "/portal/invoices/", "/portal/usage/", "/portal/billing-details/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'href="#main"' in response.content.decode()
