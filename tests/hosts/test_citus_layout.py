"""The usage tables' Citus layout (docs/citus.sql) against the real schema: Citus is not installed
here (nor needed): what it requires of the schema and of the queries is checked in PostgreSQL's
catalogue and in the SQL a real billing chunk runs."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Subscription
from invoicing.models import BilledPeriod
from invoicing.services import subscriptions_bill_chunk
from tests.conftest import TEST_ACTOR
from tests.invoicing.test_invoices import FEB, workload_customer, workload_plan

pytestmark = pytest.mark.django_db

SCRIPT = (Path(__file__).resolve().parents[2] / "docs" / "citus.sql").read_text()
DISTRIBUTED = dict(re.findall(r"create_distributed_table\(\s*'(\w+)', '(\w+)'", SCRIPT))
REFERENCE = set(re.findall(r"create_reference_table\('(\w+)'\)", SCRIPT))
DROPPED = set(re.findall(r"DROP CONSTRAINT (\w+)", SCRIPT))
ADDED_KEYS = re.findall(r"ALTER TABLE (\w+) ADD PRIMARY KEY \(([^)]*)\)", SCRIPT)


def rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def test_the_script_distributes_the_usage_by_customer_co_located() -> None:
    assert DISTRIBUTED == {
        "billing_usageevent": "customer_id",
        "billing_usageeventkey": "customer_id",
    }
    assert "colocate_with := 'billing_usageevent'" in SCRIPT
    assert ADDED_KEYS == [("billing_usageevent", "customer_id, id, event_time")]


def test_every_unique_index_of_a_distributed_table_includes_customer_id() -> None:
    # the parents' and every partition's, each by the parent index it is a partition of
    found = rows(
        """
        SELECT COALESCE((SELECT p.inhparent::regclass::text FROM pg_inherits p
                         WHERE p.inhrelid = x.indexrelid), x.indexrelid::regclass::text),
               bool_or(a.attname = 'customer_id')
        FROM pg_index x
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey)
        WHERE x.indisunique AND x.indrelid IN (
            SELECT c.oid FROM pg_class c WHERE c.relname = ANY(%s)
            UNION SELECT inhrelid FROM pg_inherits WHERE inhparent::regclass::text = ANY(%s))
        GROUP BY 1
        """,
        [list(DISTRIBUTED), list(DISTRIBUTED)],
    )
    assert dict(found) == {
        "billing_usageeventkey_pkey": True,
        # (id, event_time): the script replaces it by (customer_id, id, event_time)
        "billing_usageevent_pkey": False,
    }
    assert {"billing_usageevent_pkey"} == DROPPED


def test_no_foreign_key_leaves_a_distributed_table_and_reference_tables_reference_their_kind() -> (
    None
):
    assert not rows(
        "SELECT conname FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [list(DISTRIBUTED)],
    )
    referenced = rows(
        """
        SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
        WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
        """,
        [list(REFERENCE)],
    )
    assert referenced  # the subscription's plan, the customer's test clock ...
    assert {target for _, target in referenced} <= REFERENCE, referenced
    # every table the aggregation names is distributed or a reference table
    source = (Path(__file__).resolve().parents[2] / "billing" / "aggregation.py").read_text()
    tables = set(re.findall(r"\b((?:billing|catalog)_[a-z]+)\s+[a-z]\b", source))
    assert tables >= {"billing_usageevent", "billing_subscription", "billing_customer"}
    assert tables <= set(DISTRIBUTED) | REFERENCE, tables - set(DISTRIBUTED) - REFERENCE


def test_the_billing_reads_the_usage_of_its_customers_only() -> None:
    """Citus pushes a query down to the shards when it is scoped by the distribution column:
    every statement of a real billing chunk that reads the usage names its customers."""
    plan = workload_plan()
    for i in (1, 2):
        workload_customer(i, plan)
    ids = list(Subscription.objects.values_list("id", flat=True))
    with CaptureQueriesContext(connection) as queries:
        subscriptions_bill_chunk(
            subscription_ids=ids, as_of=FEB + timedelta(minutes=5), actor=TEST_ACTOR
        )
    assert BilledPeriod.objects.count() == 2
    usage = [q["sql"] for q in queries.captured_queries if "billing_usageevent" in q["sql"]]
    assert usage, "the chunk aggregates the usage"
    scoped = re.compile(r"customer_id\s*=\s*(ANY\(|w\.cid|%s|\d)", re.I)
    for sql in usage:
        assert scoped.search(sql), sql
