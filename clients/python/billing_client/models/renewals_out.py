from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.renewal_out import RenewalOut


T = TypeVar("T", bound="RenewalsOut")


@_attrs_define
class RenewalsOut:
    """
    Attributes:
        window_start (datetime.datetime):
        window_end (datetime.datetime):
        count (int):
        total (str): an amount with exactly the currency's decimals (49.99 USD, 1235 JPY)
        subscriptions (list[RenewalOut]): the first 10 by date
    """

    window_start: datetime.datetime
    window_end: datetime.datetime
    count: int
    total: str
    subscriptions: list[RenewalOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        window_start = self.window_start.isoformat()

        window_end = self.window_end.isoformat()

        count = self.count

        total = self.total

        subscriptions = []
        for subscriptions_item_data in self.subscriptions:
            subscriptions_item = subscriptions_item_data.to_dict()
            subscriptions.append(subscriptions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "window_start": window_start,
                "window_end": window_end,
                "count": count,
                "total": total,
                "subscriptions": subscriptions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.renewal_out import RenewalOut  # noqa: PLC0415

        d = dict(src_dict)
        window_start = datetime.datetime.fromisoformat(d.pop("window_start"))

        window_end = datetime.datetime.fromisoformat(d.pop("window_end"))

        count = d.pop("count")

        total = d.pop("total")

        subscriptions = []
        _subscriptions = d.pop("subscriptions")
        for subscriptions_item_data in _subscriptions:
            subscriptions_item = RenewalOut.from_dict(subscriptions_item_data)

            subscriptions.append(subscriptions_item)

        renewals_out = cls(
            window_start=window_start,
            window_end=window_end,
            count=count,
            total=total,
            subscriptions=subscriptions,
        )

        renewals_out.additional_properties = d
        return renewals_out

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
