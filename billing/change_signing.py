"""A change of plan or quantity is confirmed only as it was previewed: the preview page carries
its request signed (HMAC with the SECRET_KEY) and time-stamped, and the confirmation applies the
request it reads back, or nothing. The admin's *Change plan or quantity* (which compares it with
the form typed again) and the customer portal's plan change (which confirms the signed request
itself, within a few minutes) both use these two functions; each has its own salt, so a token of
one is no token of the other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core import signing

from core.exceptions import ValidationFailed

PREVIEW_SALT = "billing.subscription-change-preview"


def change_request_sign(request: Mapping[str, Any], *, salt: str = PREVIEW_SALT) -> str:
    """The previewed request (JSON-serializable values), signed and time-stamped."""
    return signing.dumps(dict(request), salt=salt)


def change_request_read(
    token: str, *, salt: str = PREVIEW_SALT, max_age: int | None = None
) -> dict[str, Any]:
    """The request a preview signed, or a refusal: `preview_expired` when it is older than
    `max_age` seconds, `preview_invalid` when it was altered or is no preview's."""
    try:
        found = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationFailed(
            "This preview has expired: preview the change again.",
            field="previewed",
            code="preview_expired",
        ) from None
    except signing.BadSignature:
        raise ValidationFailed(
            "This is not the preview that was shown: preview the change again.",
            field="previewed",
            code="preview_invalid",
        ) from None
    if not isinstance(found, dict):
        raise ValidationFailed(
            "This is not the preview that was shown: preview the change again.",
            field="previewed",
            code="preview_invalid",
        )
    return found
