from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.proration_kind_enum import ProrationKindEnum

T = TypeVar("T", bound="PendingLineOut")


@_attrs_define
class PendingLineOut:
    """
    Attributes:
        id (int):
        kind (ProrationKindEnum): * `credit` - Credit
            * `charge` - Charge
            * `add_on` - add-on
        description (str):
        currency (str):
        amount_rounded (str):
        explanation (Any):
    """

    id: int
    kind: ProrationKindEnum
    description: str
    currency: str
    amount_rounded: str
    explanation: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        description = self.description

        currency = self.currency

        amount_rounded = self.amount_rounded

        explanation = self.explanation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "description": description,
                "currency": currency,
                "amount_rounded": amount_rounded,
                "explanation": explanation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = ProrationKindEnum(d.pop("kind"))

        description = d.pop("description")

        currency = d.pop("currency")

        amount_rounded = d.pop("amount_rounded")

        explanation = d.pop("explanation")

        pending_line_out = cls(
            id=id,
            kind=kind,
            description=description,
            currency=currency,
            amount_rounded=amount_rounded,
            explanation=explanation,
        )

        pending_line_out.additional_properties = d
        return pending_line_out

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
