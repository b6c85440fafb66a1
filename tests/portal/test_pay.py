"""Pay an open invoice now in the portal, with the card the customer chooses: one attempt through
`payment_retry_now(method_id=...)`, charged after the commit by collection's task (called here as
the worker does; a real worker in the last test), its state shown; a form sent twice charges
once; refusals next to their field."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from billing.models import Customer
from core.audit import CLOCK
from invoicing.models import Invoice
from invoicing.services import invoice_void
from payments.gateways.sandbox import SandboxGateway
from payments.models import Payment, PaymentMethod
from payments.services.collection import payments_charge
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.payments.helpers import assert_trial_balance_zero, open_invoice
from tests.portal.pay_helpers import card, configuration, days_ago, sandbox

pytestmark = pytest.mark.django_db
__all__ = ["sandbox"]  # the fixture

D = Decimal


def charge_pending() -> dict[str, int]:
    """What collection's charge task, queued after the commit, does on the worker."""
    from django.utils import timezone

    ids = list(Payment.objects.filter(state="pending").values_list("pk", flat=True))
    return payments_charge(payment_ids=ids, as_of=timezone.now(), actor=CLOCK)


def pay(client: Client, invoice: Invoice, method: PaymentMethod, attempt: int = 1) -> Any:
    return client.post(
        f"/portal/invoices/{invoice.pk}/pay/", {"method": method.pk, "attempt": attempt}
    )


def two_lines_invoice(who: Customer) -> Invoice:
    """An overdue invoice of 19.99 + 20.01 = 40.00 USD (net 30 days, issued 40 days ago)."""
    from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add

    at = days_ago(40)
    draft = invoice_draft_create(customer_id=who.pk, as_of=at, actor=TEST_ACTOR)
    for amount in ("19.99", "20.01"):
        invoice_line_add(invoice_id=draft.pk, description="services", amount=D(amount),
                         quantity=D(1), as_of=at, actor=TEST_ACTOR)  # fmt: skip
    return invoice_finalize(invoice_id=draft.pk, as_of=at, actor=TEST_ACTOR)


def test_pay_now_with_the_chosen_card_then_see_it_paid(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory(payment_terms_days=30)
    default = card(acme, "tok_declined", last4="0002")
    chosen = card(acme, "tok_ok", last4="4242")
    invoice = two_lines_invoice(acme)
    assert invoice.amount_due == D("40.00")  # 19.99 + 20.01
    client = portal_client_for(acme)
    page = client.get(f"/portal/invoices/{invoice.pk}/pay/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<span class="amount" id="amount-due">$40.00</span>' in html
    assert "Overdue since" in html
    assert "Pay $40.00 now" in html
    # the default is preselected, every usable card offered, the next attempt carried along
    assert page.context["form"].initial == {"method": default.pk, "attempt": 1}
    assert "Visa ···· 0002 (expires 12/2034) · default" in html
    assert "Visa ···· 4242" in html
    assert "<script" not in html
    sent = pay(client, invoice, chosen)
    payment = Payment.objects.get(invoice=invoice)
    assert sent.status_code == 302
    assert sent["Location"] == f"/portal/invoices/{invoice.pk}/pay/status/?payment={payment.pk}"
    assert (payment.state, payment.attempt, payment.amount, payment.method_id) == (
        "pending", 1, D("40.00"), chosen.pk
    )  # fmt: skip
    assert payment.created_by.startswith("portal:session ")
    processing = client.get(sent["Location"])
    text = processing.content.decode()
    assert "A payment is being processed" in text
    assert '<meta http-equiv="refresh" content="3">' in text
    # the pay page while the attempt is pending: to its state, no second form
    assert client.get(f"/portal/invoices/{invoice.pk}/pay/")["Location"] == sent["Location"]
    assert charge_pending() == {"succeeded": 1, "failed": 0, "unknown": 0}
    done = client.get(sent["Location"]).content.decode()
    assert "Paid" in done
    assert "$40.00 was paid with Visa ···· 4242" in done
    assert "http-equiv" not in done
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D("0"))
    assert sandbox.charge_count() == 1
    assert sandbox.charge_count(chosen.token) == 1
    assert sandbox.charge_count(default.token) == 0
    again = client.get(f"/portal/invoices/{invoice.pk}/pay/").content.decode()
    assert "This invoice is paid." in again
    assert_trial_balance_zero()


def test_a_declined_card_shows_why_and_a_new_attempt_may_follow(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory()
    declined = card(acme, "tok_declined", last4="0002")
    no_funds = card(acme, "tok_insufficient_funds", last4="9995")
    good = card(acme, "tok_ok", last4="4242")
    invoice = open_invoice(acme, "12.34", days_ago(5))
    client = portal_client_for(acme)
    for attempt, method, words in (
        (1, declined, "Your card was declined."),
        (2, no_funds, "Your card has insufficient funds."),
    ):
        status_url = pay(client, invoice, method, attempt)["Location"]
        charge_pending()
        page = client.get(status_url).content.decode()
        assert "The payment failed" in page
        assert words in page
        assert "Pay with another card or try again" in page
    assert client.get(f"/portal/invoices/{invoice.pk}/pay/").context["form"].initial["attempt"] == 3
    pay(client, invoice, good, 3)
    charge_pending()
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert list(Payment.objects.filter(invoice=invoice).order_by("attempt")
                .values_list("attempt", "state", "amount")) == [
        (1, "failed", D("12.34")), (2, "failed", D("12.34")), (3, "succeeded", D("12.34"))
    ]  # fmt: skip
    assert sandbox.charge_count() == 1
    # the latest attempt's state without naming it
    assert "Paid" in client.get(f"/portal/invoices/{invoice.pk}/pay/status/").content.decode()


def test_a_form_sent_twice_charges_once(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory()
    ok = card(acme, "tok_ok")
    declined = card(acme, "tok_declined", last4="0002")
    invoice = open_invoice(acme, "25.00", days_ago(3))
    client = portal_client_for(acme)
    first = pay(client, invoice, ok)
    again = pay(client, invoice, ok)  # the button pressed twice: the first is pending
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    page = client.get(again["Location"]).content.decode()
    assert "A payment is being processed" in page
    assert Payment.objects.filter(invoice=invoice).count() == 1
    charge_pending()
    charge_pending()  # the task delivered twice
    assert pay(client, invoice, ok).status_code == 400  # paid: nothing due any more
    assert sandbox.charge_count() == 1
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert first["Location"].endswith(f"?payment={Payment.objects.get(invoice=invoice).pk}")
    # a failed attempt: the same form replayed later (attempt 1 again) is not a new charge
    other = open_invoice(acme, "7.50", days_ago(3))
    pay(client, other, declined)
    charge_pending()
    replayed = pay(client, other, declined)
    assert replayed["Location"] == f"/portal/invoices/{other.pk}/pay/status/"
    assert Payment.objects.filter(invoice=other).count() == 1


def test_refusals_next_to_their_field_and_other_customers_objects_are_404(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme, other = CustomerFactory(), CustomerFactory()
    mine = card(acme, "tok_ok")
    expired = card(acme, "tok_ok", last4="1111", exp=(1, 2020))
    theirs = card(other, "tok_ok", last4="9999")
    invoice = open_invoice(acme, "10.00", days_ago(2))
    their_invoice = open_invoice(other, "10.00", days_ago(2))
    client = portal_client_for(acme)
    page = client.get(f"/portal/invoices/{invoice.pk}/pay/")
    assert [c[0] for c in page.context["form"].fields["method"].choices] == [mine.pk]
    for method_id in (theirs.pk, expired.pk, 0):
        refused = client.post(f"/portal/invoices/{invoice.pk}/pay/",
                              {"method": method_id, "attempt": 1})  # fmt: skip
        assert refused.status_code == 400
        assert refused.context["form"].errors["method"] == ["Choose one of your cards."]
    missing = client.post(f"/portal/invoices/{invoice.pk}/pay/", {"attempt": 1})
    assert missing.context["form"].errors["method"] == ["Choose a card to pay with."]
    for path in (f"/portal/invoices/{their_invoice.pk}/pay/",
                 f"/portal/invoices/{their_invoice.pk}/pay/status/"):  # fmt: skip
        assert client.get(path).status_code == 404
    assert client.post(f"/portal/invoices/{their_invoice.pk}/pay/",
                       {"method": theirs.pk, "attempt": 1}).status_code == 404  # fmt: skip
    their_payment_url = f"/portal/invoices/{invoice.pk}/pay/status/?payment=999999"
    assert client.get(their_payment_url).status_code == 404
    invoice_void(invoice_id=invoice.pk, as_of=days_ago(1), actor=TEST_ACTOR, reason="error")
    voided = client.get(f"/portal/invoices/{invoice.pk}/pay/").content.decode()
    assert "This invoice cannot be paid now: nothing is due." in voided
    assert pay(client, invoice, mine).status_code == 400
    assert not Payment.objects.exists()


def test_a_customer_paying_by_bank_transfer_may_pay_now_with_a_card(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    acme = CustomerFactory(auto_collection=False)
    visa = card(acme, "tok_ok")
    invoice = open_invoice(acme, "99.99", days_ago(20))
    assert not Payment.objects.exists()  # finalizing charged nothing: it pays by hand
    client = portal_client_for(acme)
    pay(client, invoice, visa)
    charge_pending()
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert sandbox.charge_count(visa.token) == 1


def test_the_api_retry_names_the_method_to_charge(api: Any, sandbox: SandboxGateway) -> None:
    acme, other = CustomerFactory(auto_collection=False), CustomerFactory()
    visa = card(acme, "tok_ok")
    theirs = card(other, "tok_ok")
    invoice = open_invoice(acme, "5.00", days_ago(1))
    url = f"/api/v1/invoices/{invoice.pk}/retry-payment/"
    for body, code in (
        ({"payment_method": theirs.pk}, "not_found"),
        ({"payment_method": "x"}, "invalid"),
        ({"method": visa.pk}, "unknown_field"),
    ):
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400, body
        (error,) = refused.json()["errors"]
        assert error["code"] == code, (body, error)
    refused = api.post(url, {}, format="json")  # no method: collection's, and it is off
    assert refused.json()["errors"][0]["code"] == "auto_collection_off"
    made = api.post(url, {"payment_method": visa.pk}, format="json")
    assert made.status_code == 201, made.json()
    assert (made.json()["method"], made.json()["amount"]) == (visa.pk, "5.0000")
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    body = schema["paths"]["/api/v1/invoices/{id}/retry-payment/"]["post"]["requestBody"]
    assert "RetryPaymentIn" in str(body)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_pay_now_is_charged_by_a_real_worker(settings: Any, client: Client) -> None:
    from config.celery import app
    from tests.portal.conftest import signed_in
    from tests.worker import celery_worker, wait_for

    namespace = f"test-portal-pay-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual"]
    configuration()
    acme = CustomerFactory()
    visa = card(acme, "tok_ok")
    invoice = open_invoice(acme, "31.41", days_ago(10))
    signed_in(client, acme)
    queue = f"test-{uuid.uuid4().hex[:10]}"
    extra = {"CELERY_QUEUE": queue, "SANDBOX_GATEWAY_NAMESPACE": namespace,
             "PAYMENT_GATEWAYS": "sandbox,manual"}  # fmt: skip
    previous = app.conf.task_default_queue
    try:
        with celery_worker(queue=queue, settings=extra):
            app.conf.task_default_queue = queue  # this process's .delay() goes to that worker
            status_url = pay(client, invoice, visa)["Location"]
            assert wait_for(lambda: "Paid" in client.get(status_url).content.decode(), timeout=60)
    finally:
        app.conf.task_default_queue = previous
        SandboxGateway(namespace=namespace).reset()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_due) == ("paid", D("0"))
    assert Payment.objects.get(invoice=invoice).amount == D("31.41")


def test_the_pages_in_german_with_euros(
    sandbox: SandboxGateway, portal_client_for: Callable[[Customer], Client]
) -> None:
    configuration()
    kunde = CustomerFactory(locale="de-DE", currency="EUR", country="DE")
    visa = card(kunde, "tok_declined", last4="0002")
    invoice = open_invoice(kunde, "1234.50", days_ago(40))
    client = portal_client_for(kunde)
    methods = client.get("/portal/payment-methods/").content.decode()
    assert "<h1>Zahlungsmethoden</h1>" in methods
    assert "Karte hinzufügen" in methods
    assert "Gültig bis 12/2034" in methods
    page = client.get(f"/portal/invoices/{invoice.pk}/pay/").content.decode()
    assert "Jetzt 1.234,50\xa0€ bezahlen" in page
    assert "(gültig bis 12/2034) · Standard" in page
    status_url = pay(client, invoice, visa)["Location"]
    assert "Eine Zahlung wird verarbeitet" in client.get(status_url).content.decode()
    charge_pending()
    failed = client.get(status_url).content.decode()
    assert "Ihre Karte wurde abgelehnt." in failed
