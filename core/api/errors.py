"""One error body for every 4xx of the API:

    {"errors": [{"field": "currency", "code": "invalid", "message": "Unknown currency 'XYZ'."}]}

`field` is a dotted path into the request body (`billing_address.country`, `events[3].event_id`),
or null when the error is not about one field (authentication, throttling, not found).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError

ErrorItem = dict[str, Any]


def error_item(field: str | None, code: str, message: str) -> ErrorItem:
    return {"field": field, "code": code, "message": message}


def _flatten(detail: Any, path: str | None) -> list[ErrorItem]:
    if isinstance(detail, dict):
        items: list[ErrorItem] = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                child: str | None = path
            elif isinstance(key, int):  # errors of a list's items, keyed by index
                child = f"{path}[{key}]" if path else f"[{key}]"
            else:
                child = f"{path}.{key}" if path else str(key)
            items.extend(_flatten(value, child))
        return items
    if isinstance(detail, list):
        items = []
        nested = any(isinstance(v, dict | list) for v in detail)
        for index, value in enumerate(detail):
            if nested:
                if value:  # an empty dict means "this element was fine"
                    items.extend(_flatten(value, f"{path}[{index}]" if path else f"[{index}]"))
            else:
                items.extend(_flatten(value, path))
        return items
    code = getattr(detail, "code", None) or "invalid"
    return [error_item(path, str(code), str(detail))]


def errors_from_django(exc: DjangoValidationError) -> list[ErrorItem]:
    if hasattr(exc, "error_dict"):
        return [
            error_item(None if field == "__all__" else field, e.code or "invalid", m)
            for field, errs in exc.error_dict.items()
            for e in errs
            for m in e.messages
        ]
    return [error_item(None, e.code or "invalid", m) for e in exc.error_list for m in e.messages]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        item = error_item(exc.field, exc.code, exc.message)
        item.update(getattr(exc, "extra", {}))  # e.g. `required_scope` (core/api/scopes.py)
        return Response({"errors": [item]}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response({"errors": errors_from_django(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = _flatten(exc.detail, None)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = [error_item(None, str(code), str(exc.detail))]
    else:  # pragma: no cover - DRF only handles APIException subclasses
        body = [error_item(None, "error", str(exc))]
    response.data = {"errors": body}
    return response


def json_error(status_code: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    """The same body, for responses made outside DRF views (middleware, 404 handler)."""
    return JsonResponse({"errors": [error_item(field, code, message)]}, status=status_code)


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(404, "not_found", f"No API endpoint at {request.path}.")
