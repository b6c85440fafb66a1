from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UsageOut")


@_attrs_define
class UsageOut:
    """
    Attributes:
        metric (str):
        name (str):
        aggregation (str):
        events (int):
        value_sum (None | str):
    """

    metric: str
    name: str
    aggregation: str
    events: int
    value_sum: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        metric = self.metric

        name = self.name

        aggregation = self.aggregation

        events = self.events

        value_sum: None | str
        value_sum = self.value_sum

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "metric": metric,
                "name": name,
                "aggregation": aggregation,
                "events": events,
                "value_sum": value_sum,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        metric = d.pop("metric")

        name = d.pop("name")

        aggregation = d.pop("aggregation")

        events = d.pop("events")

        def _parse_value_sum(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        value_sum = _parse_value_sum(d.pop("value_sum"))

        usage_out = cls(
            metric=metric,
            name=name,
            aggregation=aggregation,
            events=events,
            value_sum=value_sum,
        )

        usage_out.additional_properties = d
        return usage_out

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
