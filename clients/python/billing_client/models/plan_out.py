from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.billing_policy_enum import BillingPolicyEnum
from ..models.blank_enum import BlankEnum
from ..models.interval_unit_enum import IntervalUnitEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="PlanOut")


@_attrs_define
class PlanOut:
    """
    Attributes:
        id (int):
        code (str):
        name (str):
        product (None | str): null: no product
        currency (str):
        interval_unit (IntervalUnitEnum): * `day` - Day
            * `week` - Week
            * `month` - Month
            * `year` - Year
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        description (str | Unset):
        interval_count (int | Unset):
        calendar_aligned (bool | Unset): Periods start on calendar boundaries (the 1st of the month, Jan 1, Mondays);
            the first period runs from the start to the first boundary and is prorated.
        archived_at (datetime.datetime | None | Unset):
        cancellation_policy (BillingPolicyEnum | BlankEnum | Unset): When a cancellation takes effect: "" as the caller
            asks (at once by default), "immediate" (at once), "end_of_term" (at the end of the current period), "illegal"
            (refused).

            * `immediate` - at once
            * `end_of_term` - at the end of the period
            * `illegal` - refused
    """

    id: int
    code: str
    name: str
    product: None | str
    currency: str
    interval_unit: IntervalUnitEnum
    created_at: datetime.datetime
    updated_at: datetime.datetime
    description: str | Unset = UNSET
    interval_count: int | Unset = UNSET
    calendar_aligned: bool | Unset = UNSET
    archived_at: datetime.datetime | None | Unset = UNSET
    cancellation_policy: BillingPolicyEnum | BlankEnum | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        code = self.code

        name = self.name

        product: None | str
        product = self.product

        currency = self.currency

        interval_unit = self.interval_unit.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        description = self.description

        interval_count = self.interval_count

        calendar_aligned = self.calendar_aligned

        archived_at: None | str | Unset
        if isinstance(self.archived_at, Unset):
            archived_at = UNSET
        elif isinstance(self.archived_at, datetime.datetime):
            archived_at = self.archived_at.isoformat()
        else:
            archived_at = self.archived_at

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
                "id": id,
                "code": code,
                "name": name,
                "product": product,
                "currency": currency,
                "interval_unit": interval_unit,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if interval_count is not UNSET:
            field_dict["interval_count"] = interval_count
        if calendar_aligned is not UNSET:
            field_dict["calendar_aligned"] = calendar_aligned
        if archived_at is not UNSET:
            field_dict["archived_at"] = archived_at
        if cancellation_policy is not UNSET:
            field_dict["cancellation_policy"] = cancellation_policy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        code = d.pop("code")

        name = d.pop("name")

        def _parse_product(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        product = _parse_product(d.pop("product"))

        currency = d.pop("currency")

        interval_unit = IntervalUnitEnum(d.pop("interval_unit"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        description = d.pop("description", UNSET)

        interval_count = d.pop("interval_count", UNSET)

        calendar_aligned = d.pop("calendar_aligned", UNSET)

        def _parse_archived_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                archived_at_type_0 = datetime.datetime.fromisoformat(data)

                return archived_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        archived_at = _parse_archived_at(d.pop("archived_at", UNSET))

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

        plan_out = cls(
            id=id,
            code=code,
            name=name,
            product=product,
            currency=currency,
            interval_unit=interval_unit,
            created_at=created_at,
            updated_at=updated_at,
            description=description,
            interval_count=interval_count,
            calendar_aligned=calendar_aligned,
            archived_at=archived_at,
            cancellation_policy=cancellation_policy,
        )

        plan_out.additional_properties = d
        return plan_out

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
