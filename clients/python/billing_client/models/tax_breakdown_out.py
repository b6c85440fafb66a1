from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaxBreakdownOut")


@_attrs_define
class TaxBreakdownOut:
    """One tax rate of a document: what it taxed (net) and the tax.

    Attributes:
        code (str):
        name (str):
        percentage (str):
        inclusive (bool):
        category (str): standard, reduced, zero, exempt or reverse_charge
        legal_mention (str): Printed on the invoice (exempt and reverse-charge rates always have one).
        base (str): the lines taxed at it, net of their tax
        tax (str):
    """

    code: str
    name: str
    percentage: str
    inclusive: bool
    category: str
    legal_mention: str
    base: str
    tax: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        percentage = self.percentage

        inclusive = self.inclusive

        category = self.category

        legal_mention = self.legal_mention

        base = self.base

        tax = self.tax

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "percentage": percentage,
                "inclusive": inclusive,
                "category": category,
                "legal_mention": legal_mention,
                "base": base,
                "tax": tax,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        percentage = d.pop("percentage")

        inclusive = d.pop("inclusive")

        category = d.pop("category")

        legal_mention = d.pop("legal_mention")

        base = d.pop("base")

        tax = d.pop("tax")

        tax_breakdown_out = cls(
            code=code,
            name=name,
            percentage=percentage,
            inclusive=inclusive,
            category=category,
            legal_mention=legal_mention,
            base=base,
            tax=tax,
        )

        tax_breakdown_out.additional_properties = d
        return tax_breakdown_out

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
