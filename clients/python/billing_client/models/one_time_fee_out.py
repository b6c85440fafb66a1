from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OneTimeFeeOut")


@_attrs_define
class OneTimeFeeOut:
    """
    Attributes:
        id (int):
        name (str):
        amount (str):
        tax_rate (None | str): null: the rate of the plan's product, else the customer's address rate
        prorate (bool | Unset): A share of the first period when it is a part of one.
    """

    id: int
    name: str
    amount: str
    tax_rate: None | str
    prorate: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        amount = self.amount

        tax_rate: None | str
        tax_rate = self.tax_rate

        prorate = self.prorate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "amount": amount,
                "tax_rate": tax_rate,
            }
        )
        if prorate is not UNSET:
            field_dict["prorate"] = prorate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        amount = d.pop("amount")

        def _parse_tax_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate"))

        prorate = d.pop("prorate", UNSET)

        one_time_fee_out = cls(
            id=id,
            name=name,
            amount=amount,
            tax_rate=tax_rate,
            prorate=prorate,
        )

        one_time_fee_out.additional_properties = d
        return one_time_fee_out

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
