"""core.db.UtcTimestamptzLoader: timestamps read by psycopg's own (C) loader instead of Django's
pure-Python one give the same values, time zone included, on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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
