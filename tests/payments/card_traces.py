"""Where a card number might have been left: every row of every table, every Redis key and value
of the configured Redis database."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.db import connection


def database_rows_containing(text: str) -> list[str]:
    """The tables (of the public schema) with a row whose text form contains `text`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        found = []
        for table in tables:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE %s',
                [f"%{text}%"],
            )
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def redis_keys_containing(text: str) -> list[str]:
    """The keys of the Redis database (REDIS_URL) whose name or value contains `text`."""
    client = redis.Redis.from_url(
        settings.REDIS_URL, decode_responses=True, encoding_errors="replace"
    )
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        value: Any
        if kind == "string":
            value = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "zset":
            value = client.zrange(key, 0, -1)
        else:
            value = ""
        if text in key or text in str(value):
            found.append(key)
    return found


def card_number_nowhere(*numbers: str) -> None:
    for number in numbers:
        for shown in {number, number.replace(" ", "")}:
            assert database_rows_containing(shown) == [], shown
            assert redis_keys_containing(shown) == [], shown
