from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.coupon_kind_enum import CouponKindEnum
from ..models.duration_enum import DurationEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="CouponInRequest")


@_attrs_define
class CouponInRequest:
    """
    Attributes:
        code (str):
        name (str):
        kind (CouponKindEnum): * `percent` - Percent
            * `fixed` - fixed amount
        duration (DurationEnum): * `once` - Once
            * `repeating` - N periods
            * `months` - N months
            * `forever` - Forever
        percent_off (None | str | Unset):
        amount_off (None | str | Unset):
        currency (str | Unset):
        duration_periods (int | None | Unset):
        duration_months (int | None | Unset): A calendar window from the redemption (months).
        max_redemptions (int | None | Unset):
        redeem_by (datetime.datetime | None | Unset):
        plans (list[str] | Unset):
        metrics (list[str] | Unset): Limit the coupon to the usage of these metrics (codes, as the plans).
        charges (list[int] | Unset): Limit the coupon to these charges (ids, of price books of its plans).
    """

    code: str
    name: str
    kind: CouponKindEnum
    duration: DurationEnum
    percent_off: None | str | Unset = UNSET
    amount_off: None | str | Unset = UNSET
    currency: str | Unset = UNSET
    duration_periods: int | None | Unset = UNSET
    duration_months: int | None | Unset = UNSET
    max_redemptions: int | None | Unset = UNSET
    redeem_by: datetime.datetime | None | Unset = UNSET
    plans: list[str] | Unset = UNSET
    metrics: list[str] | Unset = UNSET
    charges: list[int] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        kind = self.kind.value

        duration = self.duration.value

        percent_off: None | str | Unset
        if isinstance(self.percent_off, Unset):
            percent_off = UNSET
        else:
            percent_off = self.percent_off

        amount_off: None | str | Unset
        if isinstance(self.amount_off, Unset):
            amount_off = UNSET
        else:
            amount_off = self.amount_off

        currency = self.currency

        duration_periods: int | None | Unset
        if isinstance(self.duration_periods, Unset):
            duration_periods = UNSET
        else:
            duration_periods = self.duration_periods

        duration_months: int | None | Unset
        if isinstance(self.duration_months, Unset):
            duration_months = UNSET
        else:
            duration_months = self.duration_months

        max_redemptions: int | None | Unset
        if isinstance(self.max_redemptions, Unset):
            max_redemptions = UNSET
        else:
            max_redemptions = self.max_redemptions

        redeem_by: None | str | Unset
        if isinstance(self.redeem_by, Unset):
            redeem_by = UNSET
        elif isinstance(self.redeem_by, datetime.datetime):
            redeem_by = self.redeem_by.isoformat()
        else:
            redeem_by = self.redeem_by

        plans: list[str] | Unset = UNSET
        if not isinstance(self.plans, Unset):
            plans = self.plans

        metrics: list[str] | Unset = UNSET
        if not isinstance(self.metrics, Unset):
            metrics = self.metrics

        charges: list[int] | Unset = UNSET
        if not isinstance(self.charges, Unset):
            charges = self.charges

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "duration": duration,
            }
        )
        if percent_off is not UNSET:
            field_dict["percent_off"] = percent_off
        if amount_off is not UNSET:
            field_dict["amount_off"] = amount_off
        if currency is not UNSET:
            field_dict["currency"] = currency
        if duration_periods is not UNSET:
            field_dict["duration_periods"] = duration_periods
        if duration_months is not UNSET:
            field_dict["duration_months"] = duration_months
        if max_redemptions is not UNSET:
            field_dict["max_redemptions"] = max_redemptions
        if redeem_by is not UNSET:
            field_dict["redeem_by"] = redeem_by
        if plans is not UNSET:
            field_dict["plans"] = plans
        if metrics is not UNSET:
            field_dict["metrics"] = metrics
        if charges is not UNSET:
            field_dict["charges"] = charges

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        kind = CouponKindEnum(d.pop("kind"))

        duration = DurationEnum(d.pop("duration"))

        def _parse_percent_off(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        percent_off = _parse_percent_off(d.pop("percent_off", UNSET))

        def _parse_amount_off(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        amount_off = _parse_amount_off(d.pop("amount_off", UNSET))

        currency = d.pop("currency", UNSET)

        def _parse_duration_periods(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        duration_periods = _parse_duration_periods(d.pop("duration_periods", UNSET))

        def _parse_duration_months(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        duration_months = _parse_duration_months(d.pop("duration_months", UNSET))

        def _parse_max_redemptions(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_redemptions = _parse_max_redemptions(d.pop("max_redemptions", UNSET))

        def _parse_redeem_by(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                redeem_by_type_0 = datetime.datetime.fromisoformat(data)

                return redeem_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        redeem_by = _parse_redeem_by(d.pop("redeem_by", UNSET))

        plans = cast(list[str], d.pop("plans", UNSET))

        metrics = cast(list[str], d.pop("metrics", UNSET))

        charges = cast(list[int], d.pop("charges", UNSET))

        coupon_in_request = cls(
            code=code,
            name=name,
            kind=kind,
            duration=duration,
            percent_off=percent_off,
            amount_off=amount_off,
            currency=currency,
            duration_periods=duration_periods,
            duration_months=duration_months,
            max_redemptions=max_redemptions,
            redeem_by=redeem_by,
            plans=plans,
            metrics=metrics,
            charges=charges,
        )

        coupon_in_request.additional_properties = d
        return coupon_in_request

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
