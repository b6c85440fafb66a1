from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ItemInRequest")


@_attrs_define
class ItemInRequest:
    """
    Attributes:
        plan (str):
        quantity (int | Unset):  Default: 1.
        prorate (bool | Unset): true: it starts now, its first fee the share of the period left (by the second from
            today's local midnight, or by whole days as its price book says); false: it starts at the current period's end,
            nothing prorated Default: True.
        reason (str | Unset):  Default: ''.
    """

    plan: str
    quantity: int | Unset = 1
    prorate: bool | Unset = True
    reason: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plan = self.plan

        quantity = self.quantity

        prorate = self.prorate

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plan": plan,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        plan = d.pop("plan")

        quantity = d.pop("quantity", UNSET)

        prorate = d.pop("prorate", UNSET)

        reason = d.pop("reason", UNSET)

        item_in_request = cls(
            plan=plan,
            quantity=quantity,
            prorate=prorate,
            reason=reason,
        )

        item_in_request.additional_properties = d
        return item_in_request

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
