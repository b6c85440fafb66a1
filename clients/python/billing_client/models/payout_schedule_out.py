from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.amount_kind_enum import AmountKindEnum
from ..models.interval_unit_enum import IntervalUnitEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutScheduleOut")


@_attrs_define
class PayoutScheduleOut:
    """
    Attributes:
        id (int):
        payee (int):
        interval_unit (IntervalUnitEnum): * `day` - Day
            * `week` - Week
            * `month` - Month
            * `year` - Year
        anchor (datetime.date): Local date (the payee's zone) the periods are counted from: the first period starts at
            its midnight.
        amount_kind (AmountKindEnum): * `fixed` - a fixed amount
            * `percentage` - a percentage of the customers' payments less refunds
        fixed_amount (None | str):
        percentage (None | str):
        currency (str): The payee's currency.
        next_period_start (datetime.datetime):
        next_period_end (datetime.datetime): When the next period ends: the clock pays it out at or after this instant.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        interval_count (int | Unset):
        active (bool | Unset):
    """

    id: int
    payee: int
    interval_unit: IntervalUnitEnum
    anchor: datetime.date
    amount_kind: AmountKindEnum
    fixed_amount: None | str
    percentage: None | str
    currency: str
    next_period_start: datetime.datetime
    next_period_end: datetime.datetime
    created_at: datetime.datetime
    updated_at: datetime.datetime
    interval_count: int | Unset = UNSET
    active: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        payee = self.payee

        interval_unit = self.interval_unit.value

        anchor = self.anchor.isoformat()

        amount_kind = self.amount_kind.value

        fixed_amount: None | str
        fixed_amount = self.fixed_amount

        percentage: None | str
        percentage = self.percentage

        currency = self.currency

        next_period_start = self.next_period_start.isoformat()

        next_period_end = self.next_period_end.isoformat()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        interval_count = self.interval_count

        active = self.active

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "payee": payee,
                "interval_unit": interval_unit,
                "anchor": anchor,
                "amount_kind": amount_kind,
                "fixed_amount": fixed_amount,
                "percentage": percentage,
                "currency": currency,
                "next_period_start": next_period_start,
                "next_period_end": next_period_end,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if interval_count is not UNSET:
            field_dict["interval_count"] = interval_count
        if active is not UNSET:
            field_dict["active"] = active

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        payee = d.pop("payee")

        interval_unit = IntervalUnitEnum(d.pop("interval_unit"))

        anchor = datetime.date.fromisoformat(d.pop("anchor"))

        amount_kind = AmountKindEnum(d.pop("amount_kind"))

        def _parse_fixed_amount(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        fixed_amount = _parse_fixed_amount(d.pop("fixed_amount"))

        def _parse_percentage(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        percentage = _parse_percentage(d.pop("percentage"))

        currency = d.pop("currency")

        next_period_start = datetime.datetime.fromisoformat(d.pop("next_period_start"))

        next_period_end = datetime.datetime.fromisoformat(d.pop("next_period_end"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        interval_count = d.pop("interval_count", UNSET)

        active = d.pop("active", UNSET)

        payout_schedule_out = cls(
            id=id,
            payee=payee,
            interval_unit=interval_unit,
            anchor=anchor,
            amount_kind=amount_kind,
            fixed_amount=fixed_amount,
            percentage=percentage,
            currency=currency,
            next_period_start=next_period_start,
            next_period_end=next_period_end,
            created_at=created_at,
            updated_at=updated_at,
            interval_count=interval_count,
            active=active,
        )

        payout_schedule_out.additional_properties = d
        return payout_schedule_out

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
