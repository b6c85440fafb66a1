"""Validators for geography, time and language, shared by models, forms and serializers."""

import zoneinfo
from functools import cache

from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def _countries() -> frozenset[str]:
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if code.isalpha() and len(code) == 2)


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(
            "Unknown time zone %(value)r: use an IANA name such as Europe/Berlin.",
            code="unknown_timezone",
            params={"value": value},
        )


def validate_locale(value: str) -> None:
    try:
        Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValidationError(
            "Unknown locale %(value)r: use a language tag such as en, en-US or de-DE.",
            code="unknown_locale",
            params={"value": value},
        ) from None


def validate_country(value: str) -> None:
    if value and value not in _countries():
        raise ValidationError(
            "Unknown country %(value)r: use an ISO 3166-1 alpha-2 code such as DE or US.",
            code="unknown_country",
            params={"value": value},
        )


def storable_text(text: str) -> bool:
    """Text PostgreSQL can store (in text and jsonb): no NUL character, no lone surrogate (which
    UTF-8 cannot encode)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
