from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions

from core.api.errors import _flatten, errors_from_django


def test_nested_and_listed_errors_are_flattened_to_dotted_paths() -> None:
    detail = exceptions.ValidationError(
        {
            "currency": ["Unknown currency."],
            "billing_address": {"country": ["Unknown country."]},
            "events": [{}, {"event_id": ["This field is required."]}],
            "non_field_errors": ["Bad combination."],
        }
    ).detail
    items = _flatten(detail, None)
    assert {(i["field"], i["message"]) for i in items} == {
        ("currency", "Unknown currency."),
        ("billing_address.country", "Unknown country."),
        ("events[1].event_id", "This field is required."),
        (None, "Bad combination."),
    }


def test_django_validation_errors_keep_field_and_code() -> None:
    exc = DjangoValidationError({"timezone": [DjangoValidationError("bad", code="unknown_tz")]})
    assert errors_from_django(exc) == [
        {"field": "timezone", "code": "unknown_tz", "message": "bad"}
    ]
