from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TestClockInRequest")


@_attrs_define
class TestClockInRequest:
    """
    Attributes:
        name (str):
        frozen_time (datetime.datetime): The clock's time to start from (ISO 8601 with its offset); past or future,
            between 1970-01-01 and 9000-01-01 (400 `out_of_range`).
    """

    name: str
    frozen_time: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        frozen_time = self.frozen_time.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "frozen_time": frozen_time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        frozen_time = datetime.datetime.fromisoformat(d.pop("frozen_time"))

        test_clock_in_request = cls(
            name=name,
            frozen_time=frozen_time,
        )

        test_clock_in_request.additional_properties = d
        return test_clock_in_request

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
