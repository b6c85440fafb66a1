from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FailedOut")


@_attrs_define
class FailedOut:
    """
    Attributes:
        failed (int):
        recovered (int):
        recovery_rate (None | str):
    """

    failed: int
    recovered: int
    recovery_rate: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed

        recovered = self.recovered

        recovery_rate: None | str
        recovery_rate = self.recovery_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failed": failed,
                "recovered": recovered,
                "recovery_rate": recovery_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        failed = d.pop("failed")

        recovered = d.pop("recovered")

        def _parse_recovery_rate(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recovery_rate = _parse_recovery_rate(d.pop("recovery_rate"))

        failed_out = cls(
            failed=failed,
            recovered=recovered,
            recovery_rate=recovery_rate,
        )

        failed_out.additional_properties = d
        return failed_out

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
