"""Cash application under any sequence of steps (hypothesis): whatever staff do — record, apply
some or all, unapply, move to the balance — no payment is applied beyond its amount, no invoice
below zero, and cash agrees with the ledger and the documents (payments.checks) after each step."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.exceptions import ApplicationError
from payments.checks import cash_mismatches
from payments.models import Allocation, Payment
from payments.services import (
    AllocationRequest,
    payment_apply,
    payment_move_to_balance,
    payment_record,
    payment_unapply,
)
from tests.conftest import TEST_ACTOR as ACTOR
from tests.payments.helpers import a_customer, open_invoices

D = Decimal
JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
NOW = datetime(2026, 2, 20, 9, tzinfo=UTC)

cents = st.integers(min_value=1, max_value=30_000).map(lambda c: D(c) / 100)
step = st.one_of(
    st.tuples(st.just("record"), cents, st.sampled_from(["none", "oldest", "first"])),
    st.tuples(st.just("apply"), st.integers(0, 9), st.sampled_from(["oldest", "some"])),
    st.tuples(st.just("unapply"), st.integers(0, 9)),
    st.tuples(st.just("move"), st.integers(0, 9)),
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(cents, min_size=1, max_size=4), steps=st.lists(step, max_size=12))
def test_any_sequence_keeps_cash_consistent(amounts: list[Decimal], steps: list[tuple]) -> None:  # type: ignore[type-arg]
    acme = a_customer()
    invoices = open_invoices(acme, [str(a) for a in amounts], JAN)
    for kind, *args in steps:
        payments = list(Payment.objects.filter(customer=acme).order_by("pk"))
        try:
            if kind == "record":
                amount, how = args
                allocations = [AllocationRequest(invoices[0].pk)] if how == "first" else None
                payment_record(
                    customer_id=acme.pk, amount=amount, currency=acme.currency, received_at=NOW,
                    reference="t", actor=ACTOR, as_of=NOW, allocations=allocations,
                    apply_oldest_first=how == "oldest",
                )  # fmt: skip
            elif kind == "apply" and payments:
                payment = payments[args[0] % len(payments)]
                some = [AllocationRequest(invoices[-1].pk, D("0.01"))]
                payment_apply(payment_id=payment.pk, actor=ACTOR, as_of=NOW,
                              allocations=None if args[1] == "oldest" else some)  # fmt: skip
            elif kind == "unapply":
                live = list(Allocation.objects.filter(unapplied_at__isnull=True).order_by("pk"))
                if live:
                    allocation = live[args[0] % len(live)]
                    payment_unapply(allocation_id=allocation.pk, actor=ACTOR, as_of=NOW,
                                    reason="test")  # fmt: skip
            elif kind == "move" and payments:
                payment = payments[args[0] % len(payments)]
                payment_move_to_balance(payment_id=payment.pk, actor=ACTOR, as_of=NOW,
                                        reason="test")  # fmt: skip
        except ApplicationError:
            pass  # a refusal changes nothing: the books below still agree
        assert cash_mismatches() == []
    for invoice in invoices:
        invoice.refresh_from_db()
        paid = sum(
            (
                a.amount
                for a in Allocation.objects.filter(invoice=invoice, unapplied_at__isnull=True)
            ),
            D(0),
        )
        assert paid + invoice.amount_due == invoice.total
        expected = "paid" if invoice.amount_due == 0 else ("partially_paid" if paid else "open")
        assert invoice.status == expected
