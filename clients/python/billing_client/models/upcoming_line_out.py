from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UpcomingLineOut")


@_attrs_define
class UpcomingLineOut:
    """
    Attributes:
        kind (str):
        description (str):
        quantity (str):
        amount (str):
        tax_amount (str):
        tax_rate_code (None | str): the rate that taxes it
        tax_category (str):
        period_start (datetime.datetime | None):
        period_end (datetime.datetime | None):
        explanation (Any):
    """

    kind: str
    description: str
    quantity: str
    amount: str
    tax_amount: str
    tax_rate_code: None | str
    tax_category: str
    period_start: datetime.datetime | None
    period_end: datetime.datetime | None
    explanation: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        description = self.description

        quantity = self.quantity

        amount = self.amount

        tax_amount = self.tax_amount

        tax_rate_code: None | str
        tax_rate_code = self.tax_rate_code

        tax_category = self.tax_category

        period_start: None | str
        if isinstance(self.period_start, datetime.datetime):
            period_start = self.period_start.isoformat()
        else:
            period_start = self.period_start

        period_end: None | str
        if isinstance(self.period_end, datetime.datetime):
            period_end = self.period_end.isoformat()
        else:
            period_end = self.period_end

        explanation = self.explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "description": description,
                "quantity": quantity,
                "amount": amount,
                "tax_amount": tax_amount,
                "tax_rate_code": tax_rate_code,
                "tax_category": tax_category,
                "period_start": period_start,
                "period_end": period_end,
                "explanation": explanation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        description = d.pop("description")

        quantity = d.pop("quantity")

        amount = d.pop("amount")

        tax_amount = d.pop("tax_amount")

        def _parse_tax_rate_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tax_rate_code = _parse_tax_rate_code(d.pop("tax_rate_code"))

        tax_category = d.pop("tax_category")

        def _parse_period_start(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_start_type_0 = datetime.datetime.fromisoformat(data)

                return period_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_start = _parse_period_start(d.pop("period_start"))

        def _parse_period_end(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_end_type_0 = datetime.datetime.fromisoformat(data)

                return period_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_end = _parse_period_end(d.pop("period_end"))

        explanation = d.pop("explanation")

        upcoming_line_out = cls(
            kind=kind,
            description=description,
            quantity=quantity,
            amount=amount,
            tax_amount=tax_amount,
            tax_rate_code=tax_rate_code,
            tax_category=tax_category,
            period_start=period_start,
            period_end=period_end,
            explanation=explanation,
        )

        upcoming_line_out.additional_properties = d
        return upcoming_line_out

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
