from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedAddOnUpdateInRequest")


@_attrs_define
class PatchedAddOnUpdateInRequest:
    """
    Attributes:
        code (str | Unset):
        name (str | Unset):
        description (str | Unset):
        currency (str | Unset):
        amount (str | Unset):
        tax_rate (None | str | Unset): The code of a tax rate that overrides the customer's address rate for what is
            billed under it (null: the address rate). Most specific first: a charge's, an add-on's or a one-time fee's rate,
            then the plan's product's, then the address's; a tax-exempt customer is never taxed.
        archived (bool | Unset): true: archived (no new sales); false: restored.
    """

    code: str | Unset = UNSET
    name: str | Unset = UNSET
    description: str | Unset = UNSET
    currency: str | Unset = UNSET
    amount: str | Unset = UNSET
    tax_rate: None | str | Unset = UNSET
    archived: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        description = self.description

        currency = self.currency

        amount = self.amount

        tax_rate: None | str | Unset
        if isinstance(self.tax_rate, Unset):
            tax_rate = UNSET
        else:
            tax_rate = self.tax_rate

        archived = self.archived

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if currency is not UNSET:
            field_dict["currency"] = currency
        if amount is not UNSET:
            field_dict["amount"] = amount
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate
        if archived is not UNSET:
            field_dict["archived"] = archived

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code", UNSET)

        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        currency = d.pop("currency", UNSET)

        amount = d.pop("amount", UNSET)

        def _parse_tax_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate", UNSET))

        archived = d.pop("archived", UNSET)

        patched_add_on_update_in_request = cls(
            code=code,
            name=name,
            description=description,
            currency=currency,
            amount=amount,
            tax_rate=tax_rate,
            archived=archived,
        )

        patched_add_on_update_in_request.additional_properties = d
        return patched_add_on_update_in_request

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
