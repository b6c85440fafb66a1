from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.operation_enum import OperationEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageEventOut")


@_attrs_define
class UsageEventOut:
    """
    Attributes:
        id (int):
        event_id (str):
        customer (str): Your system's id for this customer; unique, used by the API and usage events.
        metric (str):
        event_time (datetime.datetime): When it happened: decides the billing period.
        received_at (datetime.datetime): When we learned of it.
        value (None | str | Unset): The metric's property, as a number.
        properties (Any | Unset):
        late (bool | Unset): Its time falls in usage already invoiced: needs a correction.
        operation (OperationEnum | Unset): * `add` - add
            * `remove` - remove
    """

    id: int
    event_id: str
    customer: str
    metric: str
    event_time: datetime.datetime
    received_at: datetime.datetime
    value: None | str | Unset = UNSET
    properties: Any | Unset = UNSET
    late: bool | Unset = UNSET
    operation: OperationEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event_id = self.event_id

        customer = self.customer

        metric = self.metric

        event_time = self.event_time.isoformat()

        received_at = self.received_at.isoformat()

        value: None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value

        properties = self.properties

        late = self.late

        operation: str | Unset = UNSET
        if not isinstance(self.operation, Unset):
            operation = self.operation.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event_id": event_id,
                "customer": customer,
                "metric": metric,
                "event_time": event_time,
                "received_at": received_at,
            }
        )
        if value is not UNSET:
            field_dict["value"] = value
        if properties is not UNSET:
            field_dict["properties"] = properties
        if late is not UNSET:
            field_dict["late"] = late
        if operation is not UNSET:
            field_dict["operation"] = operation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        event_id = d.pop("event_id")

        customer = d.pop("customer")

        metric = d.pop("metric")

        event_time = datetime.datetime.fromisoformat(d.pop("event_time"))

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        def _parse_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        properties = d.pop("properties", UNSET)

        late = d.pop("late", UNSET)

        _operation = d.pop("operation", UNSET)
        operation: OperationEnum | Unset
        if isinstance(_operation, Unset):
            operation = UNSET
        else:
            operation = OperationEnum(_operation)

        usage_event_out = cls(
            id=id,
            event_id=event_id,
            customer=customer,
            metric=metric,
            event_time=event_time,
            received_at=received_at,
            value=value,
            properties=properties,
            late=late,
            operation=operation,
        )

        usage_event_out.additional_properties = d
        return usage_event_out

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
