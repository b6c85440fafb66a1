from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubscriptionPhaseOut")


@_attrs_define
class SubscriptionPhaseOut:
    """The phase of its price book its current period is in (plan phases).

    Attributes:
        position (int): 0: the first phase
        name (str):
        periods (int | None): null: open-ended
        period_of_phase (int): 1: the phase's first period
        fixed_fee (str):
        next_phase_at (datetime.datetime | None): when the next phase starts (null: the last phase)
        walk_start_period (int): the index of the period its phase walk counts from
    """

    position: int
    name: str
    periods: int | None
    period_of_phase: int
    fixed_fee: str
    next_phase_at: datetime.datetime | None
    walk_start_period: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        position = self.position

        name = self.name

        periods: int | None
        periods = self.periods

        period_of_phase = self.period_of_phase

        fixed_fee = self.fixed_fee

        next_phase_at: None | str
        if isinstance(self.next_phase_at, datetime.datetime):
            next_phase_at = self.next_phase_at.isoformat()
        else:
            next_phase_at = self.next_phase_at

        walk_start_period = self.walk_start_period

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "position": position,
                "name": name,
                "periods": periods,
                "period_of_phase": period_of_phase,
                "fixed_fee": fixed_fee,
                "next_phase_at": next_phase_at,
                "walk_start_period": walk_start_period,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        position = d.pop("position")

        name = d.pop("name")

        def _parse_periods(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        periods = _parse_periods(d.pop("periods"))

        period_of_phase = d.pop("period_of_phase")

        fixed_fee = d.pop("fixed_fee")

        def _parse_next_phase_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_phase_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_phase_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_phase_at = _parse_next_phase_at(d.pop("next_phase_at"))

        walk_start_period = d.pop("walk_start_period")

        subscription_phase_out = cls(
            position=position,
            name=name,
            periods=periods,
            period_of_phase=period_of_phase,
            fixed_fee=fixed_fee,
            next_phase_at=next_phase_at,
            walk_start_period=walk_start_period,
        )

        subscription_phase_out.additional_properties = d
        return subscription_phase_out

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
