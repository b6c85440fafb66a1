"""The one input guard: text PostgreSQL cannot store never reaches a view.

PostgreSQL stores neither the NUL character (in text or jsonb) nor a lone UTF-16 surrogate (which
UTF-8 cannot encode): either, written to a column or compared in a query, is a server error. Two
doors let text in, and each is guarded once:

- request bodies: `core.api.parsers.JSONParser`, the API's only parser, refuses a body holding such
  a string with a 400 naming where it is (`metadata.crm`, `charges[0].metric`). The usage event
  endpoints read their bodies themselves and refuse such an event per event (`invalid_text`), so
  that one bad event never fails the good ones beside it (billing/metering.py).
- URLs: `InputGuardMiddleware` refuses, for every path under /api/, a path parameter or a query
  parameter (name or value) holding the NUL character, with a 400 naming it. (Percent-decoding
  cannot produce a lone surrogate: invalid UTF-8 becomes U+FFFD.)

This module imports nothing of DRF at load time: the parser, which DRF loads from its settings,
imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from core.validators import storable_text

API_PREFIX = "/api/"


def printable(text: str) -> str:
    """Text as it can be shown and stored: unstorable characters escaped (\\x00, \\ud800)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def unstorable_path(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) in a JSON document that PostgreSQL
    cannot store, "" for the document itself, or None when every string is storable."""
    if isinstance(value, str):
        return path if not storable_text(value) else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not storable_text(key):
                return printable(where)
            found = unstorable_path(item, where)
            if found is not None:
                return found
    return None


UNSTORABLE = "contains the NUL character or a lone surrogate, which cannot be stored"


class InputGuardMiddleware:
    """A 400 (`invalid_text`, naming the parameter) for an API request whose path or query holds
    text that cannot be stored, before any view, authentication or idempotency record runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            found = url_problem(request)
            if found is not None:
                from core.api.errors import json_error

                field, what = found
                return json_error(400, "invalid_text", f"{what} {UNSTORABLE}.", field=field)
        return self.get_response(request)


def url_problem(request: HttpRequest) -> tuple[str, str] | None:
    """(field, what) for the first unstorable path or query parameter, else None."""
    if not storable_text(request.path_info):
        field = "path"
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None:
            for name, value in match.kwargs.items():
                if isinstance(value, str) and not storable_text(value):
                    field = name
                    break
        return field, f"The path parameter {field}" if field != "path" else "The URL path"
    for name, values in request.GET.lists():
        if not storable_text(name) or not all(storable_text(v) for v in values):
            field = printable(name)
            return field, f"The query parameter {field}"
    return None
