"""One line instead of a traceback for the errors a newcomer meets first: a database that does not
exist, a PostgreSQL or Redis that is not reachable, a setting that is missing.

`explain(exc)` returns that line, or None for anything else (which keeps its traceback). Used by
`manage.py` (and so by `make run`, which runs `manage.py migrate` before anything else).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_MISSING_DB = re.compile(r'database "(?P<name>[^"]+)" does not exist')
_UNREACHABLE = (
    "connection refused",
    "no such file or directory",
    "timeout expired",
    "timed out",
    "could not translate host name",
    "name or service not known",
    "temporary failure in name resolution",
    "no route to host",
    "failed to resolve host",
    "network is unreachable",
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _database() -> dict[str, Any]:
    try:
        from django.conf import settings

        return dict(settings.DATABASES["default"])
    except Exception:  # settings not loadable: explain with what we know
        return {}


def _reason(message: str) -> str:
    """The server's own words, on one line: the last `failed: ...` of psycopg's message."""
    text = message.split("failed:")[-1] if "failed:" in message else message
    text = " ".join(text.replace("FATAL:", "").split())
    return text.split(" Is the server running")[0].rstrip(".") or message.strip()


def _while_connecting(exc: BaseException) -> bool:
    """Raised by a connection attempt (not by a query, whose errors keep their traceback)."""
    for error in _chain(exc):
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_name in ("get_new_connection", "connect"):
                return True
            tb = tb.tb_next
    return False


def explain_database(message: str) -> str:
    db = _database()
    host = str(db.get("HOST") or "localhost")
    port = str(db.get("PORT") or "5432")
    user = str(db.get("USER") or "postgres")
    where = f"the socket directory {host}" if host.startswith("/") else f"{host}:{port}"
    missing = _MISSING_DB.search(message)
    if missing:
        name = missing.group("name")
        opts = f"-h {shlex.quote(host)} -p {port} -U {shlex.quote(user)}"
        create = shlex.quote(f'CREATE DATABASE "{name}"')
        return (
            f'Database "{name}" does not exist on {where}: create it with  '
            f"createdb {opts} {shlex.quote(name)}  (or  psql {opts} -d postgres -c {create}), "
            "or point DATABASE_URL at a database that exists."
        )
    reason = _reason(message)
    if any(word in reason.lower() for word in _UNREACHABLE):
        fix = (
            "start it (make run, or .venv/bin/python scripts/services.py start)"
            if host.startswith("/")  # the embedded server's socket
            else "start it, or unset DATABASE_URL to use the embedded PostgreSQL"
        )
        return f"PostgreSQL is not reachable at {where} ({reason}): {fix}."
    return f"PostgreSQL at {where} refused the connection ({reason}): check DATABASE_URL."


def explain(exc: BaseException) -> str | None:
    for error in _chain(exc):
        kind = f"{type(error).__module__}.{type(error).__qualname__}"
        if kind in ("django.core.exceptions.ImproperlyConfigured",):
            return f"Configuration: {str(error).strip().splitlines()[0]}"
        if (
            kind.startswith(("psycopg.", "django.db.utils."))
            and "OperationalError" in kind
            and _while_connecting(error)
        ):
            return explain_database(str(error))
        if kind.startswith(("redis.exceptions.", "kombu.exceptions.")) and (
            "ConnectionError" in kind or "OperationalError" in kind or "TimeoutError" in kind
        ):
            url = _without_password(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
            reason = " ".join(str(error).split()).rstrip(".")
            return (
                f"Redis is not reachable at {url} ({reason}): start it, or unset REDIS_URL "
                "to use the embedded Redis."
            )
    return None


def _without_password(url: str) -> str:
    """A URL fit for a message: its password, if any, masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:***@" if parts.username else ":***@"
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))
