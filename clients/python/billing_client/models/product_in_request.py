from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductInRequest")


@_attrs_define
class ProductInRequest:
    """
    Attributes:
        code (str):
        name (str):
        description (str | Unset):
        tax_rate (None | str | Unset): The code of a tax rate that overrides the customer's address rate for what is
            billed under it (null: the address rate). Most specific first: a charge's, an add-on's or a one-time fee's rate,
            then the plan's product's, then the address's; a tax-exempt customer is never taxed.
    """

    code: str
    name: str
    description: str | Unset = UNSET
    tax_rate: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        description = self.description

        tax_rate: None | str | Unset
        if isinstance(self.tax_rate, Unset):
            tax_rate = UNSET
        else:
            tax_rate = self.tax_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        description = d.pop("description", UNSET)

        def _parse_tax_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate", UNSET))

        product_in_request = cls(
            code=code,
            name=name,
            description=description,
            tax_rate=tax_rate,
        )

        product_in_request.additional_properties = d
        return product_in_request

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
