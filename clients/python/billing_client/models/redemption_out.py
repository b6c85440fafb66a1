from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.redemption_out_status_enum import RedemptionOutStatusEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="RedemptionOut")


@_attrs_define
class RedemptionOut:
    """
    Attributes:
        id (int):
        coupon (str):
        redeemed_at (datetime.datetime):
        subscription (int | None | Unset): Empty: every subscription of the customer (on the coupon's plans).
        status (RedemptionOutStatusEnum | Unset): * `active` - Active
            * `used_up` - used up
            * `removed` - Removed
        periods_applied (int | Unset): Invoices it has discounted so far.
        amount_discounted (str | Unset):
        removed_at (datetime.datetime | None | Unset):
    """

    id: int
    coupon: str
    redeemed_at: datetime.datetime
    subscription: int | None | Unset = UNSET
    status: RedemptionOutStatusEnum | Unset = UNSET
    periods_applied: int | Unset = UNSET
    amount_discounted: str | Unset = UNSET
    removed_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        coupon = self.coupon

        redeemed_at = self.redeemed_at.isoformat()

        subscription: int | None | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        else:
            subscription = self.subscription

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        periods_applied = self.periods_applied

        amount_discounted = self.amount_discounted

        removed_at: None | str | Unset
        if isinstance(self.removed_at, Unset):
            removed_at = UNSET
        elif isinstance(self.removed_at, datetime.datetime):
            removed_at = self.removed_at.isoformat()
        else:
            removed_at = self.removed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "coupon": coupon,
                "redeemed_at": redeemed_at,
            }
        )
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if status is not UNSET:
            field_dict["status"] = status
        if periods_applied is not UNSET:
            field_dict["periods_applied"] = periods_applied
        if amount_discounted is not UNSET:
            field_dict["amount_discounted"] = amount_discounted
        if removed_at is not UNSET:
            field_dict["removed_at"] = removed_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        coupon = d.pop("coupon")

        redeemed_at = datetime.datetime.fromisoformat(d.pop("redeemed_at"))

        def _parse_subscription(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        _status = d.pop("status", UNSET)
        status: RedemptionOutStatusEnum | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = RedemptionOutStatusEnum(_status)

        periods_applied = d.pop("periods_applied", UNSET)

        amount_discounted = d.pop("amount_discounted", UNSET)

        def _parse_removed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                removed_at_type_0 = datetime.datetime.fromisoformat(data)

                return removed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        removed_at = _parse_removed_at(d.pop("removed_at", UNSET))

        redemption_out = cls(
            id=id,
            coupon=coupon,
            redeemed_at=redeemed_at,
            subscription=subscription,
            status=status,
            periods_applied=periods_applied,
            amount_discounted=amount_discounted,
            removed_at=removed_at,
        )

        redemption_out.additional_properties = d
        return redemption_out

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
