from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SettingsInRequest")


@_attrs_define
class SettingsInRequest:
    """The whole setting (a PUT): null threshold and amount with the top-up off clear them.

    Attributes:
        auto_top_up (bool):
        threshold (None | str): a balance below it triggers the top-up
        top_up_amount (None | str): what each top-up buys
    """

    auto_top_up: bool
    threshold: None | str
    top_up_amount: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        auto_top_up = self.auto_top_up

        threshold: None | str
        threshold = self.threshold

        top_up_amount: None | str
        top_up_amount = self.top_up_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "auto_top_up": auto_top_up,
                "threshold": threshold,
                "top_up_amount": top_up_amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        auto_top_up = d.pop("auto_top_up")

        def _parse_threshold(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        threshold = _parse_threshold(d.pop("threshold"))

        def _parse_top_up_amount(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        top_up_amount = _parse_top_up_amount(d.pop("top_up_amount"))

        settings_in_request = cls(
            auto_top_up=auto_top_up,
            threshold=threshold,
            top_up_amount=top_up_amount,
        )

        settings_in_request.additional_properties = d
        return settings_in_request

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
