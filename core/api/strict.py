"""The API refuses what it does not know: one check for every view under /api/v1/.

The OpenAPI schema is the allow-list. After authentication and permissions (so that a caller
without a key learns nothing), each request is compared with its documented operation:

- a query parameter the operation does not document is refused with 400 `unknown_parameter`
  naming it; a documented one whose schema says integer (with its bounds, e.g. `limit` 1-500) or
  gives an enum is checked too (400 `invalid`);
- a JSON body field the request schema does not document is refused with 400 `unknown_field`,
  at any depth (`billing_address.bogus`, `charges[0].bogus`); objects whose schema allows any
  key (metadata, properties, params) are not looked into. A view whose items are judged one by one
  by the service (the event batch: a per-event rejection) sets `strict_input_top_level_only`.

`strict_api(patterns)` (config/urls.py) gives every DRF view of the patterns this check; the
schema is generated once per process, lazily.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

_lock = threading.Lock()
_operations: dict[tuple[str, str], Operation] | None = None
_components: dict[str, Any] = {}
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_CONVERTER = re.compile(r"<(?:[^>:]+:)?[^>]+>")


@dataclass
class Operation:
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def _key_from_schema_path(path: str) -> str:
    return _PLACEHOLDER.sub("{}", path)


def _key_from_route(route: str) -> str:
    return _CONVERTER.sub("{}", "/" + route.lstrip("/"))


def operations() -> dict[tuple[str, str], Operation]:
    """(path with `{}` for its parameters, METHOD) -> what the schema documents."""
    global _operations
    if _operations is None:
        with _lock:
            if _operations is None:
                from drf_spectacular.generators import SchemaGenerator

                schema = SchemaGenerator().get_schema(request=None, public=True)
                _components.update(schema.get("components", {}).get("schemas", {}))
                found: dict[tuple[str, str], Operation] = {}
                for path, methods in schema["paths"].items():
                    for method, op in methods.items():
                        query = {
                            p["name"]: p.get("schema", {})
                            for p in op.get("parameters", [])
                            if p.get("in") == "query"
                        }
                        content = (op.get("requestBody") or {}).get("content", {})
                        body = content.get("application/json", {}).get("schema")
                        found[(_key_from_schema_path(path), method.upper())] = Operation(
                            query=query, body=body
                        )
                _operations = found
    return _operations


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


Unknown = tuple[str, str, list[str]]  # where, the key, the keys the schema knows there


def _unknown_fields(data: Any, schema: dict[str, Any], path: str, deep: bool) -> list[Unknown]:
    """(path, key, known keys) of every key the schema does not document."""
    schema = _resolve(schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(_resolve(part).get("properties", {}))
        schema = merged
    if "oneOf" in schema or "anyOf" in schema:
        return []  # several shapes: the serializer decides
    found: list[Unknown] = []
    if isinstance(data, dict) and "properties" in schema:
        if schema.get("additionalProperties") not in (None, False):
            return []
        properties = schema["properties"]
        for key, value in data.items():
            if key not in properties:
                found.append((_join(path, str(key)), str(key), sorted(properties)))
            elif deep:
                found.extend(_unknown_fields(value, properties[key], _join(path, key), deep))
    elif isinstance(data, list) and deep and "items" in schema:
        for index, item in enumerate(data):
            found.extend(_unknown_fields(item, schema["items"], f"{path}[{index}]", deep))
    return found


def _value_problem(raw: str, schema: dict[str, Any]) -> str | None:
    schema = _resolve(schema)
    if "enum" in schema and raw not in [str(v) for v in schema["enum"]]:
        return f"must be one of {', '.join(str(v) for v in schema['enum'])}"
    if schema.get("type") == "integer":
        if not re.fullmatch(r"-?[0-9]{1,18}", raw):
            return "must be an integer"
        value = int(raw)
        if "minimum" in schema and value < schema["minimum"]:
            return f"must be at least {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"must be at most {schema['maximum']}"
    return None


def _body(request: Request, view: APIView) -> Any:
    """The JSON body, keys only matter (numbers stay text); None when there is none or it is not
    JSON (the view reports that). A view that parses its body itself (`json_body(request)`,
    kept for the view) is checked on that one parse (the event batch: 5,000 events read once)."""
    content_type = request.content_type.split(";")[0].strip()
    if not (content_type == "application/json" or content_type.endswith("+json")):
        return None  # a form body is never read here (its stream may be consumed already)
    raw = request._request.body  # read (and kept) before DRF parses it, or a view reads it
    if not raw.strip():
        return None
    reader = getattr(view, "json_body", None)
    if reader is not None:
        try:
            return reader(request)
        except (ValueError, RecursionError):
            return None
    encoding = request._request.encoding or settings.DEFAULT_CHARSET  # as the parser decodes it
    try:
        text = raw.decode(encoding)
        return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except (ValueError, LookupError, RecursionError):
        return None  # not JSON the parser can read either: it answers the 400


def check_input(request: Request, view: APIView) -> None:
    match = request.resolver_match
    method = "GET" if request.method == "HEAD" else str(request.method)
    if match is None or method == "OPTIONS":
        return
    op = operations().get((_key_from_route(match.route), method))
    if op is None:
        return
    errors: dict[str, list[ErrorDetail]] = {}
    for name in request.query_params:
        if name not in op.query:
            known = ", ".join(sorted(op.query)) or "none"
            errors[name] = [
                ErrorDetail(
                    f"Unknown query parameter {name!r} (this endpoint takes: {known}).",
                    code="unknown_parameter",
                )
            ]
            continue
        problem = _value_problem(request.query_params[name], op.query[name])
        if problem:
            errors[name] = [ErrorDetail(f"{name} {problem}.", code="invalid")]
    if method in _BODY_METHODS:
        data = _body(request, view)
        if op.body is None and data is not None and not isinstance(data, dict):
            # a route that takes no body: a JSON value that is not an object would be ignored
            errors["non_field_errors"] = [
                ErrorDetail(
                    "This endpoint takes no body: send none, or {}.", code="unexpected_body"
                )
            ]
        if isinstance(data, dict):
            unknown: list[Unknown]
            if op.body is None:
                unknown = [(key, key, []) for key in data]
            else:
                deep = not getattr(view, "strict_input_top_level_only", False)
                unknown = _unknown_fields(data, op.body, "", deep)
            for where, key, known_keys in unknown:
                takes = ", ".join(known_keys) if known_keys else "no fields"
                errors[where] = [
                    ErrorDetail(f"Unknown field {key!r} (known: {takes}).", code="unknown_field")
                ]
    if errors:
        raise ValidationError(errors)


class StrictInputMixin:
    # `initial()` runs DRF's checks (authentication, permissions, throttles), then this one.
    # (A comment, not a docstring: drf-spectacular takes the first docstring of a view's classes
    # as the operation's description, and this mixin is first in every view's MRO.)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        check_input(request, self)  # type: ignore[arg-type]


def _strict_view(callback: Any) -> Any:
    cls = getattr(callback, "cls", None)
    if cls is None or not issubclass(cls, APIView) or issubclass(cls, StrictInputMixin):
        return callback
    strict: Any = type(
        cls.__name__,
        (StrictInputMixin, cls),
        {"__module__": cls.__module__, "__qualname__": cls.__qualname__},
    )
    return strict.as_view(**getattr(callback, "initkwargs", {}))


def strict_api(patterns: list[Any]) -> list[Any]:
    """The same URL patterns, every DRF view among them (at any depth) checked as above."""
    result: list[Any] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            result.append(
                URLResolver(
                    entry.pattern,
                    strict_api(list(entry.url_patterns)),
                    entry.default_kwargs,
                    entry.app_name,
                    entry.namespace,
                )
            )
        elif isinstance(entry, URLPattern):
            result.append(
                URLPattern(
                    entry.pattern, _strict_view(entry.callback), entry.default_args, entry.name
                )
            )
        else:
            result.append(entry)
    return result
