"""OpenAPI pieces shared by every app's views."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a POST safe to retry: the same key with the same body replays the first response "
        "(with `Idempotent-Replayed: true`); the same key with another body is refused with 422. "
        "Keys are kept for IDEMPOTENCY_KEY_TTL_HOURS (24 h by default)."
    ),
)

_ErrorItem = inline_serializer(
    name="ErrorItem",
    many=True,
    fields={
        "field": serializers.CharField(allow_null=True),
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "required_scope": serializers.CharField(
            required=False,
            help_text="On a 403 `missing_scope`: the scope the API key lacks (core/api/scopes.py).",
        ),
    },
)
ErrorBody = inline_serializer(
    name="ErrorBody",
    fields={
        "errors": _ErrorItem,
        "request_id": serializers.CharField(
            help_text="The request's id, also in the Request-Id header and in our logs."
        ),
    },
)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(response=ErrorBody, description="Error") for code in codes}


# ------------------------------------------------------------------ declared on every operation

_WHY = {
    400: "Bad request: a field or query parameter is invalid, or unknown (`unknown_field`, "
    "`unknown_parameter`).",
    401: "No credentials, an unknown or revoked API key, or an expired one (`api_key_expired`).",
    403: "The credentials may not do this: an API key without the scope this operation requires "
    "(`missing_scope`, naming it in `required_scope`), an API key used from an address outside "
    "its IP allow-list (`ip_not_allowed`), a staff session without the model permission, or "
    "an API key or webhook endpoint asked for beyond what the caller may grant or read "
    "(`cannot_grant`, `missing_scope`).",
    404: "Not found (also `invalid_cursor`: a cursor that is not one of this list's).",
    413: "The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.",
    422: "The Idempotency-Key was used with a different request.",
    503: "The database is unavailable for a moment: retry after `Retry-After` seconds.",
}


def _error_response(code: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _WHY[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    if code == 503:
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}
        }
    return response


def declare_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every operation under /api/v1/ declares the errors any request may
    meet (400 unknown or invalid input, 401/403, 404 for paths with ids and for cursors, 413 for
    bodies, 422 for POSTs with an Idempotency-Key, 503 during a database outage), and `limit` its
    bounds (1 to the paginator's maximum), which the API enforces (core/api/strict.py)."""
    from core.api.pagination import CursorPagination

    for path, methods in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, op in methods.items():
            params = op.get("parameters", [])
            query = {p["name"] for p in params if p.get("in") == "query"}
            for param in params:
                if param.get("in") == "query" and param["name"] == "limit":
                    param["schema"] = {
                        **param.get("schema", {}),
                        "minimum": 1,
                        "maximum": CursorPagination.max_page_size,
                    }
            codes = {400, 503}
            if op.get("security") != [{}]:
                codes |= {401, 403}
            if "{" in path or "cursor" in query:
                codes.add(404)
            if "requestBody" in op or method in ("post", "put", "patch"):
                codes.add(413)
            if method == "post":
                codes.add(422)
            responses = op.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(str(code), _error_response(code))
    return result


# ------------------------------------------------------------------ the scope of every operation


def _scoped_view(view: Any) -> bool:
    """Whether API keys reach the view and its scopes decide (our authenticator and permission)."""
    from core.api.permissions import API_KEY_PRINCIPAL, ModelPermissions

    keys = any(
        getattr(a, "principal", None) == API_KEY_PRINCIPAL for a in view.get_authenticators()
    )
    return keys and any(isinstance(p, ModelPermissions) for p in view.get_permissions())


def declare_scopes(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every operation an API key may call states the scope it requires,
    as `x-required-scope` and as the last line of its description (core/api/scopes.py), computed
    by the same function the permission class enforces."""
    from drf_spectacular.settings import spectacular_settings

    from core.api.scopes import describe_scope, required_scope

    paths = result.get("paths", {})
    for path, _regex, method, callback in generator.endpoints or ():
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        op = paths.get(path, {}).get(method.lower())
        if op is None or not _scoped_view(view):
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        scope = required_scope(view, method)
        op["x-required-scope"] = scope
        description = op.get("description", "").rstrip()
        op["description"] = f"{description}\n\n{describe_scope(scope)}".lstrip()
    return result
