from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriptionInRequest")


@_attrs_define
class SubscriptionInRequest:
    """
    Attributes:
        customer (str): external id
        plan (str):
        start_at (datetime.datetime | Unset): default: now
        quantity (int | Unset):  Default: 1.
        trial_days (int | Unset): default: the price book's
        billing_anchor (datetime.date | Unset): local date the periods count from
        ends_at (datetime.datetime | Unset):
        metadata (Any | Unset):
    """

    customer: str
    plan: str
    start_at: datetime.datetime | Unset = UNSET
    quantity: int | Unset = 1
    trial_days: int | Unset = UNSET
    billing_anchor: datetime.date | Unset = UNSET
    ends_at: datetime.datetime | Unset = UNSET
    metadata: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        plan = self.plan

        start_at: str | Unset = UNSET
        if not isinstance(self.start_at, Unset):
            start_at = self.start_at.isoformat()

        quantity = self.quantity

        trial_days = self.trial_days

        billing_anchor: str | Unset = UNSET
        if not isinstance(self.billing_anchor, Unset):
            billing_anchor = self.billing_anchor.isoformat()

        ends_at: str | Unset = UNSET
        if not isinstance(self.ends_at, Unset):
            ends_at = self.ends_at.isoformat()

        metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "plan": plan,
            }
        )
        if start_at is not UNSET:
            field_dict["start_at"] = start_at
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if trial_days is not UNSET:
            field_dict["trial_days"] = trial_days
        if billing_anchor is not UNSET:
            field_dict["billing_anchor"] = billing_anchor
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        plan = d.pop("plan")

        _start_at = d.pop("start_at", UNSET)
        start_at: datetime.datetime | Unset
        if isinstance(_start_at, Unset):
            start_at = UNSET
        else:
            start_at = datetime.datetime.fromisoformat(_start_at)

        quantity = d.pop("quantity", UNSET)

        trial_days = d.pop("trial_days", UNSET)

        _billing_anchor = d.pop("billing_anchor", UNSET)
        billing_anchor: datetime.date | Unset
        if isinstance(_billing_anchor, Unset):
            billing_anchor = UNSET
        else:
            billing_anchor = datetime.date.fromisoformat(_billing_anchor)

        _ends_at = d.pop("ends_at", UNSET)
        ends_at: datetime.datetime | Unset
        if isinstance(_ends_at, Unset):
            ends_at = UNSET
        else:
            ends_at = datetime.datetime.fromisoformat(_ends_at)

        metadata = d.pop("metadata", UNSET)

        subscription_in_request = cls(
            customer=customer,
            plan=plan,
            start_at=start_at,
            quantity=quantity,
            trial_days=trial_days,
            billing_anchor=billing_anchor,
            ends_at=ends_at,
            metadata=metadata,
        )

        subscription_in_request.additional_properties = d
        return subscription_in_request

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
