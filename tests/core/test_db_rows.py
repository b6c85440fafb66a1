"""core/db.py's set-based writes and reads of the billing run: copy_rows, insert_returning, AnyOf,
json_text (real PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from billing.models import Customer
from core.db import AnyOf, copy_rows, insert_returning, json_text
from invoicing.models import Invoice, InvoiceLine

AT = datetime(2026, 2, 1, tzinfo=UTC)


def customer(n: int) -> Customer:
    return Customer.objects.create(
        external_id=f"db-{n}", name=f"C{n}", currency="EUR", created_at=AT, updated_at=AT
    )


@pytest.mark.django_db
def test_insert_returning_sets_the_ids_in_order_with_the_defaults_in_one_statement() -> None:
    a, b = customer(1), customer(2)
    drafts = [
        Invoice(customer_id=c.pk, currency="EUR", billing_date=AT, grace_until=AT,
                created_at=AT, updated_at=AT, subtotal=Decimal("1.50"), total=Decimal("1.50"))
        for c in (b, a)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        insert_returning(drafts)
    assert len(queries.captured_queries) == 1
    assert [d.customer_id for d in drafts] == [b.pk, a.pk]
    stored = Invoice.objects.get(pk=drafts[0].pk)
    assert (stored.customer_id, stored.status, stored.kind) == (b.pk, "draft", "billing")
    assert (stored.subtotal, stored.tax_total, stored.customer_snapshot) == (
        Decimal("1.50"), Decimal(0), {}
    )  # fmt: skip
    assert not drafts[0]._state.adding


@pytest.mark.django_db
def test_copy_rows_stores_plain_tuples_and_any_of_reads_them_back() -> None:
    c = customer(3)
    draft = Invoice.objects.create(
        customer=c, currency="EUR", billing_date=AT, grace_until=AT, created_at=AT, updated_at=AT
    )
    fields = ("invoice_id", "kind", "description", "quantity", "amount", "metric_code",
              "explanation", "position", "tax_percentage", "tax_inclusive", "tax_category",
              "tax_amount")  # fmt: skip
    zero = (Decimal(0), False, "", Decimal(0))
    rows = [
        (draft.pk, "fixed_fee", "Pro x 1", Decimal(1), Decimal("49.0000"), "",
         json_text({"rule": "fee", 1: 2}), 0, *zero),
        (draft.pk, "usage", "Calls", Decimal(5), Decimal("0.5000"), "calls",
         json_text({"é": [1.5, None]}), 1, *zero),
    ]  # fmt: skip
    assert copy_rows(InvoiceLine, fields, rows) == 2
    found = InvoiceLine.objects.filter(AnyOf(F("invoice_id"), [draft.pk]))
    lines = list(found.order_by("position"))
    assert [(ln.kind, ln.amount, ln.explanation) for ln in lines] == [
        ("fixed_fee", Decimal("49.0000"), {"rule": "fee", "1": 2}),  # an int key as json.dumps
        ("usage", Decimal("0.5000"), {"é": [1.5, None]}),
    ]
    with CaptureQueriesContext(connection) as queries:
        assert list(InvoiceLine.objects.filter(AnyOf(F("invoice_id"), []))) == []
    assert queries.captured_queries == []  # no ids: no query, as __in
