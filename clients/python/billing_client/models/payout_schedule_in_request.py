from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.amount_kind_enum import AmountKindEnum
from ..models.interval_unit_enum import IntervalUnitEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutScheduleInRequest")


@_attrs_define
class PayoutScheduleInRequest:
    """
    Attributes:
        interval_unit (IntervalUnitEnum): * `day` - Day
            * `week` - Week
            * `month` - Month
            * `year` - Year
        anchor (datetime.date): local date (the payee's zone) the periods count from; at most a year back (`too_old`)
            and a year ahead (`too_far`)
        amount_kind (AmountKindEnum): * `fixed` - a fixed amount
            * `percentage` - a percentage of the customers' payments less refunds
        interval_count (int | Unset): at most 366 days, 52 weeks, 24 months or 5 years (`out_of_range`) Default: 1.
        fixed_amount (None | str | Unset):
        percentage (None | str | Unset): 0 < p <= 100
    """

    interval_unit: IntervalUnitEnum
    anchor: datetime.date
    amount_kind: AmountKindEnum
    interval_count: int | Unset = 1
    fixed_amount: None | str | Unset = UNSET
    percentage: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        interval_unit = self.interval_unit.value

        anchor = self.anchor.isoformat()

        amount_kind = self.amount_kind.value

        interval_count = self.interval_count

        fixed_amount: None | str | Unset
        if isinstance(self.fixed_amount, Unset):
            fixed_amount = UNSET
        else:
            fixed_amount = self.fixed_amount

        percentage: None | str | Unset
        if isinstance(self.percentage, Unset):
            percentage = UNSET
        else:
            percentage = self.percentage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "interval_unit": interval_unit,
                "anchor": anchor,
                "amount_kind": amount_kind,
            }
        )
        if interval_count is not UNSET:
            field_dict["interval_count"] = interval_count
        if fixed_amount is not UNSET:
            field_dict["fixed_amount"] = fixed_amount
        if percentage is not UNSET:
            field_dict["percentage"] = percentage

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        interval_unit = IntervalUnitEnum(d.pop("interval_unit"))

        anchor = datetime.date.fromisoformat(d.pop("anchor"))

        amount_kind = AmountKindEnum(d.pop("amount_kind"))

        interval_count = d.pop("interval_count", UNSET)

        def _parse_fixed_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fixed_amount = _parse_fixed_amount(d.pop("fixed_amount", UNSET))

        def _parse_percentage(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        percentage = _parse_percentage(d.pop("percentage", UNSET))

        payout_schedule_in_request = cls(
            interval_unit=interval_unit,
            anchor=anchor,
            amount_kind=amount_kind,
            interval_count=interval_count,
            fixed_amount=fixed_amount,
            percentage=percentage,
        )

        payout_schedule_in_request.additional_properties = d
        return payout_schedule_in_request

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
