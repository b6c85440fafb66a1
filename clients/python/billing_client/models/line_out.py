from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.line_kind_enum import LineKindEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="LineOut")


@_attrs_define
class LineOut:
    """
    Attributes:
        id (int):
        kind (LineKindEnum): * `fixed_fee` - fixed fee
            * `usage` - Usage
            * `minimum` - minimum commitment true-up
            * `proration` - Proration
            * `one_off` - one-off
            * `one_time` - one-time fee
            * `trial` - free trial
            * `add_on` - add-on
            * `discount` - Discount
            * `prepaid` - prepaid credit
        description (str):
        amount (str): rounded once
        tax_rate (None | str): The rate that taxed it: the one set on its charge, add-on, fee or product, else the
            customer's address rate (null: untaxed).
        quantity (str | Unset):
        unit_amount (None | str | Unset):
        period_start (datetime.datetime | None | Unset):
        period_end (datetime.datetime | None | Unset):
        metric_code (str | Unset):
        tax_percentage (str | Unset): as applied
        tax_inclusive (bool | Unset):
        tax_category (str | Unset): The rate's category as applied (exempt, ...).
        tax_amount (str | Unset): rounded once per line
        explanation (Any | Unset):
    """

    id: int
    kind: LineKindEnum
    description: str
    amount: str
    tax_rate: None | str
    quantity: str | Unset = UNSET
    unit_amount: None | str | Unset = UNSET
    period_start: datetime.datetime | None | Unset = UNSET
    period_end: datetime.datetime | None | Unset = UNSET
    metric_code: str | Unset = UNSET
    tax_percentage: str | Unset = UNSET
    tax_inclusive: bool | Unset = UNSET
    tax_category: str | Unset = UNSET
    tax_amount: str | Unset = UNSET
    explanation: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        description = self.description

        amount = self.amount

        tax_rate: None | str
        tax_rate = self.tax_rate

        quantity = self.quantity

        unit_amount: None | str | Unset
        if isinstance(self.unit_amount, Unset):
            unit_amount = UNSET
        else:
            unit_amount = self.unit_amount

        period_start: None | str | Unset
        if isinstance(self.period_start, Unset):
            period_start = UNSET
        elif isinstance(self.period_start, datetime.datetime):
            period_start = self.period_start.isoformat()
        else:
            period_start = self.period_start

        period_end: None | str | Unset
        if isinstance(self.period_end, Unset):
            period_end = UNSET
        elif isinstance(self.period_end, datetime.datetime):
            period_end = self.period_end.isoformat()
        else:
            period_end = self.period_end

        metric_code = self.metric_code

        tax_percentage = self.tax_percentage

        tax_inclusive = self.tax_inclusive

        tax_category = self.tax_category

        tax_amount = self.tax_amount

        explanation = self.explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "description": description,
                "amount": amount,
                "tax_rate": tax_rate,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if unit_amount is not UNSET:
            field_dict["unit_amount"] = unit_amount
        if period_start is not UNSET:
            field_dict["period_start"] = period_start
        if period_end is not UNSET:
            field_dict["period_end"] = period_end
        if metric_code is not UNSET:
            field_dict["metric_code"] = metric_code
        if tax_percentage is not UNSET:
            field_dict["tax_percentage"] = tax_percentage
        if tax_inclusive is not UNSET:
            field_dict["tax_inclusive"] = tax_inclusive
        if tax_category is not UNSET:
            field_dict["tax_category"] = tax_category
        if tax_amount is not UNSET:
            field_dict["tax_amount"] = tax_amount
        if explanation is not UNSET:
            field_dict["explanation"] = explanation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = LineKindEnum(d.pop("kind"))

        description = d.pop("description")

        amount = d.pop("amount")

        def _parse_tax_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate"))

        quantity = d.pop("quantity", UNSET)

        def _parse_unit_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unit_amount = _parse_unit_amount(d.pop("unit_amount", UNSET))

        def _parse_period_start(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_start_type_0 = datetime.datetime.fromisoformat(data)

                return period_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        period_start = _parse_period_start(d.pop("period_start", UNSET))

        def _parse_period_end(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_end_type_0 = datetime.datetime.fromisoformat(data)

                return period_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        period_end = _parse_period_end(d.pop("period_end", UNSET))

        metric_code = d.pop("metric_code", UNSET)

        tax_percentage = d.pop("tax_percentage", UNSET)

        tax_inclusive = d.pop("tax_inclusive", UNSET)

        tax_category = d.pop("tax_category", UNSET)

        tax_amount = d.pop("tax_amount", UNSET)

        explanation = d.pop("explanation", UNSET)

        line_out = cls(
            id=id,
            kind=kind,
            description=description,
            amount=amount,
            tax_rate=tax_rate,
            quantity=quantity,
            unit_amount=unit_amount,
            period_start=period_start,
            period_end=period_end,
            metric_code=metric_code,
            tax_percentage=tax_percentage,
            tax_inclusive=tax_inclusive,
            tax_category=tax_category,
            tax_amount=tax_amount,
            explanation=explanation,
        )

        line_out.additional_properties = d
        return line_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
