"""The pay pages after the portal's review: bank-transfer (manual) methods are neither offered nor
accepted, a malformed `?payment=` is a 404 (not a 500), drafts are 404, amounts follow the
session's language switch, the sandbox's card form speaks the portal session's language, and an
unknown language is refused in the page's own words."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from billing.models import Customer
from invoicing.services import invoice_draft_create, invoice_line_add
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, PaymentMethod
from payments.services import payment_method_add
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.payments.helpers import open_invoice
from tests.portal.pay_helpers import card, configuration, days_ago, sandbox

pytestmark = pytest.mark.django_db
__all__ = ["sandbox"]  # the fixture

D = Decimal


def bank_transfer(who: Customer) -> PaymentMethod:
    """A bank-transfer method on the manual gateway (staff record what arrives)."""
    data = {"gateway": "manual", "token": f"bank-ref-{uuid.uuid4().hex[:8]}",
            "kind": "bank_transfer"}  # fmt: skip
    return payment_method_add(customer_id=who.pk, actor=TEST_ACTOR, as_of=timezone.now(), data=data)


def test_bank_transfer_methods_are_neither_offered_nor_accepted(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory(payment_terms_days=30)
    transfer = bank_transfer(acme)  # the first method: the default
    invoice = open_invoice(acme, "10.00", days_ago(40))
    client = portal_client_for(acme)
    page = client.get(f"/portal/invoices/{invoice.pk}/pay/")
    assert page.status_code == 200
    assert page.context["methods"] == []
    assert f'value="{transfer.pk}"' not in page.content.decode()
    refused = client.post(
        f"/portal/invoices/{invoice.pk}/pay/", {"method": transfer.pk, "attempt": 1}
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["method"] == ["Choose one of your cards."]
    assert not Payment.objects.filter(invoice=invoice).exists()
    # with a card too: only the card is offered
    visa = card(acme, "tok_ok")
    page = client.get(f"/portal/invoices/{invoice.pk}/pay/")
    assert [c[0] for c in page.context["form"].fields["method"].choices] == [visa.pk]
    assert page.context["form"].initial["method"] == visa.pk  # the default cannot pay


def test_a_malformed_payment_id_on_the_status_page_is_404(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory(payment_terms_days=30)
    invoice = open_invoice(acme, "10.00", days_ago(40))
    client = portal_client_for(acme)
    client.raise_request_exception = False
    url = f"/portal/invoices/{invoice.pk}/pay/status/"
    # "²" and "٣" are str.isdigit() but not int()-able / not ours; a huge id overflows bigint
    for asked in ("%C2%B2", "%D9%A3", "-1", "x", "9" * 30, "1.0", "%00"):
        assert client.get(f"{url}?payment={asked}").status_code == 404, asked


def test_the_portal_has_no_other_isdigit_int_pattern() -> None:
    """`str.isdigit()` accepts "²" which `int()` refuses: parse with `isascii() and isdigit()`
    or a form field instead."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in [*sorted((root / "portal").rglob("*.py")), root / "payments" / "sandbox_setup.py"]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ".isdigit()" in line and ".isascii()" not in line:
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


def test_drafts_are_404_on_the_pay_pages(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory(payment_terms_days=30)
    card(acme, "tok_ok")
    draft = invoice_draft_create(customer_id=acme.pk, as_of=days_ago(1), actor=TEST_ACTOR)
    invoice_line_add(invoice_id=draft.pk, description="not issued yet", amount=D("5"),
                     quantity=D(1), as_of=days_ago(1), actor=TEST_ACTOR)  # fmt: skip
    client = portal_client_for(acme)
    for path in (f"/portal/invoices/{draft.pk}/", f"/portal/invoices/{draft.pk}/pay/",
                 f"/portal/invoices/{draft.pk}/pay/status/"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    method = PaymentMethod.objects.get(customer=acme)
    posted = client.post(f"/portal/invoices/{draft.pk}/pay/", {"method": method.pk, "attempt": 1})
    assert posted.status_code == 404
    assert not Payment.objects.exists()


def test_the_pay_pages_follow_the_sessions_language_switch(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory(payment_terms_days=30, locale="en-US")
    visa = card(acme, "tok_ok")
    invoice = open_invoice(acme, "1234.50", days_ago(40))
    client = portal_client_for(acme)
    assert "$1,234.50" in client.get(f"/portal/invoices/{invoice.pk}/pay/").content.decode()
    switched = client.post("/portal/language/", {"language": "de", "next": "/portal/"})
    assert switched.status_code == 302
    page = client.get(f"/portal/invoices/{invoice.pk}/pay/").content.decode()
    assert "Jetzt 1.234,50\xa0$ bezahlen" in page
    status_url = client.post(
        f"/portal/invoices/{invoice.pk}/pay/", {"method": visa.pk, "attempt": 1}
    )["Location"]
    assert "1.234,50\xa0$" in client.get(status_url).content.decode()


def test_the_sandbox_card_form_speaks_the_portal_sessions_language(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    kunde = CustomerFactory(locale="de-DE", currency="EUR", country="DE")
    client = portal_client_for(kunde)
    started = client.post("/portal/payment-methods/add/")
    assert started.status_code == 303
    form_url = started["Location"]
    assert form_url.startswith("/gateways/sandbox/setup/seti_sandbox_")
    assert form_url.endswith("?lang=de")
    form = client.get(form_url)
    html = form.content.decode()
    assert form.status_code == 200
    assert '<html lang="de">' in html
    assert "Kartennummer" in html
    assert "Karte speichern" in html
    refused = client.post(form_url, {"card_number": "4242 4242 4242 4242", "expiry": "01/20",
                                     "cvc": "123", "holder_name": "Ada"})  # fmt: skip
    assert refused.status_code == 400
    assert "Diese Karte ist abgelaufen." in refused.content.decode()
    # an English session: English; a language we do not speak: the default
    english = portal_client_for(CustomerFactory(locale="en-US"))
    form_url = english.post("/portal/payment-methods/add/")["Location"]
    assert form_url.endswith("?lang=en")
    assert "Card number" in english.get(form_url).content.decode()
    bare = form_url.split("?", 1)[0]
    for query in ("?lang=xx", "?lang=", ""):
        assert "Card number" in english.get(bare + query).content.decode(), query


def test_an_unknown_language_is_refused_in_the_sessions_words(
    portal_client_for: Callable[[Customer], Client],
) -> None:
    kunde = CustomerFactory(locale="de-DE")
    client = portal_client_for(kunde)
    refused = client.post("/portal/language/", {"language": "xx", "next": "/portal/invoices/"})
    assert refused.status_code == 302
    assert refused["Location"] == "/portal/invoices/"
    page = client.get(refused["Location"]).content.decode()
    assert "Diese Sprache ist nicht verfügbar." in page
    english = portal_client_for(CustomerFactory(locale="en-US"))
    refused = english.post("/portal/language/", {"language": "", "next": "//evil.example/"})
    assert refused["Location"] == "/portal/"
    assert "This language is not available." in english.get("/portal/").content.decode()
