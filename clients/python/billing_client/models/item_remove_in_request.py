from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ItemRemoveInRequest")


@_attrs_define
class ItemRemoveInRequest:
    """
    Attributes:
        prorate (bool | Unset): credit the unused part of a fee paid in advance Default: True.
        at_period_end (bool | Unset):  Default: False.
        reason (str | Unset):  Default: ''.
    """

    prorate: bool | Unset = True
    at_period_end: bool | Unset = False
    reason: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prorate = self.prorate

        at_period_end = self.at_period_end

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if at_period_end is not UNSET:
            field_dict["at_period_end"] = at_period_end
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prorate = d.pop("prorate", UNSET)

        at_period_end = d.pop("at_period_end", UNSET)

        reason = d.pop("reason", UNSET)

        item_remove_in_request = cls(
            prorate=prorate,
            at_period_end=at_period_end,
            reason=reason,
        )

        item_remove_in_request.additional_properties = d
        return item_remove_in_request

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
