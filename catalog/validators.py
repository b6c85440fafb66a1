"""Field validators used by models, forms and serializers alike."""

from django.core.exceptions import ValidationError

from catalog.money import is_currency


def validate_currency(value: str) -> None:
    if not is_currency(value):
        raise ValidationError(
            "Unknown currency %(value)r: use an ISO 4217 code such as USD, EUR or JPY.",
            code="unknown_currency",
            params={"value": value},
        )
