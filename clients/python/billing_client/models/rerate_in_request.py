from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RerateInRequest")


@_attrs_define
class RerateInRequest:
    """
    Attributes:
        customers (list[str]): external ids
        start (datetime.datetime):
        end (datetime.datetime):
        metric (str | Unset): a metric code: only invoices that bill it are re-rated (each whole); default: every
            invoice of the window
    """

    customers: list[str]
    start: datetime.datetime
    end: datetime.datetime
    metric: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customers = self.customers

        start = self.start.isoformat()

        end = self.end.isoformat()

        metric = self.metric

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customers": customers,
                "start": start,
                "end": end,
            }
        )
        if metric is not UNSET:
            field_dict["metric"] = metric

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customers = cast(list[str], d.pop("customers"))

        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        metric = d.pop("metric", UNSET)

        rerate_in_request = cls(
            customers=customers,
            start=start,
            end=end,
            metric=metric,
        )

        rerate_in_request.additional_properties = d
        return rerate_in_request

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
