"""core.db.UtcTimestamptzLoader: timestamps read by psycopg's own (C) loader instead of Django's
pure-Python one give the same values, time zone included, on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import given, settings
from hypothesis import strategies as st

from core.db import TIMESTAMPTZ_OID, UtcTimestamptzLoader

SQL = (
    "SELECT v, ARRAY[v, v + interval '1 microsecond'], v AT TIME ZONE 'Europe/Paris' "
    "FROM (SELECT %s::timestamptz AS v) AS t"
)


def read(value: datetime, *, django: bool) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        if django:  # Django's own loader, on this cursor only
            register_tzloader(connection.timezone, cursor.cursor)
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
        assert (loader is UtcTimestamptzLoader) is not django
        cursor.execute(SQL, [value])
        row = cursor.fetchone()
        assert row is not None
        return row


@pytest.mark.django_db
def test_the_connection_reads_timestamptz_with_the_c_loader_and_django_keeps_it() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
    assert loader is UtcTimestamptzLoader
    with connection.cursor() as cursor:  # Django's cursor did not put its own back
        found = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
        assert found is UtcTimestamptzLoader
        cursor.execute("SELECT '2026-03-29 01:30:00+02'::timestamptz")
        (value,) = cursor.fetchone()
    assert value == datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert value.tzinfo is UTC
    # psycopg's C implementation, not its pure-Python loader under another name
    assert psycopg.pq.__impl__ == "binary"
    load = UtcTimestamptzLoader(TIMESTAMPTZ_OID, connection.connection).load
    assert type(load.__self__).__module__.startswith("psycopg_binary")


@pytest.mark.django_db
def test_without_time_zones_django_puts_its_own_loader_back_on_each_cursor(settings: Any) -> None:
    connection.ensure_connection()
    settings.USE_TZ = False  # the connection's timezone is None now: differs from ours
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
        assert loader is not UtcTimestamptzLoader
        cursor.execute("SELECT '2026-03-29 01:30:00+02'::timestamptz")
        (value,) = cursor.fetchone()
    assert value == datetime(2026, 3, 28, 23, 30)  # noqa: DTZ001  (naive, as Django reads it)


@pytest.mark.django_db
def test_a_server_side_cursor_reads_with_the_c_loader_too() -> None:
    with connection.chunked_cursor() as cursor:
        cursor.execute("SELECT now() FROM generate_series(1, 3)")
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
        values = [row[0] for row in cursor.fetchall()]
    assert loader is UtcTimestamptzLoader
    assert [v.tzinfo for v in values] == [UTC, UTC, UTC]


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001  (hypothesis' bounds are naive)
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    offset=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_both_loaders_give_the_same_instants_and_time_zones(at: datetime, offset: int) -> None:
    value = at.astimezone(timezone(timedelta(minutes=offset)))  # sent with any offset
    ours, djangos = read(value, django=False), read(value, django=True)
    assert ours == djangos
    assert ours[0] == value
    assert ours[0].tzinfo is djangos[0].tzinfo is UTC  # type: ignore[union-attr]
    assert [v.tzinfo for v in ours[1]] == [UTC, UTC]  # type: ignore[union-attr]
    assert ours[2].tzinfo is None  # type: ignore[union-attr]  # a timestamp without zone
