from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageThresholdInRequest")


@_attrs_define
class UsageThresholdInRequest:
    """
    Attributes:
        amount (str): In the plan's currency, above 0.
        recurring (bool | Unset): Every `amount` more after the highest one-off threshold (at most one). Default: False.
        name (str | Unset):
    """

    amount: str
    recurring: bool | Unset = False
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        recurring = self.recurring

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
            }
        )
        if recurring is not UNSET:
            field_dict["recurring"] = recurring
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        recurring = d.pop("recurring", UNSET)

        name = d.pop("name", UNSET)

        usage_threshold_in_request = cls(
            amount=amount,
            recurring=recurring,
            name=name,
        )

        usage_threshold_in_request.additional_properties = d
        return usage_threshold_in_request

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
