from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aggregation_enum import AggregationEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="MetricOut")


@_attrs_define
class MetricOut:
    """
    Attributes:
        id (int):
        code (str):
        name (str):
        aggregation (AggregationEnum): * `count` - Count
            * `sum` - Sum
            * `max` - Max
            * `unique_count` - unique count
            * `latest` - Latest
            * `weighted_sum` - weighted sum (time-weighted)
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        description (str | Unset):
        field_name (str | Unset): The event property aggregated (not used by count).
        filters (Any | Unset): Only events whose properties match: {"region": ["eu", "us"]}.
        allow_negative (bool | Unset): Accept events whose value is negative (refunds, releases): they lower the
            quantity and the bill. Off: such events are refused. For sum, max and latest metrics.
        recurring (bool | Unset): The quantity carries from period to period instead of starting from zero (seats, units
            held): sum and unique count metrics.
        archived_at (datetime.datetime | None | Unset):
    """

    id: int
    code: str
    name: str
    aggregation: AggregationEnum
    created_at: datetime.datetime
    updated_at: datetime.datetime
    description: str | Unset = UNSET
    field_name: str | Unset = UNSET
    filters: Any | Unset = UNSET
    allow_negative: bool | Unset = UNSET
    recurring: bool | Unset = UNSET
    archived_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        code = self.code

        name = self.name

        aggregation = self.aggregation.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        description = self.description

        field_name = self.field_name

        filters = self.filters

        allow_negative = self.allow_negative

        recurring = self.recurring

        archived_at: None | str | Unset
        if isinstance(self.archived_at, Unset):
            archived_at = UNSET
        elif isinstance(self.archived_at, datetime.datetime):
            archived_at = self.archived_at.isoformat()
        else:
            archived_at = self.archived_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "code": code,
                "name": name,
                "aggregation": aggregation,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if field_name is not UNSET:
            field_dict["field_name"] = field_name
        if filters is not UNSET:
            field_dict["filters"] = filters
        if allow_negative is not UNSET:
            field_dict["allow_negative"] = allow_negative
        if recurring is not UNSET:
            field_dict["recurring"] = recurring
        if archived_at is not UNSET:
            field_dict["archived_at"] = archived_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        code = d.pop("code")

        name = d.pop("name")

        aggregation = AggregationEnum(d.pop("aggregation"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        description = d.pop("description", UNSET)

        field_name = d.pop("field_name", UNSET)

        filters = d.pop("filters", UNSET)

        allow_negative = d.pop("allow_negative", UNSET)

        recurring = d.pop("recurring", UNSET)

        def _parse_archived_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                archived_at_type_0 = datetime.datetime.fromisoformat(data)

                return archived_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        archived_at = _parse_archived_at(d.pop("archived_at", UNSET))

        metric_out = cls(
            id=id,
            code=code,
            name=name,
            aggregation=aggregation,
            created_at=created_at,
            updated_at=updated_at,
            description=description,
            field_name=field_name,
            filters=filters,
            allow_negative=allow_negative,
            recurring=recurring,
            archived_at=archived_at,
        )

        metric_out.additional_properties = d
        return metric_out

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
