from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CancelInRequest")


@_attrs_define
class CancelInRequest:
    """
    Attributes:
        at_period_end (bool | None | Unset): Left out (or null): as the plan's cancellation policy says, at once without
            one. A value that contradicts the plan's policy is refused (400 `contradicts_policy`).
        prorate (bool | Unset): credit the unused part of the fee when canceling at once Default: True.
        reason (str | Unset):  Default: ''.
    """

    at_period_end: bool | None | Unset = UNSET
    prorate: bool | Unset = True
    reason: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at_period_end: bool | None | Unset
        if isinstance(self.at_period_end, Unset):
            at_period_end = UNSET
        else:
            at_period_end = self.at_period_end

        prorate = self.prorate

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if at_period_end is not UNSET:
            field_dict["at_period_end"] = at_period_end
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_at_period_end(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        at_period_end = _parse_at_period_end(d.pop("at_period_end", UNSET))

        prorate = d.pop("prorate", UNSET)

        reason = d.pop("reason", UNSET)

        cancel_in_request = cls(
            at_period_end=at_period_end,
            prorate=prorate,
            reason=reason,
        )

        cancel_in_request.additional_properties = d
        return cancel_in_request

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
