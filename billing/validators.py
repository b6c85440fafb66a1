"""Validators of billing data, shared by the models, the admin forms and the API serializers."""

from typing import Any

from django.core.exceptions import ValidationError

MAX_METADATA_KEYS = 50
MAX_METADATA_KEY_LENGTH = 40
MAX_METADATA_VALUE_LENGTH = 500


def validate_metadata(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError("Metadata must be a JSON object.", code="invalid_metadata")
    if len(value) > MAX_METADATA_KEYS:
        raise ValidationError(
            f"Metadata holds at most {MAX_METADATA_KEYS} keys.", code="invalid_metadata"
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key or len(key) > MAX_METADATA_KEY_LENGTH:
            raise ValidationError(
                f"Metadata keys are strings of 1 to {MAX_METADATA_KEY_LENGTH} characters.",
                code="invalid_metadata",
            )
        if not isinstance(item, str) or len(item) > MAX_METADATA_VALUE_LENGTH:
            raise ValidationError(
                f"Metadata value of {key!r} must be a string of at most "
                f"{MAX_METADATA_VALUE_LENGTH} characters.",
                code="invalid_metadata",
            )
