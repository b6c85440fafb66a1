"""OpenAPI pieces shared by every app's views."""

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
    },
)
ErrorBody = inline_serializer(name="ErrorBody", fields={"errors": _ErrorItem})


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(response=ErrorBody, description="Error") for code in codes}
