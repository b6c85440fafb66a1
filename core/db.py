"""Small PostgreSQL helpers."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from typing import Any

import orjson
import psycopg
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ_OID = psycopg.postgres.types["timestamptz"].oid

REPLICA = "replica"  # DATABASE_REPLICA_URL (config/settings.py)
DIRECT = "direct"  # DATABASE_DIRECT_URL: PostgreSQL itself, behind a PgBouncer in transaction mode
_on_replica: ContextVar[bool] = ContextVar("on_replica", default=False)


@contextmanager
def on_replica() -> Iterator[str]:
    """Reads inside the block go to the read replica when one is configured (core.routers), and
    the block receives the alias to use for raw SQL ("replica" or "default"). Writes always go to
    the primary. For reads that may lag the primary by seconds: the finance dashboard (never a
    document that is frozen once written, such as an export)."""
    token = _on_replica.set(True)
    try:
        yield read_alias()
    finally:
        _on_replica.reset(token)


def read_alias() -> str:
    """The alias the current block reads from: "replica" inside `on_replica()` when it is
    configured, else "default"."""
    return REPLICA if _on_replica.get() and REPLICA in settings.DATABASES else DEFAULT_DB_ALIAS


def lock_connection() -> BaseDatabaseWrapper:
    """The connection of the session advisory locks: the default one, or behind a PgBouncer in
    transaction mode (where a session lock would stay on whichever server connection took it)
    the direct one (DATABASE_DIRECT_URL)."""
    return connections[DIRECT] if DIRECT in settings.DATABASES else connection


def id_array(ids: Iterable[int]) -> str:
    """Ids as one PostgreSQL array literal, for a `%s::bigint[]` parameter: one string quoted
    once, where psycopg's client-side binding of a list dumps its thousands of ints one by one."""
    return "{" + ",".join([str(int(i)) for i in ids]) + "}"


def lock_id(name: str) -> int:
    """A stable signed 64-bit advisory-lock id for a name."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:15], 16)


@contextmanager
def advisory_lock(
    name: str, *, wait: bool = True, timeout: float | None = None, reentrant: bool = True
) -> Iterator[bool]:
    """A session-level PostgreSQL advisory lock, held across transactions until the block ends.

    With wait=False the block runs at once and receives False when another session holds it;
    with `timeout` (seconds) it is tried until then (polled every 0.1 s), then False. PostgreSQL's
    advisory locks are reentrant per session: reentrant=False counts the lock as held when this
    very session holds it already (a second run in the same process stands aside too).
    """
    key = lock_id(name)
    deadline = None if timeout is None else time.monotonic() + timeout
    try_sql = "SELECT pg_try_advisory_lock(%s)"
    params: list[int] = [key]
    if not reentrant:
        try_sql = (
            "SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            "AND granted AND pid = pg_backend_pid() "
            "AND ((classid::bigint << 32) | objid::bigint) = %s) "
            "AND pg_try_advisory_lock(%s)"
        )
        params = [key, key]
    locks = lock_connection()
    with locks.cursor() as cursor:
        if wait and deadline is None and reentrant:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            acquired = True
        else:
            while True:
                cursor.execute(try_sql, params)
                acquired = bool(cursor.fetchone()[0])
                if acquired or deadline is None or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
    try:
        yield acquired
    finally:
        if acquired:
            with locks.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _prep(field: Any) -> Callable[[Any], Any]:
    """How a field's Python value goes to psycopg: JSON through Django's adapter (its encoder),
    everything else (numbers, text, decimals, aware datetimes, booleans) as it is."""
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def _as_json(field: Any, value: Any) -> Any:
    """A field's value inside the JSON document of `bulk_update`: a JSONField's value as the JSON
    text Django would store (its encoder; None stays SQL NULL), a file by its name, everything
    else as orjson writes it (decimals as exact text, aware datetimes in ISO 8601)."""
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value, cls=field.encoder)
    if isinstance(field, models.FileField):
        return value.name if value else ""
    return value


def bulk_update(objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """UPDATE many rows of one model with their own values in one statement, for the billing
    run's chunks: the rows travel as one JSON document (serialized once, in C) unpacked by
    `json_to_recordset`. Django's bulk_update builds a CASE per row and field, and arrays as
    parameters are quoted element by element client-side: both cost far more than the write.
    Triggers (audit history) fire as for any UPDATE."""
    if not objs:
        return 0
    meta = type(objs[0])._meta
    pk = meta.pk
    assert pk is not None
    columns: list[Any] = [meta.get_field(name) for name in fields]
    attnames = [field.attname for field in columns]
    rows = [
        {"id_": o.pk, **{f"v{i}": _as_json(f, getattr(o, a)) for i, (f, a) in
                         enumerate(zip(columns, attnames, strict=True))}}
        for o in objs
    ]  # fmt: skip
    kinds = [
        "text" if isinstance(field, models.JSONField) else field.db_type(connection)
        for field in columns
    ]
    record = ", ".join(
        [f"id_ {pk.db_type(connection)}"] + [f"v{i} {kind}" for i, kind in enumerate(kinds)]
    )
    sets = ", ".join(
        f'"{field.column}" = v.v{i}' + ("::jsonb" if isinstance(field, models.JSONField) else "")
        for i, field in enumerate(columns)
    )
    sql = (
        f'UPDATE "{meta.db_table}" AS t SET {sets} '  # noqa: S608 - names from the model's metadata
        f"FROM json_to_recordset(%s::json) AS v({record}) "
        f'WHERE t."{pk.column}" = v.id_'
    )
    document = orjson.dumps(rows, default=str).decode()
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        return int(cursor.rowcount)


class AnyOf(models.Lookup):
    """`filter(AnyOf(F("customer_id"), ids))`: the integer column is one of `ids`, sent as one
    array literal (`= ANY('{...}'::bigint[])`). Django's `__in` prepares every value and psycopg
    quotes one parameter each: for a billing chunk's hundreds of ids that costs more than the
    query. No ids: no row, and no query (as `__in`)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*params, id_array(self.rhs))


def json_text(value: Any) -> str | None:
    """A JSONField's value (without an encoder) as the JSON text to store, serialized in C
    (orjson); what orjson does not take as json.dumps would (keys that are not strings, integers
    past 64 bits) goes through json.dumps, and so do datetimes, dataclasses and subclasses of
    str/int/dict/list, which json.dumps refuses (TypeError) as the ORM's JSONField does: both
    writers of a row accept the same values. None stays SQL NULL."""
    if value is None:
        return None
    try:
        return orjson.dumps(value, option=_STRICT).decode()
    except TypeError:
        return json.dumps(value)


# orjson's own encodings json.dumps does not have: handed back to json.dumps (which refuses them)
_STRICT = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def copy_rows(
    model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """INSERT new rows of a model with COPY from plain tuples of values (in `attnames` order,
    JSON as text: `json_text`), without building model instances: the billing run's invoice
    lines and billed periods. No defaults are filled in: every value is given. Triggers fire as
    for any INSERT."""
    meta = model._meta
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(f'"{by_attname[name]}"' for name in attnames)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:  # no COPY: no round trip, no statement trigger fired for nothing
        return 0
    count = 1
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, inside Django's transaction
        with raw.copy(f'COPY "{meta.db_table}" ({columns}) FROM STDIN') as copy:
            write = copy.write_row
            write(first)
            for row in rows:
                write(row)
                count += 1
    return count


def copy_insert(objs: Sequence[models.Model]) -> int:
    """INSERT many new model instances with COPY (no ids come back): the instances' values
    prepared as the ORM would, then `copy_rows` (the hot paths — a chunk's lines and billed
    periods, journal events, ledger entries — give `copy_rows` tuples directly). Triggers fire
    as for any INSERT."""
    if not objs:
        return 0
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    preps = [(f.attname, _prep(f), f.get_default if f.has_default() else None) for f in fields]

    def row(obj: models.Model) -> list[Any]:
        values = []
        for attname, prep, default in preps:
            value = getattr(obj, attname)
            if value is None and default is not None:
                value = default()
            values.append(prep(value))
        return values

    return copy_rows(type(objs[0]), [f.attname for f in fields], map(row, objs))


def insert_returning(objs: Sequence[models.Model]) -> None:
    """INSERT new rows of one model in one statement and set their ids (and `_state`), as
    `bulk_create` does without its compilation of every value of every row: the rows travel as
    one JSON document unpacked by `json_to_recordset` (see `bulk_update`), in order, and the ids
    come back in that order (as bulk_create's own INSERT ... SELECT FROM UNNEST relies on).
    Values are the instances' own (a None replaced by the field's default, as `copy_insert`);
    no signals are sent; triggers fire as for any INSERT."""
    if not objs:
        return
    meta = type(objs[0])._meta
    pk = meta.pk
    assert pk is not None
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    plain = (models.JSONField, models.FileField)
    each = [
        (f"v{i}", f.attname, f.get_default if f.has_default() else None,
         None if not isinstance(f, plain) else f)
        for i, f in enumerate(fields)
    ]  # fmt: skip
    rows = []
    for obj in objs:
        row = {}
        for key, attname, default, special in each:
            value = getattr(obj, attname)
            if value is None and default is not None:
                value = default()
            row[key] = value if special is None else _as_json(special, value)
        rows.append(row)
    kinds = [
        "text" if isinstance(field, models.JSONField) else field.db_type(connection)
        for field in fields
    ]
    record = ", ".join(f"v{i} {kind}" for i, kind in enumerate(kinds))
    columns = ", ".join(f'"{field.column}"' for field in fields)
    values = ", ".join(
        f"v.v{i}" + ("::jsonb" if isinstance(field, models.JSONField) else "")
        for i, field in enumerate(fields)
    )
    sql = (
        f'INSERT INTO "{meta.db_table}" ({columns}) '  # noqa: S608 - names from the model's metadata
        f"SELECT {values} FROM json_to_recordset(%s::json) AS v({record}) "
        f'RETURNING "{pk.column}"'
    )
    document = orjson.dumps(rows, default=str).decode()
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])
        ids = [row[0] for row in cursor.fetchall()]
    assert len(ids) == len(objs)
    for obj, id_ in zip(objs, ids, strict=True):
        obj.pk = id_
        obj._state.adding = False
        obj._state.db = connection.alias


# ------------------------------------------------------------------ timestamps read in C
# Django reads every timestamptz through its own loader, a subclass of psycopg's pure-Python
# one (django.db.backends.postgresql.psycopg_any.BaseTzLoader: the text parsed in Python, then
# the time zone replaced): a fifth of the time the billing run spent building its rows from
# the database. psycopg's own loader (in C with psycopg[binary]) gives the same values when the
# session's time zone is UTC — the datetime with `datetime.timezone.utc` — so it is used
# whenever Django's connection is in UTC; otherwise Django's stays.
class UtcTimestamptzLoader(Loader):
    """psycopg's default timestamptz loader (C when available) under the `timezone` attribute
    Django's cursors compare with their connection's (a differing one gets Django's loader)."""

    timezone = UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        default = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert default is not None
        # the bound method itself: psycopg calls it for every value, with no Python frame of ours
        self.load = default(oid, context).load  # type: ignore[method-assign]

    def load(self, data: Any) -> Any:  # replaced per instance above
        raise NotImplementedError


def timestamps_in_c(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created`: psycopg's loader for timestamptz when the session is in UTC."""
    raw = connection.connection
    if (
        connection.vendor == "postgresql"
        and getattr(connection, "timezone", None) == UTC
        and raw.info.parameter_status("TimeZone") == "UTC"
    ):
        raw.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
