"""The invoice lines' audit history (issue 18): every line's insert and delete recorded in the
same transaction, with who and why, read by the line; its references (invoice, subscription,
prices, tax rates, coupon) kept in each history row but not indexed there (core.audit
.history_references_unindexed): only the history's own keys are."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from pghistory.models import Events

from core.audit import history_rows
from invoicing.models import InvoiceLine
from invoicing.services.drafts import invoice_draft_create, invoice_line_add, invoice_line_remove
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_the_line_history_is_indexed_by_its_own_keys_only() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = 'invoicing_invoicelineevent'::regclass ORDER BY a.attname"
        )
        indexed = [row[0] for row in cursor.fetchall()]
    assert indexed == ["pgh_context_id", "pgh_id", "pgh_obj_id"]


def test_a_lines_insert_and_removal_are_in_its_history_with_its_references() -> None:
    customer = CustomerFactory(currency="EUR")
    draft = invoice_draft_create(customer_id=customer.pk, as_of=AT, actor=TEST_ACTOR)
    line = invoice_line_add(
        invoice_id=draft.pk, description="Setup", amount=Decimal("12.50"), quantity=Decimal(1),
        as_of=AT, actor=TEST_ACTOR,
    )  # fmt: skip
    invoice_line_remove(invoice_id=draft.pk, line_id=line.pk, as_of=AT, actor=TEST_ACTOR)
    assert not InvoiceLine.objects.filter(pk=line.pk).exists()
    events = list(Events.objects.tracks(line).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "delete"]
    assert events[0].pgh_data["invoice_id"] == draft.pk
    assert Decimal(str(events[0].pgh_data["amount"])) == Decimal("12.50")
    assert all(e.pgh_context["actor"] == TEST_ACTOR.label for e in events)
    assert [row["label"] for row in history_rows(line)] == ["insert", "delete"]
