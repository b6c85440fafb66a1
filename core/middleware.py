"""Request ids, and the one JSON error shape for every response under /api/.

`RequestIdMiddleware` is the outermost middleware:

- every request gets an id: a sane incoming `Request-Id` (or `X-Request-Id`) header is kept, else a
  new UUID; it is sent back in the `Request-Id` header of every response, put in every log record
  written while the request runs (`core.request_ids.RequestIdFilter`), and in every error body
  under /api/;
- under /api/ a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused with a JSON 413 before
  anything reads it;
- under /api/ an error response that is not JSON (Django's HTML 400/404/500 pages, with or
  without DEBUG) is replaced by the JSON error body; an exception that escaped a view or another
  middleware is a 500 `server_error`, or a 503 `database_unavailable` with `Retry-After` when the
  database could not be reached.

Outside /api/ Django's own pages are kept.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.api.errors import error_item
from core.request_ids import current_request_id, reset_request_id, set_request_id

API_PREFIX = "/api/"
HEADER = "Request-Id"
INCOMING_HEADERS = ("Request-Id", "X-Request-Id")
# a caller's id is kept when it is short and plain (it ends up in headers and logs)
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
RETRY_AFTER_SECONDS = 5

_CODES = {
    400: ("bad_request", "The request could not be understood."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("request_too_large", "The request body is too large."),
    500: ("server_error", "Internal error; quote the request id when reporting it."),
    503: ("database_unavailable", "The service is unavailable for a moment; retry later."),
}


def _incoming_id(request: HttpRequest) -> str:
    for name in INCOMING_HEADERS:
        value = request.headers.get(name, "")
        if _SANE_ID.fullmatch(value):
            return value
    return str(uuid.uuid4())


def _remember_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django turns an exception into a response before outer middleware sees it; keep what it
    was, so that the middleware can answer with the right status."""
    if request is not None:
        request._api_exception = sys.exc_info()[1]  # type: ignore[attr-defined]


got_request_exception.connect(_remember_exception, dispatch_uid="core.middleware.remember")


def api_error(
    request: HttpRequest, status: int, code: str | None = None, message: str = ""
) -> JsonResponse:
    default_code, default_message = _CODES.get(status, ("error", "Error."))
    body = {
        "errors": [error_item(None, code or default_code, message or default_message)],
        "request_id": getattr(request, "request_id", None) or current_request_id(),
    }
    response = JsonResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_error_for_exception(request: HttpRequest, exc: BaseException | None) -> JsonResponse:
    if isinstance(exc, OperationalError | InterfaceError):
        return api_error(request, 503)
    return api_error(request, 500)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


def _is_browsable(response: HttpResponse) -> bool:
    """DRF's HTML API (DEBUG only), which a browser asked for: left alone."""
    renderer = getattr(response, "accepted_renderer", None)
    return renderer is not None and getattr(renderer, "format", "") == "api"


def _too_large(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is not None and length > limit


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _incoming_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            if request.path.startswith(API_PREFIX):
                response = self._api(request)
            else:
                response = self.get_response(request)
        finally:
            reset_request_id(token)
        response[HEADER] = request_id
        return response

    def _api(self, request: HttpRequest) -> HttpResponse:
        if _too_large(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return api_error(
                request, 413, message=f"The request body is larger than {limit} bytes."
            )
        response = self.get_response(request)
        if response.status_code < 400 or getattr(response, "streaming", False):
            return response
        if not _is_json(response):
            if _is_browsable(response):
                return response
            exc = getattr(request, "_api_exception", None)
            if exc is not None:
                return api_error_for_exception(request, exc)
            message = f"No API endpoint at {request.path}." if response.status_code == 404 else ""
            return api_error(request, response.status_code, message=message)
        return _with_request_id(response, request)


def _with_request_id(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """Adds `request_id` to a JSON error body that has none (made by a view, DRF or the
    idempotency middleware, or replayed)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return response
    if isinstance(body, dict) and "errors" in body and "request_id" not in body:
        body["request_id"] = request.request_id  # type: ignore[attr-defined]
        response.content = json.dumps(body).encode()
        if response.has_header("Content-Length"):  # set by CommonMiddleware, inside this one
            response["Content-Length"] = str(len(response.content))
    return response
