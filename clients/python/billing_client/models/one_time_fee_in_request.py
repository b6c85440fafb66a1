from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OneTimeFeeInRequest")


@_attrs_define
class OneTimeFeeInRequest:
    """
    Attributes:
        name (str):
        amount (str):
        prorate (bool | Unset): A share of the first paid period when that is a part of one (a stub). Default: False.
        tax_rate (None | str | Unset): The code of a tax rate for the fee's line (null: the rate of the plan's product,
            else the customer's address rate).
    """

    name: str
    amount: str
    prorate: bool | Unset = False
    tax_rate: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        amount = self.amount

        prorate = self.prorate

        tax_rate: None | str | Unset
        if isinstance(self.tax_rate, Unset):
            tax_rate = UNSET
        else:
            tax_rate = self.tax_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "amount": amount,
            }
        )
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        amount = d.pop("amount")

        prorate = d.pop("prorate", UNSET)

        def _parse_tax_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate", UNSET))

        one_time_fee_in_request = cls(
            name=name,
            amount=amount,
            prorate=prorate,
            tax_rate=tax_rate,
        )

        one_time_fee_in_request.additional_properties = d
        return one_time_fee_in_request

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
