from __future__ import annotations

from decimal import Decimal
from typing import cast

import pytest
from django.db import transaction
from django.utils import timezone

from billing.models import Customer, LedgerEntry
from billing.services import Posting, ledger_post, ledger_post_many
from tests.billing.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FIELDS = ("account", "customer_id", "currency", "debit", "credit", "document_type",
          "document_id", "memo", "posted_at")  # fmt: skip


def test_many_postings_store_what_one_posting_stores() -> None:
    """ledger_post_many writes plain rows by COPY: the entries are those ledger_post writes
    (zero amounts left out), one posting id per posting; an unbalanced posting writes none."""
    customer = cast(Customer, CustomerFactory())
    at = timezone.now()
    amounts = [("receivable", Decimal("12.3400")), ("revenue", Decimal("-12.34")),
               ("tax", Decimal(0))]  # fmt: skip
    with transaction.atomic():
        one = ledger_post(customer=customer, currency="EUR", amounts=amounts,
                          document_type="invoice", document_id=1, memo="m", at=at)  # fmt: skip
    with transaction.atomic():
        ledger_post_many([Posting(customer.pk, "EUR", amounts, "invoice", 2, "m", at),
                          Posting(None, "EUR", amounts, "payout", 3, "p", at)])  # fmt: skip
    rows = list(LedgerEntry.objects.order_by("id").values("posting", *FIELDS))
    assert [r["posting"] for r in rows[:2]] == [one, one]
    assert len({r["posting"] for r in rows}) == 3
    first = [{**r, "posting": None, "document_id": 0} for r in rows[:2]]
    second = [{**r, "posting": None, "document_id": 0} for r in rows[2:4]]
    assert first == second
    assert [(r["account"], r["debit"], r["credit"]) for r in rows[2:4]] == [
        ("receivable", Decimal("12.3400"), Decimal(0)),
        ("revenue", Decimal(0), Decimal("12.3400")),
    ]
    assert [(r["customer_id"], r["document_type"], r["memo"]) for r in rows[4:]] == [
        (None, "payout", "p"),
        (None, "payout", "p"),
    ]
    with pytest.raises(ValueError, match="Unbalanced"), transaction.atomic():
        ledger_post_many([Posting(None, "EUR", [("receivable", Decimal(1))], "x", 4, "", at)])
    assert LedgerEntry.objects.count() == 6
