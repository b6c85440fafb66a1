from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.operation_enum import OperationEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_event_in_request_properties import UsageEventInRequestProperties


T = TypeVar("T", bound="UsageEventInRequest")


@_attrs_define
class UsageEventInRequest:
    """
    Attributes:
        event_id (str): idempotency key per customer
        customer (str): the customer's external id
        metric (str): a billable metric's code
        event_time (datetime.datetime | Unset): default: now
        properties (UsageEventInRequestProperties | Unset):
        operation (OperationEnum | Unset): * `add` - add
            * `remove` - remove
    """

    event_id: str
    customer: str
    metric: str
    event_time: datetime.datetime | Unset = UNSET
    properties: UsageEventInRequestProperties | Unset = UNSET
    operation: OperationEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_id = self.event_id

        customer = self.customer

        metric = self.metric

        event_time: str | Unset = UNSET
        if not isinstance(self.event_time, Unset):
            event_time = self.event_time.isoformat()

        properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.properties, Unset):
            properties = self.properties.to_dict()

        operation: str | Unset = UNSET
        if not isinstance(self.operation, Unset):
            operation = self.operation.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_id": event_id,
                "customer": customer,
                "metric": metric,
            }
        )
        if event_time is not UNSET:
            field_dict["event_time"] = event_time
        if properties is not UNSET:
            field_dict["properties"] = properties
        if operation is not UNSET:
            field_dict["operation"] = operation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.usage_event_in_request_properties import UsageEventInRequestProperties  # noqa: PLC0415

        d = dict(src_dict)
        event_id = d.pop("event_id")

        customer = d.pop("customer")

        metric = d.pop("metric")

        _event_time = d.pop("event_time", UNSET)
        event_time: datetime.datetime | Unset
        if isinstance(_event_time, Unset):
            event_time = UNSET
        else:
            event_time = datetime.datetime.fromisoformat(_event_time)

        _properties = d.pop("properties", UNSET)
        properties: UsageEventInRequestProperties | Unset
        if isinstance(_properties, Unset):
            properties = UNSET
        else:
            properties = UsageEventInRequestProperties.from_dict(_properties)

        _operation = d.pop("operation", UNSET)
        operation: OperationEnum | Unset
        if isinstance(_operation, Unset):
            operation = UNSET
        else:
            operation = OperationEnum(_operation)

        usage_event_in_request = cls(
            event_id=event_id,
            customer=customer,
            metric=metric,
            event_time=event_time,
            properties=properties,
            operation=operation,
        )

        usage_event_in_request.additional_properties = d
        return usage_event_in_request

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
