"""Billing details: the form a customer changes its name, e-mail, address and tax id with
(written by `billing.services.customer_update`, whose refusals go next to their fields), and
the history of those fields (pghistory's rows, `core.audit.history_rows`): only the billing
details, never an internal field, and who changed them in words ("you", "our staff", "the
system")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import Customer
from core.audit import history_rows
from invoicing import pdf

BILLING_FIELDS = (
    "name",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "state",
    "country",
    "tax_id",
)
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})  # CLDR's groupings


def field_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "email": _("Billing e-mail"),
        "address_line1": _("Address line 1"),
        "address_line2": _("Address line 2"),
        "city": _("City"),
        "postal_code": _("Postal code"),
        "state": _("State or region"),
        "country": _("Country"),
        "tax_id": _("Tax ID"),
    }


def country_choices(reader: pdf.Reader) -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 countries named in the reader's language, sorted by name."""
    names = {
        str(code): str(name)
        for code, name in reader.locale.territories.items()
        if str(code).isalpha() and len(str(code)) == 2 and str(code) not in NOT_COUNTRIES
    }
    return [("", "—"), *sorted(names.items(), key=lambda item: item[1].casefold())]


class BillingDetailsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    email = forms.EmailField(label=gettext_lazy("Billing e-mail"), required=False)
    address_line1 = forms.CharField(
        label=gettext_lazy("Address line 1"), max_length=255, required=False
    )
    address_line2 = forms.CharField(
        label=gettext_lazy("Address line 2"), max_length=255, required=False
    )
    city = forms.CharField(label=gettext_lazy("City"), max_length=128, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=32, required=False)
    state = forms.CharField(label=gettext_lazy("State or region"), max_length=128, required=False)
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    tax_id = forms.CharField(label=gettext_lazy("Tax ID"), max_length=64, required=False)

    def __init__(self, *args: Any, reader: pdf.Reader, disabled: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = country_choices(reader)
        autocomplete = {
            "name": "organization",
            "email": "email",
            "address_line1": "address-line1",
            "address_line2": "address-line2",
            "city": "address-level2",
            "postal_code": "postal-code",
            "state": "address-level1",
            "country": "country",
        }
        for name, field in self.fields.items():
            if name in autocomplete:
                field.widget.attrs["autocomplete"] = autocomplete[name]
            if disabled:
                field.disabled = True

    def describe_errors(self) -> None:
        """Each field in error names its message (aria-describedby), read with the field."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}-error"


def initial_of(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in BILLING_FIELDS}


def _actor_words(row: dict[str, Any], customer: Customer) -> str:
    kind = row.get("actor_kind")
    if kind == "customer" and str(row.get("actor_id")) == str(customer.pk):
        return _("you")
    if kind == "user":
        return _("our staff")
    return _("the system")


def _value_words(field: str, value: Any, reader: pdf.Reader) -> str:
    text = "" if value is None else str(value)
    if field == "country" and text:
        return str(reader.locale.territories.get(text, text))
    return text or "—"


def details_history(customer: Customer, reader: pdf.Reader) -> list[dict[str, Any]]:
    """The changes of the customer's billing details, newest first: when, who (in words) and
    each billing field's old and new value. Changes of other fields are left out."""
    labels = field_labels()
    rows = []
    for row in history_rows(customer):
        if row["label"] != "update":
            continue
        changes = [
            {
                "field": labels[change["field"]],
                "old": _value_words(change["field"], change["old"], reader),
                "new": _value_words(change["field"], change["new"], reader),
            }
            for change in row["changes"]
            if change["field"] in BILLING_FIELDS
        ]
        if changes:
            rows.append(
                {"when": row["when"], "who": _actor_words(row, customer), "changes": changes}
            )
    rows.reverse()
    return rows
