"""OpenAPI: the rate limits (core/api/throttling.py) on every operation under /api/v1/."""

from __future__ import annotations

from typing import Any

_HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window for this key and route class.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "Seconds until the current window ends (and the count starts again).",
        "schema": {"type": "integer", "minimum": 1},
    },
    "X-RateLimit-Class": {
        "description": "The route class counted: `reads`, `writes` or `ingestion`.",
        "schema": {"type": "string", "enum": ["reads", "writes", "ingestion"]},
    },
}
_RETRY_AFTER = {
    "description": "Whole seconds until the window ends; the request may be retried then.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
_WHY = (
    "Too many requests (`rate_limited`): this API key (or staff user) used up the limit of the "
    "operation's route class (reads: GET; writes: POST, PUT, PATCH, DELETE; ingestion: usage "
    "events) in the current window. Retry after `Retry-After` seconds."
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def declare_rate_limits(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook (after core.api.schema.declare_errors): every operation under /api/v1/
    may answer 429 with `Retry-After`; its responses carry the X-RateLimit-* headers (when the
    request was counted: an authenticated caller, Redis reachable)."""
    headers = result.setdefault("components", {}).setdefault("headers", {})
    headers.update(_HEADERS)
    headers["Retry-After"] = _RETRY_AFTER
    for path, methods in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for op in methods.values():
            responses = op.setdefault("responses", {})
            responses.setdefault(
                "429",
                {
                    "description": _WHY,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                    },
                },
            )
            for code, response in responses.items():
                if "$ref" in response:
                    continue
                declared = response.setdefault("headers", {})
                for name in _HEADERS:
                    declared.setdefault(name, _ref(name))
                if code == "429":
                    declared["Retry-After"] = _ref("Retry-After")
    return result
