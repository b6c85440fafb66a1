"""Building blocks of the payments tests: customers with finalized invoices of amounts chosen
by the test, and the ledger's checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from billing.models import Customer
from billing.services.ledger import account_balances, trial_balance
from invoicing.models import Invoice
from invoicing.services import invoice_draft_create, invoice_finalize, invoice_line_add
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

D = Decimal


def a_customer(**extra: Any) -> Customer:
    return CustomerFactory(**extra)  # type: ignore[no-any-return]


def open_invoice(customer: Customer, amount: str | Decimal, at: datetime) -> Invoice:
    """A finalized (open) invoice of one untaxed line of `amount`, issued at `at`."""
    draft = invoice_draft_create(customer_id=customer.pk, as_of=at, actor=TEST_ACTOR)
    invoice_line_add(
        invoice_id=draft.pk, description="services", amount=D(amount), quantity=D(1),
        as_of=at, actor=TEST_ACTOR,
    )  # fmt: skip
    return invoice_finalize(invoice_id=draft.pk, as_of=at, actor=TEST_ACTOR)


def open_invoices(customer: Customer, amounts: list[str], start: datetime) -> list[Invoice]:
    """Invoices issued a day apart (the first is the oldest due)."""
    return [open_invoice(customer, a, start + timedelta(days=i)) for i, a in enumerate(amounts)]


def assert_trial_balance_zero() -> None:
    """The trial balance is zero, and cash agrees with the ledger and the documents
    (payments.checks: applied = live allocations, amounts due, receivable, unapplied cash)."""
    from payments.checks import cash_mismatches

    assert all(v == 0 for v in trial_balance().values()), trial_balance()
    assert cash_mismatches() == []


def ledger_of(customer: Customer) -> dict[str, Decimal]:
    """The customer's non-zero account balances (debit positive) in its currency."""
    return {
        account: amount
        for (account, currency), amount in account_balances(customer_id=customer.pk).items()
        if amount and currency == customer.currency
    }
