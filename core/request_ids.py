"""The id of the request being served, for log records (no Django imports: the logging
configuration loads this before the apps)."""

from __future__ import annotations

import contextvars
import logging

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token[str | None]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id is None:  # Django's request log is written after the middleware returned
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or "-"
        return True
