from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.subscription_status_enum import SubscriptionStatusEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ItemOut")


@_attrs_define
class ItemOut:
    """An item of a subscription (a subscription of its own, GET /subscriptions/{id}/ gives it
    whole).

        Attributes:
            id (int):
            plan (str):
            status (SubscriptionStatusEnum): * `pending` - Pending
                * `trialing` - Trialing
                * `active` - Active
                * `paused` - Paused
                * `past_due` - past due
                * `canceled` - Canceled
                * `ended` - Ended
            start_at (datetime.datetime):
            quantity (int | Unset):
            ended_at (datetime.datetime | None | Unset):
    """

    id: int
    plan: str
    status: SubscriptionStatusEnum
    start_at: datetime.datetime
    quantity: int | Unset = UNSET
    ended_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        plan = self.plan

        status = self.status.value

        start_at = self.start_at.isoformat()

        quantity = self.quantity

        ended_at: None | str | Unset
        if isinstance(self.ended_at, Unset):
            ended_at = UNSET
        elif isinstance(self.ended_at, datetime.datetime):
            ended_at = self.ended_at.isoformat()
        else:
            ended_at = self.ended_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "plan": plan,
                "status": status,
                "start_at": start_at,
            }
        )
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        plan = d.pop("plan")

        status = SubscriptionStatusEnum(d.pop("status"))

        start_at = datetime.datetime.fromisoformat(d.pop("start_at"))

        quantity = d.pop("quantity", UNSET)

        def _parse_ended_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ended_at = _parse_ended_at(d.pop("ended_at", UNSET))

        item_out = cls(
            id=id,
            plan=plan,
            status=status,
            start_at=start_at,
            quantity=quantity,
            ended_at=ended_at,
        )

        item_out.additional_properties = d
        return item_out

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
