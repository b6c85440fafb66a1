from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.billing_policy_enum import BillingPolicyEnum
from ..models.blank_enum import BlankEnum
from ..models.interval_unit_enum import IntervalUnitEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PlanInRequest")


@_attrs_define
class PlanInRequest:
    """
    Attributes:
        code (str):
        name (str):
        currency (str):
        interval_unit (IntervalUnitEnum): * `day` - Day
            * `week` - Week
            * `month` - Month
            * `year` - Year
        description (str | Unset):
        product (None | str | Unset):
        interval_count (int | Unset):
        calendar_aligned (bool | Unset): Periods start on calendar boundaries (the 1st of the month, Jan 1, Mondays);
            the first period runs from the start to the first boundary and is prorated.
        cancellation_policy (BillingPolicyEnum | BlankEnum | Unset): When a cancellation takes effect: "" as the caller
            asks (at once by default), "immediate" (at once), "end_of_term" (at the end of the current period), "illegal"
            (refused).

            * `immediate` - at once
            * `end_of_term` - at the end of the period
            * `illegal` - refused
    """

    code: str
    name: str
    currency: str
    interval_unit: IntervalUnitEnum
    description: str | Unset = UNSET
    product: None | str | Unset = UNSET
    interval_count: int | Unset = UNSET
    calendar_aligned: bool | Unset = UNSET
    cancellation_policy: BillingPolicyEnum | BlankEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        name = self.name

        currency = self.currency

        interval_unit = self.interval_unit.value

        description = self.description

        product: None | str | Unset
        if isinstance(self.product, Unset):
            product = UNSET
        else:
            product = self.product

        interval_count = self.interval_count

        calendar_aligned = self.calendar_aligned

        cancellation_policy: str | Unset
        if isinstance(self.cancellation_policy, Unset):
            cancellation_policy = UNSET
        elif isinstance(self.cancellation_policy, BillingPolicyEnum):
            cancellation_policy = self.cancellation_policy.value
        else:
            cancellation_policy = self.cancellation_policy.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "name": name,
                "currency": currency,
                "interval_unit": interval_unit,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if product is not UNSET:
            field_dict["product"] = product
        if interval_count is not UNSET:
            field_dict["interval_count"] = interval_count
        if calendar_aligned is not UNSET:
            field_dict["calendar_aligned"] = calendar_aligned
        if cancellation_policy is not UNSET:
            field_dict["cancellation_policy"] = cancellation_policy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        name = d.pop("name")

        currency = d.pop("currency")

        interval_unit = IntervalUnitEnum(d.pop("interval_unit"))

        description = d.pop("description", UNSET)

        def _parse_product(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        product = _parse_product(d.pop("product", UNSET))

        interval_count = d.pop("interval_count", UNSET)

        calendar_aligned = d.pop("calendar_aligned", UNSET)

        def _parse_cancellation_policy(data: object) -> BillingPolicyEnum | BlankEnum | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cancellation_policy_type_0 = BillingPolicyEnum(data)

                return cancellation_policy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, str):
                raise TypeError()
            cancellation_policy_type_1 = BlankEnum(data)

            return cancellation_policy_type_1

        cancellation_policy = _parse_cancellation_policy(d.pop("cancellation_policy", UNSET))

        plan_in_request = cls(
            code=code,
            name=name,
            currency=currency,
            interval_unit=interval_unit,
            description=description,
            product=product,
            interval_count=interval_count,
            calendar_aligned=calendar_aligned,
            cancellation_policy=cancellation_policy,
        )

        plan_in_request.additional_properties = d
        return plan_in_request

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
