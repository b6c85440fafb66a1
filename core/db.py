"""Small PostgreSQL helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def lock_id(name: str) -> int:
    """A stable signed 64-bit advisory-lock id for a name."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:15], 16)


@contextmanager
def advisory_lock(name: str, *, wait: bool = True) -> Iterator[bool]:
    """A session-level PostgreSQL advisory lock, held across transactions until the block ends.

    With wait=False the block runs at once and receives False when another session holds it.
    """
    key = lock_id(name)
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
            acquired = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
