"""The read replica (DATABASE_REPLICA_URL): the finance dashboard reads from it, every write and
every other read go to the primary — the accounting exports too (frozen once written: a replica's
lag would leave out what was just committed). Here the replica is a second alias
of the test database (Django's TEST MIRROR), so what the primary commits is there at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from backoffice.models import Export
from backoffice.services.exports import export_create, export_run
from core.db import REPLICA, on_replica, read_alias
from invoicing.models import Invoice
from tests.billing.factories import CustomerFactory
from tests.conftest import TEST_ACTOR

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)
# a statement that writes (pghistory puts its context's set_config before it: "SELECT ...; UPDATE")
WRITE = re.compile(r"(^|;)\s*(INSERT|UPDATE|DELETE|COPY|TRUNCATE|CREATE|ALTER|DROP)\b", re.I)


@pytest.fixture
def replica() -> Iterator[str]:
    """A "replica" alias on the test database, as DATABASE_REPLICA_URL configures it."""
    alias = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "CONN_MAX_AGE": None,  # kept open for the whole test (no reconnection between requests)
        "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
    }
    settings.DATABASES[REPLICA] = alias  # the connection handler's own dict
    # a connection of its own, opened here: the test case, set up before the alias existed,
    # refuses to open one for an alias it was not told about
    connections[REPLICA] = connections.create_connection(REPLICA)
    connections[REPLICA].connect()
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]


def sql_of(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


def test_without_a_replica_everything_reads_from_the_primary() -> None:
    assert REPLICA not in settings.DATABASES
    with on_replica() as alias:
        assert alias == read_alias() == DEFAULT_DB_ALIAS
        assert Invoice.objects.all().db == DEFAULT_DB_ALIAS


def test_the_dashboard_reads_from_the_replica_and_writes_nothing_there(
    replica: str, staff_client: Any
) -> None:
    CustomerFactory(external_id="r1", currency="EUR")
    with (
        CaptureQueriesContext(connections[replica]) as on_replica_,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        page = staff_client.get("/admin/")
    assert page.status_code == 200
    assert "EUR" in page.content.decode()  # the dashboard of the customer's currency
    replica_sql, primary_sql = sql_of(on_replica_), sql_of(on_primary)
    # every figure: MRR, revenue, aging, dunning, usage, renewals and the currencies
    for table in ("billing_usageevent", "payments_customerdunning", "invoicing_invoice"):
        assert any(table in q for q in replica_sql), table
        assert not any(table in q for q in primary_sql), table
    assert not [q for q in replica_sql if WRITE.search(q)]
    assert any("auth_user" in q for q in primary_sql)  # the session's user: the primary


def test_an_export_reads_its_rows_from_the_primary_even_with_a_replica(replica: str) -> None:
    export = export_create(
        kind="invoices", format="csv", period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31), currency="", actor=TEST_ACTOR, as_of=NOW, enqueue=False,
    )  # fmt: skip
    with (
        CaptureQueriesContext(connections[replica]) as on_replica_,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        export_run(export_id=export.pk, clock=lambda: NOW, actor=TEST_ACTOR)
    export.refresh_from_db()
    assert export.file
    assert export.rows == 0
    replica_sql, primary_sql = sql_of(on_replica_), sql_of(on_primary)
    assert not replica_sql  # nothing of an export on the replica
    assert any('FROM "invoicing_invoice"' in q for q in primary_sql)
    assert any(WRITE.search(q) and "backoffice_export" in q for q in primary_sql)
    assert Export.objects.using(replica).get(pk=export.pk).file == export.file  # committed
