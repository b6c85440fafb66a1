from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedPayoutSchedulePatchInRequest")


@_attrs_define
class PatchedPayoutSchedulePatchInRequest:
    """
    Attributes:
        fixed_amount (str | Unset):
        percentage (str | Unset):
        active (bool | Unset):
    """

    fixed_amount: str | Unset = UNSET
    percentage: str | Unset = UNSET
    active: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fixed_amount = self.fixed_amount

        percentage = self.percentage

        active = self.active

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if fixed_amount is not UNSET:
            field_dict["fixed_amount"] = fixed_amount
        if percentage is not UNSET:
            field_dict["percentage"] = percentage
        if active is not UNSET:
            field_dict["active"] = active

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        fixed_amount = d.pop("fixed_amount", UNSET)

        percentage = d.pop("percentage", UNSET)

        active = d.pop("active", UNSET)

        patched_payout_schedule_patch_in_request = cls(
            fixed_amount=fixed_amount,
            percentage=percentage,
            active=active,
        )

        patched_payout_schedule_patch_in_request.additional_properties = d
        return patched_payout_schedule_patch_in_request

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
