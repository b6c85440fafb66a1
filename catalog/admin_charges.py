"""A price book's charges in the admin, edited as a finance person reads them: tiers as a table
(rows of from, to, unit price, flat fee), the other pricing models' parameters as plain inputs.

The form builds the same `params` the API takes (decimals as text, never floats) and checks them
with the rating engine (`compile_charge`), whose errors are shown where they belong: an error of
`tiers[1].to` highlights row 2's "to" cell and reads "Tier 2, to: ...".

Without JavaScript every input is there and works (spare empty rows to add tiers; an emptied row
is dropped); with it, only the selected model's inputs show and rows are added and removed with
buttons, a new row starting where the previous one ends (catalog/admin/charge_form.js).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from catalog.models import Charge, PlanPhase, PlanVersion
from catalog.pricing import (
    PAY_IN_ADVANCE_MODELS,
    PRORATED_MODELS,
    PricingError,
    compile_charge,
)
from core.admin_widgets import SearchableSelect

TIER_KEYS = ("from", "to", "unit_price", "flat_fee")
TIER_LABELS = {
    "from": "from",
    "to": "to",
    "unit_price": "unit price",
    "rate": "rate (%)",
    "flat_fee": "flat fee",
}
# The tiered models: the form's table that edits their `tiers`, and what a tier is priced by
# (graduated_percentage's tiers carry a rate in percent where the others have a unit price).
TIER_TABLES = {"graduated": "tiers", "volume": "tiers", "graduated_percentage": "rate_tiers"}
TABLE_PRICE_KEYS = {"tiers": "unit_price", "rate_tiers": "rate"}
TIERED = tuple(TIER_TABLES)

# Each pricing model's parameters (catalog/pricing.py), in the order the form shows them.
MODEL_PARAMS: dict[str, tuple[str, ...]] = {
    "per_unit": ("unit_price",),
    "graduated": ("tiers", "flat_fee_at_zero"),
    "volume": ("tiers", "flat_fee_at_zero"),
    "package": ("package_size", "package_price", "free_units"),
    "percentage": (
        "rate", "fixed_fee", "min_per_transaction", "max_per_transaction", "free_transactions",
        "free_amount",
    ),
    "graduated_percentage": ("rate_tiers",),
    "flat": ("amount",),
}  # fmt: skip

PARAM_LABELS = {
    "unit_price": "unit price",
    "package_size": "package size",
    "package_price": "package price",
    "free_units": "free units",
    "rate": "rate (%)",
    "fixed_fee": "fixed fee per transaction",
    "min_per_transaction": "minimum fee per transaction",
    "max_per_transaction": "maximum fee per transaction",
    "free_transactions": "free transactions",
    "free_amount": "free amount",
    "flat_fee_at_zero": "flat fee at quantity 0",
    "amount": "amount per period",
}
_TIER_PATH = re.compile(r"tiers\[(\d+)\](?:\.(from|to|unit_price|rate|flat_fee))?")
_TIER_FIELD = re.compile(r"tiers(?:\[(\d+)\](?:\.(from|to|unit_price|rate|flat_fee))?)?")
_PARAM_KEY = re.compile(r"\b(" + "|".join(k for k in PARAM_LABELS if "_" in k) + r")\b")


def _text(value: Any) -> str:
    """A cell's or a parameter's text: None is empty; numbers keep their digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # legacy params written from JSON numbers
    return str(value).strip()


def decimal_text(text: str) -> str:
    """A typed number as plain decimal text ("1e3" -> "1000", "0.10" stays "0.10"). Text that is
    not a finite number of sensible size is left as typed for the engine to refuse by name."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite() or number.adjusted() > 40 or number.adjusted() < -40:
        return text
    return format(number, "f")


def tier_keys(price_key: str = "unit_price") -> tuple[str, ...]:
    """A tier row's keys: from, to, its price (unit_price or rate), flat_fee."""
    return ("from", "to", price_key, "flat_fee")


def tier_rows(value: Any, price_key: str = "unit_price") -> list[dict[str, str]]:
    """Tiers (from params or from the posted table) as rows of text, empty rows dropped."""
    if not isinstance(value, list | tuple):
        return []
    rows = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        row = {key: _text(item.get(key)) for key in tier_keys(price_key)}
        if any(row.values()):
            rows.append(row)
    return rows


ADVANCE_CHOICES = [
    ("", "—"),
    ("own", "own: an invoice of its own at once"),
    ("next", "next: a line on the customer's next invoice"),
]


def advance_initial(params: Mapping[str, Any]) -> dict[str, Any]:
    """The form's pay_in_advance and invoice inputs for a stored charge's parameters."""
    if params.get("pay_in_advance") is not True:
        return {}
    return {"pay_in_advance": True, "invoice": params.get("invoice") or "own"}


def initial_from_params(model: str, params: Any) -> dict[str, Any]:
    """The form's initial values for a stored charge's parameters."""
    if not isinstance(params, Mapping) or model not in MODEL_PARAMS:
        return {}
    prorated = {"prorated": True} if params.get("prorated") is True else {}
    return {**_model_initial(model, params), **advance_initial(params), **prorated}


def _model_initial(model: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if model in TIERED:
        table = TIER_TABLES[model]
        initial: dict[str, Any] = {table: tier_rows(params.get("tiers"), TABLE_PRICE_KEYS[table])}
        if "flat_fee_at_zero" in MODEL_PARAMS[model]:
            initial["flat_fee_at_zero"] = params.get("flat_fee_at_zero") is True
        return initial
    return {key: _text(params[key]) for key in MODEL_PARAMS[model] if key in params}


def humanize(message: str) -> str:
    """An engine message in the table's words: "tiers[1].to" -> "tier 2, to"."""

    def tier(match: re.Match[str]) -> str:
        key = match[2]
        return f"tier {int(match[1]) + 1}" + (f", {TIER_LABELS[key]}" if key else "")

    message = _TIER_PATH.sub(tier, message)
    message = message.replace('("to": null)', "(leave its “to” empty)")
    return _PARAM_KEY.sub(lambda m: PARAM_LABELS[m[1]], message)


class TiersWidget(forms.Widget):
    """A table of tiers: one row per tier (from, to, unit price, flat fee), posted as
    `<name>-<row>-<key>` inputs. `cell_errors` marks the cells an error is about."""

    template_name = "admin/widgets/tiers_table.html"
    spare_rows = 2

    def __init__(self, attrs: dict[str, Any] | None = None, price_key: str = "unit_price") -> None:
        super().__init__(attrs)
        self.price_key = price_key  # the priced column: unit_price, or rate (percent)
        self.keys = tier_keys(price_key)
        self.cell_errors: dict[tuple[int, str], str] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> TiersWidget:
        copied: TiersWidget = super().__deepcopy__(memo)
        copied.cell_errors = {}  # each form's own
        return copied

    def format_value(self, value: Any) -> list[dict[str, str]]:
        return tier_rows(value, self.price_key)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        id_ = widget["attrs"].get("id") or f"id_{name}"
        values = widget["value"]
        blank = dict.fromkeys(self.keys, "")
        rows = []
        for index, row in enumerate([*values, *[blank] * self.spare_rows]):
            row_error = self.cell_errors.get((index, ""))
            cells = [
                {
                    "key": key,
                    "label": TIER_LABELS[key],
                    "name": f"{name}-{index}-{key}",
                    "id": f"{id_}-{index}-{key}",
                    "value": row[key],
                    "error": self.cell_errors.get((index, key)) or row_error,
                    "placeholder": "0" if index == 0 and key == "from" else "",
                }
                for key in self.keys
            ]
            rows.append({"number": index + 1, "cells": cells, "blank": not any(row.values())})
        widget["rows"] = rows
        widget["table_id"] = id_
        widget["price_key"] = self.price_key
        widget["price_label"] = TIER_LABELS[self.price_key].capitalize()
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-0-from" if id_ else id_

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]] | None:
        pattern = re.compile(rf"{re.escape(name)}-(\d+)-({'|'.join(self.keys)})")
        rows: dict[int, dict[str, str]] = {}
        for key in data:
            match = pattern.fullmatch(key)
            if match:
                rows.setdefault(int(match[1]), {})[match[2]] = data.get(key)
        if not rows:
            return None
        return [rows[index] for index in sorted(rows)]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(str(key).startswith(f"{name}-") for key in data)

    @property
    def media(self) -> forms.Media:
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=(
                f"admin/js/vendor/jquery/jquery{extra}.js",
                "admin/js/jquery.init.js",
                "catalog/admin/charge_form.js",
            ),
            css={"screen": ("catalog/admin/charge_form.css",)},
        )


class TiersField(forms.Field):
    """Rows of text {from, to, unit_price (or rate), flat_fee}, empty rows dropped. The numbers
    are checked by the rating engine, with the rest of the charge."""

    widget = TiersWidget

    def __init__(self, *, price_key: str = "unit_price", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", TiersWidget(price_key=price_key))
        self.price_key = price_key
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, str]]:
        return tier_rows(value, self.price_key)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return tier_rows(initial, self.price_key) != tier_rows(data, self.price_key)


def _param_field(key: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=PARAM_LABELS[key],
        required=False,
        max_length=50,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 14}),
    )


class ChargeForm(forms.ModelForm[Charge]):
    """A charge of a price book. `cleaned_data["params"]` (and the instance's `params`) is the
    dict the API takes, built from the selected pricing model's inputs only."""

    tiers = TiersField(
        help_text="Each tier covers quantities above “from” up to and including “to”; leave the "
        "last tier's “to” empty (and above). An empty “from” starts where the previous tier "
        "ends; an emptied row is dropped.",
    )
    flat_fee_at_zero = forms.BooleanField(
        label=PARAM_LABELS["flat_fee_at_zero"],
        required=False,
        help_text="Bill the first tier's flat fee when the quantity is 0 (as Stripe does). "
        "Unchecked: a quantity of 0 costs nothing.",
    )
    rate_tiers = TiersField(
        price_key="rate",
        label="tiers",
        help_text="Each tier's rate (percent) applies to the part of the period's amount above "
        "“from” up to and including “to”; its flat fee is billed once when the amount reaches "
        "into the tier. Leave the last tier's “to” empty (and above).",
    )
    unit_price = _param_field("unit_price", "Price of one unit, e.g. 0.002.")
    package_size = _param_field("package_size", "Units in a package (a whole number).")
    package_price = _param_field("package_price")
    free_units = _param_field("free_units", "Units given before the first package (optional).")
    rate = _param_field("rate", "Percent of each transaction's amount, e.g. 2.9.")
    fixed_fee = _param_field("fixed_fee", "Added to each transaction's fee (optional).")
    min_per_transaction = _param_field("min_per_transaction", "Optional.")
    max_per_transaction = _param_field("max_per_transaction", "Optional.")
    free_transactions = _param_field(
        "free_transactions", "The period's first transactions that cost nothing (optional)."
    )
    free_amount = _param_field(
        "free_amount",
        "The first part of the period's amount free of the rate (optional). With free "
        "transactions or per-transaction fees, the free allowance ends with whichever of the "
        "two runs out first.",
    )
    amount = _param_field("amount", "Billed each period, whatever the usage.")
    pay_in_advance = forms.BooleanField(
        label="paid in advance",
        required=False,
        help_text="Bill the usage as its events arrive (its usage so far less what was billed "
        "before), not at the period's end. Not for volume or flat charges, nor with a minimum "
        "amount.",
    )
    prorated = forms.BooleanField(
        label="prorated",
        required=False,
        help_text="On a recurring metric (seats, storage): bill the level held, prorated by the "
        "time it was held in the period, not the period's quantity. Per unit, graduated and "
        "volume charges only; billed at the period's end.",
    )
    invoice = forms.ChoiceField(
        label="billed on",
        choices=ADVANCE_CHOICES,
        required=False,
        help_text="Where a charge paid in advance is billed (empty: its own invoice).",
    )

    phase = forms.IntegerField(
        label="phase",
        required=False,
        min_value=0,
        widget=forms.Select(choices=[("", "every phase")]),
        help_text="Only in this phase of the price book (by its position; empty: in every phase).",
    )

    class Meta:
        model = Charge
        fields = (
            "metric", "pricing_model", "display_name", "minimum_amount", "tax_rate", "position",
        )  # fmt: skip
        widgets = {
            "metric": SearchableSelect,
            "pricing_model": forms.Select(attrs={"class": "charge-pricing-model"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            stored = initial_from_params(self.instance.pricing_model, self.instance.params)
            for key, value in stored.items():
                self.initial.setdefault(key, value)
            phase = self.instance.phase if self.instance.phase_id is not None else None
            if phase is not None:
                self.initial.setdefault("phase", phase.position)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        model = data.get("pricing_model")
        if not model or model not in MODEL_PARAMS:
            return data
        try:
            params = {**self._params(model, data), **self._advance(data)}
            if data.get("prorated"):
                params["prorated"] = True  # unchecked: left out, today's rule
            compile_charge(
                model, params, currency=self._currency(), minimum=data.get("minimum_amount")
            )
        except PricingError as exc:
            self.add_pricing_error(model, exc)
            return data
        data["params"] = params
        self.instance.params = params  # what the instance's other fields get in _post_clean
        return data

    def _currency(self) -> str:
        version: PlanVersion | None = getattr(self, "parent_version", None)
        return version.plan.currency if version is not None and version.plan_id else "USD"

    def _params(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        if model in TIERED:
            table = TIER_TABLES[model]
            tiered: dict[str, Any] = {
                "tiers": self._tiers(data.get(table) or [], TABLE_PRICE_KEYS[table])
            }
            if "flat_fee_at_zero" in MODEL_PARAMS[model] and data.get("flat_fee_at_zero"):
                tiered["flat_fee_at_zero"] = True  # unchecked: left out, today's rule
            return tiered
        params: dict[str, Any] = {}
        for key in MODEL_PARAMS[model]:
            text = _text(data.get(key))
            if text:
                params[key] = decimal_text(text)
        return params

    @staticmethod
    def _advance(data: Mapping[str, Any]) -> dict[str, Any]:
        """The pay_in_advance and invoice parameters (checked by the engine with the rest)."""
        advance: dict[str, Any] = {}
        if data.get("pay_in_advance"):
            advance["pay_in_advance"] = True
            advance["invoice"] = data.get("invoice") or "own"
        elif data.get("invoice"):
            advance["invoice"] = data["invoice"]  # refused: only with pay_in_advance
        return advance

    def _tiers(
        self, rows: list[dict[str, str]], price_key: str = "unit_price"
    ) -> list[dict[str, Any]]:
        if not rows:
            raise PricingError(
                f"Add at least one tier (to, {TIER_LABELS[price_key]}).", field="tiers"
            )
        tiers: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            tier: dict[str, Any] = {}
            if row["from"]:
                tier["from"] = decimal_text(row["from"])
            elif not tiers:
                tier["from"] = "0"
            elif tiers[-1]["to"] is not None:
                tier["from"] = tiers[-1]["to"]
            else:
                raise PricingError(
                    f"Only the last tier may be unbounded; tiers[{index - 1}] has no end.",
                    field=f"tiers[{index - 1}].to",
                )
            tier["to"] = decimal_text(row["to"]) if row["to"] else None
            if row[price_key]:
                tier[price_key] = decimal_text(row[price_key])
            if row["flat_fee"]:
                tier["flat_fee"] = decimal_text(row["flat_fee"])
            tiers.append(tier)
        return tiers

    def add_pricing_error(self, model: str, exc: PricingError) -> None:
        """An engine error where it belongs: a tier cell, a parameter, or the form."""
        field = exc.field or ""
        message = humanize(exc.message)
        tier = _TIER_FIELD.fullmatch(field)
        if tier is not None and model in TIERED:
            table = TIER_TABLES[model]
            if tier[1] is not None:
                number, key = int(tier[1]) + 1, tier[2] or ""
                where = f"tier {number}" + (f", {TIER_LABELS[key]}" if key else "")
                if message.lower().startswith(where):
                    message = message[0].upper() + message[1:]
                else:
                    message = f"{where[0].upper()}{where[1:]}: {message}"
                widget = self.fields[table].widget
                assert isinstance(widget, TiersWidget)
                widget.cell_errors[(number - 1, key)] = message
            self.add_error(table, message)
        elif field == "model":
            self.add_error("pricing_model", message)
        elif field == "minimum":
            self.add_error("minimum_amount", message)
        elif field == "pay_in_advance" and model not in PAY_IN_ADVANCE_MODELS:
            self.add_error("pricing_model", message)  # its inputs are hidden for this model
        elif field == "prorated" and model not in PRORATED_MODELS:
            self.add_error("pricing_model", message)  # its box is hidden for this model
        elif (
            field in (*MODEL_PARAMS[model], "pay_in_advance", "invoice", "prorated")
            and field in self.fields
        ):
            self.add_error(field, message)
        else:
            self.add_error(None, message)


def describe_params(model: str, params: Any) -> str:
    """A stored charge's parameters for reading (published price books are read-only)."""
    if not isinstance(params, Mapping):
        return "—"
    if model in TIERED:
        price_key = TABLE_PRICE_KEYS[TIER_TABLES[model]]
        rows = tier_rows(params.get("tiers"), price_key)
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (n, row["from"] or "—", row["to"] or "and above", row[price_key],
                 row["flat_fee"] or "—")
                for n, row in enumerate(rows, start=1)
            ),
        )  # fmt: skip
        at_zero = (
            format_html("<p>{}</p>", "The first tier's flat fee is billed at quantity 0.")
            if params.get("flat_fee_at_zero") is True
            else ""
        )
        advance = format_html_join(
            "", "<p>Paid in advance: {} invoice.</p>", ((v,) for v in _advance_shown(params))
        )
        prorated = (
            format_html("<p>{}</p>", "Prorated: the level held, by the time it was held.")
            if params.get("prorated") is True
            else ""
        )
        return format_html(
            '<table class="tiers-readonly"><thead><tr><th>tier</th><th>from</th><th>to</th>'
            "<th>{}</th><th>flat fee</th></tr></thead><tbody>{}</tbody></table>{}{}{}",
            TIER_LABELS[price_key],
            body,
            at_zero,
            advance,
            prorated,
        )
    shown = [(PARAM_LABELS.get(k, k), _text(params[k])) for k in MODEL_PARAMS.get(model, ())]
    shown += [("paid in advance", f"{v} invoice") for v in _advance_shown(params)]
    shown += [("prorated", "yes")] if params.get("prorated") is True else []
    return format_html_join("; ", "{}: {}", ((k, v) for k, v in shown if v)) or "—"


def _advance_shown(params: Mapping[str, Any]) -> list[str]:
    initial = advance_initial(params)
    return [initial["invoice"]] if initial else []


def _params_fieldset(name: str, fields: tuple[Any, ...], *models: str) -> Any:
    classes = ("charge-params", *(f"charge-params-{m}" for m in models))
    return (name, {"fields": fields, "classes": classes})


PARAM_FIELDSETS = [
    _params_fieldset(
        "Tiers (graduated and volume)", ("tiers", "flat_fee_at_zero"), "graduated", "volume"
    ),
    _params_fieldset("Tiers (graduated percentage)", ("rate_tiers",), "graduated_percentage"),
    _params_fieldset("Per unit", ("unit_price",), "per_unit"),
    _params_fieldset("Package", ("package_size", "package_price", "free_units"), "package"),
    _params_fieldset(
        "Percentage",
        (
            "rate",
            "fixed_fee",
            ("min_per_transaction", "max_per_transaction"),
            ("free_transactions", "free_amount"),
        ),
        "percentage",
    ),
    _params_fieldset("Flat fee", ("amount",), "flat"),
    _params_fieldset(
        "Billed before the period's end", ("pay_in_advance", "invoice"), *PAY_IN_ADVANCE_MODELS
    ),
    _params_fieldset("Recurring metric", ("prorated",), *PRORATED_MODELS),
]


EXTRA_PHASE_CHOICES = 4  # positions offered past the saved phases (phases added on the page)


def phase_label(phase: PlanPhase) -> str:
    length = "open-ended" if phase.periods is None else f"{phase.periods} periods"
    return f"{phase.position}: {phase.name or phase.get_kind_display()} ({length})"


def phase_choices(version: PlanVersion | None) -> list[tuple[Any, str]]:
    """The phase select's options: every phase (empty), the version's saved phases by position,
    and a few positions past them for phases added in the same form (the catalog service
    refuses a position the price book does not have)."""
    saved = list(version.phases.all()) if version is not None and version.pk else []
    extra = range(len(saved), len(saved) + EXTRA_PHASE_CHOICES)
    return [
        ("", "every phase"),
        *((p.position, phase_label(p)) for p in saved),
        *((n, f"{n}: a phase added above") for n in extra),
    ]


class ChargeInline(admin.StackedInline[Charge, PlanVersion]):
    """A price book's charges: metric (searchable), pricing model, then that model's inputs."""

    model = Charge
    form = ChargeForm
    extra = 0
    readonly_fields = ("parameters", "in_phase")
    fieldsets = [
        (None, {"fields": ("metric", "pricing_model")}),
        *PARAM_FIELDSETS,
        (None, {"fields": ("phase", "display_name", "minimum_amount", "tax_rate", "position")}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: PlanVersion | None = None) -> Any:
        if self._editable(request, obj):
            return self.fieldsets
        fields = ("metric", "pricing_model", "parameters", "in_phase", "display_name",
                  "minimum_amount", "tax_rate", "position")  # fmt: skip
        return [(None, {"fields": fields})]

    @admin.display(description="phase")
    def in_phase(self, obj: Charge) -> str:
        return "every phase" if obj.phase is None else phase_label(obj.phase)

    def _editable(self, request: HttpRequest, obj: PlanVersion | None) -> bool:
        if obj is None:
            return True
        parent = self.admin_site.get_model_admin(PlanVersion)
        return parent.has_change_permission(request, obj) and self.has_change_permission(
            request, obj
        )

    @admin.display(description="parameters")
    def parameters(self, obj: Charge) -> str:
        return describe_params(obj.pricing_model, obj.params)

    def get_formset(
        self, request: HttpRequest, obj: PlanVersion | None = None, **kwargs: Any
    ) -> Any:
        if "fields" not in kwargs:  # the phase select is the form's own (a position), not the
            # model's foreign key: the service resolves it among the book's phases
            shown = flatten_fieldsets(self.get_fieldsets(request, obj))
            kwargs["fields"] = [f for f in shown if f != "phase"]
        formset = super().get_formset(request, obj, **kwargs)

        choices = phase_choices(obj)

        class WithVersion(formset):  # type: ignore[misc,valid-type]
            def _construct_form(self, i: int, **kw: Any) -> Any:
                form = super()._construct_form(i, **kw)
                form.parent_version = obj
                return form

            def add_fields(self, form: Any, index: Any) -> None:
                super().add_fields(form, index)
                if "phase" in form.fields:
                    form.fields["phase"].widget.choices = choices

        return WithVersion
