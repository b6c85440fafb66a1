"""Issue 12, item 7: prepaid credits (wallets). A grant with an expiry used by an invoice, the rest
expired; a top-up invoice paid, its credit granted once; the top-up's postings carry no revenue
and it never takes the balance; a void gives used credit back to its grant; the automatic
top-up once per dip; the API's refusals by field; the admin's forms. Amounts by hand; the trial
balance is zero after each."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing.models import BalanceKind, Customer, CustomerBalanceTransaction, JournalEvent
from billing.services import journal_dispatch
from billing.services.ledger import account_balances
from catalog import services as catalog
from invoicing.models import Invoice, InvoiceStatus, LineKind
from invoicing.reconciliation import reconcile
from invoicing.services import invoice_void
from payments.gateways.sandbox import SandboxGateway
from payments.models import CreditGrant, GrantSource, PaymentMethod, WalletSettings
from payments.services import AllocationRequest, payment_method_add, payment_record
from payments.services.wallets import (
    on_invoices_finalized,
    on_invoices_paid,
    top_up_paid,
    wallet_auto_top_up,
    wallet_grant,
    wallet_settings_set,
    wallet_top_up,
    wallets_tick,
)
from payments.wallet_reads import wallet_summary
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, assert_trial_balance_zero, ledger_of, open_invoice

pytestmark = pytest.mark.django_db
D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
FEB = datetime(2026, 2, 10, 9, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def balance(customer: Customer) -> Decimal:
    return Customer.objects.get(pk=customer.pk).balance


def events(type: str) -> list[JournalEvent]:
    return list(JournalEvent.objects.filter(type=type).order_by("id"))


def doc_ledger(document_type: str, document_id: int) -> dict[str, Decimal]:
    from django.db.models import Sum

    from billing.models import LedgerEntry

    rows = (
        LedgerEntry.objects.filter(document_type=document_type, document_id=document_id)
        .values("account")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    return {r["account"]: r["d"] - r["c"] for r in rows if r["d"] - r["c"]}


def pay(invoice: Invoice, at: datetime) -> None:
    payment_record(
        customer_id=invoice.customer_id, amount=invoice.amount_due, currency=invoice.currency,
        received_at=at, reference="WIRE-1", actor=ACTOR, as_of=at,
        allocations=[AllocationRequest(invoice_id=invoice.pk)],
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# grant -> consumption -> expiry


def test_a_grant_used_by_an_invoice_then_the_rest_expires_once() -> None:
    acme = a_customer()
    expiring = wallet_grant(customer_id=acme.pk, amount=D("100.00"), reason="launch goodwill",
                            expires_at=MAR, actor=ACTOR, as_of=JAN)  # fmt: skip
    lasting = wallet_grant(customer_id=acme.pk, amount=D("20.00"), reason="referral",
                           actor=ACTOR, as_of=JAN + timedelta(hours=1))  # fmt: skip
    assert balance(acme) == D("120.00")

    invoice = open_invoice(acme, "30.00", JAN + timedelta(days=1))
    assert (invoice.credit_applied, invoice.amount_due, invoice.status) == (
        D("30.00"), D("0"), InvoiceStatus.PAID,
    )  # fmt: skip
    journal_dispatch(as_of=JAN + timedelta(days=1, minutes=1))  # attribution (the handler)
    # the soonest-expiring grant is used first
    assert fresh(expiring).remaining == D("70.00")
    assert fresh(lasting).remaining == D("20.00")
    assert balance(acme) == D("90.00")

    assert wallets_tick(MAR - timedelta(seconds=1))["credits_expired"] == 0  # not yet
    assert wallets_tick(MAR + timedelta(days=1))["credits_expired"] == 1
    assert wallets_tick(MAR + timedelta(days=2))["credits_expired"] == 0  # exactly once
    grant = fresh(expiring)
    assert (grant.remaining, grant.amount_expired, grant.expired_at, grant.consumed) == (
        D("0"), D("70.00"), MAR + timedelta(days=1), D("30.00"),
    )  # fmt: skip
    assert fresh(lasting).remaining == D("20.00")
    assert balance(acme) == D("20.00")
    # Dr credits_granted 120 / Cr customer_credit 120; the invoice: Dr receivable 30,
    # Cr revenue 30, Dr customer_credit 30, Cr receivable 30; the expiry: Dr customer_credit
    # 70, Cr credits_expired 70
    assert ledger_of(acme) == {
        "credits_granted": D("120.00"), "customer_credit": D("-20.00"),
        "revenue": D("-30.00"), "credits_expired": D("-70.00"),
    }  # fmt: skip
    assert_trial_balance_zero()
    kinds = list(
        CustomerBalanceTransaction.objects.filter(customer=acme)
        .order_by("id")
        .values_list("kind", "amount")
    )
    assert kinds == [
        (BalanceKind.GRANT, D("100.00")), (BalanceKind.GRANT, D("20.00")),
        (BalanceKind.APPLIED, D("-30.00")), (BalanceKind.EXPIRED, D("-70.00")),
    ]  # fmt: skip
    assert len(events("wallet.granted")) == 2
    [expired] = events("wallet.credit_expired")
    assert expired.payload["amount"] == "70.0000"
    summary = wallet_summary(acme.pk)
    assert (summary["balance"], summary["in_grants"], summary["next_expiry"]) == (
        D("20.00"), D("20.00"), None,
    )  # fmt: skip


def test_a_void_gives_the_used_credit_back_to_its_grant() -> None:
    acme = a_customer()
    grant = wallet_grant(customer_id=acme.pk, amount=D("50.00"), reason="goodwill",
                         expires_at=MAR, actor=ACTOR, as_of=JAN)  # fmt: skip
    invoice = open_invoice(acme, "80.00", JAN + timedelta(days=1))
    assert (invoice.credit_applied, invoice.amount_due) == (D("50.00"), D("30.00"))
    finalized = JournalEvent.objects.get(type="invoice.finalized", subject_id=str(invoice.pk))
    on_invoices_finalized([finalized])
    on_invoices_finalized([finalized])  # attributing twice changes nothing (the cursor)
    assert fresh(grant).remaining == D("0")
    invoice_void(invoice_id=invoice.pk, as_of=FEB, actor=ACTOR, reason="wrong customer")
    journal_dispatch(as_of=FEB + timedelta(minutes=1))
    assert fresh(grant).remaining == D("50.00")
    assert balance(acme) == D("50.00")
    assert_trial_balance_zero()


# ---------------------------------------------------------------------------------------------
# buying credit


def test_a_top_up_invoice_posts_no_revenue_takes_no_balance_and_grants_once_paid() -> None:
    catalog.tax_rate_create(actor=ACTOR, as_of=JAN, data={
        "code": "us_all", "name": "US", "percentage": D(10), "country": "US", "region": "",
        "inclusive": False,
    })  # fmt: skip
    acme = a_customer()
    wallet_grant(customer_id=acme.pk, amount=D("10.00"), reason="goodwill", actor=ACTOR,
                 as_of=JAN)  # fmt: skip
    invoice = wallet_top_up(customer_id=acme.pk, amount=D("100.00"), actor=ACTOR, as_of=JAN)
    [line] = invoice.lines.all()
    assert (line.kind, line.amount, line.tax_amount, line.tax_rate_id) == (
        LineKind.PREPAID, D("100.00"), D("0"), None,
    )  # fmt: skip
    # untaxed, and the 10.00 of balance is not taken: a top-up is paid in money
    assert (invoice.status, invoice.total, invoice.tax_total, invoice.credit_applied) == (
        InvoiceStatus.OPEN, D("100.00"), D("0"), D("0"),
    )  # fmt: skip
    assert invoice.amount_due == D("100.00")
    assert balance(acme) == D("10.00")
    assert doc_ledger("invoice", invoice.pk) == {
        "receivable": D("100.00"),
        "prepaid_sold": D("-100.00"),
    }  # no revenue
    assert not CreditGrant.objects.filter(top_up_invoice=invoice).exists()

    pay(invoice, FEB)
    assert fresh(invoice).status == InvoiceStatus.PAID
    journal_dispatch(as_of=FEB + timedelta(minutes=1))
    paid = JournalEvent.objects.get(type="invoice.paid", subject_id=str(invoice.pk))
    on_invoices_paid([paid])  # the handler again: nothing more
    assert top_up_paid(invoice_id=invoice.pk, as_of=FEB, actor=ACTOR) is None
    [bought] = CreditGrant.objects.filter(source=GrantSource.PURCHASED)
    assert (bought.amount, bought.remaining, bought.top_up_invoice_id, bought.expires_at) == (
        D("100.00"), D("100.00"), invoice.pk, None,
    )  # fmt: skip
    assert balance(acme) == D("110.00")
    assert len(events("wallet.topped_up")) == 1
    assert doc_ledger("credit_grant", bought.pk) == {
        "prepaid_sold": D("100.00"), "customer_credit": D("-100.00"),
    }  # fmt: skip
    # cash 100 in; the receivable and prepaid_sold cleared; 110 of credit held
    assert ledger_of(acme) == {
        "cash": D("100.00"), "credits_granted": D("10.00"), "customer_credit": D("-110.00"),
    }  # fmt: skip
    assert_trial_balance_zero()
    # revenue comes when the credit is used: an invoice of 40.00 (+10% tax = 44.00)
    used = open_invoice(acme, "40.00", FEB + timedelta(days=1))
    assert (used.total, used.credit_applied, used.amount_due) == (D("44.00"), D("44.00"), D(0))
    assert ledger_of(acme)["revenue"] == D("-40.00")
    assert_trial_balance_zero()
    report = reconcile(start=JAN - timedelta(days=1), end=MAR, as_of=MAR)
    assert report.ok, report.mismatches


def test_paid_top_ups_of_a_batch_lock_their_customers_in_id_order_first() -> None:
    """Review: the `invoice.paid` batch handler locked each customer when it reached its top-up
    (invoice-id order) while collection locks customers by id: two batches could deadlock. It
    now locks all the batch's customers first, in one query ordered by id."""
    first, second = a_customer(), a_customer()
    assert first.pk < second.pk
    # the later customer's top-up has the lower invoice id
    later = wallet_top_up(customer_id=second.pk, amount=D("20.00"), actor=ACTOR, as_of=JAN)
    earlier = wallet_top_up(customer_id=first.pk, amount=D("30.00"), actor=ACTOR, as_of=JAN)
    assert later.pk < earlier.pk
    pay(later, FEB)
    pay(earlier, FEB)
    paid = list(JournalEvent.objects.filter(type="invoice.paid").order_by("id"))
    assert len(paid) == 2
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        on_invoices_paid(paid)
    locks = [
        q["sql"] for q in queries.captured_queries
        if "FOR UPDATE" in q["sql"] and 'FROM "billing_customer"' in q["sql"]
    ]  # fmt: skip
    assert locks, "no customer locked"
    found = re.search(r'"billing_customer"\."id" IN \(([^)]*)\)', locks[0])
    assert found, locks[0]
    assert {int(i) for i in found[1].split(",")} == {first.pk, second.pk}
    assert re.search(r'ORDER BY (1|"billing_customer"\."id") ASC FOR UPDATE$', locks[0]), locks[0]
    assert (balance(first), balance(second)) == (D("30.00"), D("20.00"))
    assert CreditGrant.objects.filter(source=GrantSource.PURCHASED).count() == 2


def test_top_up_input_is_checked() -> None:
    acme = a_customer()
    from core.exceptions import ValidationFailed

    for amount, code in (("0", "min_value"), ("-5", "min_value"), ("1.001", "decimals")):
        with pytest.raises(ValidationFailed) as refused:
            wallet_top_up(customer_id=acme.pk, amount=D(amount), actor=ACTOR, as_of=JAN)
        assert (refused.value.field, refused.value.code) == ("amount", code)
    assert not Invoice.objects.filter(customer=acme).exists()


# ---------------------------------------------------------------------------------------------
# automatic top-up


@pytest.fixture
def sandbox(settings: Any) -> Iterator[SandboxGateway]:
    namespace = f"test-wallets-{uuid.uuid4().hex[:12]}"
    settings.SANDBOX_GATEWAY_NAMESPACE = namespace
    settings.PAYMENT_GATEWAYS = ["sandbox", "manual", "stripe"]
    gw = SandboxGateway(namespace=namespace)
    yield gw
    gw.reset()


def card(customer: Customer) -> PaymentMethod:
    data = {"gateway": "sandbox", "token": f"tok_ok+{customer.pk}", "kind": "card",
            "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}  # fmt: skip
    return payment_method_add(customer_id=customer.pk, actor=ACTOR, as_of=JAN, data=data)


def top_ups(customer: Customer) -> list[Invoice]:
    return list(
        Invoice.objects.filter(customer=customer, lines__kind=LineKind.PREPAID).order_by("id")
    )


def test_the_automatic_top_up_runs_once_per_dip(sandbox: SandboxGateway) -> None:
    acme = a_customer()
    wallet_settings_set(customer_id=acme.pk, auto_top_up=True, threshold=D("50.00"),
                        top_up_amount=D("200.00"), actor=ACTOR, as_of=JAN)  # fmt: skip
    assert wallets_tick(JAN)["auto_top_ups"] == 0  # no default payment method yet
    card(acme)
    assert wallets_tick(JAN)["auto_top_ups"] == 1  # balance 0 < 50
    assert wallets_tick(JAN + timedelta(minutes=5))["auto_top_ups"] == 0  # one is unpaid
    assert wallet_auto_top_up(customer_id=acme.pk, as_of=JAN, actor=ACTOR) is None
    [first] = top_ups(acme)
    assert first.total == D("200.00")
    pay(first, JAN + timedelta(hours=1))
    journal_dispatch(as_of=JAN + timedelta(hours=1, minutes=1))
    assert balance(acme) == D("200.00")
    assert wallets_tick(JAN + timedelta(hours=2))["auto_top_ups"] == 0  # above the threshold

    # an invoice of 180.00 leaves 20.00: a second dip, handled after its finalization
    invoice = open_invoice(acme, "180.00", FEB)
    assert invoice.credit_applied == D("180.00")
    on_invoices_finalized(
        [JournalEvent.objects.get(type="invoice.finalized", subject_id=str(invoice.pk))]
    )
    assert len(top_ups(acme)) == 2
    assert wallets_tick(FEB + timedelta(minutes=5))["auto_top_ups"] == 0
    assert len(top_ups(acme)) == 2
    assert_trial_balance_zero()


def test_settings_are_checked() -> None:
    from core.exceptions import ValidationFailed

    acme = a_customer()
    cases = [
        ({"auto_top_up": True, "threshold": None, "top_up_amount": D(10)}, "threshold"),
        ({"auto_top_up": True, "threshold": D(10), "top_up_amount": None}, "top_up_amount"),
        ({"auto_top_up": False, "threshold": D(-1), "top_up_amount": D(10)}, "threshold"),
        ({"auto_top_up": True, "threshold": D(10), "top_up_amount": D(0)}, "top_up_amount"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            wallet_settings_set(customer_id=acme.pk, actor=ACTOR, as_of=JAN, **kwargs)
        assert refused.value.field == field
    assert not WalletSettings.objects.filter(customer=acme).exists()


# ---------------------------------------------------------------------------------------------
# the API


def errors_of(response: Any) -> dict[str, str]:
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_api_grants_top_ups_settings_and_history(api: Any) -> None:
    acme = a_customer()
    base = f"/api/v1/customers/{acme.pk}/wallet/"
    future = (datetime.now(tz=UTC) + timedelta(days=30)).isoformat()
    made = api.post(base + "grants/", {"amount": "25.00", "reason": "goodwill",
                                       "expires_at": future}, format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    assert (made.json()["amount"], made.json()["remaining"]) == ("25.0000", "25.0000")
    bought = api.post(base + "top-ups/", {"amount": "40.00"}, format="json")
    assert bought.status_code == 201, bought.content
    assert (bought.json()["status"], bought.json()["total"]) == ("open", "40.0000")
    assert bought.json()["lines"][0]["kind"] == "prepaid"
    put = api.put(base + "settings/", {"auto_top_up": True, "threshold": "5.00",
                                       "top_up_amount": "50.00"}, format="json")  # fmt: skip
    assert put.status_code == 200, put.content
    wallet = api.get(base)
    assert wallet.status_code == 200, wallet.content
    body = wallet.json()
    assert (body["balance"], body["in_grants"]) == ("25.0000", "25.0000")
    assert body["settings"] == {"auto_top_up": True, "threshold": "5.0000",
                                "top_up_amount": "50.0000"}  # fmt: skip
    assert body["unpaid_top_ups"] == [bought.json()["number"]]
    assert len(body["grants"]) == 1
    history = api.get(base + "history/")
    assert history.status_code == 200
    assert [r["kind"] for r in history.json()["results"]] == ["grant"]
    assert api.get(base + "grants/").json()["results"][0]["reason"] == "goodwill"
    assert api.get("/api/v1/customers/999999/wallet/").status_code == 404
    off = {"auto_top_up": False, "threshold": None, "top_up_amount": None}
    cleared = api.put(base + "settings/", off, format="json")
    assert cleared.status_code == 200, cleared.content
    assert api.get(base).json()["settings"] == off


def test_api_refuses_bad_input_by_field(api: Any) -> None:
    acme = a_customer()
    base = f"/api/v1/customers/{acme.pk}/wallet/"
    past = (datetime.now(tz=UTC) - timedelta(days=1)).isoformat()
    bad_grants = [
        ({"amount": "0", "reason": "x"}, "amount"),
        ({"amount": "-5.00", "reason": "x"}, "amount"),
        ({"amount": "1.001", "reason": "x"}, "amount"),
        ({"amount": "1.00001", "reason": "x"}, "amount"),
        ({"amount": "5.00", "reason": "x", "expires_at": past}, "expires_at"),
        ({"amount": "5.00"}, "reason"),
        ({"amount": "5.00", "reason": "x", "colour": "red"}, "colour"),
    ]
    for body, field in bad_grants:
        response = api.post(base + "grants/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in errors_of(response), (body, response.json())
    for body, field in (({"amount": "0"}, "amount"), ({"amount": "-1"}, "amount")):
        response = api.post(base + "top-ups/", body, format="json")
        assert response.status_code == 400
        assert field in errors_of(response)
    bad_settings = [
        ({"auto_top_up": True}, "threshold"),
        ({"auto_top_up": True, "threshold": "10.00"}, "top_up_amount"),
        ({"auto_top_up": True, "threshold": "-1", "top_up_amount": "5"}, "threshold"),
        ({"auto_top_up": True, "threshold": "1", "top_up_amount": "0"}, "top_up_amount"),
        ({"threshold": "1", "top_up_amount": "5"}, "auto_top_up"),
    ]
    for body, field in bad_settings:
        response = api.put(base + "settings/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in errors_of(response), (body, response.json())
    assert not CreditGrant.objects.exists()
    assert not WalletSettings.objects.exists()
    assert not Invoice.objects.filter(customer=acme).exists()


def test_wallet_routes_are_in_the_schema(api: Any) -> None:
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    if schema.status_code != 200:
        schema = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for route in ("wallet/", "wallet/history/", "wallet/grants/", "wallet/top-ups/",
                  "wallet/settings/"):  # fmt: skip
        assert f"/customers/{{id}}/{route}" in text, route


# ---------------------------------------------------------------------------------------------
# the admin


def test_admin_grants_sells_a_top_up_and_sets_the_automatic_top_up(admin_client: Any) -> None:
    acme = a_customer()
    added = admin_client.post("/admin/payments/creditgrant/add/", {
        "customer": str(acme.pk), "amount": "15.00", "reason": "apology",
        "expires_at_0": "", "expires_at_1": "",
    })  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:3000]
    [grant] = CreditGrant.objects.filter(customer=acme)
    assert (grant.amount, grant.source, balance(acme)) == (D("15.00"), "granted", D("15.00"))
    assert admin_client.get(f"/admin/payments/creditgrant/{grant.pk}/change/").status_code == 200
    assert admin_client.get("/admin/payments/creditgrant/").status_code == 200
    refused = admin_client.post("/admin/payments/creditgrant/add/", {
        "customer": str(acme.pk), "amount": "1.001", "reason": "x",
    })  # fmt: skip
    assert refused.status_code == 200
    assert CreditGrant.objects.count() == 1

    sold = admin_client.post("/admin/payments/creditgrant/top-up/",
                             {"customer": str(acme.pk), "amount": "30.00"})  # fmt: skip
    assert sold.status_code == 302
    [invoice] = top_ups(acme)
    assert (invoice.total, invoice.status) == (D("30.00"), InvoiceStatus.OPEN)

    settings_added = admin_client.post("/admin/payments/walletsettings/add/", {
        "customer": str(acme.pk), "auto_top_up": "on", "threshold": "5.00",
        "top_up_amount": "25.00",
    })  # fmt: skip
    assert settings_added.status_code == 302, settings_added.content.decode()[:3000]
    wallet = WalletSettings.objects.get(customer=acme)
    assert (wallet.auto_top_up, wallet.threshold, wallet.top_up_amount) == (
        True, D("5.00"), D("25.00"),
    )  # fmt: skip
    assert_trial_balance_zero()


def test_account_balances_of_a_wallet_stay_in_the_customers_currency() -> None:
    eur = a_customer(currency="EUR")
    wallet_grant(customer_id=eur.pk, amount=D("9.99"), reason="x", actor=ACTOR, as_of=JAN)
    assert account_balances(customer_id=eur.pk)[("customer_credit", "EUR")] == D("-9.99")


def test_a_top_up_invoice_is_never_credited_it_is_voided_or_its_credit_refunded() -> None:
    """A credit note would post revenue for credit that was never revenue: refused, saying what
    to do instead (void it while unpaid; once paid, its credit is on the balance)."""
    from core.exceptions import TransitionNotAllowed
    from invoicing.services import credit_note_issue

    acme = a_customer()
    top_up = wallet_top_up(customer_id=acme.pk, amount=Decimal("50.00"), actor=ACTOR, as_of=JAN)
    with pytest.raises(TransitionNotAllowed) as refused:
        credit_note_issue(invoice_id=top_up.pk, as_of=JAN, actor=ACTOR, reason="refund")
    assert "prepaid credit" in refused.value.message
    assert not top_up.credit_notes.exists()
    assert_trial_balance_zero()


def test_the_customer_page_shows_the_wallet_with_its_links(admin_client: Any) -> None:
    acme = a_customer()
    wallet_grant(customer_id=acme.pk, amount=D("30.00"), reason="welcome", actor=ACTOR,
                 as_of=JAN, expires_at=MAR)  # fmt: skip
    page = admin_client.get(f"/admin/billing/customer/{acme.pk}/change/").content.decode()
    wallet = page.split('id="overview-wallet"')[1].split('<div class="module"')[0]
    assert "30.00" in wallet
    assert "granted" in wallet.lower()
    for link in ("wallet-grant", "wallet-top-up", "wallet-settings", "wallet-history"):
        url = wallet.split(f'id="{link}"')[0].rsplit('href="', 1)[1].split('"')[0]
        assert admin_client.get(url.replace("&amp;", "&")).status_code == 200, link
