from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.type_enum import TypeEnum
from ..models.when_enum import WhenEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportEventInRequest")


@_attrs_define
class ImportEventInRequest:
    """
    Attributes:
        type_ (TypeEnum): * `change` - change
            * `pause` - pause
            * `resume` - resume
            * `cancel` - cancel
            * `end` - end
        at (datetime.datetime): When it happened (with its UTC offset, not later than now, on or after the
            subscription's start).
        reason (str | Unset):
        plan (str | Unset): change: the new plan's code.
        quantity (int | Unset): change.
        when (WhenEnum | Unset): * `now` - now
            * `period_end` - period_end
        prorate (bool | Unset): change, cancel (default true).
        at_period_end (bool | Unset): cancel.
        ends_at (datetime.datetime | Unset): end: the end date.
    """

    type_: TypeEnum
    at: datetime.datetime
    reason: str | Unset = UNSET
    plan: str | Unset = UNSET
    quantity: int | Unset = UNSET
    when: WhenEnum | Unset = UNSET
    prorate: bool | Unset = UNSET
    at_period_end: bool | Unset = UNSET
    ends_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        at = self.at.isoformat()

        reason = self.reason

        plan = self.plan

        quantity = self.quantity

        when: str | Unset = UNSET
        if not isinstance(self.when, Unset):
            when = self.when.value

        prorate = self.prorate

        at_period_end = self.at_period_end

        ends_at: str | Unset = UNSET
        if not isinstance(self.ends_at, Unset):
            ends_at = self.ends_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "at": at,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if plan is not UNSET:
            field_dict["plan"] = plan
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if when is not UNSET:
            field_dict["when"] = when
        if prorate is not UNSET:
            field_dict["prorate"] = prorate
        if at_period_end is not UNSET:
            field_dict["at_period_end"] = at_period_end
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = TypeEnum(d.pop("type"))

        at = datetime.datetime.fromisoformat(d.pop("at"))

        reason = d.pop("reason", UNSET)

        plan = d.pop("plan", UNSET)

        quantity = d.pop("quantity", UNSET)

        _when = d.pop("when", UNSET)
        when: WhenEnum | Unset
        if isinstance(_when, Unset):
            when = UNSET
        else:
            when = WhenEnum(_when)

        prorate = d.pop("prorate", UNSET)

        at_period_end = d.pop("at_period_end", UNSET)

        _ends_at = d.pop("ends_at", UNSET)
        ends_at: datetime.datetime | Unset
        if isinstance(_ends_at, Unset):
            ends_at = UNSET
        else:
            ends_at = datetime.datetime.fromisoformat(_ends_at)

        import_event_in_request = cls(
            type_=type_,
            at=at,
            reason=reason,
            plan=plan,
            quantity=quantity,
            when=when,
            prorate=prorate,
            at_period_end=at_period_end,
            ends_at=ends_at,
        )

        import_event_in_request.additional_properties = d
        return import_event_in_request

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
