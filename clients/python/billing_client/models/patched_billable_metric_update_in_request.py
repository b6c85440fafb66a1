from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aggregation_enum import AggregationEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchedBillableMetricUpdateInRequest")


@_attrs_define
class PatchedBillableMetricUpdateInRequest:
    """
    Attributes:
        code (str | Unset):
        name (str | Unset):
        description (str | Unset):
        aggregation (AggregationEnum | Unset): * `count` - Count
            * `sum` - Sum
            * `max` - Max
            * `unique_count` - unique count
            * `latest` - Latest
            * `weighted_sum` - weighted sum (time-weighted)
        field_name (str | Unset): The event property aggregated (not used by count).
        filters (Any | Unset):
        allow_negative (bool | Unset): Accept events whose value is negative (refunds, releases): they lower the
            quantity and the bill. Off: such events are refused. For sum, max and latest metrics.
        recurring (bool | Unset): The quantity carries from period to period instead of starting from zero (seats, units
            held): sum and unique count metrics.
        archived (bool | Unset): true: archived (no new sales); false: restored.
    """

    code: str | Unset = UNSET
    name: str | Unset = UNSET
    description: str | Unset = UNSET
    aggregation: AggregationEnum | Unset = UNSET
    field_name: str | Unset = UNSET
    filters: Any | Unset = UNSET
    allow_negative: bool | Unset = UNSET
    recurring: bool | Unset = UNSET
    archived: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        description = self.description

        aggregation: str | Unset = UNSET
        if not isinstance(self.aggregation, Unset):
            aggregation = self.aggregation.value

        field_name = self.field_name

        filters = self.filters

        allow_negative = self.allow_negative

        recurring = self.recurring

        archived = self.archived

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if aggregation is not UNSET:
            field_dict["aggregation"] = aggregation
        if field_name is not UNSET:
            field_dict["field_name"] = field_name
        if filters is not UNSET:
            field_dict["filters"] = filters
        if allow_negative is not UNSET:
            field_dict["allow_negative"] = allow_negative
        if recurring is not UNSET:
            field_dict["recurring"] = recurring
        if archived is not UNSET:
            field_dict["archived"] = archived

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code", UNSET)

        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        _aggregation = d.pop("aggregation", UNSET)
        aggregation: AggregationEnum | Unset
        if isinstance(_aggregation, Unset):
            aggregation = UNSET
        else:
            aggregation = AggregationEnum(_aggregation)

        field_name = d.pop("field_name", UNSET)

        filters = d.pop("filters", UNSET)

        allow_negative = d.pop("allow_negative", UNSET)

        recurring = d.pop("recurring", UNSET)

        archived = d.pop("archived", UNSET)

        patched_billable_metric_update_in_request = cls(
            code=code,
            name=name,
            description=description,
            aggregation=aggregation,
            field_name=field_name,
            filters=filters,
            allow_negative=allow_negative,
            recurring=recurring,
            archived=archived,
        )

        patched_billable_metric_update_in_request.additional_properties = d
        return patched_billable_metric_update_in_request

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
