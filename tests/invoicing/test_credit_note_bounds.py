"""Credit notes never credit more than the invoice, tax included — also on an invoice whose
discount line makes its total smaller than its positive lines (review of issue 10)."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.exceptions import ValidationFailed
from invoicing.models import CreditNote, Invoice
from invoicing.services import (
    credit_note_issue,
    invoice_draft_create,
    invoice_finalize,
    invoice_line_add,
)
from invoicing.services.adjust import credit_note_preview
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, JAN
from tests.invoicing.test_taxes_coupons_credit import tax_rate

pytestmark = pytest.mark.django_db
EXAMPLE = itertools.count()


def _invoice(lines: list[D], *, inclusive: bool = False) -> tuple[Invoice, list[int]]:
    n = next(EXAMPLE)
    tax_rate(f"vat{n}", "19", inclusive=inclusive, country="DE", region=f"R{n}")
    customer = CustomerFactory(country="DE", state=f"R{n}")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=JAN, actor=TEST_ACTOR)
    ids = [
        invoice_line_add(
            invoice_id=draft.pk, description=f"line {i}", amount=amount, quantity=D(1),
            as_of=JAN, actor=TEST_ACTOR,
        ).pk
        for i, amount in enumerate(lines)
    ]  # fmt: skip
    return invoice_finalize(invoice_id=draft.pk, as_of=JAN, actor=TEST_ACTOR), ids


def test_a_partial_credit_of_a_discounted_invoice_is_bounded_by_its_total() -> None:
    """100 and -20 at 19% exclusive: the invoice is 80 + 15.20 = 95.20. Crediting 95.00 of the
    first line would be a note of 95.00 + 18.05 = 113.05: refused, and nothing issued."""
    invoice, (service, _goodwill) = _invoice([D(100), D(-20)])
    assert invoice.total == D("95.20")
    with pytest.raises(ValidationFailed, match="exceeds what is left of the invoice"):
        credit_note_preview(invoice_id=invoice.pk, lines=[(service, D("95.00"))])
    with pytest.raises(ValidationFailed, match=r"exceeds what is left of the invoice \(95.20"):
        credit_note_issue(
            invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="x",
            lines=[(service, D("95.00"))],
        )  # fmt: skip
    assert not CreditNote.objects.exists()
    # 80.00 of it is 80 + 15.20 = 95.20: exactly what is left, accepted
    note = credit_note_issue(
        invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="x",
        lines=[(service, D("80.00"))],
    )  # fmt: skip
    assert (note.total, note.tax_total) == (D("95.20"), D("15.20"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    positive=st.lists(st.decimals(min_value=1, max_value=500, places=2), min_size=1, max_size=3),
    discount=st.decimals(min_value=0, max_value=100, places=2),
    inclusive=st.booleans(),
    credits=st.lists(st.decimals(min_value=D("0.01"), max_value=600, places=2), max_size=4),
)
def test_credit_notes_never_add_up_to_more_than_the_invoice(
    positive: list[D], discount: D, inclusive: bool, credits: list[D]
) -> None:
    lines = [*positive, *([-discount] if discount and discount < sum(positive) else [])]
    invoice, ids = _invoice(lines, inclusive=inclusive)
    for i, amount in enumerate(credits):
        try:
            credit_note_issue(
                invoice_id=invoice.pk, as_of=FEB, actor=TEST_ACTOR, reason="x",
                lines=[(ids[i % len(positive)], amount)],
            )  # fmt: skip
        except ValidationFailed:
            continue
    issued = sum((n.total for n in CreditNote.objects.filter(invoice=invoice)), D(0))
    assert issued <= invoice.total
