"""Widgets and form fields for back-office forms a finance person can use: a select the user can
type into to filter (the admin's bundled select2, no CDN), and choice fields for countries and time
zones that refuse an unknown code with a clear message.

    from core.admin_widgets import CountryField, SearchableSelect, TimeZoneField

    class CustomerForm(forms.ModelForm):
        country = CountryField(required=False)
        timezone = TimeZoneField()

Currencies live in the catalog (`catalog.admin_fields.CurrencyField`), which owns the ISO 4217
tables; core imports none of the apps.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from babel import Locale
from django import forms
from django.conf import settings
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    get_select2_language,
)
from django.core.exceptions import ValidationError

Choices = tuple[tuple[str, str], ...]
FormClass = TypeVar("FormClass", type[forms.Form], type[forms.ModelForm[Any]])

# Babel's two-letter territories that are not countries: the European Union and the euro zone,
# the United Nations, Outlying Oceania, pseudo-locales and "unknown region". XK (Kosovo) stays:
# banks and gateways use it.
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


class SearchableSelect(forms.Select):
    """A select rendered by the admin's select2: type to filter the options. Without JavaScript it
    is the plain select. A current value that is not among the choices is kept as a marked option
    (never silently replaced by the first one), so that saving shows why it is refused."""

    def build_attrs(
        self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        classes = attrs.get("class", "").split()
        attrs["class"] = " ".join([*classes, "admin-searchable-select"])
        attrs.setdefault("data-theme", "admin-autocomplete")
        attrs.setdefault("data-allow-clear", "false" if self.is_required else "true")
        attrs.setdefault("data-placeholder", "")
        return attrs

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        groups = super().optgroups(name, value, attrs)
        known = {str(option["value"]) for _group, options, _index in groups for option in options}
        for index, unknown in enumerate(v for v in value if v not in ("", None)):
            if str(unknown) not in known:
                option = self.create_option(
                    name, unknown, f"{unknown} (not a known code)", True, len(groups) + index,
                    attrs=attrs,
                )  # fmt: skip
                groups.append((None, [option], len(groups) + index))
        return groups

    @property
    def media(self) -> forms.Media:
        extra = "" if settings.DEBUG else ".min"
        language = get_select2_language()
        i18n = (f"admin/js/vendor/select2/i18n/{language}.js",) if language else ()
        return forms.Media(
            js=(
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                *i18n,
                "admin/js/jquery.init.js",
                "core/admin/searchable_select.js",
            ),
            css={
                "screen": (
                    f"admin/css/vendor/select2/select2{extra}.css",
                    "admin/css/autocomplete.css",
                    "core/admin/searchable_select.css",
                )
            },
        )


class SafeAutocompleteMixin:
    """The admin's type-to-search picker, minus its 500: re-rendering a form whose value is not
    an id of the field's model (`customer=abc`) used to query `id__in=["abc"]` (ValueError
    "Field 'id' expected a number"). Such values are left out of the lookup; the form's field
    says "Select a valid choice"."""

    field: Any

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", opts.pk.attname))
        ids = [v for v in value if _is_value_of(target, v)]
        groups: list[tuple[str | None, list[dict[str, Any]], int | None]]
        groups = super().optgroups(name, ids, attr)  # type: ignore[misc]
        return groups


def _is_value_of(field: Any, value: Any) -> bool:
    if value in (None, ""):
        return True
    try:
        field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return True


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


def safe_autocomplete(form_class: FormClass) -> FormClass:
    """Make the admin's autocomplete widgets (built for `autocomplete_fields`, possibly inside
    a RelatedFieldWidgetWrapper) in a form class's fields the safe ones above (they only add a
    method, so the widget keeps everything the admin gave it); returns the class."""
    for field in form_class.base_fields.values():
        for widget in (field.widget, getattr(field.widget, "widget", None)):
            if type(widget) in _SAFE:
                widget.__class__ = _SAFE[type(widget)]
    return form_class


_SAFE: dict[type[Any], type[Any]] = {
    AutocompleteSelect: SafeAutocompleteSelect,
    AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple,
}


class CodeChoiceField(forms.ChoiceField):
    """A choice among codes (countries, currencies, time zones) picked with a SearchableSelect.
    An unknown code is refused with the `invalid_choice` message (`%(value)r` is the code)."""

    widget = SearchableSelect
    default_error_messages = {"invalid_choice": "Unknown code %(value)r."}
    empty_label = "---------"

    def __init__(self, *, choices: Callable[[], Sequence[tuple[str, str]]], **kwargs: Any) -> None:
        def with_empty() -> list[tuple[str, str]]:
            return [("", self.empty_label), *choices()]

        super().__init__(choices=with_empty, **kwargs)

    def normalize(self, value: str) -> str:
        return value

    def to_python(self, value: Any) -> str:
        text: str = super().to_python(value).strip()
        return self.normalize(text) if text else text


@cache
def country_choices() -> Choices:
    """ISO 3166-1 alpha-2 codes with their English names, sorted by name: ("DE", "Germany (DE)")."""
    territories = Locale("en").territories
    rows = [
        (str(code), str(name))
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return tuple((code, f"{name} ({code})") for code, name in sorted(rows, key=lambda r: r[1]))


@cache
def timezone_choices() -> Choices:
    """Every IANA time zone name this machine knows, sorted, UTC first. Labels read with spaces
    ("America/New York") so that typing "new york" finds it."""
    names = sorted(zoneinfo.available_timezones() - {"UTC"})
    return (("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names))


@cache
def _timezones_by_lower_case() -> dict[str, str]:
    return {name.lower(): name for name, _label in timezone_choices()}


class CountryField(CodeChoiceField):
    default_error_messages = {
        "invalid_choice": "Unknown country %(value)r: use an ISO 3166-1 alpha-2 code such as DE "
        "or US."
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=country_choices, **kwargs)

    def normalize(self, value: str) -> str:
        return value.upper()


class TimeZoneField(CodeChoiceField):
    default_error_messages = {
        "invalid_choice": "Unknown time zone %(value)r: use an IANA name such as Europe/Berlin."
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=timezone_choices, **kwargs)

    def normalize(self, value: str) -> str:
        return _timezones_by_lower_case().get(value.lower(), value)
