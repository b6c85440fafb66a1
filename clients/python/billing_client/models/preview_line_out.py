from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PreviewLineOut")


@_attrs_define
class PreviewLineOut:
    """
    Attributes:
        kind (str): credit or charge
        description (str):
        amount (str): rounded once to the currency
        start (datetime.datetime):
        end (datetime.datetime):
        explanation (Any):
    """

    kind: str
    description: str
    amount: str
    start: datetime.datetime
    end: datetime.datetime
    explanation: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        description = self.description

        amount = self.amount

        start = self.start.isoformat()

        end = self.end.isoformat()

        explanation = self.explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "description": description,
                "amount": amount,
                "start": start,
                "end": end,
                "explanation": explanation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        description = d.pop("description")

        amount = d.pop("amount")

        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        explanation = d.pop("explanation")

        preview_line_out = cls(
            kind=kind,
            description=description,
            amount=amount,
            start=start,
            end=end,
            explanation=explanation,
        )

        preview_line_out.additional_properties = d
        return preview_line_out

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
