from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SettingsOut")


@_attrs_define
class SettingsOut:
    """
    Attributes:
        updated_at (datetime.datetime):
        auto_top_up (bool | Unset): Issue a top-up invoice (charged to the default payment method) when the balance
            falls below the threshold.
        threshold (None | str | Unset): in the customer's currency
        top_up_amount (None | str | Unset): in the customer's currency
        updated_by (str | Unset):
    """

    updated_at: datetime.datetime
    auto_top_up: bool | Unset = UNSET
    threshold: None | str | Unset = UNSET
    top_up_amount: None | str | Unset = UNSET
    updated_by: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        updated_at = self.updated_at.isoformat()

        auto_top_up = self.auto_top_up

        threshold: None | str | Unset
        if isinstance(self.threshold, Unset):
            threshold = UNSET
        else:
            threshold = self.threshold

        top_up_amount: None | str | Unset
        if isinstance(self.top_up_amount, Unset):
            top_up_amount = UNSET
        else:
            top_up_amount = self.top_up_amount

        updated_by = self.updated_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "updated_at": updated_at,
            }
        )
        if auto_top_up is not UNSET:
            field_dict["auto_top_up"] = auto_top_up
        if threshold is not UNSET:
            field_dict["threshold"] = threshold
        if top_up_amount is not UNSET:
            field_dict["top_up_amount"] = top_up_amount
        if updated_by is not UNSET:
            field_dict["updated_by"] = updated_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        auto_top_up = d.pop("auto_top_up", UNSET)

        def _parse_threshold(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        threshold = _parse_threshold(d.pop("threshold", UNSET))

        def _parse_top_up_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        top_up_amount = _parse_top_up_amount(d.pop("top_up_amount", UNSET))

        updated_by = d.pop("updated_by", UNSET)

        settings_out = cls(
            updated_at=updated_at,
            auto_top_up=auto_top_up,
            threshold=threshold,
            top_up_amount=top_up_amount,
            updated_by=updated_by,
        )

        settings_out.additional_properties = d
        return settings_out

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
