from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedItemChangeInRequest")


@_attrs_define
class PatchedItemChangeInRequest:
    """
    Attributes:
        quantity (int | Unset):
        plan (str | Unset):
        when (str | Unset): "now" (default), "period_end", "auto" or an ISO 8601 instant, as for a change Default:
            'now'. Example: period_end.
        prorate (bool | Unset):  Default: True.
        reason (str | Unset):  Default: ''.
    """

    quantity: int | Unset = UNSET
    plan: str | Unset = UNSET
    when: str | Unset = "now"
    prorate: bool | Unset = True
    reason: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        quantity = self.quantity

        plan = self.plan

        when = self.when

        prorate = self.prorate

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if plan is not UNSET:
            field_dict["plan"] = plan
        if when is not UNSET:
            field_dict["when"] = when
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        quantity = d.pop("quantity", UNSET)

        plan = d.pop("plan", UNSET)

        when = d.pop("when", UNSET)

        prorate = d.pop("prorate", UNSET)

        reason = d.pop("reason", UNSET)

        patched_item_change_in_request = cls(
            quantity=quantity,
            plan=plan,
            when=when,
            prorate=prorate,
            reason=reason,
        )

        patched_item_change_in_request.additional_properties = d
        return patched_item_change_in_request

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
