"""Form fields of the catalog for back-office forms: currencies as a searchable choice.

    from catalog.admin_fields import CurrencyField

    class PlanForm(forms.ModelForm):
        currency = CurrencyField()

Countries and time zones are in `core.admin_widgets` (CountryField, TimeZoneField).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from catalog.money import currencies
from core.admin_widgets import Choices, CodeChoiceField, CountryField, TimeZoneField


@cache
def currency_choices() -> Choices:
    """The ISO 4217 currencies one can bill in (those with a minor unit), sorted by code, with
    their English names: ("USD", "USD — US Dollar")."""
    return tuple((c.code, f"{c.code} — {c.name}") for c in currencies())


class CurrencyField(CodeChoiceField):
    default_error_messages = {
        "invalid_choice": "Unknown currency %(value)r: use an ISO 4217 code such as USD, EUR or "
        "JPY."
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=currency_choices, **kwargs)

    def normalize(self, value: str) -> str:
        return value.upper()


class CodeFieldsMixin:
    """ModelAdmin mixin: a model's `currency`, `country` and `timezone` columns are edited with
    searchable choices (CurrencyField, CountryField, TimeZoneField) instead of free text."""

    code_fields: dict[str, Any] = {
        "currency": CurrencyField,
        "country": CountryField,
        "timezone": TimeZoneField,
    }

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field_class = self.code_fields.get(db_field.name)
        if field_class is None or db_field.choices:
            return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        return field_class(
            required=not db_field.blank,
            label=str(db_field.verbose_name).capitalize(),
            help_text=db_field.help_text,
            initial=db_field.get_default() or None,
        )
